"""`serve --processes N`: N forked worker processes answering on shared sockets.

A search's CPU is almost all Python holding the GIL, so one process answers on
about one core however many threads it has.  The parent binds the listening
sockets and warms the SearchService (webui/commands.py), then forks the
workers: the warmed arrays are shared copy-on-write and the index's mmapped
pages once in the page cache, and the kernel hands each new connection to one of
the workers waiting in accept().

The parent serves nothing itself: it only forks, waits and forwards signals.
A process with no threads can fork safely at any time, so a worker that dies
is reported on stderr and replaced by a fresh fork (one forked from a serving,
multi-threaded process could inherit a lock held by another thread).  A worker
that keeps dying (`GIVE_UP_DEATHS` within `GIVE_UP_SECONDS`) stops the whole
server with exit status 1, for a supervisor to restart.  SIGTERM or SIGINT to the
parent is passed on to the workers, and the parent exits when they are gone;
a worker never outlives the parent (search/orphans.py).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import deque
from typing import Callable, Optional

from search import exit_with_parent

GIVE_UP_DEATHS = 5
GIVE_UP_SECONDS = 60.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def can_fork() -> bool:
    return hasattr(os, "fork")


def _start_worker(work: Callable[[], int], parent: int) -> int:
    """Forks one worker running `work()`; its pid.  The worker never returns here."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        exit_with_parent()
        if os.getppid() != parent:  # the parent died before the prctl took effect
            os._exit(1)
        status = work()
    except KeyboardInterrupt:
        status = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def run_workers(work: Callable[[], int], processes: int, name: str = "news-search serve") -> int:
    """Runs `work` in `processes` forked workers until they stop; the exit status."""
    parent = os.getpid()
    stopping = False
    workers: set[int] = set()

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    def start() -> Optional[int]:
        """A new worker's pid, or None once stopping.  Stop signals wait until
        the new pid is known to `stop` (and a stop that came first forks none)."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            if stopping:
                return None
            pid = _start_worker(work, parent)
            workers.add(pid)
            return pid
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    deaths: deque[float] = deque(maxlen=GIVE_UP_DEATHS)
    status = 0
    try:
        for _ in range(processes):
            start()
        while workers:
            pid, wait_status = os.wait()  # retried after a signal handler (PEP 475)
            if pid not in workers:  # some other child of this process
                continue
            workers.discard(pid)
            if stopping:
                continue
            print(f"{name}: worker process {pid} {_how(wait_status)}", file=sys.stderr, flush=True)
            deaths.append(time.monotonic())
            if len(deaths) == GIVE_UP_DEATHS and deaths[-1] - deaths[0] < GIVE_UP_SECONDS:
                print(f"{name}: {GIVE_UP_DEATHS} worker processes died within {GIVE_UP_SECONDS:.0f} s; "
                      f"stopping", file=sys.stderr, flush=True)
                status = 1
                stop(signal.SIGTERM, None)
                continue
            fresh = start()
            if fresh is not None:
                print(f"{name}: started worker process {fresh} in its place", file=sys.stderr, flush=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _how(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return f"was killed by signal {os.WTERMSIG(wait_status)}"
    return f"exited with status {os.waitstatus_to_exitcode(wait_status)}"
