"""Relevance ranking: how a matching article is scored.

Two stages, both measured on the KorQuAD retrieval set (README, relevance table):

1. BM25 over the derived `content` field (all text fields as one, morphemes) plus
   half-weighted BM25 over its character `bigrams`, with Lucene's idf
   log(1 + (N - df + 0.5) / (df + 0.5)), k1 = 0.9, b = 0.75.  Lucene's idf lets
   words found almost everywhere (년, 것) count for almost nothing, where Whoosh's
   own idf keeps them near 1.  `ScoredTerm` carries this weighting itself, so the
   searcher's default weighting stays what it is for every other query.
2. Proximity: the best `RERANK_DEPTH` articles get a bonus for the densest
   window of `PROXIMITY_WINDOW` positions: the summed idf of the distinct query
   words inside it.  An answer passage tends to hold the question's words in one
   sentence; an article that merely mentions them all far apart does not.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional, Sequence

from whoosh import matching
from whoosh import query as Q
from whoosh.scoring import WeightingModel, WeightLengthScorer

from search.index import CONTENT_FIELD, postings_in
from search.limits import deadline_passed

K1 = 0.9
B = 0.75
BIGRAM_WEIGHT = 0.5
PROXIMITY_WEIGHT = 1.0
PROXIMITY_WINDOW = 10
RERANK_DEPTH = 30
# Proximity looks at the first this-many positions of each query word in an
# article: the densest window of a long article is sought near its beginning,
# and one 9.9 MB article holding a word 100,000 times costs no more than a
# normal one.
MAX_PROXIMITY_POSITIONS = 1_000
# Ranking ignores words found in more than this share of the articles (their
# idf is below log 2): neutral on KorQuAD (MRR@10 +0.0006) and the longest
# posting lists are never read.  They still count in the boolean constraint and
# in proximity.
COMMON_SHARE = 0.5


def rare_enough(searcher, fieldname: str, terms: Sequence[str]) -> list[str]:
    """The `terms` found in the index but in no more than COMMON_SHARE of its
    documents; all of `terms` when that would leave none."""
    total = searcher.doc_count_all()
    kept = [t for t in terms if 0 < searcher.doc_frequency(fieldname, t) <= COMMON_SHARE * total]
    return kept or list(terms)


def lucene_idf(doc_count: int, doc_frequency: int) -> float:
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class LuceneBM25(WeightingModel):
    """BM25 with Lucene's idf (see the module docstring)."""

    def __init__(self, K1: float = K1, B: float = B):
        self.K1, self.B = K1, B

    def supports_block_quality(self) -> bool:
        # Block skipping walks Whoosh's matcher tree per block; the array union
        # the ranking query uses is faster without it (see ScoredUnion).
        return False

    def scorer(self, searcher, fieldname, text, qf=1):
        return _LuceneBM25Scorer(searcher, fieldname, text, self.K1, self.B)


class _LuceneBM25Scorer(WeightLengthScorer):
    def __init__(self, searcher, fieldname, text, K1, B):
        parent = searcher.get_parent()  # collection statistics come from the top searcher
        self.idf = lucene_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.K1, self.B = K1, B
        self.setup(searcher, fieldname, text)

    def _score(self, weight, length):
        return self.idf * weight * (self.K1 + 1) / (weight + self.K1 * (1 - self.B + self.B * length / self.avgfl))


_WEIGHTING = LuceneBM25()


class ScoredTerm(Q.Term):
    """A term scored by `LuceneBM25` whatever weighting the searcher has."""

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        try:
            text = searcher.schema[self.fieldname].to_bytes(self.text)
        except ValueError:
            return matching.NullMatcher()
        if (self.fieldname, text) not in searcher.reader():
            return matching.NullMatcher()
        m = searcher.postings(self.fieldname, text, weighting=_WEIGHTING)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class ScoredUnion(Q.Or):
    """The ranking union when it alone decides the matches (no constraint):
    every posting of every term is scored, and scoring whole posting blocks
    into an array is 3-4x faster than a tree of union matchers for a
    question's 20-40 terms (benchmarks/relevance_latency.py, 10,000 articles).

    Only there: Whoosh 2.7.4's array union reports the largest of its terms'
    maximum scores where a document scores their sum, and a top-k search that
    re-plans `AndMaybe` (the constraint) with it drops a later segment whose
    best match scores above that bound (tests/test_relevance.py); `AndNot`
    reads the bound the same way.  Under a constraint a streaming union, which
    skips to the constraint's matches, is also faster (search-only p95 -18% at
    10,000 articles)."""

    matcher_type = Q.Or.ARRAY_MATCHER


# ------------------------------------------------------------------ proximity


def densest_window(occurrences: Sequence[tuple[int, str]], weights: dict[str, float], window: int) -> float:
    """Largest summed weight of distinct terms among `occurrences` (position, term)
    that fit in `window` consecutive positions."""
    ordered = sorted(occurrences)
    best = current = 0.0
    inside: dict[str, int] = {}  # term -> its occurrences in the window
    left = 0
    for position, term in ordered:
        count = inside.get(term, 0)
        if count == 0:
            current += weights[term]
        inside[term] = count + 1
        limit = position - window
        while ordered[left][0] <= limit:
            gone = ordered[left][1]
            count = inside[gone] - 1
            inside[gone] = count
            if count == 0:
                current -= weights[gone]
            left += 1
        if current > best:
            best = current
    return best


def proximity_scores(searcher, docnums: Iterable[int], terms: Sequence[str],
                     window: int = PROXIMITY_WINDOW, fieldname: str = CONTENT_FIELD) -> dict[int, float]:
    """Densest-window bonus of each (top-level) docnum, read from the postings."""
    docs = sorted(set(docnums))
    if not docs or len(terms) < 2 or fieldname not in searcher.schema:
        return {}
    total = searcher.doc_count_all()
    occurrences: dict[int, list[tuple[int, str]]] = {d: [] for d in docs}
    weights: dict[str, float] = {}
    for term in dict.fromkeys(terms):
        frequency = searcher.doc_frequency(fieldname, term)
        if not frequency:
            continue
        weights[term] = lucene_idf(total, frequency)
        for docnum, postings in postings_in(searcher, fieldname, term, docs):
            if deadline_passed():  # out of time: the bonus of what was read (search.limits)
                break
            positions = postings.value_as("positions")[:MAX_PROXIMITY_POSITIONS]
            occurrences[docnum].extend((p, term) for p in positions)
    return {d: densest_window(occ, weights, window) for d, occ in occurrences.items() if occ}


def rerank_top(searcher, top: list, terms: Sequence[str], scores=None) -> list:
    """`top` ((score, docnum), best first) with the proximity bonus added to
    its first `RERANK_DEPTH`, reordered.  The set of the top articles does not
    change, only their order, so pages stay consistent as long as every page's
    search looks at least that deep.  `scores(docnums, terms)` gives the
    bonuses (by default `proximity_scores`, from Whoosh's postings)."""
    head = top[:RERANK_DEPTH]
    if len(head) < 2 or len(terms) < 2:
        return list(top)
    docnums = [docnum for _, docnum in head]
    bonus = scores(docnums, terms) if scores is not None else proximity_scores(searcher, docnums, terms)
    rescored = [(score + PROXIMITY_WEIGHT * bonus.get(docnum, 0.0), docnum) for score, docnum in head]
    # Stable on ties: the first-stage order (itself docnum order on equal scores).
    rescored.sort(key=lambda item: -item[0])
    return rescored + list(top[RERANK_DEPTH:])


def rerank(searcher, results, terms: Sequence[str]) -> None:
    """`rerank_top` on Whoosh results, in place."""
    results.top_n = rerank_top(searcher, results.top_n, terms)


def ranked_search(searcher, query, terms: Sequence[str], **kwargs: Any):
    """`searcher.search` for the service: by relevance, the top `RERANK_DEPTH`
    articles are read and reordered by proximity to the query's words (`terms`,
    a CompiledQuery's proximity_terms)."""
    if not terms:
        return searcher.search(query, **kwargs)
    limit = kwargs.get("limit")
    if limit is not None and limit < RERANK_DEPTH:
        kwargs["limit"] = RERANK_DEPTH
    results = searcher.search(query, **kwargs)
    rerank(searcher, results, terms)
    return results
