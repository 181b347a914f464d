"""Syntax tree + analysed words → a `CompiledQuery`: which articles match
(the constraint), what scores them (the ranking), and the terms the proximity
rerank measures, as one frozen value.

`compile_query` is a pure function of the parsed query, the words' analysis
(search.query.words) and, optionally, a vocabulary: anything with
`doc_frequency(field, text)`, `doc_count_all()` and a `schema` (a Whoosh
searcher of the generation).  Without a vocabulary it needs no index at all
(tests/test_compile.py); with one, a word that is a reporter's name also
matches bylines, a pasted headline's source that names a press ranks that
press higher, and words too common to rank are left out of the ranking.

The constraint and the ranking are Whoosh query trees because both engines
run them: the columnar executor (search.query.execute) reads them, and Whoosh
runs what the executor does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Callable, Mapping, Optional, Union

from whoosh import query as Q
from whoosh.query.spans import SpanWrappingMatcher, WrappingSpan
from whoosh.searching import Searcher

from search.conjunction import CheckedPhrases, Excluding, SkippingAnd
from search.index import BIGRAM_FIELD, BODY_POSITION, CONTENT_FIELD, INITIALS_FIELD
from search.analysis.derived import bigrams
from search.analysis.normalize import normalize_text
from search.analysis.particles import particle_stems
from search.korean import is_initials_query
from search.query.lookup import TermLookup, holds_in
from search.query.spelled import SpelledWord
from search.query.bylines import byline_titles, reporter_names, vocabulary_names
from search.query.tree import DEFAULT_FIELDS, AllOf, AnyOf, Exact, Node, Not, ParsedQuery, Period, Text, text_clauses
from search.query.words import QueryWords
from search.ranking import BIGRAM_WEIGHT, ScoredTerm, ScoredUnion, lucene_idf, rare_enough

# Field weights for BM25F: a word in the title says more about the article.
FIELD_WEIGHTS = {"title": 2.5, "subtitles": 1.5, "body": 1.0, "captions": 0.8}
# The score a pasted headline's source adds to the articles of the press it
# names (` - 매일경제`): a preference among equals, never a filter.
PRESS_PREFERENCE = 1.5
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class CompiledQuery:
    """What one parsed query asks of the index."""

    # What runs: the constraint's matches scored by the ranking (None: the
    # query has no searchable word, nothing matches).
    query: Optional[Q.Query] = None
    constraint: Optional[Q.Query] = None  # which articles match; None: every article the ranking scores
    ranking: Optional[Q.Query] = None  # what adds to their scores
    proximity_terms: tuple[str, ...] = ()  # the top hits are reordered by how close these stand
    question: bool = False  # every plain word optional, interrogatives dropped
    required_terms: tuple[str, ...] = ()  # morphemes of the clauses every match holds
    optional_terms: tuple[str, ...] = ()  # ranked, not required
    phrases: tuple[tuple[str, ...], ...] = ()  # quoted or field phrases, as morphemes in order
    filters: tuple[Union[Exact, Period], ...] = ()  # 기자:, 언론사:, 날짜: clauses
    excluded_terms: tuple[str, ...] = ()  # morphemes of `-word` clauses
    reporter_names: frozenset = frozenset()  # the byline names the plain words name (강경희가 → 강경희)
    presses: tuple[str, ...] = ()  # presses a pasted headline's source names


def compile_query(parsed: ParsedQuery, words: QueryWords, vocabulary=None) -> CompiledQuery:
    """The compiled form of a parsed query.

    Plain words are all required in a keyword query (삼성전자 협력); the
    service completes a short page with articles that miss some of them
    (search.query.relax).  In a question (임세영은 무엇을 경영했나?) every
    plain word is optional and interrogatives are dropped: questions are
    phrased unlike their answers, and requiring every word loses two thirds
    of the answers (README, relevance).  Phrases, fields, exclusions and
    filters are required either way."""
    node = parsed.node
    if node is None:
        return CompiledQuery()
    words = read_against(words, vocabulary)
    source = parsed.text
    question = words.is_question(parsed)
    # In a question, quotation marks and parentheses are punctuation
    # ("열"은 뭐라고 불리는가?), so every text clause is optional there.
    optional = frozenset(id(w) for w in text_clauses(node)) if question else frozenset()
    names = reporter_words(parsed, words, vocabulary)
    optional |= byline_titles(node, names)
    constraint = constraint_of(words, node, source, optional, names)
    ranking, terms = ranking_of(words, parsed, vocabulary, question, names)
    if ranking is None:
        query = constraint
    elif constraint is None:
        query = ScoredUnion(ranking.subqueries)  # the ranking alone decides the matches
    elif isinstance(constraint, Q.AndNot) and isinstance(constraint.a, Q.Every):
        query = Excluding(ranking, constraint.b)  # only exclusions: rank what is left
    else:
        # The constraint decides the articles, the ranking query only adds
        # to their scores (Whoosh's own Require collects no hits in 2.7.4).
        query = Q.AndMaybe(Q.ConstantScoreQuery(constraint, 0.0), ranking)
    required, phrases = _required(words, node, source, optional)
    return CompiledQuery(
        query=query, constraint=constraint, ranking=ranking, proximity_terms=tuple(terms), question=question,
        required_terms=tuple(required), optional_terms=tuple(t for t in terms if t not in required),
        phrases=tuple(phrases), filters=tuple(_filters(node)), excluded_terms=tuple(_excluded(words, node, source)),
        reporter_names=frozenset(names.values()), presses=tuple(known_presses(parsed, vocabulary)),
    )


def read_against(words: QueryWords, vocabulary) -> QueryWords:
    """`words` read against the vocabulary's index (which terms it holds in a
    row: KoreanAnalyzer.query_token_tuples, search.query.spelled); as they
    are without one.  The compiler and the relaxation read a query alike."""
    if isinstance(vocabulary, Searcher):
        return words.against(index_holds(vocabulary))
    if isinstance(vocabulary, TermLookup):
        # The generation's one `holds`: readings cached per look-up stay valid.
        return words.against(vocabulary.holds)
    return words


def index_holds(searcher: Searcher) -> Callable[[tuple[str, ...]], bool]:
    """Whether the searcher's articles hold these analysed terms in a row (one
    term: anywhere), for KoreanAnalyzer.query_token_tuples: a word whose terms
    the index lacks as read alone (토포스로 → 토 + 포스로) is read again, e.g.
    without its particle, and the reading the articles hold is taken
    (search.query.lookup.holds_in; a generation's term look-ups keep one)."""
    return lambda terms: holds_in(searcher, searcher.doc_frequency, terms)


def reporter_words(parsed: ParsedQuery, words: QueryWords, vocabulary) -> dict[str, str]:
    """The plain words that name an indexed reporter, each with the byline
    name it means: as typed (강경희) or without a particle (강경희가 → 강경희),
    search.query.bylines."""
    return reporter_names(parsed, vocabulary_names(vocabulary))


def known_presses(parsed: ParsedQuery, vocabulary) -> list[str]:
    """The press names among a pasted headline's source and tags."""
    if vocabulary is None or "press" not in vocabulary.schema:
        return []
    return [hint for hint in parsed.press_hints if vocabulary.doc_frequency("press", hint)]


def ranking_of(words: QueryWords, parsed: ParsedQuery, vocabulary=None, question: Optional[bool] = None,
               names: Mapping[str, str] = MappingProxyType({})) -> tuple[Optional[Q.Or], list[str]]:
    """The ranking query (every article it matches gets a score) and the
    terms proximity is measured on."""
    node, source = parsed.node, parsed.text
    if question is None:
        question = words.is_question(parsed)
    presses = known_presses(parsed, vocabulary)
    terms, grams, initials = words.ranking_terms(node, source, question, skip=_press_words(node, presses))
    scored = terms
    if vocabulary is not None:
        scored, grams = rare_enough(vocabulary, CONTENT_FIELD, terms), rare_enough(vocabulary, BIGRAM_FIELD, grams)
    clauses: list[Q.Query] = [ScoredTerm(CONTENT_FIELD, t) for t in scored]
    clauses += [ScoredTerm(BIGRAM_FIELD, g, boost=BIGRAM_WEIGHT) for g in grams]
    clauses += [ScoredTerm(INITIALS_FIELD, k) for k in initials]
    clauses += _alias_clauses(words, node, source)
    if vocabulary is not None:
        total = vocabulary.doc_count_all()
        # A byline counts like a title word: the reporter's idf, title-weighted.
        clauses += [Q.ConstantScoreQuery(Q.Term("reporter", name), FIELD_WEIGHTS["title"]
                                         * lucene_idf(total, vocabulary.doc_frequency("reporter", name)))
                    for name in sorted(set(names.values()))]
        clauses += [Q.ConstantScoreQuery(Q.Term("press", press), PRESS_PREFERENCE) for press in presses]
    return (Q.Or(clauses) if clauses else None), terms


def _alias_clauses(words: QueryWords, node: Optional[Node], source: str) -> list[Q.Query]:
    """One clause per word that has aliases: the best of the word's own terms
    and each alias's (a disjunction-max, so a synonym never counts twice)."""
    clauses = []
    for word in text_clauses(node):
        if word.phrase or word.source or word.fields != DEFAULT_FIELDS:
            continue
        positions = words.terms_by_position(word, source)
        aliases = words.aliases().aliases(tuple(g[0] for g in positions))
        if not aliases:
            continue
        own = [ScoredTerm(CONTENT_FIELD, g[0]) for g in positions]
        options = [Q.And(own) if len(own) > 1 else own[0]]
        for _, other in aliases:
            theirs = [ScoredTerm(CONTENT_FIELD, t) for t in other]
            options.append(Q.And(theirs) if len(theirs) > 1 else theirs[0])
        clauses.append(Q.DisjunctionMax(options))
    return clauses


def constraint_of(words: QueryWords, node: Optional[Node], source: str, optional: frozenset = frozenset(),
                  names: Mapping[str, str] = MappingProxyType({})) -> Optional[Q.Query]:
    """The boolean part; Text nodes whose id is in `optional` (and a
    headline's source) are left out; a word in `names` also matches that
    reporter's bylines."""
    if node is None:
        return None
    if isinstance(node, Text):
        if id(node) in optional or node.source:
            return None
        return word_query(words, node, source, names)
    if isinstance(node, Exact):
        return Q.Term(node.field, node.value)
    if isinstance(node, Period):
        return date_query(node.start, node.end)
    if isinstance(node, Not):
        inner = constraint_of(words, node.node, source)
        return Q.Not(inner) if inner is not None else None
    parts = [q for q in (constraint_of(words, n, source, optional, names) for n in node.nodes) if q is not None]
    if not parts:
        return None
    if len(parts) == 1 and not isinstance(parts[0], Q.Not):
        return parts[0]
    if isinstance(node, AnyOf):
        return Q.Or(parts)
    positives = [p for p in parts if not isinstance(p, Q.Not)]
    negatives = [p.query for p in parts if isinstance(p, Q.Not)]
    if not positives:
        return Excluding(Q.Every(), Q.Or(negatives)) if negatives else None
    query = positives[0] if len(positives) == 1 else _and(positives)
    return Excluding(query, Q.Or(negatives)) if negatives else query


def word_query(words: QueryWords, node: Text, source: str,
               names: Mapping[str, str] = MappingProxyType({})) -> Optional[Q.Query]:
    """Which articles hold one text clause; a word that names a reporter (a
    key of `names`) also finds the bylines of the name it means."""
    query = _compile_text(words, node, source)
    if node.text in names and not node.phrase and node.fields == DEFAULT_FIELDS:
        byline = Q.Term("reporter", names[node.text])
        return byline if query is None else Q.Or([query, byline])
    return query


def _compile_text(words: QueryWords, node: Text, source: str) -> Optional[Q.Query]:
    if is_initials_query(node.text) and node.fields == DEFAULT_FIELDS:
        return Q.Term(INITIALS_FIELD, node.text)
    positions = words.terms_by_position(node, source)
    if not positions:
        return None
    key = tuple(g[0] for g in positions)
    spelled = spelled_word(words, node, key)
    if node.fields == DEFAULT_FIELDS:
        # All text fields at once, through the derived `content` field.
        alternatives = [_word_query(CONTENT_FIELD, positions)]
        if not node.phrase:
            alternatives += [_word_query(CONTENT_FIELD, [[t] for t in other])
                             for _, other in words.aliases().aliases(key)]
        if spelled:
            alternatives.append(_spelled_query(node.text, key))
        return alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives)
    per_field = [_field_query(name, positions) for name in node.fields]
    if spelled:
        per_field += [_spelled_query(node.text, key, "title" if name == "title" else "body") for name in node.fields]
    return per_field[0] if len(per_field) == 1 else Q.Or(per_field)


def spelled_word(words: QueryWords, node: Text, key: tuple[str, ...]) -> bool:
    """Whether a text clause also matches the articles that spell it
    (search.query.spelled): a single word (plain or quoted) whose terms, as
    the query reads them, the index does not hold in a row.  Without the
    index's look-up (`words.known`), words match by their terms only."""
    if words.known is None or not key or _SPACE.search(node.text.strip()):
        return False
    return not words.known(key)


def _spelled_query(text: str, reading: tuple[str, ...], part: str = "all") -> Q.Query:
    """Articles that spell `text` (in their `part`: search.query.spelled.PARTS),
    or the word without a particle a reader added to it (케라톱스에:
    케라톱스), each by every character bigram of it, then the stored text
    checked (search.query.spelled)."""
    word = normalize_text(text).strip()
    clauses = []
    for spelling in [word] + particle_stems(word):
        grams = list(dict.fromkeys(gram for gram, _, _ in bigrams(spelling)))
        terms = [Q.Term(BIGRAM_FIELD, gram) for gram in grams]
        clauses.append(SpelledWord(spelling, terms[0] if len(terms) == 1 else SkippingAnd(terms), reading, part))
    return clauses[0] if len(clauses) == 1 else Q.Or(clauses)


def _field_query(name: str, positions: list[list[str]]) -> Q.Query:
    if name == "title":
        return _word_query("title", positions, FIELD_WEIGHTS["title"])
    # 본문: the article's text outside its title, which `content` holds from
    # BODY_POSITION on (subtitles, body and captions are indexed only there).
    return SpanFrom(_word_query(CONTENT_FIELD, positions, spans=True), BODY_POSITION)


def _word_query(fieldname: str, positions: list[list[str]], boost: float = 1.0, spans: bool = False) -> Q.Query:
    if len(positions) == 1:
        terms = [Q.Term(fieldname, t, boost=boost) for t in positions[0]]
        return terms[0] if len(terms) == 1 else Q.Or(terms)
    if all(len(p) == 1 for p in positions):
        # The morphemes of one word (삼성전자 → 삼성 전자) or a quoted phrase
        # must stand together, as they did in the text: checked after the
        # query's other words (search.conjunction), unless a span query wraps it.
        phrase = [p[0] for p in positions]
        if spans:
            return Q.Phrase(fieldname, phrase, boost=boost)
        return CheckedPhrases([(fieldname, phrase)], boost=boost)
    return SkippingAnd([Q.Or([Q.Term(fieldname, t) for t in p]) for p in positions], boost=boost)


def _and(positives: list[Q.Query]) -> Q.Query:
    """The AND of `positives`, listed by skipping, with their phrases checked
    once every other clause has matched (search.conjunction)."""
    phrases = [p for p in positives if type(p) is CheckedPhrases]
    if not phrases:
        return SkippingAnd(positives)
    others = [p for p in positives if type(p) is not CheckedPhrases]
    required = others + [q for p in phrases for q in p.required]
    return CheckedPhrases([phrase for p in phrases for phrase in p.phrases], required)


def date_query(start: Optional[date], end: Optional[date]) -> Q.Query:
    """Articles published on days start..end (inclusive), by the precomputed day key."""
    return Q.TermRange("day", start.isoformat() if start else None, end.isoformat() if end else None)


def _press_words(node: Optional[Node], presses: list[str]) -> frozenset:
    """Source words that are (part of) a known press name: a press
    preference, not words to find in the text."""
    if not presses:
        return frozenset()
    return frozenset(id(t) for t in text_clauses(node)
                     if t.source and any(t.text in press or press in t.text for press in presses))


# -- the descriptive parts of a CompiledQuery


def _required(words: QueryWords, node: Optional[Node], source: str, optional: frozenset):
    """Morphemes of the text clauses every match must hold (outside any OR),
    and the phrases among them as morphemes in order."""
    required: dict[str, None] = {}
    phrases: list[tuple[str, ...]] = []
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    for n in nodes:
        if not isinstance(n, Text) or id(n) in optional or n.source or is_initials_query(n.text):
            continue
        positions = words.terms_by_position(n, source)
        for group in positions:
            required[group[0]] = None
        if n.phrase and len(positions) > 1:
            phrases.append(tuple(g[0] for g in positions))
    return list(required), phrases


def _filters(node: Optional[Node]) -> list[Union[Exact, Period]]:
    if isinstance(node, (Exact, Period)):
        return [node]
    if isinstance(node, AllOf):
        return [f for child in node.nodes for f in _filters(child)]
    return []


def _excluded(words: QueryWords, node: Optional[Node], source: str) -> list[str]:
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    out: dict[str, None] = {}
    for n in nodes:
        if isinstance(n, Not):
            for text in text_clauses(n.node):
                for group in words.terms_by_position(text, source):
                    out[group[0]] = None
    return list(out)


class SpanFrom(WrappingSpan):
    """Matches where every span of the wrapped query starts at position `limit`
    or later (Whoosh's SpanFirst is the opposite bound)."""

    def __init__(self, q: Q.Query, limit: int = 0):
        self.q = q
        self.limit = limit

    def __eq__(self, other):
        return other and self.__class__ is other.__class__ and self.q == other.q and self.limit == other.limit

    def __hash__(self):
        return hash(self.q) ^ hash(self.limit)

    def matcher(self, searcher, context=None):
        return _SpanFromMatcher(self._subm(searcher, context), self.limit)


class _SpanFromMatcher(SpanWrappingMatcher):
    def __init__(self, child, limit: int):
        self.limit = limit
        super().__init__(child)

    def copy(self):
        return self.__class__(self.child.copy(), self.limit)

    def _replacement(self, newchild):
        return self.__class__(newchild, self.limit)

    def _get_spans(self):
        return [span for span in self.child.spans() if span.start >= self.limit]
