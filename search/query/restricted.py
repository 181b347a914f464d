"""A term's postings read only at the documents asked about: which of them
hold the term, its BM25 there, its positions there.

A query's other words often leave a few hundred candidates where a common
word's posting list holds tens of thousands of documents (대한민국 출시: 963
articles hold both, 34,000 hold 대한 and 민국).  Reading the whole list to
keep a few entries was most of such a query's cost at 100,000 articles; here
each candidate is found in the term's slice of each segment by binary search
(`numpy.searchsorted`), or each posting in the candidates when they are the
longer list, so the work grows with the shorter of the two.

Works on a generation's term look-ups (search.query.lookup.TermLookup: its
`slices`, `index.segments`, `live`); the documents asked about are sorted
document numbers of the generation.  What is read here equals what the
whole-list readers give at those documents (tests/test_restricted.py).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Iterator, Optional

import numpy as np

_NO_DOCS = np.zeros(0, dtype=np.int64)
# A segment's candidates up to this many are each looked up by `bisect`.
FEW_CANDIDATES = 16


def found_in(lookup, fieldname: str, term: str, among: np.ndarray) -> Iterator[tuple]:
    """Per segment holding the term at any of the sorted documents `among`:
    (segment, indices into `among` of those documents in ascending order,
    their posting numbers in the segment's arrays, their local document
    numbers).  Deleted documents are never found.

    Called a few dozen times a search, mostly for a page's or a rerank's few
    documents, where the cost is the number of numpy calls, not their work:
    where each segment's documents begin and end in `among` is one binary
    search for all segments (`lookup.segment_bounds`), and a deleted
    document is dropped by its segment's own live mask."""
    slices = lookup.slices(fieldname, term)
    if not slices or not len(among):
        return
    cuts = among.searchsorted(lookup.segment_bounds).tolist()
    segments, live = lookup.index.segments, lookup.segment_live
    for number, offset, low, high in slices:
        first, last = cuts[2 * number], cuts[2 * number + 1]
        if first == last or high == low:
            continue
        segment = segments[number][0]
        if last - first <= FEW_CANDIDATES:
            found = _found_few(segment.array(fieldname, "docs"), live[number], among[first:last], first, offset,
                               low, high)
            if found is not None:
                yield (segment,) + found
            continue
        local = (among[first:last] - offset).astype(np.uint32)
        docs = segment.array(fieldname, "docs")[low:high]
        if len(local) <= len(docs):
            at = docs.searchsorted(local)
            np.minimum(at, len(docs) - 1, out=at)  # past the end: compared with the last, never equal
            held = docs[at] == local
            where, postings = held.nonzero()[0], at[held]
        else:  # the candidates are the longer list: look each posting up in them
            at = local.searchsorted(docs)
            np.minimum(at, len(local) - 1, out=at)
            held = local[at] == docs
            where, postings = at[held], held.nonzero()[0]
        if live[number] is not None and len(where):
            alive = live[number][local[where]]
            where, postings = where[alive], postings[alive]
        if len(where):
            yield segment, where + first, postings + low, local[where]


def _found_few(docs: np.ndarray, live: Optional[np.ndarray], among: np.ndarray, first: int, offset: int,
               low: int, high: int) -> Optional[tuple]:
    """found_in's answer for one segment and a few documents: each looked up
    in the term's slice `docs[low:high]` by `bisect` (a dozen numpy calls
    cost more than a binary search in Python for each of a few)."""
    view = memoryview(docs)
    alive = memoryview(live) if live is not None else None
    where: list[int] = []
    postings: list[int] = []
    local: list[int] = []
    for number, doc in enumerate(among.tolist(), start=first):
        doc -= offset
        at = bisect_left(view, doc, low, high)
        if at < high and view[at] == doc and (alive is None or alive[doc]):
            where.append(number)
            postings.append(at)
            local.append(doc)
    if not where:
        return None
    return np.array(where, dtype=np.int64), np.array(postings, dtype=np.int64), np.array(local, dtype=np.uint32)


def holding(lookup, fieldname: str, term: str, among: np.ndarray) -> np.ndarray:
    """Indices into the sorted documents `among` of those that hold the term."""
    parts = [where for _, where, _, _ in found_in(lookup, fieldname, term, among)]
    if not parts:
        return _NO_DOCS
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def bm25_at(lookup, fieldname: str, term: str, among: np.ndarray, idf: float, avgfl: float, k1: float, b: float,
            boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(indices into `among` of the documents holding the term, the term's
    BM25 there): TermLookup.bm25 at those documents, the same float operations
    in the same order, so the same scores to the last bit."""
    where, scores = [], []
    for segment, at, postings, local in found_in(lookup, fieldname, term, among):
        tf = segment.array(fieldname, "tf")[postings].astype(np.float64)
        length = segment.array(fieldname, "length")[local].astype(np.float64)
        part = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgfl))
        if boost != 1.0:
            part = part * boost
        where.append(at)
        scores.append(part)
    if not where:
        return _NO_DOCS, np.zeros(0)
    if len(where) == 1:
        return where[0], scores[0]
    return np.concatenate(where), np.concatenate(scores)


# At most this many postings (a page's or a rerank's documents in a segment)
# are read by slicing each one's run of occurrences; more through the
# columnar file's own index arithmetic (ColumnarSegment.posting_positions,
# posting_spans: about 15 numpy calls whatever the count, most of the cost
# for a few postings), unless they hold more than FEW_OCCURRENCES occurrences
# (a word repeated throughout a long article).
FEW_POSTINGS = 48
FEW_OCCURRENCES = 1024


def _occurrences(segment, fieldname: str, postings: np.ndarray) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """Where the postings' occurrences lie in the segment's flat
    per-occurrence arrays, and how many each has (ColumnarSegment's
    arithmetic, for a few postings in Python), or None past FEW_OCCURRENCES."""
    ends = memoryview(segment.array(fieldname, "pos_end"))
    runs = [((ends[posting - 1] if posting else 0), ends[posting]) for posting in postings.tolist()]
    if sum(stop - start for start, stop in runs) > FEW_OCCURRENCES:
        return None  # a word repeated throughout an article: numpy's arithmetic
    index: list[int] = []
    for start, stop in runs:
        index.extend(range(start, stop))
    return np.array(index, dtype=np.int64), np.array([stop - start for start, stop in runs], dtype=np.int64)


def posting_positions(segment, fieldname: str, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ColumnarSegment.posting_positions: the positions of the sorted
    postings numbered `postings`, flat, and how many belong to each."""
    found = _occurrences(segment, fieldname, postings) if 0 < len(postings) <= FEW_POSTINGS else None
    if found is None:
        return segment.posting_positions(fieldname, postings)
    index, counts = found
    return segment.array(fieldname, "pos")[index].astype(np.int64), counts


def posting_spans(segment, fieldname: str, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ColumnarSegment.posting_spans: the character (starts, ends) of every
    occurrence of the sorted postings numbered `postings`, flat, and how
    many belong to each."""
    found = _occurrences(segment, fieldname, postings) if 0 < len(postings) <= FEW_POSTINGS else None
    if found is None:
        return segment.posting_spans(fieldname, postings)
    index, counts = found
    starts = segment.array(fieldname, "start")[index].astype(np.int64)
    return starts, starts + segment.array(fieldname, "span")[index], counts


def positions_at(lookup, fieldname: str, term: str, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document, position) of every occurrence of the term in the sorted
    documents `among`, in document and position order.  TermLookup.positions
    keeps its last answers of this (the top articles' terms are read three
    times a search); a phrase's candidates differ every query, so the runs
    call it directly."""
    docs_out, positions_out = [], []
    for segment, at, postings, _ in found_in(lookup, fieldname, term, among):
        positions, counts = posting_positions(segment, fieldname, postings)
        positions_out.append(positions)
        docs_out.append(np.repeat(among[at], counts))
    if not docs_out:
        return _NO_DOCS, _NO_DOCS
    if len(docs_out) == 1:
        return docs_out[0], positions_out[0]
    return np.concatenate(docs_out), np.concatenate(positions_out)
