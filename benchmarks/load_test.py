#!/usr/bin/env python3
"""A bounded load test: N clients for a fixed time against `news-search serve` on
loopback, while an incremental reindex swaps the index under it.

    python3 /work/shared/tools/make_corpus.py --docs 10000 --out corpus-10k.jsonl
    python3 benchmarks/load_test.py --corpus corpus-10k.jsonl [--clients 8] [--seconds 60]

Steps (everything stays under --workdir, default test-output/load/):
  1. build the index of the corpus once (reused on later runs if the corpus is unchanged);
  2. copy the corpus and change --modify articles in it (a new paragraph), so the
     incremental reindex has real work;
  3. start `news-search serve --port 0 --host 127.0.0.1` and wait for its ready line;
  4. start the clients (search, facet-filtered search, article, related — ids taken
     from the searches) and, after a short warm-up, `news-search reindex --incremental`;
  5. after --seconds: stop, check that the changed articles are served in their new
     version (the swap happened under load), and report requests/s,
     p50/p95/p99 latency (overall and per kind), errors (must be 0) and the
     server's peak resident memory (VmHWM).

Traffic goes to 127.0.0.1 only; the run is bounded by --seconds and stops by itself.
Exit status 1 if any request failed or the reindex did not complete.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"news-search: serving .* at http://([\d.]+):(\d+)/")
MARKER = "부하시험 중 추가된 문단"
# Words common in Korean news, so searches hit many articles (the expensive case).
QUERIES = ["대통령", "정부", "서울", "경제", "미국", "한국", "발표", "기업", "시장", "선거", "정책",
           "중국", "일본", "기술", "연구", "대학", "방송", "음악", "영화", "축구", "과학", "개발",
           "\"대통령 선거\"", "정부 OR 국회", "경제 -미국", "서울 시장", "기술 개발", "연구 결과 발표"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


def corpus_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=12)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, **kwargs)


def prepare(corpus: Path, workdir: Path, modify: int, seed: int) -> tuple[Path, Path, list[str], float]:
    """The index (built once per corpus) and a copy of the corpus with `modify` articles changed."""
    workdir.mkdir(parents=True, exist_ok=True)
    digest = corpus_digest(corpus)
    index_dir = workdir / f"index-{digest}"
    build_seconds = float("nan")
    if not (index_dir / "current").exists():
        live = workdir / "corpus.jsonl"
        shutil.copy(corpus, live)
        print(f"building the index of {corpus} (once) …", flush=True)
        started = time.perf_counter()
        run_cli("reindex", str(live), "--index", str(index_dir), "--quiet", check=True)
        build_seconds = time.perf_counter() - started
    # Restore the original corpus at the path the index knows, then change some articles.
    live = workdir / "corpus.jsonl"
    shutil.copy(corpus, live)
    run_cli("reindex", str(live), "--index", str(index_dir), "--incremental", "--quiet", check=True,
            stdout=subprocess.DEVNULL)
    lines = live.read_text("utf-8").splitlines()
    rng = random.Random(seed)
    chosen = rng.sample(range(len(lines)), min(modify, len(lines)))
    changed_ids = []
    for number in chosen:
        record = json.loads(lines[number])
        record["body"] = (record.get("body") or "") + f"\n{MARKER} {number}."
        lines[number] = json.dumps(record, ensure_ascii=False)
        changed_ids.append(str(record["id"]))
    live.write_text("\n".join(lines) + "\n", "utf-8")
    return index_dir, live, changed_ids, build_seconds


def start_server(index_dir: Path, threads: int, log: Path) -> tuple[subprocess.Popen, str, int]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(index_dir), "--host", "127.0.0.1",
         "--port", "0", "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=open(log, "w"), text=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in process.stdout], daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited: {log.read_text()[-2000:]}")
        try:
            match = SERVING.search(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if match:
            return process, match[1], int(match[2])
    process.kill()
    raise SystemExit("serve did not start within 120 s")


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class Client(threading.Thread):
    """One keep-alive HTTP client issuing a random mix of requests until `stop`."""

    def __init__(self, number: int, host: str, port: int, stop: threading.Event, ids: list[str]):
        super().__init__(daemon=True)
        self.rng = random.Random(number)
        self.host, self.port, self.stop, self.ids = host, port, stop, ids
        self.samples: list[tuple[str, float, float]] = []  # (kind, start, seconds)
        self.errors: list[str] = []
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def get(self, kind: str, path: str):
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        self.samples.append((kind, started, elapsed))
        if response.status != 200:
            self.errors.append(f"{kind} {path}: HTTP {response.status} {body[:200]!r}")
            return None
        return json.loads(body)

    def run(self) -> None:
        rng = self.rng
        while not self.stop.is_set():
            roll = rng.random()
            if roll < 0.45 or not self.ids:
                data = self.get("search", "/api/search?" + urlencode({"q": rng.choice(QUERIES), "page": rng.randint(1, 3)}))
                if data:
                    self.ids.extend(h["id"] for h in data["hits"][:3])
                    del self.ids[:-500]
            elif roll < 0.65:
                params = {"q": rng.choice(QUERIES), "from": f"{rng.randint(2000, 2015)}", "sort": rng.choice(["newest", "relevance"])}
                data = self.get("facet", "/api/search?" + urlencode(params))
                if data and data["facets"]["reporter"]:
                    params["reporter"] = data["facets"]["reporter"][0]["value"]
                    self.get("facet", "/api/search?" + urlencode(params))
            elif roll < 0.85:
                self.get("article", "/api/articles/" + quote(rng.choice(self.ids), safe=""))
            else:
                self.get("related", "/api/articles/" + quote(rng.choice(self.ids), safe="") + "/related")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, type=Path, help="JSONL corpus (make_corpus.py output)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "test-output" / "load")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the reindex starts")
    parser.add_argument("--modify", type=int, default=100, help="articles changed before the incremental reindex")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be 1..64 and --seconds 1..600 (a bounded test)")

    load_before = os.getloadavg()[0]
    index_dir, live, changed_ids, build_seconds = prepare(args.corpus, args.workdir, args.modify, args.seed)
    server, host, port = start_server(index_dir, args.server_threads, args.workdir / "serve.log")
    stop = threading.Event()
    ids: list[str] = []
    clients = [Client(n, host, port, stop, ids) for n in range(args.clients)]
    reindex_log = open(args.workdir / "reindex.log", "w")
    reindex = None
    probe = Client(999, host, port, threading.Event(), [])
    try:
        started = time.perf_counter()
        for client in clients:
            client.start()
        time.sleep(min(args.warmup, args.seconds / 2))
        reindex_started = time.perf_counter()
        reindex = subprocess.Popen(
            [sys.executable, "-m", "search", "reindex", str(live), "--index", str(index_dir), "--incremental", "--json"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=reindex_log, text=True,
        )
        time.sleep(max(0.0, args.seconds - (time.perf_counter() - started)))
        stop.set()
        for client in clients:
            client.join(timeout=60)
        duration = time.perf_counter() - started
        reindex_out, _ = reindex.communicate(timeout=600)
        reindex_seconds = time.perf_counter() - reindex_started
        report = json.loads(reindex_out) if reindex.returncode == 0 else None
        # The swap happened under load: the changed articles are served in their new version.
        swapped = all(
            MARKER in "\n".join((probe.get("check", "/api/articles/" + quote(i, safe="")) or {}).get("body", []))
            for i in changed_ids[:20]
        )
        peak_kib = peak_rss_kib(server.pid)
    finally:
        stop.set()
        if reindex is not None and reindex.poll() is None:
            reindex.kill()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        reindex_log.close()

    samples = [s for c in clients for s in c.samples]
    errors = [e for c in clients for e in c.errors] + probe.errors
    latencies = [s[2] * 1000 for s in samples]
    kinds = sorted({s[0] for s in samples})
    results = {
        "corpus": str(args.corpus), "clients": args.clients, "seconds": round(duration, 1),
        "server_threads": args.server_threads, "cpu_cores": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "requests": len(samples), "requests_per_second": round(len(samples) / duration, 1),
        "latency_ms": {p: round(percentile(latencies, q), 1) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))},
        "by_kind": {
            k: {"count": len(v), "p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1),
                "p99": round(percentile(v, 99), 1)}
            for k in kinds for v in [[s[2] * 1000 for s in samples if s[0] == k]]
        },
        "errors": len(errors), "error_examples": errors[:5],
        "server_peak_rss_mib": round(peak_kib / 1024, 1),
        "reindex": {
            "ok": report is not None, "seconds": round(reindex_seconds, 1),
            "indexed": report and report["indexed"], "unchanged": report and report["unchanged"],
            "finished_within_load": report is not None and reindex_seconds <= duration,
            "new_version_served": swapped,
        },
        "initial_build_seconds": None if math.isnan(build_seconds) else round(build_seconds, 1),
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0 if not errors and report is not None and swapped else 1


if __name__ == "__main__":
    sys.exit(main())
