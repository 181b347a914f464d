"""The parallel full build (segments per worker, flushed by size) and the incremental line
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
    # At most one per worker (each below SEGMENT_ARTICLES) and no merge; on a
    # busy machine one worker can take every unit before the other starts.
    assert 1 <= len(segments) <= 2
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


def stored_fields(index_dir):
    ix = whoosh_index.open_dir(str(IndexLayout(index_dir).current()))
    with ix.searcher() as searcher:
        return {f["id"]: f for f in searcher.all_stored_fields()}


def live_ids(index_dir):
    ix = whoosh_index.open_dir(str(IndexLayout(index_dir).current()))
    with ix.reader() as reader:
        return sorted(f["id"] for _, f in reader.iter_docs())


def part_sizes(index_dir):
    ix = whoosh_index.open_dir(str(IndexLayout(index_dir).current()))
    return [(s.doc_count_all(), s.doc_count()) for s in ix._segments()]


def test_workers_flush_a_segment_every_segment_articles(tmp_path, parallel):
    """A tiny SEGMENT_ARTICLES: each worker writes several segments ("parts");
    the index is the one a serial build and a one-segment-per-worker build give."""
    corpus = tmp_path / "c"
    data = [{"id": f"a{i}", "title": f"전기차 배터리 {i}호", "press": "예시일보",
             "body": f"전기차 배터리 공장이 {i}번째 라인을 늘렸다. 지역 {i % 5}번 소식. "
             f"회사는 내년까지 생산 능력을 두 배로 키우고 협력사 {i * 7}곳과 계약을 맺는다."} for i in range(60)]
    data[13] = '{"id": "broken", "body": '  # one bad line
    for copy, original in [(22, 3), (41, 30), (55, 12), (58, 50)]:  # exact copies, some far after the original
        data[copy] = dict(data[original], id=f"copy{copy}")
    data[47] = dict(data[47], id="a5", body="같은 아이디, 나중 줄")  # a duplicate id, late
    write(corpus, data)
    serial = reindex([corpus], index_dir=tmp_path / "s", workers=1)
    whole = reindex([corpus], index_dir=tmp_path / "w", workers=2)  # one part per worker (SEGMENT_ARTICLES)
    parts = reindex([corpus], index_dir=tmp_path / "p", workers=2, segment_articles=7)

    assert len(part_sizes(tmp_path / "w")) == 2
    sizes = part_sizes(tmp_path / "p")
    assert len(sizes) >= 6 and all(total <= 7 for total, _ in sizes)
    assert sum(total for total, _ in sizes) == 59  # every written article, copies included
    # The copies and the late duplicate id were written by a worker, then
    # deleted in their own part's segment before publishing.
    assert sum(total - live for total, live in sizes) == 5
    assert sum(live for _, live in sizes) == parts.total == 54

    for other in (serial, whole):
        assert (parts.indexed, parts.total) == (other.indexed, other.total)
        assert [(f.source, f.line) for f in parts.failed] == [(f.source, f.line) for f in other.failed]
        assert parts.duplicates == other.duplicates
    assert len(parts.duplicates) == 5 and len(parts.failed) == 1
    assert live_ids(tmp_path / "p") == live_ids(tmp_path / "w") == live_ids(tmp_path / "s")
    assert "copy22" not in live_ids(tmp_path / "p") and "a3" in live_ids(tmp_path / "p")
    assert stored_fields(tmp_path / "p") == stored_fields(tmp_path / "w") == stored_fields(tmp_path / "s")
    services = [SearchService(tmp_path / name) for name in ("s", "w", "p")]
    for q in ["전기차 배터리", "지역 3번", "40번째", "같은 아이디", "\"배터리 공장\""]:
        answers = [s.search(q, size=60) for s in services]
        assert len({(a.total, tuple(sorted(hit.id for hit in a.hits))) for a in answers}) == 1, q
        # The same scores as one segment per worker (both count the deleted
        # copies in the term statistics, a serial build never writes them;
        # which article has which score follows the order of the documents,
        # so which worker took which unit, as with one segment each).
        assert len({tuple(sorted(round(hit.score, 6) for hit in a.hits)) for a in answers[1:]}) == 1, q
    assert services[2].search("40번째").total == 1
    assert services[2].search("같은 아이디").total == 0  # the first a5 is kept
    assert services[2].article("a5").body == [data[5]["body"]]
