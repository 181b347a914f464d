"""`news-search eval`: retrieval quality measured through the product's own paths.

The corpus is indexed by `search.reindex.reindex` into a temporary folder and
every question goes through `SearchService.search` (default relevance sort, top
100) — the same calls the CLI and the web API make — so the numbers describe
what a user gets, not a side experiment.

Metrics (binary relevance, one or more relevant passages per query):

- MRR@10   mean of 1/rank of the first relevant hit within the top 10 (0 if none)
- R@k      share of the relevant passages found in the top k, averaged over queries
- nDCG@10  DCG of the top 10 (gain rel / log2(rank + 1)) over the ideal DCG

Queries without judgments are skipped (and counted as such); judged queries with
no hit score 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from search.reindex import reindex
from search.service import SearchRequest, SearchService

CUTOFFS = (1, 5, 20, 100)
DEPTH = 100


# ------------------------------------------------------------------ metrics


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, int], depth: int = 10) -> float:
    for rank, doc in enumerate(ranking[:depth], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall(ranking: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {doc for doc, rel in relevant.items() if rel > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranking[:k])) / len(wanted)


def ndcg(ranking: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1))
    ideal_gains = sorted((rel for rel in relevant.values() if rel > 0), reverse=True)[:k]
    ideal = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(ideal_gains, start=1))
    return dcg / ideal if ideal else 0.0


def score_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Mean metrics over the judged queries of `run` (qid → ranked doc ids)."""
    judged = [qid for qid in run if any(rel > 0 for rel in qrels.get(qid, {}).values())]
    totals = {"MRR@10": 0.0, **{f"R@{k}": 0.0 for k in CUTOFFS}, "nDCG@10": 0.0}
    for qid in judged:
        ranking, relevant = run[qid], qrels[qid]
        totals["MRR@10"] += reciprocal_rank(ranking, relevant, 10)
        for k in CUTOFFS:
            totals[f"R@{k}"] += recall(ranking, relevant, k)
        totals["nDCG@10"] += ndcg(ranking, relevant, 10)
    count = len(judged)
    result = {name: (value / count if count else 0.0) for name, value in totals.items()}
    result["queries"] = count
    return result


# ------------------------------------------------------------------ input files


class EvalInputError(ValueError):
    """A queries or qrels file that cannot be read; the message names file and line."""


def read_queries(path: Path) -> dict[str, str]:
    """`qid<TAB>text` lines; blank lines and `#` comments are skipped."""
    queries: dict[str, str] = {}
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            qid, tab, text = line.partition("\t")
            if not tab or not qid.strip():
                raise EvalInputError(f"{path}:{number}: expected 'qid<TAB>question'")
            queries[qid.strip()] = text.strip()
    return queries


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: `qid iteration docid relevance` per line."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) != 4:
                raise EvalInputError(f"{path}:{number}: expected 'qid 0 docid relevance', got {len(fields)} fields")
            qid, _, doc, rel = fields
            try:
                qrels.setdefault(qid, {})[doc] = int(rel)
            except ValueError:
                raise EvalInputError(f"{path}:{number}: relevance {rel!r} is not a whole number") from None
    return qrels


def sample_queries(queries: Mapping[str, str], size: int) -> dict[str, str]:
    """A fixed subset of `size` queries: those whose ids have the smallest SHA-256
    digests.  The same ids on every machine and Python version, whatever the file's
    order, and spread over the whole set (not its first articles)."""
    chosen = set(sorted(queries, key=lambda qid: hashlib.sha256(qid.encode("utf-8")).hexdigest())[:size])
    return {qid: text for qid, text in queries.items() if qid in chosen}


# ------------------------------------------------------------------ running


@dataclass
class EvalReport:
    metrics: dict[str, float]
    index_s: float
    query_s: float
    run: dict[str, list[str]]

    def to_dict(self) -> dict[str, float]:
        data = {name: round(value, 4) for name, value in self.metrics.items() if name != "queries"}
        data["queries"] = int(self.metrics["queries"])
        data["index_s"] = round(self.index_s, 3)
        data["query_s"] = round(self.query_s, 3)
        return data


def search_all(service, queries: Mapping[str, str], depth: int = DEPTH) -> dict[str, list[str]]:
    """Every query through `SearchService.search`, as the web API runs it."""
    run: dict[str, list[str]] = {}
    for qid, text in queries.items():
        result = service.search(SearchRequest(q=text, size=depth))
        run[qid] = [hit.id for hit in result.hits]
    return run


def evaluate(
    corpus: Iterable[Path],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    analyzer: str = "mecab",
    workers: int | None = None,
    index_dir: Path | None = None,
) -> EvalReport:
    judged = {qid: text for qid, text in queries.items() if qid in qrels}
    with tempfile.TemporaryDirectory(prefix="news-search-eval-") as tmp:
        target = Path(index_dir) if index_dir else Path(tmp, "index")
        started = time.perf_counter()
        report = reindex([Path(p) for p in corpus], index_dir=target, backend=analyzer, workers=workers)
        index_s = time.perf_counter() - started
        if report.failed:
            first = report.failed[0]
            print(f"news-search eval: {len(report.failed)} passage(s) failed to load, e.g. {first}", file=sys.stderr)
        service = SearchService(target)
        started = time.perf_counter()
        run = search_all(service, judged)
        query_s = time.perf_counter() - started
    return EvalReport(score_run(run, qrels), index_s, query_s, run)


# ------------------------------------------------------------------ command


EVAL_HELP = "measure retrieval quality (MRR, recall, nDCG) on a judged query set"


def configure_eval(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", required=True, action="append", metavar="PASSAGES.jsonl",
                   help="passages to index (JSONL with id, title, body); repeatable")
    p.add_argument("--queries", required=True, metavar="QUERIES.tsv", help="qid<TAB>question per line")
    p.add_argument("--qrels", required=True, metavar="QRELS.txt", help="TREC qrels: qid 0 docid relevance")
    p.add_argument("--analyzer", default="mecab", choices=["mecab", "kiwi"],
                   help="morphological analyser for the temporary index (default: mecab)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="analysis processes for indexing")
    p.add_argument("--sample", type=int, metavar="N",
                   help="only N judged queries, the same fixed subset every time (the whole corpus is still indexed)")
    p.add_argument("--run-file", metavar="FILE", help="also write the rankings as a TREC run file")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")


def run_eval(args: argparse.Namespace) -> int:
    try:
        for path in [*args.corpus, args.queries, args.qrels]:
            if not Path(path).is_file():
                raise EvalInputError(f"{path}: no such file")
        queries = read_queries(Path(args.queries))
        qrels = read_qrels(Path(args.qrels))
    except (EvalInputError, OSError, UnicodeDecodeError) as exc:
        print(f"news-search eval: {exc}", file=sys.stderr)
        return 2
    if not any(qid in qrels for qid in queries):
        print(f"news-search eval: no query in {args.queries} has a judgment in {args.qrels}", file=sys.stderr)
        return 2
    if args.sample is not None:
        if args.sample < 1:
            print("news-search eval: --sample must be at least 1", file=sys.stderr)
            return 2
        queries = sample_queries({qid: text for qid, text in queries.items() if qid in qrels}, args.sample)
    report = evaluate([Path(p) for p in args.corpus], queries, qrels, analyzer=args.analyzer, workers=args.workers)
    if args.run_file:
        with open(args.run_file, "w", encoding="utf-8") as handle:
            for qid, ranking in report.run.items():
                for rank, doc in enumerate(ranking, start=1):
                    handle.write(f"{qid} Q0 {doc} {rank} {DEPTH + 1 - rank} news-search\n")
    data = report.to_dict()
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return 0
    print(f"{data['queries']} queries, analyzer {args.analyzer}")
    for name in ("MRR@10", *(f"R@{k}" for k in CUTOFFS), "nDCG@10"):
        print(f"  {name:<8} {data[name]:.4f}")
    print(f"  index    {data['index_s']:.1f} s")
    print(f"  queries  {data['query_s']:.1f} s ({1000 * data['query_s'] / max(1, data['queries']):.1f} ms each)")
    return 0

