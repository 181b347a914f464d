"""What fsyncing a new index generation before it is published costs.

Builds the same generated corpus with `Reindexer(fsync=False)` and
`fsync=True`, alternating within one run (the machine is shared: compare
neighbours, not runs), as a full build and as an incremental update of one
changed article, and prints the wall time of each and the time spent in the
fsync calls themselves.

    python -m benchmarks.fsync_cost [--docs 5000] [--rounds 2] [--work /tmp/fsync-bench]

The corpus comes from ../shared/tools/make_corpus.py (beside the checkout);
without it the benchmark says so and stops.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import search.layout as layout
from search.reindex import Reindexer

from benchmarks.measure import make_corpus_tool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", default="/tmp/fsync-bench")
    args = parser.parse_args(argv)

    tool = make_corpus_tool()
    if tool is None:
        print("make_corpus.py not found beside the checkout (../shared/tools); nothing measured")
        return 0
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    subprocess.run([sys.executable, str(tool), "--docs", str(args.docs), "--out", str(corpus / "news.jsonl")],
                   check=True, stdout=subprocess.DEVNULL)

    spent = {"fsync": 0.0}
    real_tree = layout.fsync_tree

    def timed_tree(folder):
        started = time.perf_counter()
        real_tree(folder)
        spent["fsync"] += time.perf_counter() - started

    layout.fsync_tree = timed_tree  # publish() looks it up in search.layout
    results: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    lines = (corpus / "news.jsonl").read_text("utf-8").splitlines()
    for round_number in range(args.rounds):
        order = (False, True) if round_number % 2 == 0 else (True, False)
        for durable in order:
            index_dir = work / f"ix-{round_number}-{durable}"
            for kind in ("full", "incremental"):
                if kind == "incremental":
                    record = json.loads(lines[round_number])
                    record["body"] = (record.get("body") or "") + f"\n추가 문단 {round_number} {durable}."
                    changed = lines[:]
                    changed[round_number] = json.dumps(record, ensure_ascii=False)
                    (corpus / "news.jsonl").write_text("\n".join(changed) + "\n", "utf-8")
                spent["fsync"] = 0.0
                started = time.perf_counter()
                report = Reindexer(index_dir, fsync=durable).run([corpus], incremental=(kind == "incremental"))
                seconds = time.perf_counter() - started
                results.setdefault((kind, durable), []).append((seconds, spent["fsync"]))
                print(f"round {round_number + 1} {kind:<11} fsync={'on ' if durable else 'off'} "
                      f"{seconds:7.2f} s (in fsync {spent['fsync']:.3f} s), {report.total} articles", flush=True)
            (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    print()
    print("| build | fsync off (median s) | fsync on (median s) | of which in fsync (s) |")
    print("|---|---|---|---|")
    for kind in ("full", "incremental"):
        off = statistics.median(s for s, _ in results[(kind, False)])
        on = statistics.median(s for s, _ in results[(kind, True)])
        inside = statistics.median(f for _, f in results[(kind, True)])
        print(f"| {kind} ({args.docs:,} articles) | {off:.2f} | {on:.2f} | {inside:.3f} |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
