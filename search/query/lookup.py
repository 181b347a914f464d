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
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.util.numeric import byte_to_length

from search.columnar import COLUMNAR_FIELDS, ColumnarIndex
from search.headline import TITLE_FIELD
from search.index import CONTENT_FIELD, leaf_readers
from search.query.longlists import LongLists
from search.query.restricted import positions_at
from search.query.runs import holds_run
from search.query.termtable import TermTable

# Terms whose slices and frequencies are kept per generation; past this the
# memo starts again (a bound on memory, ~100 bytes a term).
MEMO_TERMS = 200_000

# Positions answers kept (a query's terms over its top documents).
RECENT_POSITIONS = 256

_NO_DOCS = np.zeros(0, dtype=np.int64)

# Fields whose terms are few (one per reporter) and asked for by text, for
# every plain word of a query: read whole once per generation (TermLookup.is_term).
WHOLE_FIELDS = ("reporter",)


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """`reader.doc_field_length(docnum, fieldname, 0) or 0` of every document,
    as an array: each segment's one-byte length column read as one block and
    decoded through a table of its 256 values (Whoosh 2.7.4's
    W3PerDocReader; any other reader is asked document by document)."""
    parts = []
    for leaf, _ in leaf_readers(reader):
        count = leaf.doc_count_all()
        encoded = _length_bytes(leaf, fieldname, count)
        if encoded is None:
            parts.append(np.array([leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)], dtype=np.int64))
        else:
            parts.append(_LENGTH_OF_BYTE[encoded])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _length_bytes(leaf, fieldname: str, count: int) -> Optional[np.ndarray]:
    """A segment's length bytes of `fieldname` (0 where none), or None where
    the column is not the one-byte numeric column of Whoosh 2.7.4."""
    perdoc = getattr(leaf, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        return None
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, dtype=np.uint8)
    if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", None) != 1:
        return None
    stored = min(column._count, count)
    found = np.full(count, column._default, dtype=np.uint8)
    found[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    return found


# Whoosh's length of each length byte (W3PerDocReader.doc_field_length: 0 for none).
_LENGTH_OF_BYTE = np.array([byte_to_length(value) if value else 0 for value in range(256)], dtype=np.int64)


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
        self._tables: dict[str, TermTable] = {}
        # The one look-up the query words are read against (search.query.words
        # keeps a query's analysis while its look-up stays the same object).
        self.holds = self._holds
        self._lengths: dict[str, np.ndarray] = {}
        self._whole: dict[str, frozenset] = {}
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
        """Whoosh's length of a document's field (its one-byte column decoded)."""
        return int(self.field_lengths(fieldname)[docnum])

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Whoosh's length of the field in every document (0 where it has
        none), read once: the title reorder reads the title's length of each
        search's top articles, through several layers of Whoosh per call, and
        a server's workers each read them again unless the parent has read
        them before forking (`warm`)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = field_lengths(self.searcher.reader(), fieldname)
            found.flags.writeable = False
        return found

    def is_term(self, fieldname: str, text: str) -> bool:
        """Whether any document (deleted ones included, as Whoosh's
        `doc_frequency` counts them) holds `text` in `fieldname`, for the
        small fields whose terms are read whole (`WHOLE_FIELDS`: the byline
        names each plain word of a query is tried as); others by their
        document frequency."""
        if fieldname not in WHOLE_FIELDS:
            return bool(self.doc_frequency(fieldname, text))
        terms = self._whole.get(fieldname)
        if terms is None:
            reader = self.searcher.reader()
            terms = self._whole[fieldname] = frozenset(
                term for leaf, _ in leaf_readers(reader) if fieldname in leaf.schema for term in leaf.lexicon(fieldname))
        return text.encode("utf-8") in terms

    def warm(self) -> None:
        """Reads now what every search's first use would read: the titles'
        lengths, the byline names and the columnar fields' term tables (a
        forked server worker shares them with its parent instead of reading
        them again)."""
        for fieldname in COLUMNAR_FIELDS:
            self.term_table(fieldname)
        if TITLE_FIELD in self.schema:
            self.field_lengths(TITLE_FIELD)
        for fieldname in WHOLE_FIELDS:
            if fieldname in self.schema:
                self.is_term(fieldname, "")

    # -- postings

    def slices(self, fieldname: str, term: str) -> tuple:
        """(segment number, document offset, low, high) of the term's postings
        in each segment that has it (found in the field's search.query.termtable)."""
        key = (fieldname, term)
        found = self._slices.get(key)
        if found is None:
            segments = self.index.segments
            found = tuple((number, segments[number][1], low, high)
                          for number, low, high in self.term_table(fieldname).slices(term.encode("utf-8")))
            self._remember(self._slices, key, found)
        return found

    def term_table(self, fieldname: str) -> TermTable:
        """The field's terms of every segment (search.query.termtable), read once."""
        table = self._tables.get(fieldname)
        if table is None:
            table = self._tables[fieldname] = TermTable(self.index, fieldname)
        return table

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
