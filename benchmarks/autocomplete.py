"""Autocomplete latency: p50/p95 of `SearchService.suggest` over what readers
type while composing (keystroke prefixes of title words, 초성 prefixes, Latin
keys typed with the Korean layout off), and the one-time build of the table.

    python3 -m benchmarks.autocomplete --index /tmp/ix10k            # an index you built
    python3 -m benchmarks.autocomplete --docs 10000                  # builds corpus + index under benchmarks/work/
    python3 -m benchmarks.autocomplete --corpus X.jsonl              # the table alone, from a corpus file

`--corpus` builds the table straight from a JSONL corpus, without an index (so
without the index's word list: every title word counts as a word, a larger
table than the index would give) and times `Completions.suggest` itself: the
lookup cost at a corpus size whose index would take an hour to build here.

The goal (issue 15): p95 <= 20 ms at 100,000 articles.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import make_corpus_tool
from search.korean import hangul_to_keys, initials_of, jamo

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"
P95_GOAL_MS = 20.0


def typed_forms(words: list[str], count: int, seed: int = 15) -> list[str]:
    """What a reader's box holds on the way to one of `words`: syllable
    prefixes, half-composed syllables, 초성 and wrong-layout keys."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        word = rng.choice(words)
        cut = rng.randint(1, len(word))
        kind = rng.random()
        if kind < 0.5:
            out.append(word[:cut])
        elif kind < 0.7:
            keys = jamo(word[:cut])  # an IME mid-syllable: 삼ㅅ
            out.append(word[:cut - 1] + keys[-1] if cut > 1 else keys[:1])
        elif kind < 0.85:
            out.append(initials_of(word)[:max(2, cut)])
        else:
            out.append(hangul_to_keys(word[:max(2, cut)]))
    return out


def corpus_articles(path: Path):
    """(title, reporters, press, day) of each record of a JSONL corpus."""
    import json
    from datetime import datetime

    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            reporters = record.get("reporter") or []
            reporters = [reporters] if isinstance(reporters, str) else reporters
            day = 0
            if record.get("published"):
                day = datetime.fromisoformat(record["published"]).date().toordinal()
            yield record.get("title") or "", reporters, record.get("press") or "", day


def ensure_index(docs: int) -> Path:
    folder = WORK / f"suggest-{docs}"
    corpus, index = folder / "corpus.jsonl", folder / "index"
    if not (index / "current").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if not corpus.exists():
            tool = make_corpus_tool()
            if tool is None:
                raise SystemExit("make_corpus.py not found beside the checkout (../shared/tools); nothing measured")
            subprocess.run([sys.executable, str(tool), "--docs", str(docs), "--out", str(corpus)], check=True)
        subprocess.run([sys.executable, "-m", "search", "reindex", "--quiet", "--index", str(index), str(corpus)],
                       check=True, cwd=ROOT)
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an existing index folder")
    parser.add_argument("--docs", type=int, default=10000, help="corpus size when --index is not given")
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus: time the table alone, no index")
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args(argv)

    from search import autocomplete

    started = time.perf_counter()
    if args.corpus:
        table = autocomplete.from_articles(corpus_articles(args.corpus), lambda word: True)
        build_s = time.perf_counter() - started
        suggest, articles = table.suggest, sum(1 for _ in open(args.corpus, "rb"))
    else:
        from search.service import SearchService

        service = SearchService(args.index or ensure_index(args.docs), cache_size=0)
        table = autocomplete.for_generation(service.generation().path, wait=None)  # the build, waited for
        build_s = time.perf_counter() - started
        suggest, articles = service.suggest, service.count()
    words = [s.text for s in table.entries if s.kind == "term" and all("가" <= ch <= "힣" for ch in s.text)][:20000]
    forms = typed_forms(words, args.queries)
    times, answered = [], 0
    for typed in forms:
        began = time.perf_counter()
        found = suggest(typed)
        times.append((time.perf_counter() - began) * 1000)
        answered += bool(found)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"articles: {articles}  completions: {len(table)}  table build: {build_s:.2f} s")
    print(f"suggest over {len(forms)} typed forms ({answered} with an answer): "
          f"p50 {p50:.3f} ms  p95 {p95:.3f} ms  max {times[-1]:.3f} ms  (goal p95 <= {P95_GOAL_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
