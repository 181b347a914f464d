"""Timings of the hostile queries of issue 10 (F5), each against its stated
bound (search/limits.py; README, Reliability): the tests count the work
(tests/test_query_bounds.py), this script prints the seconds.

    PYTHONPATH=. python -m benchmarks.query_bounds [--articles 1000] [--big-kb 950] [--giant-mb 9.9]

It writes its own corpus (generated sentences) under a temporary folder and
builds three indexes: the articles alone; with five articles of --big-kb
each; with one article of --giant-mb.  Each case is searched three times with
the result cache off (median printed).  Last, a normal search is timed while
another thread runs the slowest case in a loop: the one-search-at-a-time lock
holds it back by at most one search's deadline."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from search.reindex import reindex
from search.limits import SEARCH_DEADLINE_SECONDS
from search.service import SearchRequest, SearchService

NOUNS = ("정부 기업 투자 시장 경제 정책 국회 협력 지역 학교 병원 환경 대한민국 서울 수출 반도체 "
         "금리 물가 고용 성장 은행 주식 부동산 교육 문화 선거 외교 국방 기술 연구").split()
PARTICLES = ("가", "는", "를", "와", "의", "에서", "도", "로")
ENDINGS = ("발표했다.", "밝혔다.", "늘었다.", "줄었다.", "논의했다.", "강조했다.")


def sentence(rng: random.Random, extra: str = "") -> str:
    words = [rng.choice(NOUNS) + rng.choice(PARTICLES) for _ in range(rng.randint(3, 8))]
    if extra:
        words.insert(rng.randrange(len(words)), extra)
    return " ".join(words) + " " + rng.choice(ENDINGS)


def long_body(rng: random.Random, chars: int, word: str) -> str:
    parts, size = [], 0
    while size < chars:
        line = " ".join(sentence(rng, word + "의") for _ in range(5))
        parts.append(line)
        size += len(line) + 1
    return "\n".join(parts)[:chars]


def write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def build(root: Path, articles: int, big_kb: float, giant_mb: float) -> dict[str, Path]:
    rng = random.Random(10)
    base = [{"id": f"n{i:05d}", "title": sentence(rng), "body": "\n".join(sentence(rng) for _ in range(12)),
             "press": "벤치일보", "published": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}"} for i in range(articles)]
    # Korean text in UTF-8: about 2.4 bytes a character.
    big = [{"id": f"big{k}", "title": f"긴 기사 {k}", "published": "2021-01-01",
            "body": long_body(rng, int(big_kb * 1024 / 2.4), "경제")} for k in range(5)]
    giant = [{"id": "giant", "title": "아주 긴 기사", "published": "2021-02-01",
              "body": long_body(rng, int(giant_mb * 1024 * 1024 / 2.4), "대한민국")}]
    indexes = {}
    for name, extra in (("plain", []), ("big", big), ("giant", giant)):
        write(root / name / "in" / "base.jsonl", base)
        if extra:
            write(root / name / "in" / "extra.jsonl", extra)
        started = time.perf_counter()
        report = reindex([root / name / "in"], index_dir=root / name / "ix")
        print(f"built {name}: {report.indexed} articles in {time.perf_counter() - started:.1f} s", flush=True)
        indexes[name] = root / name / "ix"
    return indexes


CASES = [
    ("plain", "漢 x 950 in one word", "漢" * 950, "635 s"),
    ("plain", "漢 x 999 in one word", "漢" * 999, "500 RecursionError"),
    ("plain", "250-word phrase of one word", '"' + " ".join(["경제"] * 250) + '"', "53 s"),
    ("plain", "대한민국 x 100 without spaces", "대한민국" * 100, "14 s"),
    ("big", "경제 over five long articles", "경제", "16 s"),
    ("giant", "대한민국 with one giant article", "대한민국", "274 s"),
]


def timed(service: SearchService, q: str) -> tuple[float, object]:
    started = time.perf_counter()
    result = service.search(SearchRequest(q=q, exact=True))
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--big-kb", type=float, default=950)
    parser.add_argument("--giant-mb", type=float, default=9.9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="query-bounds-") as folder:
        indexes = build(Path(folder), args.articles, args.big_kb, args.giant_mb)
        services = {name: SearchService(path, cache_size=0) for name, path in indexes.items()}
        for service in services.values():
            service.warm()
            service.search(SearchRequest(q="정부 경제"))  # one-time work (did-you-mean vocabulary)
        print(f"\n{'case':36} {'median s':>9} {'max s':>7} {'total':>6}  on main (issue 10)  notices")
        slowest = (0.0, "plain", "")
        for index, label, q, before in CASES:
            runs = [timed(services[index], q) for _ in range(3)]
            seconds = [s for s, _ in runs]
            result = runs[-1][1]
            notices = "; ".join(n[:28] for n in result.notices)
            print(f"{label:36} {statistics.median(seconds):9.3f} {max(seconds):7.3f} {result.total:6d}  {before:18}  {notices}")
            slowest = max(slowest, (max(seconds), index, q))

        _, index, q = slowest
        service = services[index]
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                service.search(SearchRequest(q=q, exact=True))

        alone = [timed(service, "정부 정책")[0] for _ in range(5)]
        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        time.sleep(0.2)
        beside = [timed(service, f"정부 정책 {i}")[0] for i in range(5)]
        stop.set()
        thread.join()
        print(f"\na normal search alone: max {max(alone):.3f} s; while another thread repeats the slowest case "
              f"({index}): max {max(beside):.3f} s (bound: one search's deadline, {SEARCH_DEADLINE_SECONDS:.0f} s, "
              f"plus its own time)")


if __name__ == "__main__":
    main()
