"""The columnar executor: scores a compiled query with numpy over the
columnar postings (search.columnar) instead of Whoosh's per-posting matchers.

What it covers: the scoring part of every query the compiler
(search.query.compile) builds with a ranking, i.e.

- the ranking union (`Or`) of `ScoredTerm`s (BM25 with Lucene's idf, the
  same k1, b and boosts as search.ranking), alias `DisjunctionMax`es of terms
  or ANDs of terms, and constant-score byline and press clauses;
- under `AndMaybe(ConstantScore(constraint, 0), ranking)` (a keyword query)
  and `AndNot(ranking, exclusions)` (only exclusions).

The boolean part is listed with numpy too where it is terms of the
columnar fields, their ANDs (rarest first), ORs, exclusions and phrases of
`content` (search.conjunction.CheckedPhrases: every word and required clause
intersected first, the phrase checked from the positions on the survivors),
and, given the generation's facet arrays (search.query.facets), bylines
(`기자:`, a reporter's name), presses (`언론사:`), date ranges (`날짜:`,
`from:`/`to:`) and `Every` as boolean masks over those arrays.  Only `제목:`
and `본문:` clauses are listed by Whoosh: the columnar files keep no title
field and no positions of the fields inside `content`.  Long posting lists
are read as little as the query allows: an AND's parts and a phrase's words
only at the documents still in the running, a keyword query's ranking only
at its matches when they are few (`scored_at`; search.query.restricted), and
a common term's impacts and a common compound's documents kept per
generation (search.query.longlists).  The proximity rerank of the top 30 reads the columnar
positions.  Anything else raises `Unsupported` and the caller searches
through Whoosh as before.  Scores equal Whoosh's to float rounding (sums
may be added in another order); ties are broken by document number, as
Whoosh's top-k collector does (tests/test_execute.py).  One intended
difference: a disjunction-max is the best option of each document, where
Whoosh 2.7.4's `DisjunctionMaxMatcher.score` takes the larger of both
sides' current scores even when they stand on different documents.  Past the search's
deadline (search.limits) a term is no longer read: the search ends with
what it has and says so, as Whoosh's loops do.

Why one module over 400 lines: the listing (`matches`), the scoring over
whole posting lists (`scored`) and the scoring read at a few documents
(`scored_at`) walk the same query shapes side by side, and the last two must
stay the same float operations in the same order; kept together, a change to
one shape is made to all three in one place.
"""

from __future__ import annotations

from datetime import date
from typing import Optional, Sequence

import numpy as np
from whoosh import query as Q
from whoosh.query.compound import DefaultOr

from search.conjunction import CheckedPhrases, Excluding, SkippingAnd
from search.columnar import COLUMNAR_FIELDS, ColumnarIndex
from search.limits import BudgetedQuery, deadline_passed
from search.query.facets import FacetTable
from search.query.lookup import TermLookup
from search.query.longlists import impacts
from search.query.restricted import bm25_at, holding
from search.query.runs import in_a_row
from search.query.spelled import SpelledWord, spelled_among
from search.index import BODY_POSITION, CONTENT_FIELD
from search import headline, ranking
from search.ranking import (B, K1, MAX_PROXIMITY_POSITIONS, PROXIMITY_WINDOW, RERANK_DEPTH, ScoredTerm,
                            ScoredUnion, lucene_idf, rerank_top)

Scored = tuple[np.ndarray, np.ndarray]  # (sorted document numbers, their scores)
# A keyword query's ranking is read only at its matches when they number
# fewer than one in this many of the ranking terms' postings (_Evaluator._few).
# Measured at 100,000 articles with the long lists' impacts kept
# (search.query.longlists): 북한, 8,868 matches of 72,000 postings, 4.7 ms
# read at the matches, 1.45 scored whole; 대한민국 출시, 963 of 170,000,
# 2.7 against 3.3.
FEW_SHARE = 32
_EMPTY = np.zeros(0, dtype=np.int64)


class Unsupported(Exception):
    """A query shape the executor does not evaluate (Whoosh does)."""


def lookup_of(searcher, index) -> TermLookup:
    """The generation's term look-ups (search.query.lookup), made for a bare
    `ColumnarIndex` (tests, one-off callers)."""
    return index if isinstance(index, TermLookup) else TermLookup(searcher, index)


class _Evaluator:
    def __init__(self, searcher, index, table: Optional[FacetTable] = None):
        self.searcher = searcher
        self.index = lookup_of(searcher, index)
        self.table = table  # the generation's per-document arrays: filters as masks
        self.size = index.size
        self.budget = None  # the time budget the query runs under (search.limits)
        self.clock = None  # the executor's own pass of that budget
        self.excluding = False  # listing an exclusion: read whatever the deadline

    def _out_of_time(self) -> bool:
        """Past the search's time budget or deadline a matching part is no
        longer read (search.limits; the budget adds the notice): fewer
        matches, never an excluded one let through (exclusions are read whole)."""
        if self.excluding:
            return False
        return self.clock.spent() if self.clock is not None else deadline_passed()

    def matches(self, query: Q.Query, within: Optional[np.ndarray] = None) -> np.ndarray:
        """Sorted documents of a boolean part (among the sorted documents
        `within`, when given): terms of the columnar fields, their ANDs, ORs,
        exclusions and phrases with numpy, filters as masks, anything else
        listed by Whoosh (search.conjunction).  An AND reads its smallest
        part first and every other part only at the documents still in the
        running (search.query.restricted): `대한민국 출시` reads the 34,000
        postings of 대한 and 민국 only at the 2,000 articles of 출시."""
        if isinstance(query, BudgetedQuery):
            self.budget, self.clock = query.budget, query.budget.clock()
            return self.matches(query.child, within)
        kind = type(query)
        if kind is Q.Term and query.fieldname in COLUMNAR_FIELDS and query.boost == 1.0:
            if self._out_of_time():
                return _EMPTY
            if within is None:
                return self.index.docs(query.fieldname, query.text)
            return within[holding(self.index, query.fieldname, query.text, within)]
        if kind in (Q.Or, DefaultOr, ScoredUnion) and not query.minmatch:
            return self._union([self.matches(sub, within) for sub in query.subqueries])
        if kind in (Q.And, SkippingAnd):
            if not query.subqueries:
                return _EMPTY
            docs = within
            for sub in sorted(query.subqueries, key=self._estimate):
                docs = self.matches(sub, docs)
                if not len(docs):
                    break
            return docs
        if kind is CheckedPhrases and all(field in COLUMNAR_FIELDS and self.index.has_positions(field)
                                          for field, _ in query.phrases):
            if query.required:
                return self._phrases(query, within)
            # A compound alone (대한민국): its documents kept for the generation when many.
            key = ("run", tuple(query.phrases))
            kept = self.index.long_lists.peek(key)
            if kept is not None:
                return kept[0] if within is None else _among(within, kept[0])
            docs = self._phrases(query, within)
            if within is None and not self._out_of_time():
                self.index.long_lists.keep(key, (docs,))
            return docs
        if kind is SpelledWord:
            docs = self.matches(query.child, within)
            return spelled_among(self.searcher, docs, query.text, query.part)
        if kind in (Q.AndNot, Excluding):
            docs = self.matches(query.a, within)
            return docs[~np.isin(docs, self.excluded(query.b, docs), assume_unique=True)] if len(docs) else docs
        docs = self._filter(query) if self.table is not None else None
        if docs is None:
            if self.budget is not None:
                query = BudgetedQuery(query, self.budget)
            docs = np.array(sorted(self.searcher.docs_for_query(query)), dtype=np.int64)
        return docs if within is None else docs[np.isin(docs, within, assume_unique=True)]

    def excluded(self, query: Q.Query, within: Optional[np.ndarray] = None) -> np.ndarray:
        """The documents an exclusion removes (among `within`), all of them."""
        outer, self.excluding = self.excluding, True
        try:
            return self.matches(query, within)
        finally:
            self.excluding = outer

    def _estimate(self, query: Q.Query) -> int:
        """At most how many documents a boolean part matches, from the
        document frequencies (no postings read); the size of the index for a
        part listed otherwise (filters, Whoosh's clauses), which is read last."""
        kind = type(query)
        if isinstance(query, BudgetedQuery):
            return self._estimate(query.child)
        if kind is Q.Term and query.fieldname in COLUMNAR_FIELDS:
            return self.index.doc_frequency(query.fieldname, query.text)
        if kind in (Q.Or, DefaultOr, ScoredUnion):
            return min(self.size, sum(self._estimate(sub) for sub in query.subqueries))
        if kind in (Q.And, SkippingAnd) and query.subqueries:
            return min(self._estimate(sub) for sub in query.subqueries)
        if kind is CheckedPhrases:
            sizes = [self.index.doc_frequency(field, word) for field, words in query.phrases for word in words
                     if field in COLUMNAR_FIELDS]
            return min(sizes + [self._estimate(sub) for sub in query.required] + [self.size])
        if kind in (Q.AndNot, Excluding):
            return self._estimate(query.a)
        return self.size

    def _union(self, parts: list[np.ndarray]) -> np.ndarray:
        """The sorted union of sorted document arrays: by a mask over the
        index where they are many (np.unique sorted 55,000 documents of
        대한민국 OR 한국 in 6 ms, the mask takes 0.2), else by sorting."""
        parts = [part for part in parts if len(part)]
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        if sum(map(len, parts)) * 32 < self.size:
            return np.unique(np.concatenate(parts))
        held = np.zeros(self.size, dtype=bool)
        for part in parts:
            held[part] = True
        return held.nonzero()[0]

    def _filter(self, query: Q.Query) -> Optional[np.ndarray]:
        """The documents of a filter clause from the facet arrays (which hold
        live documents only), or None for a clause that is no filter."""
        table, kind = self.table, type(query)
        if kind is Q.Every and not query.fieldname:
            return table.live
        if kind is Q.Term and query.boost == 1.0 and query.fieldname in ("press", "reporter"):
            if query.fieldname == "press":
                press = table.press_ids.get(query.text)
                return np.flatnonzero(table.press == press).astype(np.int64) if press is not None else _EMPTY
            reporter = table.reporter_ids.get(query.text)
            if reporter is None:
                return _EMPTY
            return np.unique(table.pair_doc[table.pair_reporter == reporter]).astype(np.int64)
        if kind is Q.TermRange and query.fieldname == "day" and not (query.startexcl or query.endexcl):
            try:
                low = date.fromisoformat(query.start).toordinal() if query.start else None
                high = date.fromisoformat(query.end).toordinal() if query.end else None
            except (TypeError, ValueError):
                return None  # no day bounds: Whoosh reads them
            held = table.day_ordinal >= 0
            if low is not None:
                held &= table.day_ordinal >= low
            if high is not None:
                held &= table.day_ordinal <= high
            return held.nonzero()[0].astype(np.int64)
        return None

    def _phrases(self, query: CheckedPhrases, within: Optional[np.ndarray] = None) -> np.ndarray:
        """Documents holding every required clause and every phrase's words,
        the smallest part first and each other read only at the survivors;
        then, on those survivors only, the phrases checked from the positions
        (search.query.runs)."""
        if self._out_of_time():
            return _EMPTY
        parts = [(self.index.doc_frequency(field, word), field, word)
                 for field, words in query.phrases for word in dict.fromkeys(words)]
        parts += [(self._estimate(sub), None, sub) for sub in query.required]
        if not parts:
            return _EMPTY
        docs = within
        for _, field, part in sorted(parts, key=lambda found: found[0]):
            if field is None:
                docs = self.matches(part, docs)
            elif docs is None:
                docs = self.index.docs(field, part)
            else:
                docs = docs[holding(self.index, field, part, docs)]
            if not len(docs):
                return docs
        for field, words in query.phrases:
            docs = in_a_row(self.index, field, words, docs)
        return docs

    def scored(self, query: Q.Query) -> Scored:
        if isinstance(query, BudgetedQuery):
            self.budget, self.clock = query.budget, query.budget.clock()
            return self.scored(query.child)
        if getattr(query, "boost", 1.0) != 1.0 and not isinstance(query, ScoredTerm):
            raise Unsupported(repr(query))
        if isinstance(query, ScoredTerm):
            return self._term(query)
        if isinstance(query, Q.ConstantScoreQuery):
            docs = self.matches(query.child)
            return docs, np.full(len(docs), float(query.score))
        if isinstance(query, Q.DisjunctionMax):
            if query.tiebreak:
                raise Unsupported(repr(query))
            return self._combine([self.scored(sub) for sub in query.subqueries], np.maximum, -np.inf)
        if isinstance(query, Q.AndMaybe):
            required = query.a
            if not (isinstance(required, Q.ConstantScoreQuery) and required.score == 0.0):
                raise Unsupported(repr(query))
            docs = self.matches(required.child)
            # Whoosh 2.7.4 lists a ConstantScoreQuery's matches in a ListMatcher,
            # which reads the weight 0.0 as "no weights given" and scores 1.0:
            # every match of a keyword query's constraint scores 1 + its ranking.
            # Kept, as the title reorder (search.headline) multiplies the score.
            base = float(required.score or 1.0)
            if self._few(docs, query.b):
                # Few matches against long posting lists: the ranking read
                # only at the matches (the same scores, see scored_at).
                hit, ranked_scores = self.scored_at(query.b, docs)
                scores = np.full(len(docs), base)
                scores[hit] += ranked_scores[hit]
                return docs, scores
            ranked_docs, ranked_scores = self.scored(query.b)
            dense = np.full(self.size, base)
            dense[ranked_docs] += ranked_scores
            return docs, dense[docs]
        if isinstance(query, Q.AndNot):
            docs, scores = self.scored(query.a)
            keep = ~np.isin(docs, self.excluded(query.b), assume_unique=True)
            return docs[keep], scores[keep]
        if type(query) in (Q.Or, DefaultOr, ScoredUnion):
            if query.minmatch or query.scale:
                raise Unsupported(repr(query))
            return self._combine([self.scored(sub) for sub in query.subqueries], np.add, 0.0)
        if isinstance(query, Q.And):
            parts = [self.scored(sub) for sub in query.subqueries]
            docs = parts[0][0]
            for other, _ in parts[1:]:
                docs = self._intersect(docs, other)
            total = np.zeros(len(docs))
            for part_docs, part_scores in parts:
                total += self._scores_of(docs, part_docs, part_scores)
            return docs, total
        raise Unsupported(repr(query))

    def _intersect(self, docs: np.ndarray, other: np.ndarray) -> np.ndarray:
        """The sorted documents of both: by a mask over the index where they
        are many (an alias's 대한 AND 민국, 34,000 each: 0.6 -> 0.1 ms)."""
        if (len(docs) + len(other)) * 32 < self.size:
            return np.intersect1d(docs, other, assume_unique=True)
        held = np.zeros(self.size, dtype=bool)
        held[other] = True
        return docs[held[docs]]

    def _scores_of(self, docs: np.ndarray, part_docs: np.ndarray, part_scores: np.ndarray) -> np.ndarray:
        """`part_scores` at `docs` (all of them in `part_docs`): found by
        binary search for a few documents, else through a dense array."""
        if len(docs) * 16 < len(part_docs):
            return part_scores[part_docs.searchsorted(docs)]
        dense = np.empty(self.size)
        dense[part_docs] = part_scores
        return dense[docs]

    def _few(self, docs: np.ndarray, ranking: Q.Query) -> bool:
        """Whether scoring `ranking` only at `docs` reads less than scoring it
        over its terms' whole posting lists: a binary search per document and
        term against a pass over every posting (FEW_SHARE)."""
        volume = sum(self.index.doc_frequency(field, text) for field, text in ranking.iter_all_terms()
                     if field in COLUMNAR_FIELDS)
        return len(docs) * FEW_SHARE < volume

    def scored_at(self, query: Q.Query, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`scored` read only at the sorted documents `among`: (which of them
        `query` matches, as a mask over `among`; their scores, 0 elsewhere).
        Each term's postings are read only there (search.query.restricted),
        and the scores are summed in the order `scored` sums them, so they
        are the same to the last bit (tests/test_fast_paths.py)."""
        if isinstance(query, BudgetedQuery):
            self.budget, self.clock = query.budget, query.budget.clock()
            return self.scored_at(query.child, among)
        if getattr(query, "boost", 1.0) != 1.0 and not isinstance(query, ScoredTerm):
            raise Unsupported(repr(query))
        size = len(among)
        hit, scores = np.zeros(size, dtype=bool), np.zeros(size)
        if isinstance(query, ScoredTerm):
            found = self._term_parameters(query)
            if found is not None:
                where, term_scores = bm25_at(self.index, query.fieldname, query.text, among, *found)
                hit[where], scores[where] = True, term_scores
            return hit, scores
        if isinstance(query, Q.ConstantScoreQuery):
            where = among.searchsorted(self.matches(query.child, among))
            hit[where], scores[where] = True, float(query.score)
            return hit, scores
        if isinstance(query, Q.DisjunctionMax):
            if query.tiebreak:
                raise Unsupported(repr(query))
            best = np.full(size, -np.inf)
            for sub in query.subqueries:
                sub_hit, sub_scores = self.scored_at(sub, among)
                best[sub_hit] = np.maximum(best[sub_hit], sub_scores[sub_hit])
                hit |= sub_hit
            scores[hit] = best[hit]
            return hit, scores
        if isinstance(query, Q.AndMaybe):
            required = query.a
            if not (isinstance(required, Q.ConstantScoreQuery) and required.score == 0.0):
                raise Unsupported(repr(query))
            docs = self.matches(required.child, among)
            ranked_hit, ranked_scores = self.scored_at(query.b, docs)
            where = among.searchsorted(docs)
            hit[where] = True
            scores[where] = float(required.score or 1.0)
            scores[where[ranked_hit]] += ranked_scores[ranked_hit]
            return hit, scores
        if isinstance(query, Q.AndNot):
            hit, scores = self.scored_at(query.a, among)
            held = hit.nonzero()[0]
            hit[held[np.isin(among[held], self.excluded(query.b, among[held]), assume_unique=True)]] = False
            return hit, np.where(hit, scores, 0.0)
        if type(query) in (Q.Or, DefaultOr, ScoredUnion):
            if query.minmatch or query.scale:
                raise Unsupported(repr(query))
            for sub in query.subqueries:
                sub_hit, sub_scores = self.scored_at(sub, among)
                scores[sub_hit] += sub_scores[sub_hit]
                hit |= sub_hit
            return hit, scores
        if isinstance(query, Q.And):
            hit[:] = bool(query.subqueries)
            for sub in query.subqueries:
                sub_hit, sub_scores = self.scored_at(sub, among)
                hit &= sub_hit
                scores += sub_scores
            return hit, np.where(hit, scores, 0.0)
        raise Unsupported(repr(query))

    def _term_parameters(self, query: ScoredTerm) -> Optional[tuple]:
        """(idf, avgfl, k1, b, boost) of a scored term, or None when it is
        not scored (absent, or out of time: search.limits)."""
        fieldname, text = query.fieldname, query.text
        searcher = self.searcher
        if fieldname not in COLUMNAR_FIELDS or fieldname not in searcher.schema \
                or not searcher.schema[fieldname].scorable:
            raise Unsupported(repr(query))
        lookup = self.index
        frequency = lookup.doc_frequency(fieldname, text)
        if not frequency or deadline_passed():
            return None
        return lucene_idf(lookup.doc_count_all(), frequency), lookup.avg_field_length(fieldname) or 1, K1, B, \
            query.boost

    def _term(self, query: ScoredTerm) -> Scored:
        found = self._term_parameters(query)
        if found is None:  # absent, or out of time: the term is not scored (search.limits)
            return _EMPTY, np.zeros(0)
        return impacts(self.index.long_lists, self.index, query.fieldname, query.text, *found)

    def _combine(self, parts: list[Scored], op, empty: float) -> Scored:
        """Union of `parts`, scores merged with `op` (sum, or max)."""
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if len(parts) == 1:
            return parts[0]
        if sum(len(docs) for docs, _ in parts) * 32 < self.size:
            # Few documents: merged over their union, not over arrays the
            # size of the index (three of them, 100,000 entries each at
            # 100,000 articles); each document's scores are merged in the
            # same order from the same start, so to the same bits.
            union = np.unique(np.concatenate([docs for docs, _ in parts]))
            merged = np.full(len(union), empty)
            for docs, scores in parts:
                at = union.searchsorted(docs)
                if op is np.add:
                    merged[at] += scores
                else:
                    merged[at] = op(merged[at], scores)
            return union, merged
        dense = np.full(self.size, empty)
        hit = np.zeros(self.size, dtype=bool)
        for docs, scores in parts:
            if op is np.add:
                dense[docs] += scores
            else:
                dense[docs] = op(dense[docs], scores)
            hit[docs] = True
        docs = hit.nonzero()[0]
        return docs, dense[docs]


def scored_matches(searcher, index: ColumnarIndex, query: Q.Query, table: Optional[FacetTable] = None) -> Scored:
    """Every document `query` matches, with its score (raises `Unsupported`);
    given the generation's facet `table`, its filters are read from there."""
    return _Evaluator(searcher, index, table).scored(query)


def matching_docs(searcher, index: ColumnarIndex, query: Q.Query, table: Optional[FacetTable] = None) -> np.ndarray:
    """The sorted documents a boolean `query` matches, unscored: its columnar
    parts and filters with numpy, anything else listed by Whoosh."""
    return _Evaluator(searcher, index, table).matches(query)


def _among(within: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The sorted documents `within` that are in the sorted `docs`."""
    if not len(within) or not len(docs):
        return within[:0]
    at = docs.searchsorted(within)
    at[at == len(docs)] = 0
    return within[docs[at] == within]


def _sorted_distinct(docs: np.ndarray) -> bool:
    return len(docs) < 2 or bool((docs[1:] > docs[:-1]).all())


def top_k(docs: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[float, int]]:
    """The best `k` as (score, docnum), higher scores first, ties by docnum."""
    if k <= 0 or not len(docs):
        return []
    if len(docs) > k:
        kth = np.partition(-scores, k - 1)[k - 1]
        keep = -scores <= kth  # ties at the boundary kept, then ordered by docnum
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return list(zip(scores[order].tolist(), docs[order].tolist()))


def ranked(searcher, index: ColumnarIndex, query: Q.Query, terms: Optional[Sequence[str]], limit: int,
           allowed: Optional[np.ndarray] = None, matched: Optional[Scored] = None,
           table: Optional[FacetTable] = None, bonus=None) -> list[tuple[float, int]]:
    """The top `limit` (at least `RERANK_DEPTH` when proximity `terms` are
    given, those reordered by proximity) of `query`'s matches, among
    `allowed` documents if given: what search.ranking.ranked_search returns
    through Whoosh.  `matched` is the query's `scored_matches` when known;
    `bonus(docnums, terms)` gives the proximity bonuses (by default
    `proximity`; a search passes its search.query.bonuses.Bonuses)."""
    index = lookup_of(searcher, index)
    if allowed is not None:
        allowed = allowed if _sorted_distinct(allowed) else np.unique(allowed)
    if matched is None and allowed is not None:
        # A filtered page or a relaxed tier: where those documents are few,
        # the query is read only at them (search.query.restricted).
        evaluator = _Evaluator(searcher, index, table)
        if evaluator._few(allowed, query):
            hit, scores = evaluator.scored_at(query, allowed)
            matched, allowed = (allowed[hit], scores[hit]), None
    docs, scores = matched if matched is not None else scored_matches(searcher, index, query, table)
    if allowed is not None:
        keep = _held(docs, allowed, index.size)
        docs, scores = docs[keep], scores[keep]
    if terms:
        limit = max(limit, RERANK_DEPTH)
    top = top_k(docs, scores, limit)
    if not terms:
        return top
    if bonus is None:
        def bonus(docnums, words):
            return proximity(searcher, index, docnums, words)
    return rerank_top(searcher, top, terms, bonus)


def _held(docs: np.ndarray, allowed: np.ndarray, size: int) -> np.ndarray:
    """Which of the sorted documents `docs` are among the sorted, distinct
    `allowed` (a boolean mask over `docs`, as `np.isin`): by binary search
    where `allowed` is the shorter list by far, else through a mask over the
    index (np.isin sorted both lists: 4 % of a first request's CPU went to it)."""
    if not len(docs) or not len(allowed):
        return np.zeros(len(docs), dtype=bool)
    if len(allowed) * 16 < len(docs):
        held = np.zeros(len(docs), dtype=bool)
        at = docs.searchsorted(allowed)
        inside = at < len(docs)
        at = at[inside]
        held[at[docs[at] == allowed[inside]]] = True
        return held
    table = np.zeros(size, dtype=bool)
    table[allowed] = True
    return table[docs]


def proximity(searcher, index: ColumnarIndex, docnums: Sequence[int], terms: Sequence[str],
              window: int = PROXIMITY_WINDOW) -> dict[int, float]:
    """search.ranking.proximity_scores from the columnar positions: the
    densest-window bonus of each of `docnums`."""
    docs = np.unique(np.asarray(docnums, dtype=np.int64))
    if not len(docs) or len(terms) < 2 or not index.has_positions(CONTENT_FIELD):
        return {}
    index = lookup_of(searcher, index)
    total = index.doc_count_all()
    occurrences: dict[int, list[tuple[int, str]]] = {}
    weights: dict[str, float] = {}
    for term in dict.fromkeys(terms):
        frequency = index.doc_frequency(CONTENT_FIELD, term)
        if not frequency:
            continue
        weights[term] = lucene_idf(total, frequency)
        held, positions = index.positions(CONTENT_FIELD, term, docs)
        if not len(held):
            continue
        # The first MAX_PROXIMITY_POSITIONS of the term in each document.
        starts = held.searchsorted(held, side="left")
        keep = (np.arange(len(held)) - starts) < MAX_PROXIMITY_POSITIONS
        for docnum, position in zip(held[keep].tolist(), positions[keep].tolist()):
            occurrences.setdefault(docnum, []).append((position, term))
    return {d: ranking.densest_window(occ, weights, window) for d, occ in occurrences.items() if occ}


# A title's words stand in `content` before BODY_POSITION (search.index); a
# title longer than this many words may have lost its end there, and its
# overlap is read from Whoosh's title postings instead.
_TITLE_WORDS = BODY_POSITION // 2


def title_overlap(searcher, index, docnums: Sequence[int], terms: Sequence[str]) -> dict[int, float]:
    """search.headline.title_overlap from the columnar positions: a title's
    words are `content`'s positions before BODY_POSITION, so a term's count
    there is its weight in `title` (the title's length still comes from
    Whoosh's length column)."""
    docs = np.unique(np.asarray(docnums, dtype=np.int64))
    distinct = list(dict.fromkeys(terms))
    if not len(docs) or not distinct or headline.TITLE_FIELD not in searcher.schema:
        return {}
    lookup = lookup_of(searcher, index)
    lengths = lookup.field_lengths(headline.TITLE_FIELD)[docs].tolist()
    found = np.zeros(len(docs), dtype=np.int64)
    tokens = np.zeros(len(docs), dtype=np.int64)
    for term in distinct:
        held, positions = lookup.positions(CONTENT_FIELD, term, docs)
        held = held[positions < BODY_POSITION]
        if not len(held):
            continue
        where, counts = np.unique(held, return_counts=True)
        at = docs.searchsorted(where)
        found[at] += 1
        tokens[at] += counts
    overlap = {}
    long_titles = []
    for docnum, length, words, count in zip(docs.tolist(), lengths, found.tolist(), tokens.tolist()):
        if length > _TITLE_WORDS:
            long_titles.append(docnum)
        elif words:
            overlap[docnum] = (words / len(distinct)) * min(1.0, count / (length or 1))
    if long_titles:
        overlap.update(headline.title_overlap(searcher, long_titles, terms))
    return overlap
