"""The systems under test, each measured the same way: build an index from the
corpus (wall time, peak memory of the whole process tree, size on disk), then
time the benchmark queries.

- news-search: `python -m search reindex` in a subprocess, queries through
  `SearchService` in this process (search only, and the full API search).
- Whoosh with its StandardAnalyzer: the cost floor of Whoosh without Korean analysis.
- SQLite FTS5 with the trigram tokenizer: what a Python developer reaches for first.
- Lucene + Nori (Debian's liblucene8-java), through benchmarks/lucene/NoriBench.java.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from benchmarks.measure import PeakMemory, Stopwatch, folder_bytes, summarise_rounds

ROOT = Path(__file__).resolve().parents[1]
LUCENE_JARS = Path("/usr/share/java")
LUCENE_NEEDS = ("lucene-core", "lucene-analyzers-nori", "lucene-analyzers-common", "lucene-queryparser")


def run_tracked(command: list[str], cwd: Path = ROOT, env: Optional[dict] = None) -> tuple[subprocess.CompletedProcess, float, int]:
    """Runs `command`, returning (result, wall seconds, peak resident bytes of its process tree)."""
    watch = Stopwatch()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with PeakMemory(process.pid) as peak:
        stdout, stderr = process.communicate()
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}… failed ({result.returncode}): {stderr[-2000:]}")
    return result, watch.seconds, peak.peak


def time_queries(run: Callable[[str], object], queries: list[str], rounds: int, warmup: int = 1) -> dict:
    """Latency in milliseconds of each query, `rounds` times after `warmup` rounds."""
    for _ in range(warmup):
        for q in queries:
            run(q)
    samples = []
    for _ in range(rounds):
        round_ms = []
        for q in queries:
            started = time.perf_counter()
            run(q)
            round_ms.append((time.perf_counter() - started) * 1000)
        samples.append(round_ms)
    return summarise_rounds(samples)


def throughput(run_factory: Callable[[], Callable[[str], object]], queries: list[str], threads: int, seconds: float) -> float:
    """Queries per second with `threads` threads for `seconds` (each thread its own runner)."""
    done = [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        run = run_factory()
        order = queries[slot * 37 % len(queries):] + queries[: slot * 37 % len(queries)]
        i = 0
        while time.perf_counter() < deadline:
            run(order[i % len(order)])
            done[slot] += 1
            i += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(slot,)) for slot in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started)


# ------------------------------------------------------------------ news-search


def news_search_reindex(corpus: Path, index_dir: Path, workers: int) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    result, seconds, peak = run_tracked(
        [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir),
         "--workers", str(workers), "--json"]
    )
    report = json.loads(result.stdout)
    generation = index_dir / report["generation"]
    return {
        "articles": report["indexed"],
        "failed": len(report["failed"]),
        "seconds": seconds,
        "articles_per_s": report["indexed"] / seconds,
        "chars_per_s": report["characters"] / seconds,
        "peak_rss_bytes": peak,
        "index_bytes": folder_bytes(generation),
        "workers": workers,
    }


def change_articles(corpus: Path, changed: Path, count: int) -> int:
    """A copy of `corpus` with `count` articles (evenly spread) given a new paragraph."""
    lines = corpus.read_bytes().splitlines(keepends=True)
    step = max(1, len(lines) // count)
    touched = 0
    for number in range(0, len(lines), step):
        if touched == count:
            break
        record = json.loads(lines[number])
        record["body"] = (record.get("body") or "") + f"\n벤치마크 수정 문단 {number}: 양자암호 통신망 시범 사업이 확대된다."
        lines[number] = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        touched += 1
    changed.write_bytes(b"".join(lines))
    return touched


def news_search_incremental(corpus: Path, index_dir: Path, changes: int, workers: int) -> dict:
    """Reindexes the full corpus (placed at a path the index remembers), then
    changes `changes` articles in place and times `reindex --incremental`."""
    result, seconds, peak = run_tracked(
        [sys.executable, "-m", "search", "reindex", "--index", str(index_dir), "--incremental",
         "--workers", str(workers), "--json"]
    )
    report = json.loads(result.stdout)
    return {
        "changed": changes,
        "indexed": report["indexed"],
        "unchanged": report["unchanged"],
        "seconds": seconds,
        "peak_rss_bytes": peak,
    }


def news_search_queries(index_dir: Path, queries: list[str], rounds: int, threads: int, seconds: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from search.service import SearchRequest, SearchService

    # The result cache off: these rows time the work, not a dictionary look-up.
    service = SearchService(index_dir, cache_size=0)
    watch = Stopwatch()
    service.warm()
    warm_seconds = watch.seconds
    search_only = time_queries(lambda q: service.search_ids(q, 10), queries, rounds)
    full = time_queries(lambda q: service.search(SearchRequest(q=q, size=10)), queries, rounds)
    qps = throughput(lambda: (lambda q: service.search_ids(q, 10)), queries, threads, seconds)
    cached_service = SearchService(index_dir)
    cached_service.warm()
    cached = time_queries(lambda q: cached_service.search(SearchRequest(q=q, size=10)), queries, rounds)
    totals = [service.search(SearchRequest(q=q, size=10)).total for q in queries]
    return {
        "search_only_ms": search_only,
        "full_api_ms": full,
        "full_api_cached_ms": cached,
        "search_only_qps": qps,
        "qps_threads": threads,
        "warm_seconds": warm_seconds,
        "queries_with_hits": sum(1 for t in totals if t),
        "median_total_hits": sorted(totals)[len(totals) // 2],
    }


# ------------------------------------------------------------------ Whoosh + StandardAnalyzer


def _records(corpus: Path):
    with open(corpus, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                body = record.get("body") or ""
                if isinstance(body, list):
                    body = "\n".join(body)
                yield str(record.get("id") or ""), record.get("title") or "", body


def whoosh_standard_build(corpus: Path, index_dir: Path) -> dict:
    """Indexes in a child process (its own peak memory) with Whoosh defaults."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    result, seconds, peak = run_tracked([sys.executable, "-m", "benchmarks.engines", "whoosh-build", str(corpus), str(index_dir)])
    data = json.loads(result.stdout)
    return data | {"seconds": seconds, "articles_per_s": data["articles"] / seconds,
                   "chars_per_s": data["characters"] / seconds, "peak_rss_bytes": peak,
                   "index_bytes": folder_bytes(index_dir)}


def _whoosh_build_here(corpus: Path, index_dir: Path) -> dict:
    from whoosh import index as whoosh_index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    index_dir.mkdir(parents=True)
    schema = Schema(id=ID(stored=True, unique=True),
                    title=TEXT(analyzer=StandardAnalyzer(), stored=True),
                    body=TEXT(analyzer=StandardAnalyzer(), stored=True))
    ix = whoosh_index.create_in(str(index_dir), schema)
    writer = ix.writer(limitmb=256)
    articles = characters = 0
    for article_id, title, body in _records(corpus):
        writer.add_document(id=article_id, title=title, body=body)
        articles += 1
        characters += len(title) + len(body)
    writer.commit()
    return {"articles": articles, "characters": characters}


def whoosh_standard_queries(index_dir: Path, queries: list[str], rounds: int, threads: int, seconds: float) -> dict:
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser

    ix = whoosh_index.open_dir(str(index_dir))

    def runner():
        searcher = ix.searcher()
        parser = MultifieldParser(["title", "body"], ix.schema)  # AND of the words, as ours

        def run(q: str):
            return [hit["id"] for hit in searcher.search(parser.parse(q), limit=10)]

        return run

    return {"search_only_ms": time_queries(runner(), queries, rounds),
            "search_only_qps": throughput(runner, queries, threads, seconds), "qps_threads": threads}


# ------------------------------------------------------------------ SQLite FTS5 trigram


def fts5_build(corpus: Path, path: Path) -> dict:
    if path.exists():
        path.unlink()
    result, seconds, peak = run_tracked([sys.executable, "-m", "benchmarks.engines", "fts5-build", str(corpus), str(path)])
    data = json.loads(result.stdout)
    return data | {"seconds": seconds, "articles_per_s": data["articles"] / seconds,
                   "chars_per_s": data["characters"] / seconds, "peak_rss_bytes": peak,
                   "index_bytes": path.stat().st_size}


def _fts5_build_here(corpus: Path, path: Path) -> dict:
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body, tokenize='trigram')")
    articles = characters = 0

    def rows():
        nonlocal articles, characters
        for row in _records(corpus):
            articles += 1
            characters += len(row[1]) + len(row[2])
            yield row

    with connection:
        connection.executemany("INSERT INTO articles VALUES (?, ?, ?)", rows())
    connection.close()
    return {"articles": articles, "characters": characters}


def fts5_query(connection: sqlite3.Connection, q: str) -> list:
    """AND of the words; trigrams need 3 characters, so shorter words (most
    Korean nouns are two syllables) fall back to LIKE, which scans."""
    words = [w.strip('"') for w in (q.split('"')[1::2] if q.startswith('"') else q.split())]
    long_words = [w for w in words if len(w) >= 3]
    short_words = [w for w in words if 0 < len(w) < 3]
    where, params = [], []
    if long_words:
        where.append("articles MATCH ?")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
    for w in short_words:
        where.append("(title LIKE ? OR body LIKE ?)")
        params += [f"%{w}%", f"%{w}%"]
    order = " ORDER BY rank" if long_words else ""
    sql = f"SELECT id FROM articles WHERE {' AND '.join(where)}{order} LIMIT 10"
    return connection.execute(sql, params).fetchall()


def fts5_queries(path: Path, queries: list[str], rounds: int, threads: int, seconds: float) -> dict:
    def runner():
        connection = sqlite3.connect(path, check_same_thread=False)
        return lambda q: fts5_query(connection, q)

    return {"search_only_ms": time_queries(runner(), queries, rounds),
            "search_only_qps": throughput(runner, queries, threads, seconds), "qps_threads": threads}


# ------------------------------------------------------------------ Lucene + Nori


def lucene_available() -> Optional[str]:
    """None when Lucene + Nori can run here, else why not."""
    if not shutil.which("javac") or not shutil.which("java"):
        return "no Java compiler (javac) on PATH"
    for name in LUCENE_NEEDS:
        if not list(LUCENE_JARS.glob(f"{name}-*.jar")):
            return f"{name}.jar not in {LUCENE_JARS} (apt-get install liblucene8-java)"
    return None


def _lucene_classpath(classes: Path) -> str:
    jars = [str(next(LUCENE_JARS.glob(f"{name}-[0-9]*.jar"))) for name in LUCENE_NEEDS]
    return os.pathsep.join([str(classes)] + jars)


def lucene_compile(work: Path) -> Path:
    classes = work / "lucene-classes"
    classes.mkdir(parents=True, exist_ok=True)
    source = ROOT / "benchmarks" / "lucene" / "NoriBench.java"
    subprocess.run(["javac", "-d", str(classes), "-cp", _lucene_classpath(classes), str(source)],
                   check=True, capture_output=True, text=True)
    return classes


def lucene_build(classes: Path, corpus: Path, index_dir: Path, threads: int) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    result, seconds, peak = run_tracked(["java", "-Xmx2g", "-cp", _lucene_classpath(classes), "NoriBench", "index",
                                         str(corpus), str(index_dir), str(threads)])
    data = json.loads(result.stdout)
    return {"articles": data["docs"], "failed": data["failed"], "seconds": seconds,
            "seconds_in_java": data["seconds"], "articles_per_s": data["docs"] / seconds,
            "chars_per_s": data["characters"] / seconds, "peak_rss_bytes": peak,
            "index_bytes": folder_bytes(index_dir), "threads": threads}


def lucene_queries(classes: Path, index_dir: Path, queries_file: Path, rounds: int, threads: int, seconds: float) -> dict:
    result, _, _ = run_tracked(["java", "-Xmx2g", "-cp", _lucene_classpath(classes), "NoriBench", "query",
                                str(index_dir), str(queries_file), str(rounds), str(threads), str(seconds)])
    data = json.loads(result.stdout)
    per_round = data["rounds"]
    median = lambda key: sorted(r[key] for r in per_round)[len(per_round) // 2]  # noqa: E731
    return {"search_only_ms": {"p50": median("p50"), "p95": median("p95"), "p99": median("p99"), "rounds": per_round},
            "search_only_qps": data["qps"], "qps_threads": data["threads"], "parse_errors": data["parse_errors"]}


# ------------------------------------------------------------------ child entry points


def _main(argv: list[str]) -> int:
    command, corpus, target = argv[0], Path(argv[1]), Path(argv[2])
    if command == "whoosh-build":
        print(json.dumps(_whoosh_build_here(corpus, target)))
    elif command == "fts5-build":
        print(json.dumps(_fts5_build_here(corpus, target)))
    else:
        print(f"unknown command {command}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    random.seed(0)
    sys.exit(_main(sys.argv[1:]))
