"""Named checkpoints in long operations, where the crash-safety tests make the
process die or pause at a chosen moment (deterministically, not by racing a
timer against a subprocess).

    NEWS_SEARCH_CRASH_AT=NAME     at checkpoint NAME the process sends itself
                                  SIGKILL, as the OOM killer or a power cut would:
                                  no cleanup, no `finally`, no atexit.
    NEWS_SEARCH_HOLD_AT=NAME      at checkpoint NAME the process creates
    NEWS_SEARCH_HOLD_FILE=PATH    PATH + ".reached" and then waits while PATH
                                  exists (at most HOLD_LIMIT seconds), so a test
                                  can act while, say, a reindex is mid-way.

The checkpoints of a reindex (search/reindex/, search/layout.py), in the order they are passed:

    reindex:analysis   after the first articles were analysed and handed to the
                       Whoosh writer (the new generation is a `.building` folder)
    reindex:commit     after the Whoosh commit wrote the new segments, before the
                       manifest (still `.building`)
    reindex:swap       after the finished generation was renamed into place,
                       before the `current` link is replaced
    reindex:swapped    after the `current` link was replaced, before old
                       generations are pruned and the lock is released

With neither variable set (always, outside the tests) a checkpoint costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CRASH_AT = "NEWS_SEARCH_CRASH_AT"
HOLD_AT = "NEWS_SEARCH_HOLD_AT"
HOLD_FILE = "NEWS_SEARCH_HOLD_FILE"
# A test that forgets to release a hold must not leave a process behind for ever.
HOLD_LIMIT = 300.0

_held: set[str] = set()


def checkpoint(name: str) -> None:
    environ = os.environ
    if environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)  # SIGKILL is delivered asynchronously; never run on meanwhile
    if environ.get(HOLD_AT) == name and name not in _held:
        _held.add(name)  # a checkpoint inside a loop holds once
        gate = environ.get(HOLD_FILE)
        if not gate:
            return
        Path(gate + ".reached").write_text(str(os.getpid()))
        deadline = time.monotonic() + HOLD_LIMIT
        while os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.02)
