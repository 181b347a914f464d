"""An incremental run's first changed lines, loaded and analysed by a worker
process while this process is still planning the rest of the file.

Planning reads and keys every line of the corpus (~0.9 s at 100,000 lines);
the lines it finds changed are few and spread all over it.  Sent to a pool
as they are found, their loading and analysis (~0.4 s for 100 articles)
overlap the planning instead of following it.  At most `limit` articles are
sent ahead (their results wait in memory until the write loop takes them, in
input order); the rest of a large change goes through the same pool in the
write loop's bounded window, as before.

The worker is forked when the run starts, before the last manifest is read:
forked later, with that manifest's ~500,000 containers in memory, every page
this process then wrote (a reference count) was copied first, ~0.5 s of
system time over a run at 100,000 articles.  What it needs of the manifest
(the content hashes and body fingerprints of the last generation) is sent to
it with the first unit.

The outcomes are those of the pool path the write loop has always used for
larger changes (search/reindex/worker.py: process_unit with analysis), so
the index is the one the in-process path writes (tests/test_reindex_prefetch.py)."""

from __future__ import annotations

from typing import Any, Optional

from search.reindex.units import LinesUnit, WorkUnit
from search.reindex.worker import init_pool_worker, init_worker, process_context, process_unit

# Articles sent ahead at most: enough for a typical small update, few enough
# that their tokens waiting in memory do not matter.
PREFETCH_ARTICLES = 512


class Prefetch:
    """One worker process, and the results of the units sent to it, by unit."""

    def __init__(self, backend: str, limit: Optional[int] = None):
        self.backend = backend
        self.limit = PREFETCH_ARTICLES if limit is None else limit
        self.pool: Optional[Any] = None
        self._state: Optional[tuple] = None  # init_worker's arguments, sent with the first unit
        self._state_set: Optional[Any] = None  # its AsyncResult, checked before the first result is used
        self._sent: dict[int, tuple[WorkUnit, Any]] = {}  # id(unit) → (unit, its AsyncResult)
        self._articles = 0

    def start(self) -> "Prefetch":
        """Forks the worker (call it while this process is small)."""
        if self.pool is None:
            context = process_context()
            # One process: the units (and the state before them) are run in the order sent.
            self.pool = context.Pool(1, initializer=init_pool_worker, initargs=(self.backend, None))
        return self

    def prepare(self, known: dict[str, str], copied: frozenset) -> None:
        """The last generation's content hashes by id and body fingerprints
        (search/reindex/worker.py: init_worker), for the worker."""
        self._state = (self.backend, known, None, copied)

    def offer(self, unit: WorkUnit) -> WorkUnit:
        """`unit`, sent to the worker first when it holds lines to load and the limit allows."""
        if (self.pool is not None and self._state is not None and isinstance(unit, LinesUnit)
                and self._articles + len(unit.keys) <= self.limit):
            if not self._articles:
                self._state_set = self.pool.apply_async(init_worker, self._state)
            # The unit itself is kept with its result: its id cannot be reused meanwhile.
            self._sent[id(unit)] = (unit, self.pool.apply_async(process_unit, (unit,)))
            self._articles += len(unit.keys)
        return unit

    def take(self, unit: WorkUnit) -> Optional[Any]:
        """The pending result of `unit` if it was sent ahead (once), else None."""
        sent = self._sent.pop(id(unit), None)
        if sent is None:
            return None
        if self._state_set is not None:
            self._state_set.get()  # raises here, as the unit would, if the worker could not take the state
            self._state_set = None
        return sent[1]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        self._sent.clear()
