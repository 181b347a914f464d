"""Worker processes that die with their parent.

A reindex's analysis workers are forked children.  If the reindex is killed
(kill -9, the OOM killer), nothing tells them: each finishes its current batch
and only then trips over the broken pipe, burning a core for nothing and
printing tracebacks.  On Linux the kernel can deliver a signal to a child the
moment its parent dies (prctl PR_SET_PDEATHSIG); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def exit_with_parent() -> None:
    """Called first thing in a worker process: have the kernel SIGKILL it when
    the process that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The parent may have died between the fork and the prctl: then no signal comes.
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)
