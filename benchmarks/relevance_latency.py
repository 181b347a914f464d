"""Per-query cost of the relevance path, in milliseconds.

    python3 benchmarks/relevance_latency.py [INDEX_DIR] [--queries FILE] [--limit N]

Without INDEX_DIR it indexes the KorQuAD dev passages from ../shared/data into a
temporary folder first.  Prints the median and 95th percentile of: compiling the
query, the ranked search with the proximity rerank (top 10), the whole
`SearchService.search` (page of 10, with facets and snippets), and did-you-mean.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.evaluation import read_queries  # noqa: E402
from search.reindex import reindex  # noqa: E402
from search.ranking import ranked_search  # noqa: E402
from search.service import SearchRequest, SearchService  # noqa: E402
from search.suggest import did_you_mean  # noqa: E402

KORQUAD = ROOT.parent / "shared" / "data" / "retrieval" / "korquad_v1"
KEYWORDS = ["삼성전자", "삼성전자 반도체", "대통령 선거 결과", "북한 핵 실험 발표", "월드컵 우승", "ㅇㅈㅇ", "tkatjdwjswk", "삼성젼자"]


def timed(fn, items):
    samples = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", nargs="?")
    parser.add_argument("--queries", default=str(KORQUAD / "korquad_v1_dev.queries.tsv"))
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp, "index")
            started = time.perf_counter()
            reindex([KORQUAD / "korquad_v1_dev.passages.jsonl"], index_dir=index, workers=1)
            print(f"indexed KorQuAD passages in {time.perf_counter() - started:.1f} s")
        service = SearchService(index)
        searcher = service.generation().searcher()
        questions = list(read_queries(Path(args.queries)).values())[: args.limit]
        print(f"{service.count()} articles; {len(questions)} questions, {len(KEYWORDS)} keyword queries")
        for label, queries in (("questions", questions), ("keywords", KEYWORDS * 10)):
            compile_ms = timed(lambda q: service.parser.compile(service.parser.parse(q), searcher=searcher), queries)
            def rank(q):
                compiled = service.parser.compile(service.parser.parse(q), searcher=searcher)
                return ranked_search(searcher, compiled.query, compiled.proximity_terms, limit=10)
            rank_ms = timed(rank, queries)
            search_ms = timed(lambda q: service.search(SearchRequest(q=q)), queries)
            suggest_ms = timed(lambda q: did_you_mean(service.generation().vocabulary(), q), queries)
            print(f"{label:9}  compile {compile_ms[0]:6.1f} / {compile_ms[1]:6.1f} ms   "
                  f"ranked search {rank_ms[0]:6.1f} / {rank_ms[1]:6.1f} ms   "
                  f"service.search {search_ms[0]:6.1f} / {search_ms[1]:6.1f} ms   "
                  f"did-you-mean {suggest_ms[0]:5.1f} / {suggest_ms[1]:5.1f} ms   (median / p95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
