"""An incremental run's first changed lines, loaded and analysed by a worker
process while this process is still planning the rest of the file.

Planning reads and keys every line of the corpus (~0.9 s at 100,000 lines);
the lines it finds changed are few and spread all over it.  Sent to a pool
as they are found, their loading and analysis (~0.4 s for 100 articles)
overlap the planning instead of following it.  At most `limit` articles are
sent ahead (their results wait in memory until the write loop takes them, in
input order); the rest of a large change goes through the same pool in the
write loop's bounded window, as before.

The outcomes are those of the pool path the write loop has always used for
larger changes (search/reindex/worker.py: process_unit with analysis), so
the index is the one the in-process path writes (tests/test_reindex_prefetch.py)."""

from __future__ import annotations

import multiprocessing
from typing import Any, Optional

from search.reindex.units import LinesUnit, WorkUnit
from search.reindex.worker import init_pool_worker, process_unit

# Articles sent ahead at most: enough for a typical small update, few enough
# that their tokens waiting in memory do not matter.
PREFETCH_ARTICLES = 512


class Prefetch:
    """A pool started on the first changed line offered, and the results of
    the units sent to it, by unit."""

    def __init__(self, workers: int, initargs: tuple, limit: Optional[int] = None):
        self.workers = workers
        self.initargs = initargs
        self.limit = PREFETCH_ARTICLES if limit is None else limit
        self.pool: Optional[Any] = None
        self._sent: dict[int, tuple[WorkUnit, Any]] = {}  # id(unit) → (unit, its AsyncResult)
        self._articles = 0

    def offer(self, unit: WorkUnit) -> WorkUnit:
        """`unit`, sent to the pool first when it holds lines to load and the limit allows."""
        if isinstance(unit, LinesUnit) and self._articles + len(unit.keys) <= self.limit:
            self.start()
            # The unit itself is kept with its result: its id cannot be reused meanwhile.
            self._sent[id(unit)] = (unit, self.pool.apply_async(process_unit, (unit,)))
            self._articles += len(unit.keys)
        return unit

    def start(self):
        """The pool (started now if it was not)."""
        if self.pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self.pool = context.Pool(self.workers, initializer=init_pool_worker, initargs=self.initargs)
        return self.pool

    def take(self, unit: WorkUnit) -> Optional[Any]:
        """The pending result of `unit` if it was sent ahead (once), else None."""
        sent = self._sent.pop(id(unit), None)
        return None if sent is None else sent[1]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        self._sent.clear()
