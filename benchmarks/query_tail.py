"""Where the slow benchmark queries spend their time: the 200 queries of
../shared/data/bench/queries.txt against an existing index, search only
(`search_ids`, top 10) and the full search (top 10, snippets, facets), with
the result cache off, after `warm()` and a warm-up round.

    python3 -m benchmarks.query_tail INDEX_DIR [--rounds 2] [--slowest 15] [--profile 5]

Prints, per kind, p50 / p95 / p99 of wall time and of the process's CPU time
per query (median over the rounds: on a shared machine the CPU time is the
steadier figure), the load average, the slowest queries by CPU time, and with
--profile a cProfile of each of the slowest few (search only).  It reads the
index only; compare two checkouts by running it from each, alternately.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

from benchmarks.measure import percentile
from benchmarks.run import QUERIES, read_queries


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def measure(run, queries: list[str], rounds: int) -> tuple[dict, dict, dict]:
    """(wall percentiles, CPU percentiles, each query's least CPU ms)."""
    for q in queries:  # warm-up round
        run(q)
    wall_rounds, cpu_rounds = [], []
    least: dict[str, float] = {}
    for _ in range(rounds):
        wall, cpu = [], []
        for q in queries:
            cpu_started, started = time.process_time(), time.perf_counter()
            run(q)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            least[q] = min(least.get(q, cpu[-1]), cpu[-1])
        wall_rounds.append(wall)
        cpu_rounds.append(cpu)

    def summary(rounds_ms):
        return {f"p{p}": statistics.median(percentile(r, p) for r in rounds_ms) for p in (50, 95, 99)}

    return summary(wall_rounds), summary(cpu_rounds), least


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--slowest", type=int, default=15)
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many of the slowest (search only)")
    args = parser.parse_args(argv)
    if not QUERIES.exists():
        print(f"queries not found at {QUERIES}: the benchmark needs ../shared beside the checkout", file=sys.stderr)
        return 2
    from search.service import SearchRequest, SearchService

    queries = read_queries(QUERIES)
    service = SearchService(Path(args.index), cache_size=0)
    service.warm()
    kinds = (("search only", lambda q: service.search_ids(q, 10)),
             ("full search", lambda q: service.search(SearchRequest(q=q, size=10))))
    for label, run in kinds:
        wall, cpu, least = measure(run, queries, args.rounds)
        print(f"{label}: wall p50 / p95 / p99 {wall['p50']:.2f} / {wall['p95']:.2f} / {wall['p99']:.2f} ms; "
              f"CPU {cpu['p50']:.2f} / {cpu['p95']:.2f} / {cpu['p99']:.2f} ms (load average {_load()})")
        slow = sorted(least, key=least.get, reverse=True)[:args.slowest]
        print("  slowest (CPU ms): " + ", ".join(f"{q} {least[q]:.1f}" for q in slow))
        if label == "search only":
            for q in slow[:args.profile]:
                profile = cProfile.Profile()
                profile.runcall(run, q)
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
                print(f"--- {q}\n{text.getvalue()[text.getvalue().find('ncalls') - 1:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
