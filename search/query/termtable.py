"""Where a term's postings lie in every segment's columnar file, found with
one binary search for all segments.

Each segment's file keeps a field's terms sorted, as one blob of bytes with
their end offsets (search.columnar); `ColumnarSegment.term_slice` finds a
term there by a binary search in Python, a slice of the map and a bytes
comparison per step, about 15 steps in each of a generation's segments.  A
first request looks up every term of its query that way (the query analysis's
in-a-row checks, document frequencies, the ranking's terms: about 14 terms a
query of the benchmark, 23 µs each at 100,000 articles in four segments), and
each server worker again.  Here a field's terms of all segments are read
once into one sorted array of their first eight bytes (big-endian, so the
numbers sort as the bytes do; a shorter term padded with zero bytes, which
sort first), with the segment and the place in it of each: a look-up is one
`numpy.searchsorted` for the range of terms sharing the first eight bytes,
then a comparison of the whole bytes of those few.  Eight bytes are two
Hangul syllables and a part of a third: most terms are alone in their range.

Read in serve's warm-up (search.query.lookup.TermLookup.warm), before the
workers fork: 14 bytes a term (1.3 MiB of prefixes for the 175,000 terms of
the benchmark's 100,000 articles), shared by the workers.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

PREFIX_BYTES = 8


class TermTable:
    """One field's terms in every segment of a `ColumnarIndex`."""

    def __init__(self, index, fieldname: str):
        self.fieldname = fieldname
        prefixes, numbers, places = [], [], []
        self._blobs, self._ends, self._post_ends = {}, {}, {}
        for number, (segment, _) in enumerate(index.segments):
            if not (segment.has(fieldname, "term_end") and segment.has(fieldname, "terms")):
                continue
            ends, blob = segment.array(fieldname, "term_end"), segment.array(fieldname, "terms")
            if not len(ends):
                continue
            ends = ends.astype(np.int64)
            self._blobs[number] = blob
            self._ends[number] = memoryview(np.ascontiguousarray(ends)).cast("B").cast("q")
            self._post_ends[number] = segment.array(fieldname, "post_end")
            prefixes.append(_prefixes(blob, ends))
            numbers.append(np.full(len(ends), number, dtype=np.int32))
            places.append(np.arange(len(ends), dtype=np.int64))
        if prefixes:
            every = np.concatenate(prefixes)
            # Stable: terms with equal prefixes stay in segment order.
            order = np.argsort(every, kind="stable")
            self.prefixes = every[order]
            self.numbers = np.concatenate(numbers)[order]
            self.places = np.concatenate(places)[order]
        else:
            self.prefixes = np.zeros(0, dtype=np.uint64)
            self.numbers = np.zeros(0, dtype=np.int32)
            self.places = np.zeros(0, dtype=np.int64)
        for array in (self.prefixes, self.numbers, self.places):
            array.flags.writeable = False

    def slices(self, term: bytes) -> list[tuple[int, int, int]]:
        """(segment number, low, high) of the term's postings in each segment
        that has it, in segment order (ColumnarSegment.term_slice of each)."""
        key = np.uint64(_prefix_of(term))
        prefixes = self.prefixes
        at, count = int(np.searchsorted(prefixes, key)), len(prefixes)
        found = []
        while at < count and prefixes[at] == key:
            number = int(self.numbers[at])
            span = self._slice_if(number, int(self.places[at]), term)
            if span is not None:
                found.append((number,) + span)
            at += 1
        found.sort()
        return found

    def _slice_if(self, number: int, place: int, term: bytes) -> Optional[tuple[int, int]]:
        ends = self._ends[number]
        first = ends[place - 1] if place else 0
        if self._blobs[number][first:ends[place]].tobytes() != term:
            return None
        post_end = self._post_ends[number]
        return (int(post_end[place - 1]) if place else 0), int(post_end[place])


def _prefix_of(term: bytes) -> int:
    return int.from_bytes(term[:PREFIX_BYTES].ljust(PREFIX_BYTES, b"\0"), "big")


def _prefixes(blob: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The first PREFIX_BYTES bytes of each term (zero bytes past its end) as
    big-endian unsigned numbers."""
    starts = np.concatenate(([0], ends[:-1]))
    at = starts[:, None] + np.arange(PREFIX_BYTES)
    inside = at < ends[:, None]
    picked = np.where(inside, blob[np.minimum(at, max(len(blob) - 1, 0))], 0).astype(np.uint8)
    return np.ascontiguousarray(picked).view(">u8").ravel().astype(np.uint64)
