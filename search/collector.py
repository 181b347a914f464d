"""The cyclic garbage collector paused for a block of work that builds many
containers without a cycle (a parsed manifest, a reindex's plan): its
collections, triggered by the new containers, walk every container made so far
again and again, and find nothing to free."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block, as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
