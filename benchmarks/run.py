"""The benchmark suite: news-search against Lucene + Nori, plain Whoosh and SQLite
FTS5 on the same generated corpus and queries, in one run.

    python3 -m benchmarks.run --docs 10000             # about 10 minutes on 2 cores
    python3 -m benchmarks.run --docs 100000            # the README's table (about an hour)

Prints a Markdown table (and how each goal was met or missed) and writes the
numbers as JSON to benchmarks/results/bench-<docs>.json.  The corpus comes from
../shared/tools/make_corpus.py (cached under benchmarks/work/), the queries from
../shared/data/bench/queries.txt; both are read in place.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from benchmarks import engines
from benchmarks.http_load import run_http_load, serve_available
from benchmarks.measure import machine_load, make_corpus_tool, shared_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_dir()
QUERIES = SHARED / "data" / "bench" / "queries.txt"
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results"

# The anchors, measured on this machine with 10,000 articles (Anserini,
# Lucene 9): used only where Lucene + Nori cannot run in this benchmark.
LUCENE_ANCHOR = {"articles_per_s": 1184.0, "p50_ms": 0.49, "p95_ms": 0.85, "qps_4_threads": 2914.0}

GOALS = {
    "peak_rss_bytes": 1.5 * 2**30,
    "incremental_seconds": 5.0,
    "search_p50_ms": 2.0,
    "search_p95_ms": 10.0,
    "full_api_p95_ms": 25.0,
    "http_requests_per_s": 200.0,
    "serving_rss_bytes": 2**30,
}


def read_queries(path: Path) -> list[str]:
    queries = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, tab, query = line.partition("\t")
        if not tab or not query.strip():
            raise SystemExit(f"{path}:{number}: expected 'kind<TAB>query', got {line!r}")
        queries.append(query.strip())
    return queries


def corpus_for(docs: int) -> Path:
    path = WORK / f"corpus-{docs}.jsonl"
    if not path.exists():
        tool = make_corpus_tool()
        if tool is None:
            raise SystemExit(f"corpus generator not found at {SHARED / 'tools' / 'make_corpus.py'} (../shared beside the checkout)")
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"generating {docs:,} articles with {tool.name} …", file=sys.stderr)
        import subprocess

        subprocess.run([sys.executable, str(tool), "--docs", str(docs), "--out", str(path)], check=True)
    return path


def step(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the run


def run(docs: int, rounds: int, workers: int, threads: int, qps_seconds: float, skip: set[str],
        changes: int, http_requests: int, previous: Optional[dict] = None) -> dict[str, Any]:
    queries = read_queries(QUERIES)
    corpus = corpus_for(docs)
    work = WORK / f"run-{docs}"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "docs": docs,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine_before": machine_load(),
        "settings": {"rounds": rounds, "workers": workers, "qps_threads": threads, "qps_seconds": qps_seconds,
                     "queries": len(queries), "changed_articles": changes},
        "skipped": {},
    }

    # news-search reads its corpus from a copy it may change (the incremental step).
    run_corpus = work / "corpus.jsonl"
    shutil.copyfile(corpus, run_corpus)
    index_dir = work / "news-search-index"
    if previous is not None and (index_dir / "current").exists():
        # Query-side work re-measured against the index of an earlier run; its
        # build numbers (and skipped systems') are carried over, marked as such.
        step("news-search: reusing the index of the previous run (syncing it with the corpus first)")
        engines.news_search_incremental(run_corpus, index_dir, 0, workers)
        results["news_search"] = {"reindex": previous["news_search"]["reindex"]}
        results["carried_over"] = {"news_search.reindex": previous["started"]}
    else:
        step(f"news-search: reindex {docs:,} articles with {workers} worker(s)")
        load_before = machine_load()
        results["news_search"] = {"reindex": engines.news_search_reindex(run_corpus, index_dir, workers)}
        results["news_search"]["reindex"]["load"] = {"before": load_before, "after": machine_load()}
    # Lucene + Nori's build right after news-search's: the two indexing rates
    # are compared under the same load (the machine is shared).
    why_no_lucene = "skipped by --skip" if "lucene" in skip else engines.lucene_available()
    if not why_no_lucene:
        classes = engines.lucene_compile(work)
        lucene_dir = work / "lucene-nori"
        step(f"Lucene + Nori: build with {workers} thread(s)")
        load_before = machine_load()
        results["lucene_nori"] = {"reindex": engines.lucene_build(classes, corpus, lucene_dir, workers)}
        results["lucene_nori"]["reindex"]["load"] = {"before": load_before, "after": machine_load()}
    step("news-search: queries")
    results["news_search"]["queries"] = engines.news_search_queries(index_dir, queries, rounds, threads, qps_seconds)

    if "http" in skip:
        results["skipped"]["http"] = "skipped by --skip"
    else:
        why = serve_available()
        if why:
            results["skipped"]["http"] = why
            step(f"HTTP load skipped: {why}")
        else:
            step("news-search: HTTP load, 8 clients")
            results["news_search"]["http"] = run_http_load(index_dir, queries, clients=8, requests=http_requests)

    if "incremental" in skip:
        results["skipped"]["incremental"] = "skipped by --skip"
    else:
        step(f"news-search: incremental reindex of {changes} changed articles")
        touched = engines.change_articles(corpus, run_corpus, changes)
        results["news_search"]["incremental"] = engines.news_search_incremental(run_corpus, index_dir, touched, workers)

    if "whoosh" in skip:
        results["skipped"]["whoosh_standard"] = "skipped by --skip"
    else:
        step("Whoosh + StandardAnalyzer: build")
        whoosh_dir = work / "whoosh-standard"
        results["whoosh_standard"] = {"reindex": engines.whoosh_standard_build(corpus, whoosh_dir)}
        step("Whoosh + StandardAnalyzer: queries")
        results["whoosh_standard"]["queries"] = engines.whoosh_standard_queries(whoosh_dir, queries, rounds, threads, qps_seconds)

    if "fts5" in skip:
        results["skipped"]["sqlite_fts5"] = "skipped by --skip"
    else:
        step("SQLite FTS5 trigram: build")
        fts_path = work / "fts5-trigram.sqlite"
        results["sqlite_fts5"] = {"reindex": engines.fts5_build(corpus, fts_path)}
        step("SQLite FTS5 trigram: queries")
        results["sqlite_fts5"]["queries"] = engines.fts5_queries(fts_path, queries, rounds, threads, qps_seconds)

    why = why_no_lucene
    if why:
        results["skipped"]["lucene_nori"] = why
        if previous is not None and "lucene_nori" in previous:
            step(f"Lucene + Nori not re-measured ({why}); carried over from the previous run")
        else:
            step(f"Lucene + Nori skipped: {why}; comparing with the issue's anchor instead")
    else:
        step("Lucene + Nori: queries")
        results["lucene_nori"]["queries"] = engines.lucene_queries(classes, lucene_dir, QUERIES, rounds, threads, qps_seconds)

    if previous is not None:
        for name in ("whoosh_standard", "sqlite_fts5", "lucene_nori"):
            if name not in results and name in previous:
                results[name] = previous[name]
                results.setdefault("carried_over", {})[name] = previous["started"]
                results["skipped"].pop(name, None)
    results["machine_after"] = machine_load()
    results["goals"] = check_goals(results)
    return results


# ------------------------------------------------------------------ goals and the table


def _verdict(name: str, measured: Optional[float], target: float, higher_is_better: bool, unit: str) -> dict:
    if measured is None:
        return {"goal": name, "target": target, "measured": None, "met": None, "note": "not measured"}
    met = measured >= target if higher_is_better else measured <= target
    if met:
        note = "met"
    elif higher_is_better:
        note = f"missed: {measured:,.1f}{unit} is {target / measured:.1f}x below {target:,.1f}{unit}" if measured else "missed"
    elif target:
        note = f"missed: {measured:,.1f}{unit} is {measured / target:.1f}x over {target:,.1f}{unit}"
    else:  # a zero target (errors): there is no ratio to give
        note = f"missed: {measured:,.0f}{unit} against {target:,.0f}"
    return {"goal": name, "target": target, "measured": measured, "met": met, "note": note}


def check_goals(results: dict) -> list[dict]:
    ours = results["news_search"]
    lucene = results.get("lucene_nori")
    lucene_rate = lucene["reindex"]["articles_per_s"] if lucene else LUCENE_ANCHOR["articles_per_s"]
    source = "Lucene + Nori (same benchmark)" if lucene else "the issue's Lucene + Nori anchor (not re-measured)"
    queries = ours["queries"]
    http = ours.get("http")
    incremental = ours.get("incremental")
    mb = 2**20
    return [
        _verdict(f"reindex articles/s ≥ {source}", ours["reindex"]["articles_per_s"], lucene_rate, True, "/s"),
        _verdict("reindex peak RSS ≤ 1,536 MiB", ours["reindex"]["peak_rss_bytes"] / mb, GOALS["peak_rss_bytes"] / mb, False, " MiB"),
        _verdict(f"incremental reindex of {results['settings']['changed_articles']} changed articles ≤ 5 s",
                 incremental["seconds"] if incremental else None, GOALS["incremental_seconds"], False, " s"),
        _verdict("search-only p50 ≤ 2 ms", queries["search_only_ms"]["p50"], GOALS["search_p50_ms"], False, " ms"),
        _verdict("search-only p95 ≤ 10 ms", queries["search_only_ms"]["p95"], GOALS["search_p95_ms"], False, " ms"),
        _verdict("full API search p95 ≤ 25 ms", queries["full_api_ms"]["p95"], GOALS["full_api_p95_ms"], False, " ms"),
        _verdict("HTTP, 8 clients ≥ 200 requests/s (each query's first request)",
                 http["cold"]["requests_per_s"] if http else None, GOALS["http_requests_per_s"], True, " req/s"),
        _verdict("HTTP, 8 clients ≥ 200 requests/s (queries repeated)",
                 http["repeated"]["requests_per_s"] if http and http["repeated"] else None,
                 GOALS["http_requests_per_s"], True, " req/s"),
        _verdict("HTTP errors = 0", http["errors"] if http else None, 0, False, ""),
        # With several serve processes RSS counts their shared pages once each;
        # PSS (Linux) shares them out, so the verdict reads it where measured.
        _verdict("serving memory ≤ 1,024 MiB (tree PSS)" if http and http.get("serving_pss_bytes")
                 else "serving RSS ≤ 1,024 MiB",
                 (http.get("serving_pss_bytes") or http["serving_rss_bytes"]) / mb if http else None,
                 GOALS["serving_rss_bytes"] / mb, False, " MiB"),
    ]


def _ms(block: Optional[dict]) -> str:
    if not block:
        return "–"
    return f"{block['p50']:.2f} / {block['p95']:.2f} / {block['p99']:.2f}"


def _num(value: Optional[float], fmt: str = "{:,.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def markdown(results: dict) -> str:
    docs = results["docs"]
    rows = []
    systems = [
        ("news-search (Whoosh + mecab-ko, this branch)", results.get("news_search")),
        ("Lucene + Nori (Lucene 8.7, liblucene8-java)", results.get("lucene_nori")),
        ("Whoosh + StandardAnalyzer (no Korean analysis)", results.get("whoosh_standard")),
        ("SQLite FTS5 trigram", results.get("sqlite_fts5")),
    ]
    lucene = results.get("lucene_nori")
    base_rate = lucene["reindex"]["articles_per_s"] if lucene else LUCENE_ANCHOR["articles_per_s"]
    base_p50 = lucene["queries"]["search_only_ms"]["p50"] if lucene else LUCENE_ANCHOR["p50_ms"]
    header = (f"| system ({docs:,} articles) | index articles/s | chars/s | peak RSS | index size "
              "| search p50 / p95 / p99 ms | full API p50 / p95 / p99 ms | search q/s | vs Lucene: index rate, p50 |")
    rows.append(header)
    rows.append("|" + "---|" * 9)
    for name, data in systems:
        if not data:
            continue
        r, q = data["reindex"], data["queries"]
        threads = q.get("qps_threads")
        rows.append(
            f"| {name} | {_num(r['articles_per_s'])} | {_num(r['chars_per_s'])} | {r['peak_rss_bytes'] / 2**20:,.0f} MiB "
            f"| {r['index_bytes'] / 2**20:,.0f} MiB | {_ms(q['search_only_ms'])} | {_ms(q.get('full_api_ms'))} "
            f"| {_num(q.get('search_only_qps'))} ({threads} threads) "
            f"| {r['articles_per_s'] / base_rate:.2f}x, {q['search_only_ms']['p50'] / base_p50:.1f}x |"
        )
    if not lucene:
        rows.append(f"| Lucene + Nori — the issue's anchor (10,000 articles, not re-measured) | {LUCENE_ANCHOR['articles_per_s']:,.0f} "
                    f"| – | – | – | {LUCENE_ANCHOR['p50_ms']} / {LUCENE_ANCHOR['p95_ms']} / – | – "
                    f"| {LUCENE_ANCHOR['qps_4_threads']:,.0f} (4 threads) | 1.00x, 1.0x |")
    ours = results["news_search"]
    lines = ["\n".join(rows), ""]
    cached = ours["queries"].get("full_api_cached_ms")
    if cached:
        lines.append(f"news-search full API search repeated (result cache on): {_ms(cached)} ms (p50 / p95 / p99).")
    incremental = ours.get("incremental")
    if incremental:
        lines.append(f"Incremental reindex, {incremental['changed']} changed articles: {incremental['seconds']:.1f} s "
                     f"({incremental['indexed']} re-analysed, {incremental['unchanged']:,} unchanged).")
    http = ours.get("http")
    if http:
        for label, phase in (("each query's first request", http["cold"]), ("queries repeated (result cache)", http["repeated"])):
            if phase:
                lines.append(f"HTTP `GET /api/search`, {http['clients']} clients, {label}: {phase['requests_per_s']:,.0f} requests/s, "
                             f"p50 {phase['p50_ms']:.1f} ms, p95 {phase['p95_ms']:.1f} ms, {phase['errors']} errors of {phase['requests']:,}.")
        pss = f", PSS {http['serving_pss_bytes'] / 2**20:,.0f} MiB" if http.get("serving_pss_bytes") else ""
        lines.append(f"Serving RSS after the load: {http['serving_rss_bytes'] / 2**20:,.0f} MiB{pss}.")
    for what, why in results["skipped"].items():
        lines.append(f"Skipped {what}: {why}.")
    for what, when in results.get("carried_over", {}).items():
        lines.append(f"Carried over from the run started {when}: {what} (not re-measured in this run).")
    before, after = results["machine_before"], results["machine_after"]
    lines.append(f"Machine: {before['cores']} cores; load average {before['load_1m']} before, {after['load_1m']} after "
                 "(shared with other work: compare ratios within the run, not absolute times across runs).")
    lines += ["", "| goal | measured | verdict |", "|---|---|---|"]
    for goal in results["goals"]:
        measured = "–" if goal["measured"] is None else f"{goal['measured']:,.2f}"
        lines.append(f"| {goal['goal']} | {measured} | {goal['note']} |")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000, help="articles to generate and index (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the queries; medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="reindex processes / Lucene indexing threads")
    parser.add_argument("--threads", type=int, default=4, help="threads for the queries/s measurement")
    parser.add_argument("--qps-seconds", type=float, default=10.0)
    parser.add_argument("--changes", type=int, default=100, help="articles changed for the incremental reindex")
    parser.add_argument("--http-requests", type=int, default=4000)
    parser.add_argument("--reuse-index", action="store_true",
                        help="re-measure queries, HTTP and the incremental step on the previous run's news-search index; "
                             "build numbers and skipped systems are carried over from benchmarks/results/bench-<docs>.json")
    parser.add_argument("--skip", default="", help="comma-separated: lucene, whoosh, fts5, http, incremental")
    args = parser.parse_args(argv)
    if args.docs < 100:
        parser.error("--docs: at least 100 articles")
    if not QUERIES.exists():
        print(f"queries not found at {QUERIES}: the benchmark needs ../shared beside the checkout", file=sys.stderr)
        return 2
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - {"lucene", "whoosh", "fts5", "http", "incremental"}
    if unknown:
        parser.error(f"--skip: unknown part(s) {', '.join(sorted(unknown))}")
    previous = None
    if args.reuse_index:
        previous_path = RESULTS / f"bench-{args.docs}.json"
        if not previous_path.exists():
            parser.error(f"--reuse-index: no previous results at {previous_path}")
        previous = json.loads(previous_path.read_text("utf-8"))
    started = time.perf_counter()
    results = run(args.docs, args.rounds, args.workers, args.threads, args.qps_seconds, skip, args.changes,
                  args.http_requests, previous)
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{args.docs}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(markdown(results))
    print(f"\n(results: {out.relative_to(ROOT)}; {results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
