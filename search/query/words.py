"""A query's words through the index's analyzer: the morphemes of each text
clause (in the context of the whole query, as in an article), its aliases, and
whether the query is a question.  Shared by the server's threads; the
analyses of the last few query strings are kept per thread."""

from __future__ import annotations

import copy
import threading
from typing import Callable, Optional

from search.analysis.aliases import AliasTable, alias_table
from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.derived import bigrams
from search.korean import is_initials_query
from search.query.tree import AllOf, AnyOf, Node, ParsedQuery, Text, plain_words, text_clauses

# Readings of query texts kept per thread (QueryWords._analysed).
ANALYSES_KEPT = 4
# Interrogatives (after analysis: 뭘 → 무엇): they make a query a question and
# are dropped from its ranking terms, since answers do not contain them.
QUESTION_WORDS = frozenset({"무엇", "누구", "언제", "어디", "몇", "어느", "어떤", "어떻게", "왜", "얼마", "뭐", "무슨", "누가"})


class QueryWords:
    """The analysis of query words with one analyzer (the one an index
    generation was built with)."""

    def __init__(self, analyzer: Optional[KoreanAnalyzer] = None):
        self.analyzer = analyzer or KoreanAnalyzer()
        # Whether an index holds a run of terms (KoreanAnalyzer.query_token_tuples
        # reads a word it lacks again, e.g. without its particle); None reads
        # words as the analyzer alone does.
        self.known: Optional[Callable[[tuple[str, ...]], bool]] = None
        # Shared by server threads: the analysis cache is per thread.
        self._local = threading.local()

    def against(self, known: Optional[Callable[[tuple[str, ...]], bool]]) -> "QueryWords":
        """These words read against one index's terms (same analyzer and cache)."""
        view = copy.copy(self)
        view.known = known
        return view

    def _analyse(self, text: str) -> list[tuple[str, int, int, int]]:
        return self.analyzer.query_token_tuples(text, self.known)

    def _analysed(self, text: str) -> tuple:
        """(text, the index's look-up, its tokens, the clauses' groups picked
        out of them so far).  Keyed by the index's look-up too: another
        generation may read a word otherwise.  A search reads its text both
        with the look-up (the compiler) and without it (whether it is a
        question, the marked terms), in turns: the last few readings are
        kept, so each is made once per search."""
        kept = getattr(self._local, "analysed", None)
        if kept is None:
            kept = self._local.analysed = []
        for cached in kept:
            if cached[0] == text and cached[1] is self.known:
                return cached
        cached = (text, self.known, self._analyse(text), {})
        kept.insert(0, cached)
        del kept[ANALYSES_KEPT:]
        return cached

    def terms_by_position(self, node: Text, source: str = "") -> list[list[str]]:
        """The analysed terms of a text clause, grouped by position (a Hanja word
        and its reading share one).  With the query `source`, the clause is
        analysed in context and picked out by its character span."""
        if node.span and source[node.span[0]:node.span[1]] == node.text:
            # The compiler, the question test and the highlighter ask for the
            # same clauses several times a search: each is picked out once
            # per query text (the groups are read, never changed).
            _, _, tokens, groups = self._analysed(source)
            found = groups.get(node.span)
            if found is None:
                low, high = node.span
                found = groups[node.span] = _grouped([t for t in tokens if t[2] >= low and t[3] <= high])
            return found
        else:
            tokens = self._analyse(node.text)
        return _grouped(tokens)

    def aliases(self) -> AliasTable:
        return alias_table(lambda word: tuple(g[0] for g in _grouped(self.analyzer.query_token_tuples(word))),
                           id(self.analyzer))

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

    def ranking_terms(self, node: Optional[Node], source: str, question: bool, skip: frozenset = frozenset()):
        """Distinct morphemes, bigrams and 초성 keys of the positive text clauses
        (aliases score separately); a question's interrogatives are left out,
        and so are the clauses whose id is in `skip`."""
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

    def highlight_terms(self, parsed: ParsedQuery) -> set[str]:
        """The analysed terms of the positive text clauses and their aliases, for
        snippet highlighting (a question's interrogatives are not marked)."""
        terms, _, _ = self.ranking_terms(parsed.node, parsed.text, self.is_question(parsed))
        marked = set(terms)
        for word in text_clauses(parsed.node):
            key = tuple(g[0] for g in self.terms_by_position(word, parsed.text))
            for _, other in self.aliases().aliases(key):
                marked.update(other)
        return marked


def _grouped(tokens) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for term, pos, _, _ in tokens:
        group = groups.setdefault(pos, [])
        if term not in group:
            group.append(term)
    return [groups[p] for p in sorted(groups)]
