"""Writing Whoosh segments with posting lists gathered per term.

Why this module is over 400 lines: it is one byte format written three ways
that must agree (the in-memory pool, its spilled runs, the codec's blocks),
and tests/test_bulkwriter.py holds all three to Whoosh's own writer at once.

Whoosh's `SegmentWriter` turns every posting into a tuple in a sorting pool,
sorts all of them at the commit and hands them to the codec one by one, looking
up the document's field length for each.  With ~600 postings per news article
that per-posting machinery was three quarters of a reindex (README,
Performance): more than the morphological analysis.

`BulkSegmentWriter` writes the same segment format through the same codec
objects, and keeps Whoosh's per-document path (stored fields, field lengths,
sortable columns) and its commit, deletion and merge logic.  What changes is
the postings:

- the analysed fields of our documents (`PreTokenized` tokens, `KeyedText`
  keys, bigram text) are grouped by term in one loop, without Whoosh's token
  objects; any other value goes through the field's own `index()`;
- postings accumulate per (field, term) in arrays; those of our own fields
  in flat arrays extended once per document and grouped per term by one
  numpy sort when written: the bigram field's counts and the key fields'
  keys (`CountedTerms`), the positional fields' tokens, whose posting values
  are built for all postings at once (`PositionalTerms`); past the memory
  budget they are written to a sorted run file, and the runs are merged
  term by term, not posting by posting;
- each term's postings reach the codec a block (128 postings) at a time.

`tests/test_bulkwriter.py` holds the result to what `SegmentWriter` writes for
the same documents: the same terms, postings, weights, values, field lengths,
term statistics and stored fields.
"""

from __future__ import annotations

import hashlib
import heapq
import marshal
import struct
from array import array
from collections import defaultdict
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Iterator, Optional, Union

import zlib

import numpy as np

from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC as _BLOCK_MAGIC, W3TermInfo, _lenfield
from whoosh.compat import dumps
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.analysis.analyzer import PreTokenized
from search.analysis.derived import BigramAnalyzer, KeyedText, bigram_counts
from search.columnar import POSITIONAL_FIELDS, ColumnarBuilder, ColumnarSegment, columnar_path

_chain = chain.from_iterable
_OCCURRENCE = itemgetter(1, 2, 3)  # a token's (position, start, end)
_pack_uint = struct.Struct("!I").pack
_pack_int = struct.Struct("!i").pack
_pack_ushort = struct.Struct("!H").pack
_pack_lengths = struct.Struct("!ii").pack  # a term table entry's key and value lengths
_pack_long = struct.Struct("!q").pack
_TERM_INFO = W3TermInfo._struct.pack  # flags, weight, doc frequency, min/max length, max weight, first/last id
# Blocks whose pickled data is shorter than this are stored uncompressed.
# Measured on the blocks of 2,000 c10k articles (commit CPU s, postings file):
# 64: 3.53-4.33 s, 14.79 MiB; 256: 2.94-3.07 s, 15.65 MiB (+5.8%);
# 1024: 2.43-2.46 s, 18.73 MiB (+27%); never: 2.33-2.84 s, 28.39 MiB.
# 256 takes most of the saving for little size (README, issue 13).
COMPRESS_FROM = 256
# zlib's level for the blocks that are compressed (None: the codec's, 3).  A
# reader only asks whether a block is compressed, not how hard.  Measured on
# the blocks of 2,000 articles: level 1 -8% zlib time, +2% bytes against 3.
COMPRESS_LEVEL: Optional[int] = 1
# Frequency values of small counts, shared instead of packed for every posting.
_PACKED = [_pack_uint(i) for i in range(256)]
# Rough bytes held per posting and per new term in memory (arrays, list slots,
# the value's bytes object), for the spill decision.
_POSTING_BYTES = 48
_TERM_BYTES = 320
# The same per token of a positional field (PositionalTerms): its 20 bytes in
# the flat arrays, and its share of what the postings made of them hold when
# written (measured on c10k articles: about 2.2 tokens a posting).
_TOKEN_BYTES = 48


def _packed(count: int) -> bytes:
    return _PACKED[count] if count < 256 else _pack_uint(count)


def _term_numbers(ids: dict[str, int], terms, distinct: set) -> tuple[Iterator[int], int]:
    """The number of each of `terms` in `ids` (a lazy C-level map), new
    terms numbered next, and how many were new; `distinct`: the set of
    `terms`.  One set difference and one look-up per term, where a
    `setdefault` call per term was a fifth of adding a document.  The
    numbering order of a document's new terms is the set's (arbitrary): the
    terms are sorted when written."""
    new = distinct.difference(ids)
    for term in new:
        ids[term] = len(ids)
    return map(ids.__getitem__, terms), len(new)


class CountedTerms:
    """One field's postings that are a count per (document, term) and nothing
    else (the bigram field): gathered as three flat arrays, a term number,
    document and count per posting, extended once per document, and grouped
    by term with one stable numpy sort when written.  Appending to a list per
    term, three lists per posting scattered over memory, was the single
    largest cost of adding a document."""

    __slots__ = ("ids", "tids", "docs", "counts", "valued")

    def __init__(self, valued: bool = True) -> None:
        self.ids: dict[str, int] = {}  # term -> term number, numbered as first seen
        self.tids = array("I")
        self.docs = array("I")
        self.counts = array("I")
        # False: a field of keys (Existence), whose postings have weight 1 and no value.
        self.valued = valued

    def add(self, docnum: int, counts: dict[str, int]) -> int:
        """Adds one document's term counts; returns how many terms were new."""
        numbers, new = _term_numbers(self.ids, counts, set(counts))
        self.tids.extend(numbers)
        self.docs.extend(repeat(docnum, len(counts)))
        self.counts.extend(counts.values())
        return new

    def add_keys(self, docnum: int, keys: set) -> int:
        """Adds one document's keys (each once, weight 1); returns how many were new."""
        numbers, new = _term_numbers(self.ids, keys, keys)
        self.tids.extend(numbers)
        self.docs.extend(repeat(docnum, len(keys)))
        self.counts.extend(repeat(1, len(keys)))
        return new

    def entries(self, ordered: bool = False) -> Iterator[tuple[str, list]]:
        """(term, [docnums, weights, packed counts (none for keys), None]),
        in term order if `ordered`, else in no particular order."""
        if not self.ids:
            return
        tids = np.frombuffer(self.tids, dtype=np.uint32)
        order = np.argsort(tids, kind="stable")  # stable: document order within a term
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        counts = np.frombuffer(self.counts, dtype=np.uint32)[order]
        bounds = [0] + np.cumsum(np.bincount(tids, minlength=len(self.ids))).tolist()
        weights = counts.astype(np.float32).tobytes()
        docs_bytes = docs.tobytes()
        valued = self.valued
        counts = counts.tolist() if valued else []
        for term, number in sorted(self.ids.items()) if ordered else self.ids.items():
            start, end = bounds[number], bounds[number + 1]
            yield term, [array("I", docs_bytes[4 * start:4 * end]), array("f", weights[4 * start:4 * end]),
                         [_PACKED[c] if c < 256 else _pack_uint(c) for c in counts[start:end]] if valued else [],
                         None]


class PositionalTerms:
    """One field's postings of our own tokens with positions (`title`,
    `content`: `PreTokenized` values of a `Positions` field): kept as flat
    per-token arrays (term number, document, position, character start and
    end), extended once per document, and turned into postings when written:
    one stable numpy sort groups the tokens by term and document, and every
    posting's value (Whoosh's `Positions.encode`: the count, then the pickled
    list of position deltas) is built for all postings at once by
    `_position_values`.  Grouping the tokens of each document in Python, a
    list per term, a pickle per posting, was the largest cost of adding a
    document."""

    __slots__ = ("ids", "tids", "docs", "positions", "starts", "ends")

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # term -> term number, numbered as first seen
        self.tids = array("I")
        self.docs = array("I")
        self.positions = array("I")
        self.starts = array("I")
        self.ends = array("I")

    def add(self, docnum: int, tokens: list) -> int:
        """Adds one document's (term, position, start, end) tokens; returns
        how many terms were new."""
        terms, positions, starts, ends = zip(*tokens)
        # Converted before anything is added: a value array("I") refuses
        # (negative, too large) leaves the store as it was.
        positions, starts, ends = array("I", positions), array("I", starts), array("I", ends)
        numbers, new = _term_numbers(self.ids, terms, set(terms))
        self.tids.extend(numbers)
        self.docs.extend(repeat(docnum, len(terms)))
        self.positions.extend(positions)
        self.starts.extend(starts)
        self.ends.extend(ends)
        return new

    def entries(self, ordered: bool = False) -> Iterator[tuple[str, list]]:
        """(term, [docnums, weights, values, occurrences]), in term order if
        `ordered`, else in no particular order; occurrences: each posting's
        (position, start, end) triples."""
        if not self.ids:
            return
        tids = np.frombuffer(self.tids, dtype=np.uint32)
        order = np.argsort(tids, kind="stable")  # stable: document, then token order within a term
        tids = tids[order]
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        positions = np.frombuffer(self.positions, dtype=np.uint32)[order]
        count = len(tids)
        # A posting starts where the term or the document changes.
        starts = np.ones(count, dtype=bool)
        np.not_equal(tids[1:], tids[:-1], out=starts[1:])
        starts[1:] |= docs[1:] != docs[:-1]
        first = np.flatnonzero(starts)
        freqs = np.diff(np.append(first, count))
        values = _position_values(positions.astype(np.int64), first, freqs)
        occurrences = np.empty((count, 3), dtype=np.uint32)
        occurrences[:, 0] = positions
        occurrences[:, 1] = np.frombuffer(self.starts, dtype=np.uint32)[order]
        occurrences[:, 2] = np.frombuffer(self.ends, dtype=np.uint32)[order]
        occurrences = occurrences.tobytes()
        post_bounds = [0] + np.cumsum(np.bincount(tids[first], minlength=len(self.ids))).tolist()
        token_bounds = [0] + np.cumsum(np.bincount(tids, minlength=len(self.ids))).tolist()
        docs_bytes = docs[first].tobytes()
        weights = freqs.astype(np.float32).tobytes()
        for term, number in sorted(self.ids.items()) if ordered else self.ids.items():
            start, end = post_bounds[number], post_bounds[number + 1]
            yield term, [array("I", docs_bytes[4 * start:4 * end]), array("f", weights[4 * start:4 * end]),
                         values[start:end],
                         array("I", occurrences[12 * token_bounds[number]:12 * token_bounds[number + 1]])]


# Pickle protocol 2 (what whoosh.compat.dumps writes) of a list of ints:
# PROTO 2, EMPTY_LIST, BINPUT 0, then one item and APPEND, or MARK, the items
# (BININT1 'K' below 256, BININT2 'M' below 65536, else BININT 'J', little-
# endian) and APPENDS, in batches of 1,000 items; then STOP.
_LIST_HEAD = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
_PICKLE_BATCH = 1000


def _position_values(positions, first, freqs) -> list:
    """Every posting's value as Whoosh's `Positions.encode` makes it: the
    count (big-endian uint32) and the pickled list of position deltas (the
    first position, then each one's distance from the one before).
    `positions`: int64, the tokens grouped by posting; `first`: each
    posting's first token; `freqs`: its token count.  Built in one buffer by
    array operations, then sliced per posting."""
    count = len(positions)
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    deltas[first] = positions[first]
    # Bytes per item: an opcode and 1, 2 or 4 bytes.
    sizes = np.where((deltas >= 0) & (deltas < 256), 2, np.where((deltas >= 0) & (deltas < 65536), 3, 5))
    many = freqs > 1
    heads = 9 + many  # count, protocol and list, MARK for more than one item
    item_bytes = np.add.reduceat(sizes, first) if count else sizes
    totals = heads + item_bytes + 2  # APPEND or APPENDS, STOP
    ends = np.cumsum(totals)
    offsets = ends - totals
    buffer = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    head = np.empty((len(first), 9), dtype=np.uint8)
    head[:, :4] = freqs.astype(">u4").view(np.uint8).reshape(-1, 4)
    head[:, 4:] = _LIST_HEAD
    buffer[offsets[:, None] + np.arange(9)] = head
    buffer[offsets[many] + 9] = 0x28  # MARK
    posting = np.repeat(np.arange(len(first)), freqs)  # each token's posting
    before = np.cumsum(sizes) - sizes  # bytes of the items before each one, over all postings
    at = offsets[posting] + heads[posting] + (before - before[first][posting])
    buffer[at] = np.where(sizes == 2, 0x4B, np.where(sizes == 3, 0x4D, 0x4A))
    little = deltas.astype("<i4").view(np.uint8).reshape(-1, 4)
    buffer[at + 1] = little[:, 0]
    wide = sizes >= 3
    buffer[at[wide] + 2] = little[wide, 1]
    widest = sizes == 5
    buffer[at[widest] + 3] = little[widest, 2]
    buffer[at[widest] + 4] = little[widest, 3]
    buffer[ends - 2] = np.where(many, 0x65, 0x61)  # APPENDS or APPEND
    buffer[ends - 1] = 0x2E  # STOP
    data = buffer.tobytes()
    values = [data[a:b] for a, b in zip(offsets.tolist(), ends.tolist())]
    # Outside what the layout above covers, pickle itself: more than one
    # batch of items, or a delta beyond a signed 32-bit int.
    odd = np.flatnonzero(freqs > _PICKLE_BATCH).tolist()
    if count and (deltas.min() < -2**31 or deltas.max() >= 2**31):
        odd = sorted(set(odd) | set(np.unique(posting[(deltas < -2**31) | (deltas >= 2**31)]).tolist()))
    if odd:
        listed = deltas.tolist()
        starts = first.tolist()
        for i in odd:
            values[i] = _packed(int(freqs[i])) + dumps(listed[starts[i]:starts[i] + int(freqs[i])], 2)
    return values


class TermPostings:
    """The postings of one segment grouped by field and term: per term, the
    document numbers, weights and encoded values, in the order added (document
    order).  Past `limitmb` the lot is written to a sorted run file; `sorted_terms`
    merges the runs and what is still in memory.

    Also takes Whoosh's pool interface (`add`, `cleanup`), through which
    `SegmentWriter` feeds the postings of segments it merges."""

    def __init__(self, tempstore, limitmb: int = 128):
        self.tempstore = tempstore
        self.limit = limitmb * 2**20
        self.size = 0
        # Per field, its terms: keyed by term bytes, or, for the fields our
        # own tokens fill (`text_field`), by the term text, encoded once per
        # term when written rather than once per posting.  UTF-8 keeps code
        # point order, so both sort alike.
        self.fields: dict[str, dict[bytes, list]] = {}
        self.texts: set[str] = set()
        # Fields whose postings are kept as flat arrays until written.
        self.counted: dict[str, Union[CountedTerms, PositionalTerms]] = {}
        self.runs: list[str] = []

    def field(self, fieldname: str) -> dict[bytes, list]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def text_field(self, fieldname: str) -> dict[str, list]:
        """The terms of `fieldname` keyed by their text (see __init__)."""
        terms = self.fields.get(fieldname)
        if fieldname not in self.texts:
            self.texts.add(fieldname)
            # Whoosh's path added to this field first: its keys become text too.
            terms = self.fields[fieldname] = {} if terms is None else {
                tbytes.decode("utf-8"): entry for tbytes, entry in terms.items()}
        return terms

    def counted_field(self, fieldname: str, valued: bool = True) -> CountedTerms:
        """The flat store of a count-only field, or with `valued` False of a
        field of keys (see CountedTerms)."""
        return self._flat_store(fieldname, lambda: CountedTerms(valued))

    def positional_field(self, fieldname: str) -> PositionalTerms:
        """The flat store of a field of our tokens with positions (see PositionalTerms)."""
        return self._flat_store(fieldname, PositionalTerms)

    def _flat_store(self, fieldname: str, make):
        """The field's flat store, made by `make` when the field has none yet."""
        found = self.counted.get(fieldname)
        if found is None:
            found = self.counted[fieldname] = make()
        return found

    def add(self, item: tuple, occurrences: Optional[array] = None) -> None:
        """One posting through Whoosh's pool interface; `occurrences`, where
        known (a merged segment's columnar file), its (position, character
        start, character end) triples."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.field(fieldname)
        if fieldname in self.texts:
            tbytes = tbytes.decode("utf-8")
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = [array("I"), array("f"), [], None if occurrences is None else array("I")]
            self.size += _TERM_BYTES
        if occurrences is None:
            entry[3] = None  # without occurrences: the columnar file decodes these values (positions only)
        elif entry[3] is not None:
            entry[3].extend(occurrences)
            self.size += 4 * len(occurrences)
        entry[0].append(docnum)
        entry[1].append(weight)
        if vbytes:  # as Whoosh's postings writer: an empty value is not kept
            entry[2].append(vbytes)
            self.size += len(vbytes)
        self.size += _POSTING_BYTES
        if self.size > self.limit:
            self.spill()

    def spill(self) -> None:
        """Writes everything held in memory to a new sorted run file."""
        if not self.fields and not self.counted:
            return
        name = f"{random_name()}.run"
        handle = self.tempstore.create_file(name).raw_file()
        try:
            for fieldname, tbytes, docs, weights, values, positions in self._memory_terms():
                marshal.dump((fieldname, tbytes, docs.tobytes(), weights.tobytes(), tuple(values),
                              None if positions is None else positions.tobytes()), handle)
        finally:
            handle.close()
        self.runs.append(name)
        self.fields = {}
        self.texts = set()
        self.counted = {}
        self.size = 0

    def _memory_terms(self) -> Iterator[tuple]:
        stores, self.counted = self.counted, {}
        for fieldname in sorted(self.fields.keys() | stores.keys()):
            store = stores.pop(fieldname, None)
            if store is not None:
                if not self.fields.get(fieldname):
                    # All of the field's postings are in its flat store: its
                    # terms come from there in order, nothing to merge.
                    self.fields.pop(fieldname, None)
                    for term, (docs, weights, values, positions) in store.entries(ordered=True):
                        yield fieldname, term.encode("utf-8"), docs, weights, values, positions
                    continue
                self._take_counted(fieldname, store)
            terms = self.fields[fieldname]
            encode = fieldname in self.texts
            for term in sorted(terms):
                # Taken out as written: a segment's last postings in memory
                # are freed term by term while its files are written.
                docs, weights, values, positions = terms.pop(term)
                yield fieldname, term.encode("utf-8") if encode else term, docs, weights, values, positions

    def _take_counted(self, fieldname: str, store: Union[CountedTerms, PositionalTerms]) -> None:
        """Moves a flat store's postings into the field's per-term entries."""
        terms = self.text_field(fieldname)
        for term, entry in store.entries():
            found = terms.get(term)
            if found is None:
                terms[term] = entry
                continue
            # The same field also came through Whoosh's path (a merged segment,
            # a boosted document): both in document order.
            if found[0][-1] < entry[0][0] or entry[0][-1] < found[0][0]:
                # One after the other (a merged segment's documents follow the
                # new ones): joined, occurrences kept.
                low, high = (found, entry) if found[0][-1] < entry[0][0] else (entry, found)
                values = low[2] + high[2] if bool(low[2]) == bool(high[2]) else (
                    (low[2] or [b""] * len(low[0])) + (high[2] or [b""] * len(high[0])))
                terms[term] = [low[0] + high[0], low[1] + high[1], values,
                               None if low[3] is None or high[3] is None else low[3] + high[3]]
                continue
            postings = sorted(zip(list(found[0]) + list(entry[0]), list(found[1]) + list(entry[1]),
                                  (found[2] or [b""] * len(found[0])) + entry[2]))
            terms[term] = [array("I", [p[0] for p in postings]), array("f", [p[1] for p in postings]),
                           [p[2] for p in postings], None]

    def _run_terms(self, number: int, name: str) -> Iterator[tuple]:
        handle = self.tempstore.open_file(name).raw_file()
        try:
            while True:
                try:
                    fieldname, tbytes, docs, weights, values, positions = marshal.load(handle)
                except EOFError:
                    return
                yield fieldname, tbytes, number, docs, weights, values, positions
        finally:
            handle.close()

    def sorted_terms(self) -> Iterator[tuple[str, bytes, array, array, list, Optional[array]]]:
        """(fieldname, term bytes, docnums, weights, values, occurrences or
        None) in field and term order, as the codec needs them (occurrences:
        (position, character start, character end) triples in one flat array)."""
        if not self.runs:
            yield from self._memory_terms()
            return
        # Runs hold consecutive document ranges, so a term's postings are the
        # concatenation of its lists in run order (the run number breaks ties).
        last = len(self.runs)
        streams = [self._run_terms(number, name) for number, name in enumerate(self.runs)]
        streams.append((f, t, last, d, w, v, p) for f, t, d, w, v, p in self._memory_terms())
        current: Optional[list] = None
        # Ordered by field, term and run number only (the arrays never compared).
        for fieldname, tbytes, _, docs, weights, values, positions in heapq.merge(*streams, key=_run_order):
            if isinstance(docs, bytes):
                docs, weights = array("I", docs), array("f", weights)
                positions = None if positions is None else array("I", positions)
            if current is not None and current[0] == fieldname and current[1] == tbytes:
                current[2].extend(docs)
                current[3].extend(weights)
                current[4].extend(values)
                if current[5] is not None:
                    if positions is None:
                        current[5] = None
                    else:
                        current[5].extend(positions)
                continue
            if current is not None:
                yield tuple(current)
            current = [fieldname, tbytes, array("I", docs), array("f", weights), list(values),
                       None if positions is None else array("I", positions)]
        if current is not None:
            yield tuple(current)

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.fields = {}
        self.texts = set()
        self.counted = {}

    def iter_postings(self) -> Iterator[tuple]:
        """Whoosh's pool interface: every posting as (field, term, docnum, weight, value)."""
        for fieldname, tbytes, docs, weights, values, _ in self.sorted_terms():
            for i, docnum in enumerate(docs):
                yield fieldname, tbytes, docnum, weights[i], values[i] if values else b""

    def write(self, fieldwriter, schema, lengths_reader, columnar=None) -> None:
        """Writes every term's postings and term information through the
        codec's field writer's files.  `lengths_reader` is the new segment's
        per-document reader (the field lengths the block statistics need), or
        None.  The ranking fields' terms also go to `columnar` (a
        search.columnar.ColumnarBuilder), from the same arrays."""
        lastfield = None
        terms: Optional[_TermWriter] = None
        for fieldname, tbytes, docs, weights, values, positions in self.sorted_terms():
            if fieldname != lastfield:
                if lastfield is not None:
                    fieldwriter.finish_field()
                fieldobj = schema[fieldname]
                fieldwriter.start_field(fieldname, fieldobj)
                lengths = _field_lengths(lengths_reader, fieldname)
                terms = _TermWriter(fieldwriter, fieldobj.format, lengths)
                lastfield = fieldname
                collect = columnar is not None and columnar.wants(fieldname)
                if collect:
                    columnar.lengths[fieldname] = lengths
            terms.add(tbytes, docs, weights, values)
            if collect:
                columnar.add(fieldname, tbytes, docs, weights, values, positions)
        if lastfield is not None:
            fieldwriter.finish_field()


def _run_order(item: tuple) -> tuple:
    return item[0], item[1], item[2]


_LENGTH_OF_BYTE = [None] + [byte_to_length(b) for b in range(1, 256)]
# length_to_byte of every length _field_lengths can give (a dict look-up, not a bisection).
_BYTE_OF_LENGTH = {None: 0, 0: 0, **{length: b for b, length in enumerate(_LENGTH_OF_BYTE) if b}}
_md5 = hashlib.md5


def _length_byte(length: Optional[int]) -> int:
    found = _BYTE_OF_LENGTH.get(length)
    return length_to_byte(length) if found is None else found


def _field_lengths(reader, fieldname: str) -> Optional[list]:
    """Each document's length in `fieldname` as Whoosh's postings writer sees it
    (the one-byte encoded length decoded again; None where there is none)."""
    if reader is None:
        return None
    column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return [_LENGTH_OF_BYTE[b] for b in column]


class _TermWriter:
    """Writes one field's terms: each term's posting blocks into the postings
    file and its term information into the term table, in the byte format of
    Whoosh's W3 codec (`W3PostingsWriter`, `W3FieldWriter.finish_term`), a
    block at a time rather than a posting at a time.  One difference: a block
    whose pickled data is shorter than `COMPRESS_FROM` bytes is stored
    uncompressed (the block header says so, and Whoosh's reader honours it);
    zlib saves few bytes there for its cost per call, and most terms of a
    news archive have a posting or two."""

    def __init__(self, fieldwriter, fmt, lengths: Optional[list]):
        self.postfile = fieldwriter._postfile.file  # the raw file: StructFile's wrappers cost per call
        self.position = self.postfile.tell()
        self.tindex = fieldwriter._tindex
        self.tfile = self.tindex.dbfile.file
        # The term table's write position, kept here instead of a tell() (an
        # lseek) per term, which was 3.9% of a reindex's py-spy samples.
        self.tposition = self.tfile.tell()
        self.index_append = self.tindex.index.append
        self.buckets = self.tindex.buckets
        self.prefix = _pack_ushort(fieldwriter._fieldid)
        self.blocklimit = fieldwriter._codec._blocklimit
        self.compression = fieldwriter._codec._compression
        self.fixedsize = fmt.fixed_value_size()
        self.lengths = lengths

    def add(self, tbytes: bytes, docs: array, weights: array, values: list) -> None:
        count = len(docs)
        limit = self.blocklimit
        start = self.position
        if count <= limit:  # one block: most terms
            block, stats = self._block(docs, weights, values, True)
            self.postfile.write(_BLOCK_MAGIC + block)
            weight, minlength, maxlength, maxweight = stats
        else:
            parts = [_BLOCK_MAGIC]
            weight, minlength, maxlength, maxweight = 0.0, None, 0, 0
            for first in range(0, count, limit):
                last = first + limit >= count
                block, (block_weight, block_min, block_max, block_max_weight) = self._block(
                    docs[first:first + limit], weights[first:first + limit],
                    values[first:first + limit] if values else values, last)
                parts.append(block)
                # W3TermInfo.add_block
                weight += block_weight
                if minlength is None:
                    minlength = block_min
                elif block_min is not None:
                    minlength = min(minlength, block_min)
                maxlength = max(maxlength, block_max)
                maxweight = max(maxweight, block_max_weight)
            block = b"".join(parts)
            self.postfile.write(block)
            block = block[len(_BLOCK_MAGIC):]
        written = len(_BLOCK_MAGIC) + len(block)
        self.position += written
        # W3TermInfo.to_bytes of these statistics and extent
        info = _TERM_INFO(0, weight, count, _length_byte(minlength),
                          _length_byte(maxlength), maxweight, docs[0], docs[-1]) + _pack_long(start) + _pack_int(written)
        # OrderedHashWriter.add, with one write
        key = self.prefix + tbytes
        tindex = self.tindex
        if key <= tindex.lastkey:
            raise ValueError(f"terms must increase: {tindex.lastkey!r}..{key!r}")
        position = self.tposition
        self.index_append(position)
        entry = _pack_lengths(len(key), len(info)) + key + info
        self.tfile.write(entry)
        self.tposition = position + len(entry)
        # whoosh.filedb.filetables.md5_hash: the digest's last four bytes, big-endian
        hashed = int.from_bytes(_md5(key).digest()[12:], "big")
        self.buckets[hashed & 255].append((hashed, position))
        tindex.lastkey = key

    def _block(self, ids: array, weights: array, values: list, last: bool) -> tuple[bytes, tuple]:
        """One block's bytes (W3PostingsWriter._write_block) and its statistics
        (summed weight, min and max length, max weight)."""
        # What W3PostingsWriter._mini_ids/_mini_weights/_mini_values make of them.
        if len(ids) == 1:
            mini_ids = (ids[0],)
        else:
            mini_ids = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])])
        head = weights[0]
        if weights.count(head) == len(weights):
            mini_weights = None if head == 1.0 else head
        else:
            mini_weights = tuple(weights)
        fixedsize = self.fixedsize
        if fixedsize is None or fixedsize < 0:
            mini_values = tuple(values)
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(values)
        data = dumps((mini_ids, mini_weights, mini_values), 2)
        compression = (COMPRESS_LEVEL or self.compression) if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        maxweight = max(weights)
        if maxweight < 0:
            maxweight = 0
        lengths = self.lengths
        if lengths is not None:
            found = [length for length in map(lengths.__getitem__, ids) if length]
            minlength = min(found) if found else None
            maxlength = max(found) if found else 0
        else:
            minlength, maxlength = None, 0
        header = dumps((len(ids), ids[-1], maxweight, compression,
                        _length_byte(minlength), _length_byte(maxlength)), 2)
        size = len(header) + len(data)
        return _pack_int(-size if last else size) + header + data, (sum(weights), minlength, maxlength, maxweight)


def _columnar_source(storage, reader) -> Optional[ColumnarSegment]:
    """The columnar file of the segment `reader` reads, where it has one."""
    segment = getattr(reader, "segment", lambda: None)()
    if segment is None:
        return None
    path = columnar_path(storage, segment)
    if not path.exists():
        return None
    opened = ColumnarSegment(path)
    return opened if opened.doc_count == reader.doc_count_all() else None


class BulkSegmentWriter(SegmentWriter):
    """A Whoosh `SegmentWriter` whose postings go through `TermPostings`
    (see the module docstring).  Used like Whoosh's: `add_document`, then
    `commit` (or, from a worker process, `_finalize_segment`)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs: Any):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPostings(self._tempstorage, limitmb=limitmb)
        # Fields whose values Whoosh's own add_document must handle.
        self._whoosh_only = any(field.vector or field.separate_spelling() for _, field in self.schema.items())
        self._columnar: Optional[ColumnarBuilder] = None

    def add_document(self, **fields: Any) -> None:
        if self._whoosh_only or any(name.startswith("_") and not name.startswith("_stored_") for name in fields):
            return super().add_document(**fields)  # boosts, vectors, spelling: Whoosh's way
        self._check_state()
        schema = self.schema
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = self._index(fieldname, field, value, docnum) if field.indexed else 0
            stored = fields.get("_stored_" + fieldname, value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column and stored is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(self, fieldname: str, field, value, docnum: int) -> int:
        """Adds the postings of one field value; returns the field length."""
        pool = self.pool
        # The fast paths below assume what Whoosh would do with unboosted tokens.
        fmt = type(field.format) if field.format.field_boost == 1.0 else None
        added = 0
        if isinstance(value, PreTokenized) and fmt is formats.Positions:
            tokens = value.tokens
            if not tokens:
                return 0
            added += _TERM_BYTES * pool.positional_field(fieldname).add(docnum, tokens)
            length = len(tokens)
            added += _TOKEN_BYTES * length
        elif isinstance(value, PreTokenized) and fmt is formats.Characters:
            terms = pool.text_field(fieldname)
            # Each term's tokens in order, grouped by one C-level append per
            # token; then per term Whoosh's encoding (position and character
            # deltas) and, for the columnar file, each occurrence's position,
            # character start and end as a flat triple (one C-level chain).
            groups: defaultdict[str, list] = defaultdict(list)
            for token in value.tokens:
                groups[token[0]].append(token)
            characters = fmt is formats.Characters
            length = 0
            for term, tokens in groups.items():
                freq = len(tokens)
                length += freq
                _, pos, start, end = tokens[0]
                if freq == 1:
                    occurrences = (pos, start, end)
                    deltas = [(pos, start, end - start)] if characters else [pos]
                else:
                    occurrences = list(_chain(map(_OCCURRENCE, tokens)))
                    positions = occurrences[0::3]
                    if characters:
                        deltas = [(pos, start, end - start)]
                        deltas += [(b[1] - a[1], b[2] - a[3], b[3] - b[2]) for a, b in zip(tokens, tokens[1:])]
                    else:
                        deltas = [pos]
                        deltas += [b - a for a, b in zip(positions, positions[1:])]
                encoded = _packed(freq) + dumps(deltas, 2)
                entry = terms.get(term)
                if entry is None:
                    entry = terms[term] = [array("I"), array("f"), [], array("I")]
                    added += _TERM_BYTES
                entry[0].append(docnum)
                entry[1].append(freq)
                entry[2].append(encoded)
                if entry[3] is not None:
                    entry[3].extend(occurrences)
                added += _POSTING_BYTES + len(encoded) + 12 * freq
        elif isinstance(value, KeyedText) and fmt is formats.Existence:
            keys = set(value.keys)
            length = len(keys)
            added += _TERM_BYTES * pool.counted_field(fieldname, valued=False).add_keys(docnum, keys)
            added += _POSTING_BYTES * length
        elif isinstance(field.analyzer, BigramAnalyzer) and fmt is formats.Frequency and isinstance(value, str):
            counts = bigram_counts(value)
            length = sum(counts.values())
            added += _TERM_BYTES * pool.counted_field(fieldname).add(docnum, counts) + _POSTING_BYTES * len(counts)
        else:
            length = 0
            for tbytes, freq, weight, vbytes in field.index(value):
                if field.scorable:
                    length += freq
                pool.add((fieldname, tbytes, docnum, weight, vbytes))
            return length
        pool.size += added
        if pool.size > pool.limit:
            pool.spill()
        return length if field.scorable else 0

    def add_postings_to_pool(self, reader, startdoc: int, docmap: Optional[dict]) -> None:
        """A merged segment's postings (Whoosh's `add_reader`), with the
        positional fields' occurrences and character spans taken from its
        columnar file: `content`'s Whoosh postings keep positions only, and
        the spans would be lost with the merged-away segment.  A segment
        without spans in its file (one of Whoosh's own writer) gives the
        merged file none (the field's postings are then decoded from Whoosh's
        values, positions only)."""
        source = _columnar_source(self.storage, reader)
        schema, add = self.schema, self.pool.add
        last, occurrences = None, {}
        for fieldname, tbytes, docnum, weight, vbytes in reader.iter_postings():
            if fieldname not in schema:
                continue
            newdoc = docmap[docnum] if docmap is not None else startdoc + docnum
            if source is not None and fieldname in POSITIONAL_FIELDS and source.has_spans(fieldname):
                if (fieldname, tbytes) != last:
                    last, occurrences = (fieldname, tbytes), source.occurrences_by_doc(fieldname, tbytes)
                add((fieldname, tbytes, newdoc, weight, vbytes), occurrences.get(docnum))
            else:
                add((fieldname, tbytes, newdoc, weight, vbytes))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        # Its arrays go to temporary files beside the segment's until it is written.
        self._columnar = ColumnarBuilder(folder=getattr(self.storage, "folder", None))
        try:
            self.pool.write(self.fieldwriter, self.schema, lengths, self._columnar)
        finally:
            self.fieldwriter.close()
            if lengths is not None:
                lengths.close()

    def _assemble_segment(self) -> None:
        super()._assemble_segment()
        # After the compound file is assembled: the columnar file stays a file
        # of its own (memory-mapped by the query side), named after the segment.
        if self._columnar is not None:
            self._columnar.write(columnar_path(self.storage, self.get_segment()), self.docnum)
            self._columnar = None
