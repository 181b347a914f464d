"""A generation's term look-ups for the columnar executor: where a term's
postings lie in each segment's columnar file, its document frequency, the
collection statistics BM25 reads, and the positions of a term in a few
documents, each found once and kept for the generation.

Why a module of its own: once the executor scores with numpy, a query's cost
was the Python around the arrays (profiled over the 200 benchmark queries at
10,000 articles): a binary search over a segment's terms for every read of a
term (a query reads a term up to four times: listing, scoring, phrase check,
proximity), Whoosh's `doc_frequency` per term (a hash-table probe through
several layers), `doc_count_all` and `avg_field_length` per scored term, and
`numpy.isin` of a whole posting slice to find 30 documents' positions.  None
of these depends on the query beyond the term, and the columnar files of a
generation never change, so they are read once per generation here.

Document frequencies of the columnar fields come from the files: a term's
slice length in each segment, deleted postings included, which is what
Whoosh's `doc_frequency` counts too (tests/test_lookup.py holds them equal).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from whoosh import query as Q

from search.columnar import COLUMNAR_FIELDS, ColumnarIndex
from search.index import CONTENT_FIELD
from search.query.longlists import LongLists
from search.query.restricted import positions_at
from search.query.runs import holds_run

# Terms whose slices and frequencies are kept per generation; past this the
# memo starts again (a bound on memory, ~100 bytes a term).
MEMO_TERMS = 200_000

# Positions answers kept (a query's terms over its top documents).
RECENT_POSITIONS = 256

_NO_DOCS = np.zeros(0, dtype=np.int64)


def holds_in(searcher, doc_frequency, terms: tuple[str, ...]) -> bool:
    """Whether the searcher's articles hold these analysed terms in a row (one
    term: anywhere; `doc_frequency(field, term)` says where a term is absent)."""
    if not all(doc_frequency(CONTENT_FIELD, term) for term in terms):
        return False
    if len(terms) == 1:
        return True
    found = searcher.search(Q.Phrase(CONTENT_FIELD, list(terms)), limit=1, scored=False)
    return found.scored_length() > 0


class TermLookup:
    """The columnar postings of one generation (`index`) with memoised term
    look-ups, and the collection statistics of its Whoosh `searcher`; it has
    what search.query.compile asks of a vocabulary (`schema`, `doc_frequency`,
    `doc_count_all`) and what search.query.execute reads of the postings."""

    def __init__(self, searcher, index: ColumnarIndex):
        self.searcher = searcher
        self.index = index
        self.schema = searcher.schema
        self.size = index.size
        self.live = index.live
        self.all_live = bool(index.live.all())
        # Per segment, its documents' live mask (a view of `live`), None where none is deleted.
        self.segment_live = [None if index.live[offset:offset + segment.doc_count].all()
                             else index.live[offset:offset + segment.doc_count]
                             for segment, offset in index.segments]
        # Where each segment's documents begin and end, one after the other
        # (search.query.restricted finds them in a sorted list with one search).
        self.segment_bounds = np.array([bound for segment, offset in index.segments
                                        for bound in (offset, offset + segment.doc_count)], dtype=np.int64)
        self._count = searcher.doc_count_all()
        self._average: dict[str, float] = {}
        self._slices: dict[tuple[str, str], tuple] = {}
        self._frequency: dict[tuple[str, str], int] = {}
        # Each segment's term ends as a memoryview: indexing it gives Python
        # ints (numpy scalars cost ~10x more in a binary search's loop).
        self._ends: dict[tuple[int, str], memoryview] = {}
        # The one look-up the query words are read against (search.query.words
        # keeps a query's analysis while its look-up stays the same object).
        self.holds = self._holds
        self._lengths: dict[tuple[str, int], int] = {}
        self._recent: dict[tuple[str, str, bytes], tuple[np.ndarray, np.ndarray]] = {}
        self.long_lists = LongLists()  # the executor's answers for long posting lists (search.query.longlists)

    def _holds(self, terms: tuple[str, ...]) -> bool:
        """`holds_in` this generation, from the columnar positions
        (search.query.runs) where the files have them."""
        if self.index.has_positions(CONTENT_FIELD):
            return holds_run(self, terms)
        return holds_in(self.searcher, self.doc_frequency, terms)

    # -- collection statistics

    def doc_count_all(self) -> int:
        return self._count

    def avg_field_length(self, fieldname: str) -> float:
        found = self._average.get(fieldname)
        if found is None:
            found = self._average[fieldname] = self.searcher.avg_field_length(fieldname)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """As Whoosh's: postings of the term in every segment, deleted ones included."""
        key = (fieldname, text)
        found = self._frequency.get(key)
        if found is None:
            if fieldname in COLUMNAR_FIELDS:
                found = sum(high - low for _, _, low, high in self.slices(fieldname, text))
            else:
                found = self.searcher.doc_frequency(fieldname, text)
            self._remember(self._frequency, key, found)
        return found

    def doc_field_length(self, docnum: int, fieldname: str) -> int:
        """Whoosh's length of a document's field (its one-byte column decoded),
        kept: the title reorder reads the title's length of the same top
        articles again and again, through several layers of Whoosh per call."""
        key = (fieldname, docnum)
        found = self._lengths.get(key)
        if found is None:
            found = self.searcher.reader().doc_field_length(docnum, fieldname, 0) or 0
            self._remember(self._lengths, key, found)
        return found

    # -- postings

    def slices(self, fieldname: str, term: str) -> tuple:
        """(segment number, document offset, low, high) of the term's postings
        in each segment that has it."""
        key = (fieldname, term)
        found = self._slices.get(key)
        if found is None:
            encoded = term.encode("utf-8")
            found = tuple((number, offset) + span
                          for number, (segment, offset) in enumerate(self.index.segments)
                          if (span := self._term_slice(number, segment, fieldname, encoded)) is not None)
            self._remember(self._slices, key, found)
        return found

    def _term_slice(self, number: int, segment, fieldname: str, term: bytes) -> Optional[tuple[int, int]]:
        ends = self._ends.get((number, fieldname))
        if ends is None:
            array = segment._arrays.get(f"{fieldname}.term_end")
            if array is None or not len(array):
                return None
            ends = self._ends[(number, fieldname)] = memoryview(array).cast("B").cast("q")
        raw, base = segment._map, segment._blobs[fieldname]
        low, high = 0, len(ends)
        while low < high:
            middle = (low + high) // 2
            first = ends[middle - 1] if middle else 0
            found = raw[base + first:base + ends[middle]]
            if found < term:
                low = middle + 1
            elif found > term:
                high = middle
            else:
                post_end = segment.array(fieldname, "post_end")
                return (int(post_end[middle - 1]) if middle else 0), int(post_end[middle])
        return None

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document numbers, term frequencies, field lengths) of the term's
        live postings in document order (search.columnar.ColumnarIndex.postings).
        Deleted postings are dropped per segment before the lengths are read
        and anything is converted (18 % of the documents of the benchmark's
        100,000-article index are deleted copies)."""
        docs, tfs, lengths = [], [], []
        segments, live = self.index.segments, self.segment_live
        for number, offset, low, high in self.slices(fieldname, term):
            segment = segments[number][0]
            local = segment.array(fieldname, "docs")[low:high]
            tf = segment.array(fieldname, "tf")[low:high]
            if live[number] is not None:
                keep = live[number][local]
                local, tf = local[keep], tf[keep]
            docs.append(local.astype(np.int64) + offset if offset else local.astype(np.int64))
            tfs.append(tf)
            lengths.append(segment.array(fieldname, "length")[local])
        if not docs:
            empty = np.zeros(0, dtype=np.float64)
            return _NO_DOCS, empty, empty
        if len(docs) == 1:
            return docs[0], tfs[0].astype(np.float64), lengths[0].astype(np.float64)
        return (np.concatenate(docs), np.concatenate(tfs).astype(np.float64),
                np.concatenate(lengths).astype(np.float64))

    def docs(self, fieldname: str, term: str) -> np.ndarray:
        """The term's live documents, sorted (as `postings`' first array,
        without reading frequencies and lengths)."""
        docs = []
        segments, live = self.index.segments, self.segment_live
        for number, offset, low, high in self.slices(fieldname, term):
            local = segments[number][0].array(fieldname, "docs")[low:high]
            if live[number] is not None:
                local = local[live[number][local]]
            docs.append(local.astype(np.int64) + offset if offset else local.astype(np.int64))
        if not docs:
            return _NO_DOCS
        return docs[0] if len(docs) == 1 else np.concatenate(docs)

    def bm25(self, fieldname: str, term: str, idf: float, avgfl: float, k1: float, b: float,
             boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(documents, scores) of the term, as search.columnar.ColumnarIndex.bm25."""
        docs, tf, length = self.postings(fieldname, term)
        scores = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgfl))
        if boost != 1.0:
            scores = scores * boost
        return docs, scores

    def has_positions(self, fieldname: str) -> bool:
        return self.index.has_positions(fieldname)

    def positions(self, fieldname: str, term: str, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of every occurrence of the term in the sorted
        documents `among` (search.columnar.ColumnarIndex.positions), each
        document found in the posting slice by binary search rather than by
        `isin` over the whole slice (search.query.restricted.positions_at)."""
        among = np.asarray(among, dtype=np.int64)
        # The title reorder, the proximity rerank and the snippets read the
        # same terms in the same top documents: the last few answers are kept.
        key = (fieldname, term, among.tobytes())
        found = self._recent.get(key)
        if found is None:
            found = positions_at(self, fieldname, term, among)
            if len(self._recent) >= RECENT_POSITIONS:
                self._recent.pop(next(iter(self._recent)))
            self._recent[key] = found
        return found

    @staticmethod
    def _remember(memo: dict, key, value) -> None:
        if len(memo) >= MEMO_TERMS:
            memo.clear()
        memo[key] = value
