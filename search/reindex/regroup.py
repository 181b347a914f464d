"""The reindex's grouping step: once a generation's articles are written,
cluster them (search.grouping: all again, or after a small incremental run
only what its new, changed and gone articles could reach) and keep the table
beside the index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Container, Mapping, Optional

import numpy as np

from search import grouping
from search.index import article_ids


def regroup(building: Path, articles: Mapping[str, Any], sketches: Mapping[str, grouping.Sketch],
            base: Optional[Path], backend: str) -> dict[str, Any]:
    """Clusters the new generation's articles (`articles`, in input order) and
    writes its groups table; returns the manifest's summary of it ({} when
    grouping is off)."""
    if not grouping.ENABLED:
        return {}
    started = time.perf_counter()
    old = grouping.read_groups(base) if base is not None else None  # once for both steps
    ids = list(articles)
    row_in_old = grouping.rows_in(old.ids, ids) if old is not None else None  # once for both steps
    summary = grouping.write_groups(building, ids, sketches, base,
                                    missing=lambda lacking: _sketches_from_index(building, lacking, backend),
                                    docnums=document_number_column(building, ids, base, sketches, old, row_in_old),
                                    old=old, consume_old=True, row_in_old=row_in_old)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def document_number_column(building: Path, ids: list[str], base: Optional[Path] = None,
                           changed: Container[str] = (), old: Optional[grouping.Groups] = None,
                           row_in_old: Optional[np.ndarray] = None) -> np.ndarray:
    """Each of `ids`' document number in the generation at `building` (-1: not
    a live document there), from the id terms' own term information
    (search.index.article_ids: reading each id's postings took 64 s of a
    100,000-article incremental run).

    Given the generation `base` it was built from (incremental), the segments
    the two share at the head of their table of contents keep their documents
    and numbers: an article not `changed` keeps its number there from `base`'s
    groups table (`old`, if the caller read it already), and only the segments
    after them are read (the ids of a 100,000-article index took 3–5 s to read;
    a new small segment, milliseconds).  Built with array operations: a mapping
    and its look-up per article cost ~0.2 s of a 100-change run at 100,000
    articles (`row_in_old`: each of `ids`' row in `old`, if the caller has it)."""
    ix, segments, shared, shared_docs, old = _shared_head(building, base, old)
    column = np.full(len(ids), -1, dtype=np.int64)
    if shared_docs:
        if row_in_old is None:
            row_in_old = grouping.rows_in(old.ids, ids)
        known = np.flatnonzero(row_in_old >= 0)
        numbers = old.docnums[row_in_old[known]]
        keep = (numbers >= 0) & (numbers < shared_docs)
        column[known[keep]] = numbers[keep]
        if changed:
            column[[i for i, article in enumerate(ids) if article in changed]] = -1
    after = _numbers_after(ix, segments[shared:], shared_docs)
    if after:
        position = dict(zip(ids, range(len(ids))))
        for article, docnum in after.items():
            if article in position:
                column[position[article]] = docnum
    return column


def _shared_head(building: Path, base: Optional[Path], old: Optional[grouping.Groups]):
    """(the index at `building`, its segments, how many of them and of their
    documents it shares with `base` at the head of the two tables of contents,
    `base`'s groups table) — nothing shared without a table with document numbers."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(building))
    segments = ix._segments()
    shared = shared_docs = 0
    if old is None and base is not None:
        old = grouping.read_groups(base)
    if old is not None and old.docnums is not None:
        for before, now in zip(whoosh_index.open_dir(str(base))._segments(), segments):
            if before.segment_id() != now.segment_id() or before.doc_count_all() != now.doc_count_all():
                break
            shared += 1
            shared_docs += now.doc_count_all()
    return ix, segments, shared, shared_docs, old


def _numbers_after(ix, segments, offset: int) -> dict[str, int]:
    """Article id → document number of the live documents of `segments`, the first numbered from `offset`."""
    from whoosh.reading import SegmentReader

    found: dict[str, int] = {}
    for segment in segments:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            for docnum, article in enumerate(article_ids(reader)):
                if article is not None and not reader.is_deleted(docnum):
                    found[article] = offset + docnum
        finally:
            reader.close()
        offset += segment.doc_count_all()
    return found


def _sketches_from_index(building: Path, ids: list[str], backend: str) -> dict[str, grouping.Sketch]:
    """Sketches of articles kept from a generation that has no groups table
    (built before grouping): analysed again from their stored text, once."""
    from whoosh import index as whoosh_index

    from search.analysis.analyzer import KoreanAnalyzer
    from search.index import article_from_stored, article_texts

    wanted = set(ids)
    analyzer = KoreanAnalyzer(backend)
    found: dict[str, grouping.Sketch] = {}
    ix = whoosh_index.open_dir(str(building))
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            if stored.get("id") not in wanted:
                continue
            article = article_from_stored(stored)
            tokens = {name: analyzer.token_tuples(text) for name, text in article_texts(article).items()
                      if text and name in grouping.SIGNATURE_FIELDS}
            item = grouping.sketch(tokens, article.published)
            if item is not None:
                found[article.id] = item
    return found
