"""JSONL line keys (search/reindex/plan.py: line_key) are sha256 now, blake2b
before; a manifest names its kind ("line_keys"), one that names none has
blake2b keys.  An incremental run keeps the kind of the generation it starts
from, so an index built before still has its unchanged lines recognised
without being parsed (held to the same run from a sha256 manifest); a full
build writes sha256 keys; a kind this version does not know means a full
rebuild, said why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import search.reindex.worker as worker
from search.index import IndexLayout
from search.indexer import reindex
from search.layout import manifest_bytes
from search.reindex.plan import jsonl_units, line_key
from search.ingest.loader import ArticleLoader
from search.reindex.units import LINE_KEYS, LinesUnit


def write(path: Path, count: int, changed: int = -1) -> list[bytes]:
    records = [{"id": f"a{i}", "title": f"제목 {i}",
                "body": f"본문 {i}번 기사다. 지역 소식 {i * 3}건을 전한다. 주민들은 새로 생긴 도서관과 체육관을 "
                        f"반겼고, 시는 내년에 {i + 2}곳을 더 짓겠다고 밝혔다." + (" 고친 문단." if i == changed else "")}
               for i in range(count)]
    records.append({"id": "copy", "title": "사본", "body": records[1]["body"]})
    lines = [(json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8") for r in records]
    path.write_bytes(b"".join(lines))
    return lines


def as_built_before(index_dir: Path, path: Path, lines: list[bytes]) -> None:
    """Rewrites the current manifest as a version with blake2b keys wrote it: no "line_keys"."""
    current = IndexLayout(index_dir).current()
    manifest = IndexLayout(index_dir).read_manifest(current)
    old = {line_key(str(path), n, raw): line_key(str(path), n, raw, "blake2b")
           for n, raw in enumerate(lines, start=1)}
    manifest["lines"] = {old[k]: v for k, v in manifest["lines"].items()}
    manifest["copy_lines"] = {old[k]: v for k, v in manifest["copy_lines"].items()}
    del manifest["line_keys"]
    (current / "manifest.json").write_bytes(manifest_bytes(manifest))


def parsed_lines(monkeypatch) -> list[int]:
    seen: list[int] = []
    real = worker.load_jsonl_lines
    monkeypatch.setattr(worker, "load_jsonl_lines",
                        lambda path, raws, relative, number: seen.append(number) or real(path, raws, relative, number))
    return seen


def summary(report) -> dict:
    data = report.to_dict()
    return {k: data[k] for k in ("indexed", "unchanged", "removed", "total", "duplicates", "failed", "rebuild_reason")}


def test_the_two_kinds_differ_and_keep_32_hex_digits():
    sha, blake = line_key("/c.jsonl", 3, b'{"id": "a"}\n'), line_key("/c.jsonl", 3, b'{"id": "a"}\n', "blake2b")
    assert sha != blake and len(sha) == len(blake) == 32 and int(sha, 16) >= 0 and int(blake, 16) >= 0


def test_a_full_build_writes_sha256_keys(tmp_path):
    path = tmp_path / "c.jsonl"
    lines = write(path, 6)
    reindex([path], tmp_path / "ix", workers=1)
    manifest = IndexLayout(tmp_path / "ix").read_manifest()
    assert manifest["line_keys"] == LINE_KEYS == "sha256"
    assert set(manifest["lines"]) | set(manifest["copy_lines"]) == {
        line_key(str(path), n, raw) for n, raw in enumerate(lines, start=1)}


def test_an_index_with_blake2b_keys_is_updated_as_one_with_sha256_keys(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    lines = write(path, 8)
    reindex([path], tmp_path / "ix", workers=1)
    shutil.copytree(tmp_path / "ix", tmp_path / "before", symlinks=True)
    as_built_before(tmp_path / "before", path, lines)
    lines = write(path, 8, changed=5)
    seen = parsed_lines(monkeypatch)
    old_kind = reindex([path], tmp_path / "before", incremental=True, workers=1)
    assert seen == [6]  # the changed line only: the other keys, blake2b, were recognised
    seen.clear()
    new_kind = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert seen == [6]
    assert summary(old_kind) == summary(new_kind) and (old_kind.indexed, old_kind.unchanged) == (1, 7)
    manifest = IndexLayout(tmp_path / "before").read_manifest()
    assert manifest["line_keys"] == "blake2b"  # kept, so that the next run still matches
    assert set(manifest["lines"]) | set(manifest["copy_lines"]) == {
        line_key(str(path), n, raw, "blake2b") for n, raw in enumerate(lines, start=1)}
    seen.clear()
    again = reindex([path], tmp_path / "before", incremental=True, workers=1)
    assert seen == [] and again.unchanged == 8


def test_a_unit_of_blake2b_lines_reads_back_its_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    lines = write(path, 3)
    (source,) = ArticleLoader().discover([str(path)]).files
    (unit,) = jsonl_units(source, 64, {}, {}, line_keys="blake2b")
    assert isinstance(unit, LinesUnit) and unit.line_keys == "blake2b"
    worker.init_worker("mecab", None)
    outcomes = worker.process_unit(unit)
    assert [o.article.id for o in outcomes if hasattr(o, "article")] == ["a0", "a1", "a2", "copy"]
    assert unit.keys == [line_key(str(path), n, raw, "blake2b") for n, raw in enumerate(lines, start=1)]


def test_an_unknown_kind_of_key_means_a_full_rebuild(tmp_path):
    path = tmp_path / "c.jsonl"
    write(path, 4)
    reindex([path], tmp_path / "ix", workers=1)
    current = IndexLayout(tmp_path / "ix").current()
    manifest = IndexLayout(tmp_path / "ix").read_manifest(current)
    manifest["line_keys"] = "md17"
    (current / "manifest.json").write_bytes(manifest_bytes(manifest))
    report = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert not report.incremental and "md17" in report.rebuild_reason and report.indexed == 4
    assert IndexLayout(tmp_path / "ix").read_manifest()["line_keys"] == "sha256"
