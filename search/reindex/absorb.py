"""Keeping the small segments of a long series of incremental runs few,
without Whoosh's merge.

Each incremental run that writes adds one small segment.  Whoosh's merge
policy (MERGE_SMALL) lets them pile up until a Fibonacci bound is crossed,
then merges them all at once through `add_reader`, posting by posting: on a
10,000-article index the 13th run of 100 changes merged 12 segments of ~105
documents and took 25.7 s wall, 18.3 s of CPU (~14 ms a merged document, 4-5
times what analysing and writing the article anew costs).

Instead, once an index holds more than SMALL_SEGMENTS small segments, a run
takes in the articles of the smallest ones: their lines are read and
analysed again like changed ones, written into the run's new segment, and
their old documents deleted, so those segments hold no live document and
leave the table of contents (`merge_policy`; their files are then deleted
by Whoosh as a merge's are).  The cost is in proportion to what is taken
in, and the pile never grows past SMALL_SEGMENTS.  The articles of files
that are unchanged as a whole are not read again: a segment holding one of
them stays, as it is.  The index answers as a full rebuild of the same
corpus would (tests/test_reindex_absorb.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from whoosh.writing import MERGE_SMALL

from search.index import article_ids

# Small segments an index may hold before a run takes some in; it then takes
# in the smallest, down to half of these.
SMALL_SEGMENTS = 8
# A segment is small when the largest segment holds more than this many times
# its live documents.
SMALL_RATIO = 20


def articles_to_absorb(base: Optional[Path]) -> set[str]:
    """The ids of the live articles of the small segments this run is to
    take in (none while the generation `base` holds SMALL_SEGMENTS or fewer)."""
    if base is None:
        return set()
    from whoosh import index as whoosh_index
    from whoosh.reading import SegmentReader

    ix = whoosh_index.open_dir(str(base))
    segments = ix._segments()
    if len(segments) <= SMALL_SEGMENTS:
        return set()
    # By live documents: a segment most of whose articles changed since is
    # small again (and the cheapest to take in).
    largest = max(segment.doc_count() for segment in segments)
    small = [segment for segment in segments if segment.doc_count() * SMALL_RATIO < largest]
    if len(small) <= SMALL_SEGMENTS:
        return set()
    chosen = sorted(small, key=lambda segment: segment.doc_count())[:len(small) - SMALL_SEGMENTS // 2]
    found: set[str] = set()
    for segment in chosen:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            found.update(article for docnum, article in enumerate(article_ids(reader))
                         if article is not None and not reader.is_deleted(docnum))
        finally:
            reader.close()
    return found


def merge_policy(writer, segments):
    """Whoosh's MERGE_SMALL over the segments that still hold a live document:
    one whose every document was deleted (taken in, or all its articles
    changed or gone) leaves the table of contents."""
    return MERGE_SMALL(writer, [segment for segment in segments if segment.doc_count() > 0])
