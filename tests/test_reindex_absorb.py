"""A long series of incremental runs keeps its small segments few
(search/reindex/absorb.py): past SMALL_SEGMENTS of them, a run reads and
analyses again the articles of the smallest ones, writes them into its own
segment and drops the emptied ones, instead of Whoosh's merge (~14 ms of CPU
a merged document).  After every run the index answers as a full rebuild of
the same corpus: the same live documents, the same terms with the same
articles, the same hits; and no file of a dropped segment is left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import search.reindex.absorb as absorb
from search.index import IndexLayout
from search.indexer import reindex
from search.service import SearchService

TOPICS = ["전기차 보조금", "지하철 심야 운행", "기준금리 동결", "반도체 수출", "태풍 피해 복구"]
QUERIES = ["보조금", "지하철", "고친 문단", "반도체 수출", "태풍"]


def record(i: int, version: int) -> dict:
    topic = TOPICS[i % len(TOPICS)]
    body = f"{topic} 관련 {i}번째 기사다. 관계자는 {i * 11}건을 검토했다고 밝혔다. 주민 {i}명이 참여했다."
    if version:
        body += f" 고친 문단 {version}: 시범 사업이 확대된다."
    return {"id": f"a{i}", "title": f"{topic} {i}", "body": body, "published": f"2024-05-{1 + i % 28:02d}"}


def write(path: Path, versions: dict[int, int]) -> None:
    path.write_text("".join(json.dumps(record(i, versions.get(i, 0)), ensure_ascii=False) + "\n"
                            for i in range(40)), "utf-8")


def state(index_dir: Path) -> dict:
    """What a reader of the current generation sees, by article id (document numbers aside)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(IndexLayout(index_dir).current()))
    with ix.reader() as reader:
        live = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        documents = sorted((fields["id"], sorted(fields.items())) for _, fields in reader.iter_docs())
        postings = {}
        for field, term in reader.all_terms():
            ids = sorted(live[d] for d in reader.postings(field, term).all_ids() if d in live)
            if ids:
                postings[(field, term)] = ids
    service = SearchService(index_dir)
    hits = {q: sorted(service.search_ids(q, 100)) for q in QUERIES}
    return {"documents": documents, "postings": postings, "hits": hits}


def segment_files(index_dir: Path) -> tuple[int, set[str]]:
    """(segments in the table of contents, segment names that have files in the generation)."""
    from whoosh import index as whoosh_index

    current = IndexLayout(index_dir).current()
    listed = whoosh_index.open_dir(str(current))._segments()
    on_disk = {p.name.split(".")[0] for p in current.iterdir() if p.suffix in (".seg", ".cols")}
    return len(listed), on_disk - {s.segment_id() for s in listed}


def test_small_segments_stay_few_and_the_index_answers_as_a_full_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(absorb, "SMALL_SEGMENTS", 2)
    monkeypatch.setattr(absorb, "SMALL_RATIO", 2)
    path = tmp_path / "c.jsonl"
    versions: dict[int, int] = {}
    write(path, versions)
    reindex([path], tmp_path / "ix", workers=1)
    taken_in = 0
    for run in range(1, 8):
        for i in (run, run + 9, run + 20):
            versions[i] = run
        write(path, versions)
        report = reindex([path], tmp_path / "ix", incremental=True, workers=1)
        taken_in += report.indexed - 3
        segments, leftovers = segment_files(tmp_path / "ix")
        assert segments <= 1 + absorb.SMALL_SEGMENTS + 1 and leftovers == set(), run
        rebuilt = tmp_path / f"full-{run}"
        reindex([path], rebuilt, workers=1)
        assert state(tmp_path / "ix") == state(rebuilt), run
        assert report.total == 40 and report.unchanged == 40 - report.indexed
    assert taken_in > 0  # some run took in the articles of small segments


def test_no_article_is_taken_in_while_the_small_segments_are_few(tmp_path):
    path = tmp_path / "c.jsonl"
    write(path, {})
    reindex([path], tmp_path / "ix", workers=1)
    versions: dict[int, int] = {}
    for run in range(1, 4):
        versions[run] = run
        write(path, versions)
        report = reindex([path], tmp_path / "ix", incremental=True, workers=1)
        assert report.indexed == 1  # the changed article only
    assert absorb.articles_to_absorb(IndexLayout(tmp_path / "ix").current()) == set()
    assert absorb.articles_to_absorb(None) == set()
