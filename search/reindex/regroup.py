"""The reindex's grouping step: once a generation's articles are written,
cluster all of them (search.grouping) and keep the table beside the index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Mapping, Optional

# Imported with the reindex, not on first use: the analysis workers are forked from
# this process, and each would otherwise import datasketch (and scipy) again, ~0.7 s
# of CPU per worker per run.
import datasketch  # noqa: F401

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
    summary = grouping.write_groups(building, list(articles), sketches, base,
                                    missing=lambda ids: _sketches_from_index(building, ids, backend),
                                    docnums=document_numbers(building))
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def document_numbers(building: Path) -> dict[str, int]:
    """Article id → document number in the generation at `building` (live
    documents only), from the id terms' own term information (search.index.article_ids:
    reading each id's postings took 64 s of a 100,000-article incremental run)."""
    from whoosh import index as whoosh_index

    reader = whoosh_index.open_dir(str(building)).reader()
    try:
        return {article: docnum for docnum, article in enumerate(article_ids(reader))
                if article is not None and not reader.is_deleted(docnum)}
    finally:
        reader.close()


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
