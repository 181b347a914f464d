"""Deleting the old versions of changed and removed articles in an
incremental run, by document number.

Whoosh's `delete_by_query` opens a reader over every segment to find the id
terms, and opening a segment's terms copies its whole terms file into memory
(whoosh.filedb.compound: `BytesIO` of the mapped file): 1.5–2.5 s of a
100-change run at 100,000 articles.  The last generation's groups table
(search/grouping.py) already holds each live article's document number, and an
incremental run's writer starts from that generation's very segments, so the
numbers are read from the table instead.  Whenever the table does not match
the segments exactly (no table, an article missing from it, other live
counts), the ids go through `delete_by_query` as before."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

import numpy as np
from whoosh import query as Q

from search import grouping


def base_document_numbers(base: Optional[Path], segments,
                          wanted: Optional[Iterable[str]] = None) -> Optional[dict[str, int]]:
    """Article id → document number in `base`'s segments (as listed by the
    writer that starts from them), or None when `base`'s groups table cannot
    be trusted for them: no table, no numbers, or not exactly one number per
    live document of `segments`.  Given `wanted`, only those ids (found by
    one array comparison: the mapping of every id cost ~0.15 s at 100,000
    articles, for the ~100 a run deletes)."""
    if base is None:
        return None
    try:
        with np.load(Path(base) / grouping.GROUPS_FILE, allow_pickle=False) as data:
            if "docnums" not in data.files:
                return None
            ids, docnums = data["ids"], data["docnums"]
    except (OSError, KeyError, ValueError):
        return None
    live = docnums >= 0
    total = sum(segment.doc_count_all() for segment in segments)
    if (int(live.sum()) != sum(segment.doc_count() for segment in segments)
            or (live.any() and int(docnums[live].max()) >= total)
            or len(np.unique(docnums[live])) != int(live.sum())):
        return None
    if wanted is None:
        return dict(zip(ids[live].tolist(), docnums[live].tolist()))
    wanted = list(wanted)
    rows = np.flatnonzero(live & np.isin(ids, np.array(wanted, dtype=str))) if wanted else []
    return dict(zip(ids[rows].tolist(), docnums[rows].tolist()))


def delete_stale(writer, stale: list[str], base: Optional[Path]) -> None:
    """Marks deleted the documents of the articles `stale` among the segments
    the writer started from (never the new versions it added)."""
    if not stale:
        return
    numbers = base_document_numbers(base, writer.segments, stale)
    by_query = stale if numbers is None else [article_id for article_id in stale if article_id not in numbers]
    if numbers is not None:
        starts = np.cumsum([0] + [segment.doc_count_all() for segment in writer.segments])
        for article_id in stale:
            docnum = numbers.get(article_id)
            if docnum is None:
                continue
            at = int(np.searchsorted(starts, docnum, side="right")) - 1
            if writer.segments[at].is_deleted(docnum - int(starts[at])):
                by_query.append(article_id)  # the table disagrees with the segment: ask the index
            else:
                writer.delete_document(docnum)
    if by_query:
        # One reader for all of them (Whoosh opens a fresh one per delete_by_term call).
        writer.delete_by_query(Q.Or([Q.Term("id", article_id) for article_id in by_query]))
