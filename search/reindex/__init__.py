"""Building and updating the index: `reindex(paths, index_dir=…)` (search/reindex/pipeline.py)."""

from search.layout import ReindexLocked
from search.reindex.pipeline import (
    BATCH_ARTICLES, MAX_SHRINK_SHARE, PARALLEL_MIN_BYTES, Reindexer, incremental_blocker, reindex,
)
from search.reindex.plan import line_key
from search.reindex.report import Ledger, ReindexRefused, ReindexReport

__all__ = [
    "BATCH_ARTICLES", "Ledger", "MAX_SHRINK_SHARE", "PARALLEL_MIN_BYTES", "ReindexLocked", "ReindexRefused",
    "ReindexReport", "Reindexer", "incremental_blocker", "line_key", "reindex",
]
