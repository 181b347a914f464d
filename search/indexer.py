"""The reindex's former home, kept so that `search.indexer.reindex` and its
companions still import; the code lives in the search/reindex/ package."""

from search.paths import DEFAULT_SEEDS
from search.reindex import (
    BATCH_ARTICLES, MAX_SHRINK_SHARE, PARALLEL_MIN_BYTES, Ledger, ReindexLocked, ReindexRefused, ReindexReport,
    Reindexer, incremental_blocker, line_key, reindex,
)

__all__ = [
    "BATCH_ARTICLES", "DEFAULT_SEEDS", "Ledger", "MAX_SHRINK_SHARE", "PARALLEL_MIN_BYTES", "ReindexLocked",
    "ReindexRefused", "ReindexReport", "Reindexer", "incremental_blocker", "line_key", "reindex",
]
