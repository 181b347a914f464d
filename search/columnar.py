"""Columnar postings: the ranking fields' postings as flat arrays beside each
Whoosh segment, read with numpy.

Whoosh stays the index of record.  When the bulk segment writer
(search.bulkwriter) writes a segment's postings, the terms of the ranking
fields (`COLUMNAR_FIELDS`) also go, from the same per-term arrays, into one
file `<segment id>.cols` beside the segment: per field, the sorted terms
(UTF-8 bytes in one blob with offsets), each term's slice of the postings,
the postings' document numbers (uint32, local to the segment) and term
frequencies (float32, Whoosh's weights), and every document's field length
as Whoosh's BM25 reads it (the one-byte encoded length decoded again); for
the positional field (`content`) every posting's positions and, parallel to
them, each occurrence's character span in the field's text (its start and
its length, each in the narrowest unsigned type that holds the file's largest:
a length nearly always in one byte, tokens are short; a start in two bytes
unless an article of the segment is longer than 65,535 characters).  Snippets
are cut at those spans (search.query.hits.columnar_spans).  The file's name
carries the segment id, so Whoosh's own clean-up deletes it with its segment;
it is derived data, rebuilt with its segment (a merge carries the spans over
from the merged segments' files) and never the only copy of anything but the
character spans, which Whoosh's postings no longer hold (index schema 6): they
are derived from the stored text, as the analyzer reads it.

The query side memory-maps the files of a generation (`ColumnarIndex`) and
scores a term over all its postings in a few array operations
(`ColumnarIndex.bm25`) instead of Whoosh's per-posting matcher loop.
Deletions are not in the files: a segment's deleted documents come from the
Whoosh reader as a mask (an incremental reindex deletes without rewriting
any columnar file).
"""

from __future__ import annotations

import json
import mmap
import struct
import tempfile
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from whoosh.compat import loads

from search.index import BIGRAM_FIELD, CONTENT_FIELD, INITIALS_FIELD, leaf_readers

COLUMNAR_FIELDS = (CONTENT_FIELD, BIGRAM_FIELD, INITIALS_FIELD)
POSITIONAL_FIELDS = (CONTENT_FIELD,)
EXTENSION = ".cols"
# 2: the positional field's character spans (`.start`, `.span`).  A file of
# version 1 is still read; it has no spans, and its generation's snippets are
# read from Whoosh's postings (an index of schema 5 keeps them there).
MAGIC = b"NSCOLS2\n"
# A term's occurrences up to this many (position, start, end) values are
# added to the columns by `ColumnarBuilder._add_few`, more by numpy.
_FEW_OCCURRENCES = 3 * 64
READABLE = (b"NSCOLS1\n", MAGIC)
_ALIGN = 8


class _Column:
    """One array of a columnar file as it is built: appended to an unnamed
    temporary file a buffer at a time, so a segment's postings are never held
    whole in memory (at 41,000 articles a worker held ~330 MB of them until
    the file was written, and copied the largest again to write it)."""

    __slots__ = ("typecode", "dtype", "count", "largest", "_pending", "_file")
    FLUSH_BYTES = 1 << 20  # held before a write to the temporary file
    CHUNK_ITEMS = 1 << 20  # values read back at a time

    def __init__(self, typecode: str, folder: Optional[Path]):
        self.typecode = typecode
        self.dtype = np.dtype(_DTYPE_OF[typecode])
        self.count = 0
        self.largest = 0  # the largest value appended (kept for the narrowed columns only)
        self._pending = array(typecode)
        self._file = tempfile.TemporaryFile(dir=folder)

    def extend(self, values) -> None:
        """Appends `values`: an array of this column's type, or a numpy array of its dtype."""
        if isinstance(values, np.ndarray):
            self._pending.frombytes(values.astype(self.dtype, copy=False).tobytes())
        elif isinstance(values, bytes):
            self._pending.frombytes(values)
        else:
            self._pending.extend(values)
        self.count += len(values)
        if len(self._pending) * self._pending.itemsize >= self.FLUSH_BYTES:
            self._flush()

    def append(self, value) -> None:
        self._pending.append(value)
        self.count += 1
        if len(self._pending) * self._pending.itemsize >= self.FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        self._file.write(self._pending)
        self._pending = array(self.typecode)

    def chunks(self):
        """The column's values from the start, a numpy array of up to CHUNK_ITEMS at a time."""
        self._flush()
        self._file.seek(0)
        while True:
            data = self._file.read(self.CHUNK_ITEMS * self.dtype.itemsize)
            if not data:
                return
            yield np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        self._file.close()


_DTYPE_OF = {"B": np.uint8, "I": np.uint32, "f": np.float32, "q": np.int64}


class ColumnarBuilder:
    """Collects one segment's postings of `COLUMNAR_FIELDS` (fed term by term,
    in field and term order, by `TermPostings.write`) and writes them to one
    file.  Each of the file's arrays is appended, as the terms come (a few
    C-level appends per term), to a temporary file of its own in `folder`
    (None: the system's), and `write` copies them into the columnar file a
    buffer at a time: a segment's columnar arrays never sit whole in memory."""

    def __init__(self, fields: Sequence[str] = COLUMNAR_FIELDS, positional: Sequence[str] = POSITIONAL_FIELDS,
                 folder: Optional[Path] = None):
        self.fields = frozenset(fields)
        self.folder = folder
        # Per field, its columns (see _columns) and running ends (term bytes, postings, positions).
        self._columns: dict[str, dict[str, _Column]] = {}
        self._ends: dict[str, list[int]] = {}
        # Each document's decoded field length (None where Whoosh has none).
        self.lengths: dict[str, Optional[list]] = {}
        # Fields whose positions are kept too (phrases, compounds): every
        # posting's positions, and every position's character start and
        # length, unless a posting without them came (the field's file then
        # has no spans: `_spanless`).
        self.positional = frozenset(positional)
        self._spanless: set[str] = set()

    def wants(self, fieldname: str) -> bool:
        return fieldname in self.fields

    def _field_columns(self, fieldname: str) -> dict[str, _Column]:
        found = self._columns.get(fieldname)
        if found is None:
            names = [("terms", "B"), ("term_end", "q"), ("post_end", "q"), ("docs", "I"), ("tf", "f")]
            if fieldname in self.positional:
                names += [("pos", "I"), ("pos_end", "q"), ("start", "I"), ("span", "I")]
            found = self._columns[fieldname] = {name: _Column(code, self.folder) for name, code in names}
            self._ends[fieldname] = [0, 0, 0]
        return found

    def add(self, fieldname: str, tbytes: bytes, docs, weights, values=(), positions=None) -> None:
        """One term's postings (`docs` an array of "I", `weights` of "f").
        `positions`, where the writer kept them, are the postings' occurrences
        in order as (position, character start, character end) triples in
        one flat array of "I" (each posting's count is its weight, the term
        frequency); else they are decoded from Whoosh's encoded posting
        `values` (character spans only where Whoosh's format has them)."""
        columns = self._field_columns(fieldname)
        ends = self._ends[fieldname]
        ends[0] += len(tbytes)
        ends[1] += len(docs)
        columns["terms"].extend(tbytes)
        columns["term_end"].append(ends[0])
        columns["post_end"].append(ends[1])
        columns["docs"].extend(docs)
        columns["tf"].extend(weights)
        if fieldname not in self.positional:
            return
        if positions is not None and len(positions) <= _FEW_OCCURRENCES:
            self._add_few(fieldname, columns, ends, weights, positions)
            return
        if positions is not None:
            triples = np.frombuffer(positions, dtype=np.uint32)
            occurred = triples[0::3]
            counts = np.frombuffer(weights, dtype=np.float32).astype(np.int64)
            starts, lengths = triples[1::3], triples[2::3] - triples[1::3]
        else:
            occurred, counts, starts, lengths = _positions(values)
            if starts is None and len(occurred):
                self._spanless.add(fieldname)  # a posting without spans: none for the field
        columns["pos"].extend(occurred)
        if len(counts):
            columns["pos_end"].extend(np.cumsum(counts, dtype=np.int64) + ends[2])
            ends[2] += int(counts.sum())
        if fieldname not in self._spanless and starts is not None and len(starts):
            for name, part in (("start", starts), ("span", lengths)):
                column = columns[name]
                column.extend(part)
                column.largest = max(column.largest, int(part.max()))

    def _add_few(self, fieldname: str, columns: dict[str, _Column], ends: list[int], weights, positions) -> None:
        """`add`'s positional columns for a term of few occurrences, with
        array slices: the same values as the numpy path, without its cost
        per call, which was most of the time of a term of one or two postings."""
        starts = positions[1::3]
        columns["pos"].extend(positions[0::3])
        pos_end = array("q", accumulate(map(int, weights), initial=ends[2]))
        del pos_end[0]  # the running end before this term
        ends[2] = pos_end[-1]
        columns["pos_end"].extend(pos_end)
        if fieldname not in self._spanless and starts:
            spans = array("I", [(end - start) & 0xFFFFFFFF for start, end in zip(starts, positions[2::3])])
            for name, part in (("start", starts), ("span", spans)):
                column = columns[name]
                column.extend(part)
                column.largest = max(column.largest, max(part))

    def write(self, path: Path, doc_count: int) -> None:
        """Writes the file (`write_arrays`), then drops the temporary columns."""
        try:
            arrays: dict[str, object] = {}
            for fieldname in sorted(self.fields):
                columns = self._field_columns(fieldname)
                names = ["terms", "term_end", "post_end", "docs", "tf"]
                if fieldname in self.positional:
                    names += ["pos", "pos_end"] + ([] if fieldname in self._spanless else ["start", "span"])
                for name in names:
                    column = columns[name]
                    if name in ("start", "span"):
                        # The narrowest unsigned type that holds the largest value.
                        arrays[f"{fieldname}.{name}"] = _Narrowed(column, _narrowest_type(column.largest))
                    else:
                        arrays[f"{fieldname}.{name}"] = column
                found = self.lengths.get(fieldname)
                length = np.zeros(doc_count, dtype=np.float32)
                if found is not None:
                    length[:len(found)] = [value or 0 for value in found[:doc_count]]
                arrays[f"{fieldname}.length"] = length
            write_arrays(path, doc_count, arrays)
        finally:
            self.close()

    def close(self) -> None:
        for columns in self._columns.values():
            for column in columns.values():
                column.close()
        self._columns = {}


class _Narrowed:
    """A uint32 column written in a narrower type."""

    def __init__(self, column: _Column, dtype: np.dtype):
        self.column, self.dtype, self.count = column, np.dtype(dtype), column.count

    def chunks(self):
        for chunk in self.column.chunks():
            yield chunk.astype(self.dtype, copy=False)


def write_arrays(path: Path, doc_count: int, arrays: dict, magic: bytes = MAGIC) -> None:
    """A columnar file of these named arrays (to a temporary name first: a
    reader never maps half a file).  An array is a numpy array, or a column
    with `dtype`, `count` and `chunks()` (its values a part at a time), which
    is copied over without being held whole."""
    header: dict = {"doc_count": doc_count, "arrays": {}}
    offset = 0
    for name, array_ in arrays.items():
        count = array_.size if isinstance(array_, np.ndarray) else array_.count
        header["arrays"][name] = [array_.dtype.str, offset, int(count)]
        offset += -(-count * array_.dtype.itemsize // _ALIGN) * _ALIGN
    encoded = json.dumps(header).encode("utf-8")
    start = -(-(len(magic) + 8 + len(encoded)) // _ALIGN) * _ALIGN
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(magic + struct.pack("<Q", len(encoded)) + encoded)
        handle.write(b"\0" * (start - handle.tell()))
        for array_ in arrays.values():
            written = 0
            for part in ([array_] if isinstance(array_, np.ndarray) else array_.chunks()):
                # Written from the array's own buffer: no bytes copy of it.
                handle.write(memoryview(np.ascontiguousarray(part)).cast("B"))
                written += part.nbytes
            handle.write(b"\0" * (-written % _ALIGN))
    partial.replace(path)


def columnar_path(storage, segment) -> Path:
    """Where a segment's columnar file lives: beside its Whoosh files, named
    after it (so Whoosh's clean-up of a merged-away segment deletes it too)."""
    return Path(storage.folder) / segment.make_filename(EXTENSION)


def _narrowest_type(largest: int) -> type:
    """The narrowest unsigned type (of uint8, uint16, uint32) that holds `largest`."""
    for dtype in (np.uint8, np.uint16):
        if largest <= np.iinfo(dtype).max:
            return dtype
    return np.uint32


def range_indexes(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes start, start + 1, … (count of them) of each range, one
    after the other in one array, without a loop: every occurrence of some
    postings in the flat per-occurrence arrays, every pair of some documents."""
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


def _undelta(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums of `deltas` that start again from 0 at each posting
    (`counts` deltas each): subtract the running sum reached before it."""
    running = np.cumsum(deltas.astype(np.int64))
    ends = np.cumsum(counts)
    before = np.zeros(len(counts), dtype=np.int64)
    nonempty = (ends - counts) > 0
    before[nonempty] = running[(ends - counts)[nonempty] - 1]
    return running - np.repeat(before, counts)


def _positions(values) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray], Optional[np.ndarray]]:
    """The positions of each posting (Whoosh's `Positions` or `Characters`
    value: a frequency, then pickled deltas, the position delta first in
    each) as one array, how many each posting has, and, from a `Characters`
    value ((position, start, length) deltas: the start's delta from the
    previous occurrence's end), each occurrence's character start and length
    (None, None from `Positions` values)."""
    triples: list[tuple] = []
    deltas: list[int] = []
    counts = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        found = loads(value[4:]) if len(value) > 4 else []
        if found and isinstance(found[0], tuple):
            triples.extend(found)
        else:
            deltas.extend(found)
        counts[i] = len(found)
    if triples and deltas:
        raise ValueError("a term's postings mix Positions and Characters values")
    if not triples:
        return _undelta(np.array(deltas, dtype=np.int64), counts).astype(np.uint32), counts, None, None
    table = np.array(triples, dtype=np.int64).reshape(-1, 3)
    positions = _undelta(table[:, 0], counts)
    lengths = table[:, 2]
    # A start is stored as its distance from the previous occurrence's end
    # (from 0 for a posting's first): the running sum of (delta + length)
    # less the occurrence's own length.
    starts = _undelta(table[:, 1] + lengths, counts) - lengths
    return positions.astype(np.uint32), counts, starts.astype(np.uint32), lengths.astype(np.uint32)


class ColumnarSegment:
    """One segment's `.cols` file, memory-mapped."""

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        raw = self._map
        if raw[:len(MAGIC)] not in READABLE:
            raise ValueError(f"{path}: not a columnar postings file")
        size = struct.unpack("<Q", raw[len(MAGIC):len(MAGIC) + 8])[0]
        header = json.loads(raw[len(MAGIC) + 8:len(MAGIC) + 8 + size])
        start = -(-(len(MAGIC) + 8 + size) // _ALIGN) * _ALIGN
        self.doc_count = header["doc_count"]
        self._arrays: dict[str, np.ndarray] = {}
        self._blobs: dict[str, int] = {}  # field -> where its term bytes start in the map
        for name, (dtype, offset, count) in header["arrays"].items():
            dtype = np.dtype(dtype)
            # Plain arrays over the map (numpy.memmap's slicing costs ~10 µs a call).
            self._arrays[name] = np.frombuffer(raw, dtype=dtype, count=count, offset=start + offset)
            if name.endswith(".terms"):
                self._blobs[name[:-len(".terms")]] = start + offset

    def array(self, fieldname: str, name: str) -> np.ndarray:
        return self._arrays[f"{fieldname}.{name}"]

    def has(self, fieldname: str, name: str) -> bool:
        """Whether the file holds the field's array `name` (a field without
        terms has none; spans and positions only some fields and versions)."""
        return f"{fieldname}.{name}" in self._arrays

    def term_slice(self, fieldname: str, term: bytes) -> Optional[tuple[int, int]]:
        """The postings slice of `term`, found by binary search over the sorted terms."""
        ends = self._arrays.get(f"{fieldname}.term_end")
        if ends is None or not len(ends):
            return None
        raw, base = self._map, self._blobs[fieldname]
        low, high = 0, len(ends)
        while low < high:
            middle = (low + high) // 2
            first = int(ends[middle - 1]) if middle else 0
            found = raw[base + first:base + int(ends[middle])]
            if found < term:
                low = middle + 1
            elif found > term:
                high = middle
            else:
                post_end = self._arrays[f"{fieldname}.post_end"]
                return (int(post_end[middle - 1]) if middle else 0), int(post_end[middle])
        return None

    def _occurrences(self, fieldname: str, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where in the flat per-occurrence arrays the postings numbered
        `postings` (sorted) have their occurrences, and how many each has."""
        ends = self._arrays[f"{fieldname}.pos_end"]
        stop = ends[postings]
        start = np.where(postings > 0, ends[np.maximum(postings - 1, 0)], 0)
        counts = stop - start
        return range_indexes(start, counts), counts

    def posting_positions(self, fieldname: str, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the postings numbered `postings` (sorted), flat, and
        how many belong to each posting."""
        index, counts = self._occurrences(fieldname, postings)
        return self._arrays[f"{fieldname}.pos"][index].astype(np.int64), counts

    def has_spans(self, fieldname: str) -> bool:
        return f"{fieldname}.start" in self._arrays

    def posting_spans(self, fieldname: str, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The character (starts, ends) of every occurrence of the postings
        numbered `postings` (sorted), flat in position order, and how many
        belong to each posting."""
        index, counts = self._occurrences(fieldname, postings)
        starts = self._arrays[f"{fieldname}.start"][index].astype(np.int64)
        return starts, starts + self._arrays[f"{fieldname}.span"][index], counts

    def occurrences_by_doc(self, fieldname: str, term: bytes) -> dict[int, array]:
        """Each document's occurrences of `term` as flat (position, character
        start, character end) triples, the form the bulk writer keeps them in: how a
        merge carries a segment's spans into the merged segment's file
        (Whoosh's postings of the field hold positions only)."""
        found = self.term_slice(fieldname, term)
        if found is None:
            return {}
        postings = np.arange(*found, dtype=np.int64)
        index, counts = self._occurrences(fieldname, postings)
        triples = np.empty((len(index), 3), dtype=np.uint32)
        triples[:, 0] = self._arrays[f"{fieldname}.pos"][index]
        triples[:, 1] = self._arrays[f"{fieldname}.start"][index]
        triples[:, 2] = triples[:, 1] + self._arrays[f"{fieldname}.span"][index]
        flat = triples.tobytes()
        ends = np.cumsum(counts * 12).tolist()
        docs = self._arrays[f"{fieldname}.docs"][found[0]:found[1]].tolist()
        return {doc: array("I", flat[end - 12 * count:end])
                for doc, count, end in zip(docs, counts.tolist(), ends)}


class ColumnarIndex:
    """The columnar postings of every segment of one generation, in the order
    (and with the document-number offsets) of the Whoosh reader's segments."""

    def __init__(self, segments: list[tuple[ColumnarSegment, int]], size: int, live: np.ndarray):
        self.segments = segments
        self.size = size
        self.live = live  # bool per document: not deleted

    @classmethod
    def open(cls, folder: Path, reader) -> Optional["ColumnarIndex"]:
        """The generation's columnar postings, or None when a segment has no
        file (an index written before them, or by Whoosh's own writer)."""
        leaves = leaf_readers(reader)
        segments = []
        live = np.ones(reader.doc_count_all(), dtype=bool)
        for leaf, offset in leaves:
            segment = getattr(leaf, "segment", lambda: None)()
            if segment is None:
                return None
            path = Path(folder) / segment.make_filename(EXTENSION)
            if not path.exists():
                return None
            opened = ColumnarSegment(path)
            if opened.doc_count != leaf.doc_count_all():
                return None
            segments.append((opened, offset))
            if leaf.has_deletions():
                deleted = np.fromiter(segment.deleted_docs(), dtype=np.int64)
                live[offset + deleted] = False
        return cls(segments, reader.doc_count_all(), live)

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document numbers, term frequencies, field lengths) of `term`'s live
        postings in document order."""
        key = term.encode("utf-8")
        docs, tfs, lengths = [], [], []
        for segment, offset in self.segments:
            found = segment.term_slice(fieldname, key)
            if found is None:
                continue
            low, high = found
            local = segment.array(fieldname, "docs")[low:high]
            docs.append(local.astype(np.int64) + offset)
            tfs.append(segment.array(fieldname, "tf")[low:high])
            lengths.append(segment.array(fieldname, "length")[local])
        if not docs:
            empty = np.zeros(0, dtype=np.float64)
            return np.zeros(0, dtype=np.int64), empty, empty
        docs_all = np.concatenate(docs)
        keep = self.live[docs_all]
        return (docs_all[keep], np.concatenate(tfs).astype(np.float64)[keep],
                np.concatenate(lengths).astype(np.float64)[keep])

    def positions(self, fieldname: str, term: str, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of every occurrence of `term` in the documents
        `among` (sorted), as two parallel arrays."""
        key = term.encode("utf-8")
        docs_out, positions_out = [], []
        for segment, offset in self.segments:
            found = segment.term_slice(fieldname, key)
            if found is None:
                continue
            low, high = found
            docs = segment.array(fieldname, "docs")[low:high].astype(np.int64) + offset
            chosen = np.flatnonzero(np.isin(docs, among, assume_unique=True))
            if not len(chosen):
                continue
            positions, counts = segment.posting_positions(fieldname, chosen + low)
            positions_out.append(positions)
            docs_out.append(np.repeat(docs[chosen], counts))
        if not docs_out:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(docs_out), np.concatenate(positions_out)

    def has_positions(self, fieldname: str) -> bool:
        return all(segment.has(fieldname, "pos") for segment, _ in self.segments)

    def has_spans(self, fieldname: str) -> bool:
        """Whether every segment's file has the field's character spans (a
        file of version 1 has none; nor has one whose postings came, in part,
        from a segment without them)."""
        return all(segment.has_spans(fieldname) for segment, _ in self.segments)

    def bm25(self, fieldname: str, term: str, idf: float, avgfl: float, k1: float, b: float,
             boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(documents, scores) of `term`: BM25 as search.ranking.LuceneBM25
        computes it per posting, over the whole posting list at once."""
        docs, tf, length = self.postings(fieldname, term)
        scores = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgfl))
        if boost != 1.0:
            scores = scores * boost
        return docs, scores
