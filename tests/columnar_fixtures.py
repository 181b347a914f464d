"""A generated corpus of our own for the columnar executor's tests, indexed
three ways (one segment; segments from two workers; an incremental build
with deletions and a merge), so that offsets, several segments and the live
mask are all exercised: tests/test_execute.py holds the executor to the
Whoosh path on it, tests/test_fast_paths.py each fast path to its plain
reference."""

from __future__ import annotations

import json
import random
from pathlib import Path

# Nouns mecab-ko reads as one morpheme each, some in compounds the query side
# searches as phrases (경제정책 → 경제 정책), and one with an alias (AI).
NOUNS = "정부 기업 투자 시장 경제 정책 국회 협력 지역 학교 병원 환경 인공지능".split()
PARTICLES = ["가", "는", "를", "와", "의", "에서", "도"]
PRESSES = ["가나일보", "다라신문"]
REPORTERS = ["김철수", "이영희"]
LAYOUTS = ("ix-one", "ix-two", "ix-inc")


def articles(count: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        sentences = []
        for _ in range(rng.randint(1, 4)):
            nouns = rng.choices(NOUNS, weights=[12, 10, 6, 6, 5, 4, 3, 3, 2, 1, 1, 1, 2], k=rng.randint(1, 4))
            sentences.append(" ".join(n + rng.choice(PARTICLES) for n in nouns) + " 발표했다.")
        if number % 5 == 0:
            sentences.append("경제정책 방향을 논의했다.")
        out.append({"id": f"a{number:04d}", "title": f"{rng.choice(NOUNS)} {rng.choice(NOUNS)} 소식",
                    "press": PRESSES[number % 2], "reporters": [REPORTERS[number % 3 % 2]],
                    "published": f"2020-0{1 + number % 9}-15", "body": " ".join(sentences)})
    return out


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def build_layouts(root: Path) -> list[Path]:
    """The three indexes of `articles(240)` under `root` (LAYOUTS)."""
    from search.indexer import reindex

    corpus = articles(240)
    write_jsonl(root / "one" / "all.jsonl", corpus)
    for part in range(4):
        write_jsonl(root / "two" / f"part{part}.jsonl", corpus[part::4])
    changed = [dict(a, body="투자 시장 협력 " + a["body"]) if i % 6 == 0 else a for i, a in enumerate(corpus)]
    write_jsonl(root / "inc" / "a.jsonl", changed[:150] + articles(40, seed=77))
    write_jsonl(root / "inc" / "b.jsonl", changed[150:])
    reports = [reindex([root / "one"], index_dir=root / "ix-one", workers=1),
               reindex([root / "two"], index_dir=root / "ix-two", workers=2),
               reindex([root / "inc"], index_dir=root / "ix-inc", workers=1)]
    write_jsonl(root / "inc" / "a.jsonl", corpus[:150])  # 40 removed, the changed ones restored: deletions
    write_jsonl(root / "inc" / "b.jsonl", corpus[150:])
    reports.append(reindex([root / "inc"], index_dir=root / "ix-inc", workers=1, incremental=True))
    assert all(not r.failed for r in reports)
    return [root / name for name in LAYOUTS]
