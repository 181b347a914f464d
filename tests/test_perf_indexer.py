"""The parallel full build (one segment per worker) and the incremental line
digests give the index a plain serial build would."""

import json

import pytest

import search.reindex.pipeline as pipeline
from search.index import IndexLayout
from search.indexer import reindex
from search.service import SearchService
from whoosh import index as whoosh_index


def write(folder, records, name="a.jsonl"):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n")


def records(count, prefix="n"):
    return [{"id": f"{prefix}{i}", "title": f"반도체 수출 {i}번", "press": "예시일보",
             "body": f"반도체 수출이 늘었다. 협력 기사 {i}번."} for i in range(count)]


@pytest.fixture
def parallel(monkeypatch):
    # Small inputs normally stay in one process; these tests want the parallel path.
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pipeline, "BATCH_ARTICLES", 7)


def test_parallel_segments_agree_with_a_serial_build(tmp_path, parallel):
    corpus = tmp_path / "c"
    data = records(120)
    data[50] = '{"id": "broken", "title": '  # one bad line
    data[90] = dict(data[10], body="같은 아이디의 나중 기사")  # a duplicate id, later in the file
    write(corpus, data)
    write(corpus, records(30, prefix="m") + [dict(records(1)[0], body="다른 파일의 같은 아이디")], name="b.jsonl")
    serial = reindex([corpus], index_dir=tmp_path / "s", workers=1)
    fast = reindex([corpus], index_dir=tmp_path / "p", workers=2)
    segments = whoosh_index.open_dir(str(IndexLayout(tmp_path / "p").current())).reader().leaf_readers()
    assert len(segments) == 2  # one per worker, no merge
    assert (fast.indexed, fast.total) == (serial.indexed, serial.total) == (148, 148)
    assert [(f.source, f.line) for f in fast.failed] == [(f.source, f.line) for f in serial.failed]
    assert fast.duplicates == serial.duplicates and len(fast.duplicates) == 2
    a, b = SearchService(tmp_path / "s"), SearchService(tmp_path / "p")
    for q in ["반도체", "같은 아이디", "협력 기사 10번"]:
        assert a.search(q).total == b.search(q).total
    # The first occurrence of a duplicated id is the one kept.
    assert b.article("n10").body == ["반도체 수출이 늘었다. 협력 기사 10번."]
    assert b.search("다른 파일의").total == 0


def test_incremental_skips_unchanged_lines_and_keeps_ids_by_line(tmp_path, parallel):
    corpus = tmp_path / "c"
    data = records(40)
    data[5] = {"title": "아이디 없는 기사", "body": "줄 번호로 아이디를 얻는다."}  # id from file and line
    write(corpus, data)
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=2)
    manifest = IndexLayout(index_dir).read_manifest()
    assert len(manifest["lines"]) == 40 and set(manifest["lines"].values()) == set(manifest["articles"])

    data[20] = dict(data[20], body="바뀐 본문: 양자컴퓨터")
    write(corpus, data)
    changed = reindex([corpus], index_dir=index_dir, incremental=True, workers=2)
    assert (changed.indexed, changed.unchanged, changed.removed, changed.total) == (1, 39, 0, 40)
    assert SearchService(index_dir).search("양자컴퓨터").total == 1

    # A line inserted at the top moves every line: the id-less article now
    # stands on another line, so it gets another id; the rest keep theirs.
    write(corpus, [{"id": "top", "title": "맨 위 기사", "body": "새 기사"}] + data)
    moved = reindex([corpus], index_dir=index_dir, incremental=True, workers=2)
    assert moved.total == 41 and moved.removed == 1 and moved.indexed == 2
    service = SearchService(index_dir)
    assert service.search("아이디 없는 기사").total == 1
    assert service.search("양자컴퓨터").total == 1


def test_incremental_deletes_old_versions_in_one_pass(tmp_path):
    corpus = tmp_path / "c"
    data = records(30)
    write(corpus, data)
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    for i in range(0, 30, 3):
        data[i] = dict(data[i], body=f"고친 기사 {i}")
    write(corpus, data[:-2])  # and two articles gone
    report = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert (report.indexed, report.removed, report.total) == (10, 2, 28)
    service = SearchService(index_dir)
    assert service.search("고친 기사").total == 10
    assert service.count() == 28
    assert service.search("본문:반도체").total == 28 - 10  # old bodies are gone
