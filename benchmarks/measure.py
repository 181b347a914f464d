"""Small measuring tools: percentiles, medians and the peak memory of a process tree."""

from __future__ import annotations

import math
import os
import statistics
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarise_rounds(rounds: list[list[float]]) -> dict:
    """p50/p95/p99 per round, then the median of each across rounds (the machine
    is shared, so single rounds are noisy)."""
    per_round = [{"p50": percentile(r, 50), "p95": percentile(r, 95), "p99": percentile(r, 99)} for r in rounds]
    return {
        key: statistics.median(r[key] for r in per_round) for key in ("p50", "p95", "p99")
    } | {"rounds": per_round}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tree(pid: int) -> Iterator[int]:
    """A process and all its descendants (one reading of /proc)."""
    children = _children()
    stack = [pid]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children.get(current, []))


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, summed."""
    return sum(rss_bytes(member) for member in _tree(pid))


def pss_bytes(pid: int) -> int:
    """Proportional set size: each resident page divided by the number of
    processes mapping it, so a tree's sum counts shared pages once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_pss_bytes(pid: int) -> Optional[int]:
    """PSS of a process and all its descendants, summed (None where the kernel
    has no smaps_rollup: not Linux, or before 4.14)."""
    if not os.path.exists(f"/proc/{pid}/smaps_rollup"):
        return None
    return sum(pss_bytes(member) for member in _tree(pid))


def cpu_ticks(pid: int) -> int:
    """User + system CPU of one process so far, in clock ticks (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its living descendants, in seconds."""
    return sum(cpu_ticks(member) for member in _tree(pid)) / os.sysconf("SC_CLK_TCK")


class PeakMemory:
    """Samples the resident memory of a process tree every `interval` seconds
    and keeps the peak (worker processes included, which ru_maxrss misses)."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def machine_load() -> dict:
    one, five, fifteen = os.getloadavg()
    return {"cores": os.cpu_count(), "load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2)}


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def mib(value: Optional[float]) -> str:
    return "–" if value is None else f"{value / 2**20:,.0f} MiB"


def shared_dir() -> Path:
    """The workplace's ../shared beside the checkout (or beside its parent, for a
    worktree one level deeper); ../shared itself where neither exists, so a
    missing file is reported by the path a reader expects."""
    root = Path(__file__).resolve().parents[1]
    for base in (root.parent, root.parent.parent):
        if (base / "shared").is_dir():
            return base / "shared"
    return root.parent / "shared"


def make_corpus_tool() -> Optional[Path]:
    """../shared/tools/make_corpus.py (see shared_dir); None where it is absent."""
    tool = shared_dir() / "tools" / "make_corpus.py"
    return tool if tool.is_file() else None
