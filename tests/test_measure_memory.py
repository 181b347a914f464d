"""benchmarks/measure.py's memory of a process tree: RSS counts a page shared by
forked processes once per process (`serve --processes N`), PSS once in all."""

from __future__ import annotations

import os
import time

import pytest

from benchmarks.measure import tree_pss_bytes, tree_rss_bytes

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="needs Linux smaps_rollup")

SHARED = 64 * 2**20


def test_pss_counts_pages_shared_with_a_forked_child_once():
    block = bytearray(SHARED)
    block[::4096] = b"x" * len(block[::4096])  # resident before the fork: shared after it
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, b"1")
        time.sleep(30)
        os._exit(0)
    try:
        os.close(write)
        assert os.read(read, 1) == b"1"
        rss, pss = tree_rss_bytes(os.getpid()), tree_pss_bytes(os.getpid())
        # The block counts twice in RSS (parent and child), about once in PSS.
        assert rss - pss > SHARED * 0.8, (rss, pss)
        assert pss > SHARED
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(read)
