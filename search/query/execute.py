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
field and no positions of the fields inside `content`.  The proximity rerank of the top 30 reads the columnar
positions.  Anything else raises `Unsupported` and the caller searches
through Whoosh as before.  Scores equal Whoosh's to float rounding (sums
may be added in another order); ties are broken by document number, as
Whoosh's top-k collector does (tests/test_execute.py).  One intended
difference: a disjunction-max is the best option of each document, where
Whoosh 2.7.4's `DisjunctionMaxMatcher.score` takes the larger of both
sides' current scores even when they stand on different documents.  Past the search's
deadline (search.limits) a term is no longer read: the search ends with
what it has and says so, as Whoosh's loops do.
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
from search.index import BODY_POSITION, CONTENT_FIELD
from search import headline, ranking
from search.ranking import (B, K1, MAX_PROXIMITY_POSITIONS, PROXIMITY_WINDOW, RERANK_DEPTH, ScoredTerm,
                            ScoredUnion, lucene_idf, rerank_top)

Scored = tuple[np.ndarray, np.ndarray]  # (sorted document numbers, their scores)
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

    def excluded(self, query: Q.Query) -> np.ndarray:
        """The documents an exclusion removes, all of them."""
        outer, self.excluding = self.excluding, True
        try:
            return self.matches(query)
        finally:
            self.excluding = outer

    def matches(self, query: Q.Query) -> np.ndarray:
        """Sorted documents of a boolean part: terms of the columnar fields and
        their ANDs (rarest first), ORs and exclusions with numpy; anything else
        (phrases, fields by position, date ranges, bylines) listed by Whoosh
        (search.conjunction)."""
        if isinstance(query, BudgetedQuery):
            self.budget, self.clock = query.budget, query.budget.clock()
            return self.matches(query.child)
        kind = type(query)
        if kind is Q.Term and query.fieldname in COLUMNAR_FIELDS and query.boost == 1.0:
            if self._out_of_time():
                return np.zeros(0, dtype=np.int64)
            return self.index.postings(query.fieldname, query.text)[0]
        if kind in (Q.Or, DefaultOr, ScoredUnion) and not query.minmatch:
            parts = [self.matches(sub) for sub in query.subqueries]
            return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        if kind in (Q.And, SkippingAnd):
            parts = sorted((self.matches(sub) for sub in query.subqueries), key=len)
            docs = parts[0] if parts else np.zeros(0, dtype=np.int64)
            for other in parts[1:]:
                if not len(docs):
                    break
                docs = docs[np.isin(docs, other, assume_unique=True)]
            return docs
        if kind is CheckedPhrases and all(field in COLUMNAR_FIELDS and self.index.has_positions(field)
                                          for field, _ in query.phrases):
            return self._phrases(query)
        if kind in (Q.AndNot, Excluding):
            docs = self.matches(query.a)
            return docs[~np.isin(docs, self.excluded(query.b), assume_unique=True)] if len(docs) else docs
        if self.table is not None:
            filtered = self._filter(query)
            if filtered is not None:
                return filtered
        if self.budget is not None:
            query = BudgetedQuery(query, self.budget)
        return np.array(sorted(self.searcher.docs_for_query(query)), dtype=np.int64)

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
            return np.flatnonzero(held).astype(np.int64)
        return None

    def _phrases(self, query: CheckedPhrases) -> np.ndarray:
        """Documents holding every required clause and every phrase's words,
        rarest first; then, on those survivors only, the phrases checked from
        the positions: word i of a phrase at position p gives the key
        (document, p - i), and a document holds the phrase where every word
        gives one same key."""
        if self._out_of_time():
            return np.zeros(0, dtype=np.int64)
        parts = [self.index.postings(field, word)[0] for field, words in query.phrases for word in set(words)]
        parts += [self.matches(sub) for sub in query.required]
        parts.sort(key=len)
        docs = parts[0] if parts else np.zeros(0, dtype=np.int64)
        for other in parts[1:]:
            if not len(docs):
                return docs
            docs = docs[np.isin(docs, other, assume_unique=True)]
        for field, words in query.phrases:
            if len(words) < 2 or not len(docs):
                continue
            keys = None
            for offset, word in enumerate(words):
                held, positions = self.index.positions(field, word, docs)
                keys = _sorted_keys(held * (1 << 32) + (positions - offset), keys)
            if keys is not None:
                docs = (keys + (1 << 31)) >> 32
                docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs
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
            ranked_docs, ranked_scores = self.scored(query.b)
            # Whoosh 2.7.4 lists a ConstantScoreQuery's matches in a ListMatcher,
            # which reads the weight 0.0 as "no weights given" and scores 1.0:
            # every match of a keyword query's constraint scores 1 + its ranking.
            # Kept, as the title reorder (search.headline) multiplies the score.
            dense = np.full(self.size, float(required.score or 1.0))
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
                docs = np.intersect1d(docs, other, assume_unique=True)
            total = np.zeros(len(docs))
            for part_docs, part_scores in parts:
                total += part_scores[np.searchsorted(part_docs, docs)]
            return docs, total
        raise Unsupported(repr(query))

    def _term(self, query: ScoredTerm) -> Scored:
        fieldname, text = query.fieldname, query.text
        searcher = self.searcher
        if fieldname not in COLUMNAR_FIELDS or fieldname not in searcher.schema \
                or not searcher.schema[fieldname].scorable:
            raise Unsupported(repr(query))
        lookup = self.index
        frequency = lookup.doc_frequency(fieldname, text)
        if not frequency or deadline_passed():  # out of time: the term is not scored (search.limits)
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idf = lucene_idf(lookup.doc_count_all(), frequency)
        avgfl = lookup.avg_field_length(fieldname) or 1
        return lookup.bm25(fieldname, text, idf, avgfl, K1, B, query.boost)

    def _combine(self, parts: list[Scored], op, empty: float) -> Scored:
        """Union of `parts`, scores merged with `op` (sum, or max)."""
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if len(parts) == 1:
            return parts[0]
        dense = np.full(self.size, empty)
        hit = np.zeros(self.size, dtype=bool)
        for docs, scores in parts:
            if op is np.add:
                dense[docs] += scores
            else:
                dense[docs] = op(dense[docs], scores)
            hit[docs] = True
        docs = np.flatnonzero(hit)
        return docs, dense[docs]


def _sorted_keys(found: np.ndarray, keys: Optional[np.ndarray]) -> np.ndarray:
    """The phrase keys (document, position - offset) of one word, kept where
    the previous words' `keys` have them too.  A term's positions come in
    document and position order, so the keys are sorted and distinct already:
    no sort or hash, only a binary search of one array in the other (np.unique
    and np.intersect1d sorted tens of thousands of keys for a common phrase)."""
    if len(found) > 1 and not (found[1:] > found[:-1]).all():
        found = np.unique(found)  # not expected: the files' positions are in order
    if keys is None:
        return found
    if not len(keys) or not len(found):
        return keys[:0]
    at = np.searchsorted(found, keys)
    at[at == len(found)] = 0
    return keys[found[at] == keys]


def scored_matches(searcher, index: ColumnarIndex, query: Q.Query, table: Optional[FacetTable] = None) -> Scored:
    """Every document `query` matches, with its score (raises `Unsupported`);
    given the generation's facet `table`, its filters are read from there."""
    return _Evaluator(searcher, index, table).scored(query)


def matching_docs(searcher, index: ColumnarIndex, query: Q.Query, table: Optional[FacetTable] = None) -> np.ndarray:
    """The sorted documents a boolean `query` matches, unscored: its columnar
    parts and filters with numpy, anything else listed by Whoosh."""
    return _Evaluator(searcher, index, table).matches(query)


def top_k(docs: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[float, int]]:
    """The best `k` as (score, docnum), higher scores first, ties by docnum."""
    if k <= 0 or not len(docs):
        return []
    if len(docs) > k:
        kth = np.partition(-scores, k - 1)[k - 1]
        keep = -scores <= kth  # ties at the boundary kept, then ordered by docnum
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return [(float(scores[i]), int(docs[i])) for i in order]


def ranked(searcher, index: ColumnarIndex, query: Q.Query, terms: Optional[Sequence[str]], limit: int,
           allowed: Optional[np.ndarray] = None, matched: Optional[Scored] = None,
           table: Optional[FacetTable] = None) -> list[tuple[float, int]]:
    """The top `limit` (at least `RERANK_DEPTH` when proximity `terms` are
    given, those reordered by proximity) of `query`'s matches, among
    `allowed` documents if given: what search.ranking.ranked_search returns
    through Whoosh.  `matched` is the query's `scored_matches` when known."""
    index = lookup_of(searcher, index)
    docs, scores = matched if matched is not None else scored_matches(searcher, index, query, table)
    if allowed is not None:
        keep = np.isin(docs, allowed)
        docs, scores = docs[keep], scores[keep]
    if terms:
        limit = max(limit, RERANK_DEPTH)
    top = top_k(docs, scores, limit)
    if not terms:
        return top
    return rerank_top(searcher, top, terms, lambda docnums, words: proximity(searcher, index, docnums, words))


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
        starts = np.searchsorted(held, held, side="left")
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
    lengths = [lookup.doc_field_length(docnum, headline.TITLE_FIELD) for docnum in docs.tolist()]
    found = np.zeros(len(docs), dtype=np.int64)
    tokens = np.zeros(len(docs), dtype=np.int64)
    for term in distinct:
        held, positions = lookup.positions(CONTENT_FIELD, term, docs)
        held = held[positions < BODY_POSITION]
        if not len(held):
            continue
        where, counts = np.unique(held, return_counts=True)
        at = np.searchsorted(docs, where)
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
