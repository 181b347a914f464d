"""A full reindex of a large corpus: wall time, articles/s, peak RSS of the
whole process tree (workers included) and index size, with the tree's RSS
sampled along the way (so a build that grows with the corpus shows it).

    python3 -m benchmarks.big_build --corpus /tmp/c1m.jsonl --docs 1000000

The corpus is a `make_corpus.py` file; with --docs only its first lines are
indexed (copied to the work folder first).  Writes
benchmarks/results/big-build-<docs>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.measure import folder_bytes, machine_load, tree_rss_bytes

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def first_lines(source: Path, target: Path, count: int) -> int:
    written = 0
    with open(source, "rb") as reading, open(target, "wb") as writing:
        for line in reading:
            if written >= count:
                break
            writing.write(line)
            written += 1
    return written


def time_queries_on(index: Path, rounds: int) -> dict:
    """The 200 benchmark queries on the built index, timed as benchmarks.run
    times them (one process, the result cache off), in a child process so its
    RSS is the searching process's alone."""
    code = ("import json, sys, resource; from pathlib import Path; "
            "from benchmarks.engines import news_search_queries; from benchmarks.run import QUERIES, read_queries; "
            f"r = news_search_queries(Path({str(index)!r}), read_queries(QUERIES), {rounds}, 4, 10.0); "
            "r['peak_rss_bytes'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024; "
            "print(json.dumps(r))")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"timing the queries failed: {done.stderr[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["seconds"] = round(time.perf_counter() - started, 1)
    found["load_after"] = machine_load()
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work" / "big")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between RSS samples in the log")
    parser.add_argument("--queries", action="store_true",
                        help="after the build, time the benchmark's queries on it (search-only and full API, "
                             "as benchmarks.run does) and record the searching process's RSS")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the queries (with --queries)")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / f"corpus-{args.docs}.jsonl"
    if not corpus.exists():
        lines = first_lines(args.corpus, corpus, args.docs)
        if lines < args.docs:
            raise SystemExit(f"{args.corpus} has only {lines} lines")
    index = args.work / f"index-{args.docs}"
    subprocess.run(["rm", "-rf", str(index)], check=True)
    result: dict = {"docs": args.docs, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine_before": machine_load(), "workers": args.workers, "samples": []}
    command = [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index),
               "--workers", str(args.workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()
    progress = {"articles": 0}
    tail: list[str] = []

    def read_progress() -> None:
        # The progress bar's "done/total" (carriage returns between updates).
        buffer = ""
        while True:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                return
            buffer = (buffer + chunk.decode("utf-8", "replace"))[-8192:]
            tail[:] = [buffer]
            found = re.findall(r"(\d+)/\d+ \[", buffer)
            if found:
                progress["articles"] = int(found[-1])

    def watch() -> None:
        nonlocal peak
        last = 0.0
        while not done.is_set():
            rss = tree_rss_bytes(process.pid)
            peak = max(peak, rss)
            now = time.perf_counter() - started
            if now - last >= args.every:
                last = now
                result["samples"].append({"seconds": round(now, 1), "articles": progress["articles"],
                                          "tree_rss_mib": round(rss / 2**20),
                                          "load_1m": machine_load()["load_1m"]})
                print(f"[{now:7.0f} s] {progress['articles']:,} articles, tree RSS {rss / 2**20:,.0f} MiB, peak {peak / 2**20:,.0f} MiB",
                      file=sys.stderr, flush=True)
            done.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    process.wait()
    reader.join()
    stderr = "".join(tail)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"reindex failed ({process.returncode}): {stderr[-2000:]}")
    # The report as the new generation's manifest keeps it (the progress bar
    # needs the command's human output, not --json).
    report = json.loads((index / "current" / "manifest.json").read_text("utf-8"))["report"]
    result.update({
        "seconds": round(seconds, 1),
        "indexed": report["indexed"],
        "articles_seen": report["articles_seen"],
        "articles_per_s": round(report["indexed"] / seconds, 1),
        "peak_tree_rss_bytes": peak,
        "index_bytes": folder_bytes(index),
        "machine_after": machine_load(),
    })
    if args.queries:
        result["queries"] = time_queries_on(index, args.rounds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"big-build-{args.docs}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
