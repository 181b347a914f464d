"""Queries as readers type them: for each article, the forms a newsroom user
types into the box, and whether the search finds the article.

    PYTHONPATH=<checkout> python benchmarks/query_forms.py [--docs N] [--sample N] [--seed N] [--json]

Two indexes are built in a temporary folder: the real corpora in
../shared/data/news (*.normalized.jsonl, skipped with a reason where absent)
and a `make_corpus.py` corpus of `--docs` articles (default 3,000).  For a
seeded sample of each index's articles (`--sample`, default 300; 0 = every
article) the queries are, where the article's own record has what they need:

    headline          the title as published, quotes and all
    headline - press  the same with a portal's source suffix (` - 연합뉴스`)
    headline bare     the title with its punctuation replaced by spaces
    two nouns         the article's two most salient nouns (tf·idf, title counted 3×)
    noun+particle     the most salient noun with a particle (미국의, 정부는, …)
    word as written   a word of the body as it stands there (two or more
                      syllables: 품고, 전시관이다), answered by any article
                      that spells it
    reporter          the reporter's name as in the byline

Each query goes through `SearchService.search` (a page of 10, as the web page
asks), so whatever the service does to a query (relaxation, suffix handling)
is measured.  Per form: n, the zero-result rate (an empty page), success@1
and success@10 — the article itself, for a reporter query any article of
that reporter, for a word as written any article that spells it.  The queries come from the raw records, never from what the
index derived, so two checkouts are measured on the same query set.

make_corpus articles pair a real headline with unrelated sentences, and a
headline may be reused by several articles: a headline query succeeds on any
article published under exactly that headline.

The script imports `search` from the path (PYTHONPATH), so it measures
whichever checkout is first there, not necessarily the one it lives in.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Optional

try:
    import search  # noqa: F401  (the checkout under test comes from PYTHONPATH)
except ImportError:  # run from inside the checkout without PYTHONPATH
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.analysis.morphology import get_backend  # noqa: E402
from search.reindex import reindex  # noqa: E402
from search.service import SearchRequest, SearchService  # noqa: E402

FORMS = ("headline", "headline - press", "headline bare", "two nouns", "noun+particle", "word as written", "reporter")
NOUN_TAGS = ("NNG", "NNP")
# (after a final consonant, after a vowel); one chosen per article, seeded.
PARTICLES = [("의", "의"), ("은", "는"), ("이", "가"), ("을", "를"), ("에", "에"), ("에서", "에서"),
             ("과", "와"), ("도", "도"), ("으로", "로"), ("까지", "까지"), ("에게", "에게"), ("만", "만")]
_PUNCT = re.compile(r"[^\w\s]|_")
_WORD_CHARS = re.compile(r"[^\W_]+")
# A word as a reader copies it out of an article: a run of two or more syllables.
_WRITTEN = re.compile(r"[\uac00-\ud7a3]{2,}")


def find_shared_data(explicit: Optional[str]) -> Optional[Path]:
    """../shared/data beside the checkout (or beside a folder of worktrees)."""
    if explicit:
        return Path(explicit) if Path(explicit).is_dir() else None
    here = Path(__file__).resolve()
    for parent in here.parents[1:]:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


def read_records(paths: list[Path]) -> list[dict[str, Any]]:
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(record, dict) and record.get("id"):
                        records.append(record)
    return records


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value if v)
    return str(value)


def _reporters(record: dict[str, Any]) -> list[str]:
    value = record.get("reporters") or record.get("reporter")
    if isinstance(value, str):
        value = re.split(r"\s*[,·]\s*", value)
    return [v.strip() for v in value or [] if isinstance(v, str) and v.strip()]


def _nouns(text: str) -> list[str]:
    """The Hangul nouns of `text` as a reader sees them: the start of a word
    (text between spaces and punctuation) up to its last noun morpheme, where
    the word is nouns followed by particles only (버스요금이 → 버스요금).

    Noun morphemes that touch are one noun (아이오 + 아이 → 아이오아이), and so
    are nouns the analyser splits at a syllable it takes for a particle: a
    reader sees 트와이스 in 트와이스는, not mecab's 트 + 와 + 이스 (whose 이스
    no reader types).  A word with anything else after its nouns (카르브러:
    카르 + a verb ending) gives no noun: its first morpheme is not a word a
    reader sees."""
    morphemes = get_backend("mecab").analyze_tuples(text)
    words: list[str] = []
    first = 0  # morphemes and words both run left to right
    for match in _WORD_CHARS.finditer(text):
        start, end = match.span()
        while first < len(morphemes) and morphemes[first][2] < start:
            first += 1
        inside = []
        for m in morphemes[first:]:
            if m[2] >= end:
                break
            if m[3] <= end:
                inside.append(m)
        if not inside or inside[0][2] != start or inside[0][1] not in NOUN_TAGS:
            continue
        last_noun = max(i for i, m in enumerate(inside) if m[1] in NOUN_TAGS)
        if any(not (m[1] in NOUN_TAGS or m[1].startswith("J")) for m in inside[:last_noun]):
            continue
        if any(not m[1].startswith("J") for m in inside[last_noun + 1:]):
            continue
        noun = text[start:inside[last_noun][3]]
        if len(noun) >= 2 and all("\uac00" <= ch <= "\ud7a3" for ch in noun):
            words.append(noun)
    return words


def _with_particle(noun: str, rng: random.Random) -> str:
    after_consonant, after_vowel = rng.choice(PARTICLES)
    final = (ord(noun[-1]) - 0xAC00) % 28
    if after_consonant == "으로" and final == 8:  # ㄹ: 서울로, not 서울으로
        return noun + "로"
    return noun + (after_consonant if final else after_vowel)


def build_queries(records: list[dict[str, Any]], sample: int, seed: int) -> list[tuple[str, str, frozenset, str]]:
    """(form, query, target ids, reporter or '') for the sampled records."""
    rng = random.Random(seed)
    by_title: dict[str, set] = defaultdict(set)
    for r in records:
        by_title[_text(r.get("title")).strip()].add(r["id"])
    chosen = records if not sample or sample >= len(records) else rng.sample(records, sample)
    noun_lists = {r["id"]: (_nouns(_text(r.get("title"))), _nouns(_text(r.get("body")))) for r in chosen}
    df: Counter = Counter()
    for title_nouns, body_nouns in noun_lists.values():
        df.update(set(title_nouns) | set(body_nouns))
    queries = []
    # Its own generator: the other forms' queries stay those of earlier runs.
    written_rng = random.Random(seed + 1)
    texts = {r["id"]: _text(r.get("title")) + "\n" + _text(r.get("body")) for r in records}
    for record in chosen:
        rid = record["id"]
        title = _text(record.get("title")).strip()
        press = _text(record.get("press")).strip()
        if title:
            # Any article published under exactly this headline is its answer.
            same = frozenset(by_title[title])
            queries.append(("headline", title, same, ""))
            if press:
                queries.append(("headline - press", f"{title} - {press}", same, ""))
            bare = " ".join(_PUNCT.sub(" ", title).split())
            if bare:
                queries.append(("headline bare", bare, same, ""))
        target = frozenset([rid])
        title_nouns, body_nouns = noun_lists[rid]
        tf = Counter(body_nouns)
        for noun in title_nouns:
            tf[noun] += 3
        n = len(chosen)
        ranked = sorted(tf, key=lambda w: (-tf[w] * math.log(1 + n / df[w]), w))
        if len(ranked) >= 2:
            queries.append(("two nouns", f"{ranked[0]} {ranked[1]}", target, ""))
        if ranked:
            queries.append(("noun+particle", _with_particle(ranked[0], rng), target, ""))
        written = _WRITTEN.findall(_text(record.get("body")))
        if written:
            # Answered by any article that spells the word.
            word = written_rng.choice(written)
            queries.append(("word as written", word, frozenset(i for i, t in texts.items() if word in t), ""))
        for name in _reporters(record)[:1]:
            queries.append(("reporter", name, target, name))
    return queries


def measure(service: SearchService, queries) -> dict[str, dict[str, Any]]:
    stats: dict[str, Counter] = defaultdict(Counter)
    failures: dict[str, list[str]] = defaultdict(list)
    for form, q, target, reporter in queries:
        result = service.search(SearchRequest(q=q, size=10))
        hits = result.hits
        if reporter:
            good = [reporter in hit.reporters for hit in hits]
        else:
            good = [hit.id in target for hit in hits]
        row = stats[form]
        row["n"] += 1
        row["zero"] += not hits
        row["at1"] += bool(good and good[0])
        row["at10"] += any(good)
        if not any(good) and len(failures[form]) < 5:
            failures[form].append(q)
    table = {}
    for form in FORMS:
        row = stats.get(form)
        if not row:
            continue
        n = row["n"]
        table[form] = {"n": n, "zero_rate": row["zero"] / n, "success_at_1": row["at1"] / n,
                       "success_at_10": row["at10"] / n, "missed_examples": failures[form]}
    return table


def markdown(name: str, table: dict[str, dict[str, Any]]) -> str:
    lines = [f"**{name}**", "", "| form | n | zero results | success@1 | success@10 |", "|---|---:|---:|---:|---:|"]
    for form, row in table.items():
        lines.append(f"| {form} | {row['n']} | {row['zero_rate']:.1%} | {row['success_at_1']:.3f} | {row['success_at_10']:.3f} |")
    return "\n".join(lines)


def run_corpus(name: str, paths: list[Path], workdir: Path, sample: int, seed: int) -> dict[str, Any]:
    index_dir = workdir / re.sub(r"\W+", "-", name)
    started = time.perf_counter()
    report = reindex(paths, index_dir=index_dir, workers=1)
    indexed_s = time.perf_counter() - started
    records = read_records(paths)
    queries = build_queries(records, sample, seed)
    service = SearchService(index_dir)
    started = time.perf_counter()
    table = measure(service, queries)
    return {"corpus": name, "articles": report.total, "sampled": min(sample, len(records)) if sample else len(records),
            "queries": len(queries), "index_seconds": round(indexed_s, 1),
            "search_seconds": round(time.perf_counter() - started, 1), "forms": table}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3000, help="articles in the make_corpus.py corpus (0: none)")
    parser.add_argument("--sample", type=int, default=300, help="articles sampled per corpus (0: every article)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", help="the shared data folder (default: ../shared/data beside the checkout)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)

    data = find_shared_data(args.data)
    results, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="query-forms-") as tmp:
        workdir = Path(tmp)
        real = sorted((data / "news").glob("*/*.normalized.jsonl")) if data else []
        if real:
            results.append(run_corpus("real corpora (" + ", ".join(p.parent.name for p in real) + ")",
                                      real, workdir, args.sample, args.seed))
        else:
            skipped.append(f"real corpora: no *.normalized.jsonl under {data / 'news' if data else '../shared/data/news'}")
        tool = data.parent / "tools" / "make_corpus.py" if data else None
        if args.docs and tool and tool.is_file():
            corpus = workdir / f"make_corpus-{args.docs}.jsonl"
            subprocess.run([sys.executable, str(tool), "--docs", str(args.docs), "--out", str(corpus)],
                           check=True, stdout=subprocess.DEVNULL)
            results.append(run_corpus(f"make_corpus.py --docs {args.docs}", [corpus], workdir, args.sample, args.seed))
        elif args.docs:
            skipped.append("make_corpus corpus: ../shared/tools/make_corpus.py not found")

    if args.json:
        print(json.dumps({"sample": args.sample, "seed": args.seed, "results": results, "skipped": skipped},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"Query forms (sample {args.sample or 'all'} articles per corpus, seed {args.seed}; page of 10)\n")
    for result in results:
        print(markdown(f"{result['corpus']}: {result['articles']} articles, {result['queries']} queries "
                       f"(indexed in {result['index_seconds']} s, searched in {result['search_seconds']} s)",
                       result["forms"]))
        print()
    for reason in skipped:
        print(f"skipped — {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
