"""The query language a Korean newsroom user types, parsed leniently.

    삼성전자 협력              words are ANDed (each analysed into morphemes); a short
                               page is completed with articles missing some (search.relax)
    임세영은 무엇을 경영했나?  a question: words ranked, none required
    ㅅㅅㅈㅈ                   초성 (initial consonants) of a word
    AI                         also its aliases (인공지능), from search/data/aliases.txt
    "기술 협력"                a phrase (also “…”, ‘…’, '…', 「…」); searched as plain
                               words when no article has it
    … - 매일경제, [OSEN] …     a pasted headline's source and tags: not required; a
                               press named there is preferred
    삼성 OR 엘지               either
    삼성전자 -협력             without (이-팔, e-스포츠, A - B exclude nothing)
    (삼성 OR 엘지) 반도체      grouping
    기자:조재범  reporter:…    reporter (exact)
    언론사:뉴데일리경제 press:… press (exact)
    제목:협력  title:…         only in titles     (본문:/body: anywhere but the title)
    날짜:2018-11  date:…       a year, a month or a day (2018, 2018-11, 2018-11-07)
    from:2018-01-01 to:2018-12-31

Nothing a user types raises: a lone quote runs to the end of the query, an
unbalanced parenthesis is ignored, a dangling OR or `-` is dropped, an unknown
`field:` is searched as text.  What was dropped is reported as a notice.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Optional, Union

from whoosh import query as Q
from whoosh.query.spans import SpanWrappingMatcher, WrappingSpan

from search.analysis.aliases import AliasTable, alias_table
from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.derived import bigrams
from search.index import BIGRAM_FIELD, BODY_POSITION, CONTENT_FIELD, INITIALS_FIELD
from search.korean import is_initials_query
from search.limits import bound_query
from search.conjunction import CheckedPhrases, Excluding, SkippingAnd
from search.ranking import BIGRAM_WEIGHT, ScoredTerm, lucene_idf, rare_enough

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64

# Field weights for BM25F: a word in the title says more about the article.
FIELD_WEIGHTS = {"title": 2.5, "subtitles": 1.5, "body": 1.0, "captions": 0.8}
DEFAULT_FIELDS = tuple(FIELD_WEIGHTS)

# Interrogatives (after analysis: 뭘 → 무엇): they make a query a question and
# are dropped from its ranking terms, since answers do not contain them.
QUESTION_WORDS = frozenset({"무엇", "누구", "언제", "어디", "몇", "어느", "어떤", "어떻게", "왜", "얼마", "뭐", "무슨", "누가"})
# The score a pasted headline's source adds to the articles of the press it
# names (` - 매일경제`): a preference among equals, never a filter.
PRESS_PREFERENCE = 1.5

FIELD_ALIASES = {
    "기자": "reporter", "reporter": "reporter", "by": "reporter",
    "언론사": "press", "press": "press", "매체": "press",
    "제목": "title", "title": "title",
    "본문": "body", "body": "body",
    "날짜": "date", "date": "date", "기간": "date",
    "from": "from", "since": "from", "부터": "from",
    "to": "to", "until": "to", "까지": "to",
}


class QueryError(ValueError):
    """A query or filter value that cannot be used; `param` names the culprit."""

    def __init__(self, message: str, param: str = "q"):
        super().__init__(message)
        self.param = param


# ------------------------------------------------------------------ syntax tree


@dataclass
class Text:
    text: str
    fields: tuple[str, ...] = DEFAULT_FIELDS
    phrase: bool = False
    # Where the text stands in the query: words are analysed in the context of the
    # whole query, as in an article (standalone, 온 is a determiner; in 늦게 온
    # 기사 it is a verb form that the analyser drops).
    span: Optional[tuple[int, int]] = None
    # Part of a pasted headline's source or tags (` - 매일경제`, [OSEN]): ranked, never required.
    source: bool = False
    # A phrase as typed, with its quotation marks ("집값 잡겠다", 「…」).
    quoted: str = ""


@dataclass
class Exact:
    field: str  # reporter | press
    value: str


@dataclass
class Period:
    start: Optional[date]
    end: Optional[date]


@dataclass
class Not:
    node: "Node"


@dataclass
class AllOf:
    nodes: list["Node"]


@dataclass
class AnyOf:
    nodes: list["Node"]


Node = Union[Text, Exact, Period, Not, AllOf, AnyOf]


# ------------------------------------------------------------------ lexing

# Quotation marks as Korean news writes speech: each opener with its closer (a
# right double quote also opens, as some keyboards type ”…”).  A straight `'`
# opens a quote only at the start of a word and never closes right after a
# space (so `don't` stays a word).
QUOTES = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u2018": "\u2019", "'": "'",
          "\u300c": "\u300d", "\u300e": "\u300f", "\u201e": "\u201c"}
# Characters that only separate words in a query: ellipses, middle dots, list
# marks, hashtags, brackets other than parentheses, arrows, emoji.
_SEPARATOR = re.compile(
    "[\\s\u2026\u2025\u00b7\u30fb\u2027\u2022\u203b#\\[\\]\u3010\u3011\u3008\u3009\u300a\u300b<>{}"
    "\u25b6\u25b2\u25b3\u25b7\u25c6\u25c7\u25a0\u25a1\u25cf\u25cb\u2605\u2606\u2190-\u21ff"
    "\u2600-\u27bf\U0001F000-\U0001FAFF\ufe0f\u200d]"
)
_HASHTAG = re.compile(r"(?<!\S)#[^\s#]+")
# What a sentence writes onto a closing quote: 라며, 라고, 는, 가, 에, …
_QUOTE_TAIL = re.compile(r"(?:이라며|이라고|이라는|이란|라며|라고|라는|란|며|고|은|는|이|가|을|를|에|의|도|로|와|과)(?=[\s,.]|$)")
# A bracketed tag of a headline: [단독], [OSEN], 【서울=뉴시스】, <포토>.
_TAG = re.compile(r"[\[\u3010\u3008\u300a<][^\]\u3011\u3009\u300b>\n]{1,24}[\]\u3011\u3009\u300b>]")
# A portal's source after a headline: ` - 매일경제`, ` | 한국일보`, ` / YTN`.
_SOURCE = re.compile(r"(?:\s[-\u2013\u2014]\s+|\s[|/]\s*)([^-\u2013\u2014|/\s\"][^-\u2013\u2014|/\"]{0,29})\s*$")


@dataclass
class _Token:
    kind: str  # open | close | quote | word
    raw: str
    start: int
    inner: str = ""  # a quote's text without its marks
    inner_start: int = 0


def _lex(text: str) -> list[_Token]:
    """Parentheses, quotes (each kind of mark) and words; separators dropped."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _SEPARATOR.match(ch):
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token("open" if ch == "(" else "close", ch, i))
            i += 1
            continue
        if ch in QUOTES and _opens(text, i):
            close = _closing(text, i)
            if close is not None or ch == '"':
                end = close if close is not None else n
                tokens.append(_Token("quote", text[i:end + 1], i, text[i + 1:end], i + 1))
                i = end + 1
                # The ending or particle written onto the quote ("…"며, '…'가,
                # "…"라고) belongs to the sentence, not to the search.
                tail = _QUOTE_TAIL.match(text, i)
                if tail:
                    i = tail.end()
                continue
            i += 1  # a lone curly or single quote: punctuation
            continue
        j = i
        while j < n and not _SEPARATOR.match(text[j]) and text[j] not in "()":
            if text[j] in QUOTES and j > i and _opens(text, j) and (text[j] == '"' or _closing(text, j) is not None):
                break
            j += 1
        word = text[i:j]
        # Closing marks left on a word (a stray ’ or ”) are punctuation.
        stripped = word.rstrip("'\u2019\u201d\u300d\u300f")
        stripped = stripped.lstrip("'\u2018\u201c\u300c\u300e")
        if stripped:
            tokens.append(_Token("word", stripped, i + word.index(stripped)))
        i = j
    return tokens


def _opens(text: str, i: int) -> bool:
    """Whether the mark at `i` may open a quote: a straight `'` only at a word's start."""
    if text[i] != "'":
        return True
    return i == 0 or not text[i - 1].isalnum()


def _closing(text: str, i: int) -> Optional[int]:
    """Where the quote opened at `i` closes, or None.  A straight `'` closes
    after a word (`'엑시노스'가`), never right after an opener or a space."""
    closer = QUOTES[text[i]]
    j = text.find(closer, i + 1)
    while j != -1 and text[i] == "'" and (j == i + 1 or text[j - 1].isspace()):
        j = text.find(closer, j + 1)
    return None if j == -1 else j


def source_start(text: str) -> Optional[int]:
    """Where a pasted headline's trailing source begins (` - 매일경제`,
    ` / 연합뉴스TV (YonhapnewsTV) - 연합뉴스TV`), or None.  Only after a
    headline of two words or more: `삼성 - 애플` is two words, not a source."""
    start = None
    rest = text.rstrip()
    while True:
        match = _SOURCE.search(rest)
        if not match or len(match.group(1).split()) > 4:
            break
        head = rest[:match.start()]
        words = [w for w in _SEPARATOR.sub(" ", head).split() if w not in ("|", "||", "OR", "-")]
        if len(words) < 2 or ("|" in match.group(0) and re.search(r"\s(?:\|\|?|OR)\s", head)):
            break  # `삼성 | 엘지 | LG` is an OR, not a source
        start, rest = match.start(), head.rstrip()
    return start


def parse_date_bound(value: str, upper: bool, param: str = "date") -> date:
    """`2018`, `2018-11`, `2018-11-07`, `2018.11.07`, `20181107`, `2018년 11월` … as
    the first (or last) day: search/datebounds.py (imported here, where QueryError exists)."""
    from search.datebounds import parse_date_bound as parse

    return parse(value, upper, param)


@dataclass
class ParsedQuery:
    node: Optional[Node]
    notices: list[str] = field(default_factory=list)
    text: str = ""  # the query as parsed (after any length cap)
    # Strings of a pasted headline's source (` - 매일경제`) and tags ([OSEN]) that
    # may name a press: a known one ranks that press's articles higher.
    press_hints: list[str] = field(default_factory=list)


class _QueryReader:
    """Reads one query string into a syntax tree (one instance per parse)."""

    # -- parsing

    def __init__(self, text: str):
        self._notices: list[str] = []
        text = text or ""
        if len(text) > MAX_QUERY_CHARS:
            self._notices.append(f"검색어가 너무 길어 앞의 {MAX_QUERY_CHARS:,}자만 검색했습니다.")
            text = text[:MAX_QUERY_CHARS]
        self._text = text
        self._tokens = _lex(text)
        self._pos = 0
        self._clauses = 0
        # A pasted headline's source and tags: searched, never required.
        self._source_from = source_start(text)
        self._tags = [m.span() for m in _TAG.finditer(text)]
        # Hashtags (#추모) tag a post; they are not words the article must hold.
        self._hashtags = [m.span() for m in _HASHTAG.finditer(text)]

    def read(self) -> ParsedQuery:
        node = self._sequence(top=True)
        return ParsedQuery(node, self._notices, self._text, self._press_hints())

    def _is_source(self, start: int) -> bool:
        if self._source_from is not None and start >= self._source_from:
            return True
        return any(low <= start < high for low, high in self._tags + self._hashtags)

    def _press_hints(self) -> list[str]:
        """Strings of the source and tags that may name a press: whole
        segments (연합뉴스TV), their parts (서울=뉴시스 → 뉴시스)."""
        pieces = [self._text[low + 1:high - 1] for low, high in self._tags]
        if self._source_from is not None:
            pieces += re.split(r"\s[-\u2013\u2014|/]\s*|[()]", self._text[self._source_from:])
        hints: dict[str, None] = {}
        for piece in pieces:
            for part in [piece] + re.split(r"[=\s]+", piece):
                part = part.strip(" -|/=()")
                if part:
                    hints[part] = None
        return list(hints)

    def _sequence(self, top: bool) -> Optional[Node]:
        """Clauses ANDed, with OR binding tighter: a OR b c = (a OR b) AND c."""
        groups: list[list[Node]] = []
        pending_or = False
        while self._pos < len(self._tokens):
            token = self._tokens[self._pos]
            kind = token.kind
            if kind == "close":
                self._pos += 1
                if top:
                    continue  # an unbalanced ')' is ignored
                break
            if kind == "word" and token.raw in ("OR", "||", "|"):
                self._pos += 1
                pending_or = bool(groups)
                continue
            node = self._clause()
            if node is None:
                continue
            if pending_or and groups:
                groups[-1].append(node)
            else:
                groups.append([node])
            pending_or = False
        nodes = [g[0] if len(g) == 1 else AnyOf(g) for g in groups]
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else AllOf(nodes)

    def _clause(self) -> Optional[Node]:
        token = self._tokens[self._pos]
        self._pos += 1
        self._clauses += 1
        if self._clauses > MAX_CLAUSES:
            if self._clauses == MAX_CLAUSES + 1:
                self._notices.append(f"검색어의 단어가 너무 많아 앞의 {MAX_CLAUSES}개만 사용했습니다.")
            return None
        kind = token.kind
        if kind == "open":
            return self._sequence(top=False)
        raw = token.raw
        start = token.start
        if kind == "quote":
            return self._phrase(token, DEFAULT_FIELDS)
        negate = False
        # `-word` excludes only at a word's start and before a letter or a quote:
        # 이-팔, e-스포츠, `A - B`, -10% are no exclusions.
        if raw.startswith("-") and len(raw) > 1:
            if raw[1].isalpha() and not self._is_source(start):
                negate = True
            raw, start = raw.lstrip("-\u2013\u2014"), start + len(raw) - len(raw.lstrip("-\u2013\u2014"))
            if not raw:
                return None
        elif raw in ("-", "+", "\u2013", "\u2014", "|", "/"):
            if raw == "-" and self._pos < len(self._tokens) and self._tokens[self._pos].kind == "quote" \
                    and self._tokens[self._pos].start == start + 1:
                # -"기술 협력": without the phrase.
                phrase = self._phrase(self._tokens[self._pos], DEFAULT_FIELDS)
                self._pos += 1
                return Not(phrase) if phrase is not None else None
            return None
        if raw.startswith("+") and len(raw) > 1:
            raw, start = raw[1:], start + 1
        node = self._fielded(raw, start)
        if node is None:
            return None
        return Not(node) if negate else node

    def _phrase(self, token: "_Token", fields: tuple[str, ...]) -> Optional[Node]:
        inner = token.inner
        stripped = inner.strip()
        if not stripped:
            return None
        offset = token.inner_start + inner.index(stripped)
        return Text(stripped, fields, phrase=True, span=(offset, offset + len(stripped)), quoted=token.raw)

    def _fielded(self, raw: str, start: int) -> Optional[Node]:
        name, colon, value = raw.partition(":")
        target = FIELD_ALIASES.get(name.lower()) if colon else None
        if target is None:
            return Text(raw, span=(start, start + len(raw)), source=self._is_source(start))
        if not value:
            # `기자: 조재범` — the value is the next word.
            if self._pos < len(self._tokens) and self._tokens[self._pos].kind in ("word", "quote"):
                following = self._tokens[self._pos]
                value = following.inner if following.kind == "quote" else following.raw
                self._pos += 1
            else:
                self._notices.append(f"'{raw}' 다음에 값이 없어 무시했습니다.")
                return None
        value = value.strip('"').strip()
        if target in ("reporter", "press"):
            return Exact(target, value)
        if target in ("title", "body"):
            return Text(value, (target,), phrase=" " in value)  # analysed on its own
        try:
            if target == "date":
                if ".." in value:
                    lo, _, hi = value.partition("..")
                    return Period(parse_date_bound(lo, False) if lo else None,
                                  parse_date_bound(hi, True) if hi else None)
                return Period(parse_date_bound(value, False), parse_date_bound(value, True))
            if target == "from":
                return Period(parse_date_bound(value, False, "from"), None)
            return Period(None, parse_date_bound(value, True, "to"))
        except QueryError as exc:
            self._notices.append(f"날짜 '{value}'를 이해하지 못해 무시했습니다 ({getattr(exc, 'korean', exc)}).")
            return None


class QueryParser:
    """Parses the query language into a syntax tree (`parse`) and compiles the tree
    into a Whoosh query (`compile`) with the index's own analyzer."""

    def __init__(self, analyzer: Optional[KoreanAnalyzer] = None):
        self.analyzer = analyzer or KoreanAnalyzer()
        # Parsers are shared by server threads: the analysis cache is per thread.
        self._local = threading.local()

    def parse(self, text: str) -> ParsedQuery:
        return bound_query(_QueryReader(text).read())  # words and phrases held to size (search/limits.py)

    def _tokens(self, text: str) -> list[tuple[str, int, int, int]]:
        cached = getattr(self._local, "analysed", None)
        if cached is None or cached[0] != text:
            cached = (text, self.analyzer.query_token_tuples(text))
            self._local.analysed = cached
        return cached[1]

    def terms_by_position(self, node: Text, source: str = "") -> list[list[str]]:
        """The analysed terms of a text clause, grouped by position (a Hanja word
        and its reading share one).  With the query `source`, the clause is
        analysed in context and picked out by its character span."""
        if node.span and source[node.span[0]:node.span[1]] == node.text:
            low, high = node.span
            tokens = [t for t in self._tokens(source) if t[2] >= low and t[3] <= high]
        else:
            tokens = self.analyzer.query_token_tuples(node.text)
        groups: dict[int, list[str]] = {}
        for term, pos, _, _ in tokens:
            group = groups.setdefault(pos, [])
            if term not in group:
                group.append(term)
        return [groups[p] for p in sorted(groups)]

    # -- compiling

    def aliases(self) -> AliasTable:
        return alias_table(lambda word: tuple(g[0] for g in self._positions_of(word)), id(self.analyzer))

    def _positions_of(self, text: str) -> list[list[str]]:
        groups: dict[int, list[str]] = {}
        for term, pos, _, _ in self.analyzer.query_token_tuples(text):
            group = groups.setdefault(pos, [])
            if term not in group:
                group.append(term)
        return [groups[p] for p in sorted(groups)]

    def is_question(self, parsed: ParsedQuery) -> bool:
        """A natural-language question: a question mark, or an interrogative word
        (무엇, 누구, 언제, 어디, 몇, …) among the query's plain words."""
        if "?" in parsed.text or "？" in parsed.text:
            return True
        for word in plain_words(parsed.node):
            for group in self.terms_by_position(word, parsed.text):
                if QUESTION_WORDS.intersection(group):
                    return True
        return False

    def compile(self, parsed: Union[ParsedQuery, Node, None], source: str = "", searcher=None) -> Optional[Q.Query]:
        """The Whoosh query of a parsed query: a boolean constraint (which articles
        match) whose articles a ranking query scores (`search.ranking`).

        Plain words are all required in a keyword query (삼성전자 협력); the
        service completes a short page with articles that miss some of them
        (`search.relax`).  In a question (임세영은 무엇을 경영했나?) every
        plain word is optional and interrogatives are dropped: questions are
        phrased unlike their answers, and requiring every word loses two thirds
        of the answers (README, relevance).  Phrases, fields, exclusions and
        filters are required either way.  Given the `searcher`, a word that is
        a reporter's name also matches that reporter's bylines, and a pasted
        headline's source that names a press ranks that press higher."""
        if not isinstance(parsed, ParsedQuery):
            return self._constraint(parsed, source, frozenset())
        node = parsed.node
        if node is None:
            return None
        source = parsed.text
        question = self.is_question(parsed)
        # In a question, quotation marks and parentheses are punctuation
        # ("열"은 뭐라고 불리는가?), so every text clause is optional there.
        optional = frozenset(id(w) for w in text_clauses(node)) if question else frozenset()
        names = self.reporter_words(parsed, searcher)
        optional |= byline_titles(node, names)
        constraint = self._constraint(node, source, optional, names)
        ranking, terms = self.ranking(parsed, searcher, question, names)
        if ranking is None:
            query = constraint
        elif constraint is None:
            query = _scored_in_full(ranking)
        elif isinstance(constraint, Q.AndNot) and isinstance(constraint.a, Q.Every):
            query = Excluding(ranking, constraint.b)  # only exclusions: rank what is left
        else:
            # The constraint decides the articles, the ranking query only adds
            # to their scores (Whoosh's own Require collects no hits in 2.7.4).
            query = Q.AndMaybe(Q.ConstantScoreQuery(constraint, 0.0), ranking)
        if query is not None:
            query.proximity_terms = terms
        return query

    def reporter_words(self, parsed: ParsedQuery, searcher) -> frozenset:
        """The plain words that are exactly an indexed reporter's name (강경희)."""
        if searcher is None or "reporter" not in searcher.schema:
            return frozenset()
        return frozenset(w.text for w in plain_words(parsed.node)
                         if not is_initials_query(w.text) and searcher.doc_frequency("reporter", w.text))

    def known_presses(self, parsed: ParsedQuery, searcher) -> list[str]:
        """The press names among a pasted headline's source and tags."""
        if searcher is None or "press" not in searcher.schema:
            return []
        return [hint for hint in parsed.press_hints if searcher.doc_frequency("press", hint)]

    def ranking(self, parsed: ParsedQuery, searcher=None, question: Optional[bool] = None,
                names: frozenset = frozenset()) -> tuple[Optional[Q.Or], list[str]]:
        """The ranking query (every article it matches gets a score) and the
        terms proximity is measured on."""
        node, source = parsed.node, parsed.text
        if question is None:
            question = self.is_question(parsed)
        presses = self.known_presses(parsed, searcher)
        terms, grams, initials = self._ranking_terms(node, source, question, skip=_press_words(node, presses))
        scored, grams = terms, grams
        if searcher is not None:
            scored, grams = rare_enough(searcher, CONTENT_FIELD, terms), rare_enough(searcher, BIGRAM_FIELD, grams)
        clauses: list[Q.Query] = [ScoredTerm(CONTENT_FIELD, t) for t in scored]
        clauses += [ScoredTerm(BIGRAM_FIELD, g, boost=BIGRAM_WEIGHT) for g in grams]
        clauses += [ScoredTerm(INITIALS_FIELD, k) for k in initials]
        clauses += self._alias_clauses(node, source)
        if searcher is not None:
            total = searcher.doc_count_all()
            # A byline counts like a title word: the reporter's idf, title-weighted.
            clauses += [Q.ConstantScoreQuery(Q.Term("reporter", name), FIELD_WEIGHTS["title"]
                                             * lucene_idf(total, searcher.doc_frequency("reporter", name)))
                        for name in sorted(names)]
            clauses += [Q.ConstantScoreQuery(Q.Term("press", press), PRESS_PREFERENCE) for press in presses]
        return (Q.Or(clauses) if clauses else None), terms

    def _ranking_terms(self, node: Optional[Node], source: str, question: bool, skip: frozenset = frozenset()):
        """Distinct morphemes, bigrams and 초성 keys of the positive text clauses
        (aliases score separately, `_alias_clauses`); a question's
        interrogatives are left out."""
        terms: dict[str, None] = {}
        grams: dict[str, None] = {}
        initials: dict[str, None] = {}

        def visit(n: Optional[Node]) -> None:
            if isinstance(n, Text):
                if id(n) in skip:
                    return
                if is_initials_query(n.text):
                    initials[n.text] = None
                    return
                for group in self.terms_by_position(n, source):
                    for term in group:
                        if not (question and term in QUESTION_WORDS):
                            terms[term] = None
                for gram, _, _ in bigrams(n.text):
                    grams[gram] = None
            elif isinstance(n, (AllOf, AnyOf)):
                for child in n.nodes:
                    visit(child)

        visit(node)
        return list(terms), list(grams), list(initials)

    def _alias_clauses(self, node: Optional[Node], source: str) -> list[Q.Query]:
        """One clause per word that has aliases: the best of the word's own terms
        and each alias's (a disjunction-max, so a synonym never counts twice)."""
        clauses = []
        for word in text_clauses(node):
            if word.phrase or word.source or word.fields != DEFAULT_FIELDS:
                continue
            positions = self.terms_by_position(word, source)
            aliases = self.aliases().aliases(tuple(g[0] for g in positions))
            if not aliases:
                continue
            own = [ScoredTerm(CONTENT_FIELD, g[0]) for g in positions]
            options = [Q.And(own) if len(own) > 1 else own[0]]
            for _, other in aliases:
                theirs = [ScoredTerm(CONTENT_FIELD, t) for t in other]
                options.append(Q.And(theirs) if len(theirs) > 1 else theirs[0])
            clauses.append(Q.DisjunctionMax(options))
        return clauses

    def _constraint(self, node: Optional[Node], source: str, optional: frozenset,
                    names: frozenset = frozenset()) -> Optional[Q.Query]:
        """The boolean part; Text nodes whose id is in `optional` (and a
        headline's source) are left out; a word in `names` also matches that
        reporter's bylines."""
        if node is None:
            return None
        if isinstance(node, Text):
            if id(node) in optional or node.source:
                return None
            return self.word_query(node, source, names)
        if isinstance(node, Exact):
            return Q.Term(node.field, node.value)
        if isinstance(node, Period):
            return date_query(node.start, node.end)
        if isinstance(node, Not):
            inner = self._constraint(node.node, source, frozenset())
            return Q.Not(inner) if inner is not None else None
        parts = [q for q in (self._constraint(n, source, optional, names) for n in node.nodes) if q is not None]
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

    def word_query(self, node: Text, source: str, names: frozenset = frozenset()) -> Optional[Q.Query]:
        """Which articles hold one text clause; a reporter's name (in `names`)
        is also found in bylines."""
        query = self._compile_text(node, source)
        if node.text in names and not node.phrase and node.fields == DEFAULT_FIELDS:
            byline = Q.Term("reporter", node.text)
            return byline if query is None else Q.Or([query, byline])
        return query

    def _compile_text(self, node: Text, source: str) -> Optional[Q.Query]:
        if is_initials_query(node.text) and node.fields == DEFAULT_FIELDS:
            return Q.Term(INITIALS_FIELD, node.text)
        positions = self.terms_by_position(node, source)
        if not positions:
            return None
        if node.fields == DEFAULT_FIELDS:
            # All text fields at once, through the derived `content` field.
            alternatives = [self._word_query(CONTENT_FIELD, positions)]
            if not node.phrase:
                key = tuple(g[0] for g in positions)
                alternatives += [self._word_query(CONTENT_FIELD, [[t] for t in other])
                                 for _, other in self.aliases().aliases(key)]
            return alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives)
        per_field = [self._field_query(name, positions) for name in node.fields]
        return per_field[0] if len(per_field) == 1 else Q.Or(per_field)

    def _field_query(self, name: str, positions: list[list[str]]) -> Q.Query:
        if name == "title":
            return self._word_query("title", positions, FIELD_WEIGHTS["title"])
        # 본문: the article's text outside its title, which `content` holds from
        # BODY_POSITION on (subtitles, body and captions are indexed only there).
        return SpanFrom(self._word_query(CONTENT_FIELD, positions, spans=True), BODY_POSITION)

    @staticmethod
    def _word_query(fieldname: str, positions: list[list[str]], boost: float = 1.0, spans: bool = False) -> Q.Query:
        if len(positions) == 1:
            terms = [Q.Term(fieldname, t, boost=boost) for t in positions[0]]
            return terms[0] if len(terms) == 1 else Q.Or(terms)
        if all(len(p) == 1 for p in positions):
            # The morphemes of one word (삼성전자 → 삼성 전자) or a quoted phrase
            # must stand together, as they did in the text: checked after the
            # query's other words (search.conjunction), unless a span query wraps it.
            words = [p[0] for p in positions]
            if spans:
                return Q.Phrase(fieldname, words, boost=boost)
            return CheckedPhrases([(fieldname, words)], boost=boost)
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


def _scored_in_full(ranking: Q.Or) -> Q.Or:
    """The ranking query when it alone decides the matches: every posting of
    every term is scored, and scoring whole posting blocks into an array is 3-4x
    faster than a tree of union matchers for a question's 20-40 terms
    (benchmarks/relevance_latency.py, 10,000 articles).

    Only there: Whoosh 2.7.4's array union reports the largest of its terms'
    maximum scores where a document scores their sum, and a top-k search that
    re-plans `AndMaybe` (the constraint) with it drops a later segment whose
    best match scores above that bound (tests/test_relevance.py); `AndNot`
    reads the bound the same way.  Under a constraint a streaming union, which
    skips to the constraint's matches, is also faster (search-only p95 -18% at
    10,000 articles)."""
    ranking.matcher_type = Q.Or.ARRAY_MATCHER
    return ranking


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


def plain_words(node: Optional[Node]) -> list[Text]:
    """The top-level words a user typed without operators (no quotes, fields or
    minus) outside a pasted headline's source: the ones that are required in a
    keyword query and optional in a question."""
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    return [n for n in nodes if isinstance(n, Text) and not n.phrase and not n.source and n.fields == DEFAULT_FIELDS]


def byline_titles(node: Optional[Node], names: frozenset) -> frozenset:
    """The ids of `기자` words right after a reporter's name (강경희 기자): how
    a byline reads, not a word the article must hold."""
    words = plain_words(node)
    return frozenset(id(b) for a, b in zip(words, words[1:]) if a.text in names and b.text == "기자")


def _press_words(node: Optional[Node], presses: list[str]) -> frozenset:
    """Source words that are (part of) a known press name: a press
    preference, not words to find in the text."""
    if not presses:
        return frozenset()
    return frozenset(id(t) for t in text_clauses(node)
                     if t.source and any(t.text in press or press in t.text for press in presses))


def unquoted(parsed: ParsedQuery) -> Optional[ParsedQuery]:
    """The query with its top-level quoted phrases as ordinary words (the
    speech in a pasted headline, paraphrased in the article), or None when it
    has none."""
    node = parsed.node
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    if not any(isinstance(n, Text) and n.phrase and n.quoted for n in nodes):
        return None
    out: list[Node] = []
    seen: set[str] = set()  # a word repeated in the speech is one word to look for
    for n in nodes:
        if isinstance(n, Text) and n.phrase and n.quoted and n.span:
            for match in re.finditer(r"\S+", n.text):
                if match.group() in seen:
                    continue
                seen.add(match.group())
                low = n.span[0] + match.start()
                out.append(Text(match.group(), span=(low, low + len(match.group()))))
        else:
            out.append(n)
    return ParsedQuery(out[0] if len(out) == 1 else AllOf(out), list(parsed.notices), parsed.text,
                       list(parsed.press_hints))


def quoted_phrases(parsed: ParsedQuery) -> list[str]:
    node = parsed.node
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    return [n.quoted for n in nodes if isinstance(n, Text) and n.phrase and n.quoted]


def text_clauses(node: Optional[Node]) -> list[Text]:
    """Every text clause outside an exclusion, at any depth."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (AllOf, AnyOf)):
        return [t for child in node.nodes for t in text_clauses(child)]
    return []


def date_query(start: Optional[date], end: Optional[date]) -> Q.Query:
    """Articles published on days start..end (inclusive), by the precomputed day key."""
    return Q.TermRange("day", start.isoformat() if start else None, end.isoformat() if end else None)


def highlight_terms(parser: QueryParser, parsed: ParsedQuery) -> set[str]:
    """The analysed terms of the positive text clauses and their aliases, for
    snippet highlighting (a question's interrogatives are not marked)."""
    terms, _, _ = parser._ranking_terms(parsed.node, parsed.text, parser.is_question(parsed))
    marked = set(terms)
    for word in text_clauses(parsed.node):
        key = tuple(g[0] for g in parser.terms_by_position(word, parsed.text))
        for _, other in parser.aliases().aliases(key):
            marked.update(other)
    return marked

