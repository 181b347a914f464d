"""The Whoosh path: the parts of a query the columnar executor
(search.query.execute) does not evaluate, and whole queries on an index
generation without columnar postings (written before them, or a segment
written by Whoosh's own writer).

Inside a query the executor covers, Whoosh still lists `제목:` clauses (the
columnar files keep no title field) and `본문:` spans (no positions of the
fields inside `content`); bylines, presses and date ranges are masks over the
generation's facet arrays there.  A query of filters alone (`기자:이영희
언론사:가나일보`, no word to rank) is scored by Whoosh.  Everything here is
the executor's reference in tests/test_execute.py and is held to plain
references itself (tests/test_conjunction.py, tests/test_exclusion.py,
tests/test_perf_service.py).
"""

from __future__ import annotations

import copy
from typing import Optional, Sequence

import numpy as np
from whoosh import collectors
from whoosh import query as Q
from whoosh.query.compound import DefaultOr

from search.conjunction import CheckedPhrases, SkippingAnd
from search.ranking import ScoredUnion, ranked_search


def docs_for(searcher, query: Q.Query) -> np.ndarray:
    """The (sorted) documents `query` matches, as an array."""
    query = prepared(query, searcher.reader())
    if query is Q.NullQuery:
        return np.zeros(0, dtype=np.int64)
    return np.array(sorted(searcher.docs_for_query(query)), dtype=np.int64)


def prepared(query: Q.Query, reader) -> Q.Query:
    """`query` as Whoosh runs it fastest here: streaming unions, and without the
    parts this index cannot match (`Q.NullQuery` when nothing can)."""
    return prune(streaming_unions(query), reader)


def top(searcher, query: Q.Query, proximity: Optional[Sequence[str]], limit: int,
        allowed: Optional[np.ndarray] = None) -> list[tuple[float, int]]:
    """The best `limit` (score, docnum) of `query` through Whoosh, among
    `allowed` if given, proximity-reranked (search.ranking.ranked_search)."""
    kwargs = {"limit": limit}
    if allowed is not None:
        kwargs["filter"] = set(allowed.tolist())
    return list(ranked_search(searcher, query, proximity, **kwargs).top_n)


def streaming_unions(query: Q.Query) -> Q.Query:
    """The same query with every `Or` matched as a streaming union.

    Whoosh picks, per segment, an `Or` that first loads *all* matches of its
    clauses into arrays when the segment holds at most 5,000 documents; our
    queries OR each word over four fields, and for a top-10 search that preload
    was the largest cost (measured: 45% of search time at 10,000 articles in
    two segments).  The streaming union lets top-k skip blocks instead."""
    if type(query) is ScoredUnion:
        # A union whose matcher was chosen on purpose: the ranking query scores
        # every match of its many terms, where the array union is 3-4x faster.
        return query
    if type(query) is Q.Or:
        query = DefaultOr(query.subqueries, boost=query.boost, minmatch=query.minmatch, scale=query.scale)
    return query.apply(streaming_unions)


def prune(query: Q.Query, reader) -> Q.Query:
    """The query without the parts that cannot match in this index: a term
    (or a phrase word) no document has.  Each word is searched in four fields
    and most words are absent from most of them (few articles have captions);
    building, sizing and advancing matchers for those was a large share of a
    search.  Matches and scores are unchanged: an absent term adds nothing to
    an OR and empties an AND."""
    if isinstance(query, Q.Term):
        return query if (query.fieldname, query.text) in reader else Q.NullQuery
    if isinstance(query, Q.Phrase):
        return query if all((query.fieldname, word) in reader for word in query.words) else Q.NullQuery
    if isinstance(query, CheckedPhrases):
        if not all((fieldname, word) in reader for fieldname, words in query.phrases for word in words):
            return Q.NullQuery
        required = [prune(sub, reader) for sub in query.required]
        if any(sub is Q.NullQuery for sub in required):
            return Q.NullQuery
        return CheckedPhrases(query.phrases, required, query.boost)
    if isinstance(query, Q.AndNot):
        positive = prune(query.a, reader)
        if positive is Q.NullQuery:
            return Q.NullQuery
        negative = prune(query.b, reader)
        return positive if negative is Q.NullQuery else type(query)(positive, negative)
    if isinstance(query, (Q.And, Q.Or)) and type(query) in (Q.And, SkippingAnd, Q.Or, DefaultOr, ScoredUnion):
        parts = [prune(sub, reader) for sub in query.subqueries]
        kept = [sub for sub in parts if sub is not Q.NullQuery]
        if not kept or (isinstance(query, Q.And) and len(kept) < len(parts)):
            return Q.NullQuery
        if len(kept) == len(parts) and all(a is b for a, b in zip(kept, query.subqueries)):
            return query
        pruned = copy.copy(query)
        pruned.subqueries = kept
        return pruned
    return query


class TopAndAll(collectors.TopCollector):
    """The top `limit` documents by score and, in the same pass, every matching
    document (for the facets).  Block skipping and matcher replacement are off:
    they would skip documents that cannot reach the top but still count."""

    def __init__(self, limit: int):
        super().__init__(limit=limit, usequality=False, replace=0)
        self.matched: list[int] = []

    def collect(self, sub_docnum):
        self.matched.append(self.offset + sub_docnum)
        return super().collect(sub_docnum)


def scores_every_match(query: Q.Query) -> bool:
    """Whether Whoosh's top-k must score every match anyway: phrases and ANDs
    offer no block skipping, so listing the matches for the facets in a
    separate pass would do the whole matching twice."""
    if isinstance(query, (Q.Phrase, Q.And, Q.AndNot, CheckedPhrases)):
        return True
    return any(scores_every_match(sub) for sub in query.children())

