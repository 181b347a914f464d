"""Small pages for numpy's arrays during an incremental reindex.

numpy asks the kernel for transparent huge pages (madvise) for every array of
4 MB or more.  A fresh huge page is zeroed whole, 2 MB at a time, even where
the array is read once and thrown away; on this project's virtual machines a
huge page also tends to come from memory the host has not backed yet.  An
incremental run at 100,000 articles allocates a handful of such arrays (the
groups table's 42 MB of signatures gathered, its ids, the clustering's
columns) and spent 0.3-0.8 s of system time zeroing them; with small pages
its system time fell from ~1.0 to ~0.7 s (README, "Incremental reindex",
fourth pass).  The setting is numpy's own switch (the one its
NUMPY_MADVISE_HUGEPAGE variable sets at import), set for the run and put
back after it; worker processes forked meanwhile inherit it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional


def _switch() -> Optional[Callable[[bool], bool]]:
    """numpy's setter (returns the previous setting), or None where this numpy has none."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # numpy 2
    except ImportError:
        try:
            from numpy.core.multiarray import _set_madvise_hugepage  # numpy 1.x
        except ImportError:
            return None
    return _set_madvise_hugepage


def huge_pages_enabled() -> Optional[bool]:
    """Whether numpy asks for huge pages now (None: this numpy cannot say)."""
    switch = _switch()
    if switch is None:
        return None
    now = switch(True)
    switch(now)
    return now


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy's arrays on small pages inside the block, its setting restored after."""
    switch = _switch()
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)
