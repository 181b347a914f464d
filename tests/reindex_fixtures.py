"""Corpora for tests: a small JSONL corpus of numbered articles with distinct
bodies, any of which can be given a changed paragraph (`write_corpus`), and
an index built from a test's own records (`index_of`)."""

from __future__ import annotations

import json
from pathlib import Path


def write_corpus(path, count, changed=()):
    records = [{"id": f"a{i}", "title": f"제목 {i}",
                "body": f"본문 {i}번 기사는 서로 다른 내용입니다." + (" 고친 문단." if i in changed else "")}
               for i in range(count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def index_of(tmp_path_factory, name: str, records) -> Path:
    """A folder holding `records` as one JSONL file, indexed by a serial
    reindex into a folder of its own (both named after `name`); asserts that
    no record failed."""
    from search.indexer import reindex  # imported when a test builds, not when it is collected

    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    (corpus / "articles.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                          encoding="utf-8")
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    report = reindex([corpus], index_dir=index_dir, workers=1, progress=False)
    assert not report.failed, report.failed
    return index_dir


def full_then_incremental(corpus, index_dir, count: int, changed: int):
    """A full reindex of a `write_corpus` of `count` articles, then article
    `changed` given a new paragraph and an incremental reindex: its report."""
    from search.indexer import reindex

    write_corpus(corpus, count)
    reindex([corpus], index_dir, workers=1)
    write_corpus(corpus, count, changed={changed})
    return reindex([corpus], index_dir, incremental=True, workers=1)
