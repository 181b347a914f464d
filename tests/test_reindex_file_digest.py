"""A JSONL file that had a duplicate in the last run is planned by its lines
without hashing it whole a second time (a file with a duplicate keeps no
digest in the manifest, so the digest was computed for nothing).  When its
duplicates are gone, it is planned by its lines once more and keeps its
digest then, so that from the run after an unchanged file is skipped whole;
the report is that of reading every line in every run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import search.reindex.pipeline as pipeline
from search.index import IndexLayout
from search.ingest.loader import file_digest
from search.reindex import reindex

BODIES = ["정부가 전기차 보조금 기준을 바꾼다고 밝혔다. 배터리 효율이 높은 차에 더 준다.",
          "서울시는 지하철 심야 운행을 다음 달부터 다시 시작한다. 요금은 그대로다.",
          "한국은행이 기준금리를 동결했다. 가계부채가 여전히 부담이라는 판단이다."]


def write(path: Path, with_copy: bool, edited: bool = False) -> Path:
    records = [{"id": f"a{i}", "title": f"제목 {i}",
                "body": body + " 관계자는 이날 자세한 내용을 설명했다." + (" 고친 문장." if edited and i == 1 else "")}
               for i, body in enumerate(BODIES)]
    if with_copy:
        records.append({"id": "copy0", "title": "복사", "body": records[0]["body"]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def whole_file_digests(monkeypatch) -> list[int]:
    """Counts the whole-file digests the plan starts (hashlib.blake2b as the pipeline calls it)."""
    made: list[int] = []
    monkeypatch.setattr(pipeline, "hashlib", SimpleNamespace(
        blake2b=lambda **kw: made.append(1) or hashlib.blake2b(**kw)))
    return made


def test_a_file_with_duplicates_is_not_hashed_whole_and_keeps_its_digest_once_they_are_gone(tmp_path, monkeypatch):
    corpus = write(tmp_path / "c.jsonl", with_copy=True)
    index_dir = tmp_path / "ix"
    first = reindex([corpus], index_dir=index_dir, workers=1)
    assert [d[0] for d in first.duplicates] == ["copy0"]
    assert str(corpus) not in IndexLayout(index_dir).read_manifest()["files"]

    made = whole_file_digests(monkeypatch)
    write(corpus, with_copy=True, edited=True)
    again = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert made == []  # it had a duplicate last time
    assert (again.indexed, again.unchanged, [d[0] for d in again.duplicates]) == (1, 2, ["copy0"])

    write(corpus, with_copy=False, edited=True)  # the copy is gone
    gone = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert made == [] and gone.duplicates == [] and (gone.unchanged, gone.total) == (3, 3)
    assert str(corpus) not in IndexLayout(index_dir).read_manifest()["files"]  # planned by lines next time

    after = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert made == [1] and after.files_unchanged == 0 and after.unchanged == 3
    assert IndexLayout(index_dir).read_manifest()["files"][str(corpus)] == file_digest(corpus)

    skipped = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert skipped.files_unchanged == 1 and skipped.unchanged == 3 and skipped.articles_seen == 3
