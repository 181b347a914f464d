"""An incremental run with worker processes sends its first changed lines to
a worker as soon as they are planned (search/reindex/prefetch.py).  Held to
the plain path, the same run in this process alone (one worker): the same
report, manifest tables, groups table and index, document for document and
term for term, whether every changed line was sent ahead or only some, and
lines that only moved are still recognised as unchanged articles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import search.reindex.pipeline as pipeline
import search.reindex.prefetch as prefetch
from search.grouping import GROUPS_FILE
from search.index import IndexLayout
from search.indexer import reindex
from search.service import SearchService

TOPICS = ["전기차 보조금", "지하철 심야 운행", "기준금리 동결", "반도체 수출", "태풍 피해 복구", "청년 일자리"]


def record(i: int) -> dict:
    topic = TOPICS[i % len(TOPICS)]
    return {"id": f"a{i}", "title": f"{topic} 소식 {i}",
            "body": f"{topic} 관련 {i}번째 기사다. 관계자는 {i * 7}건의 사례를 검토했다고 밝혔다. 지역 {i}곳이 참여한다.",
            "published": f"2024-03-{1 + i % 28:02d}"}


def write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def index_state(index_dir: Path) -> dict:
    """What a reader sees: every live document's stored fields and every term's postings, by field."""
    from whoosh import index as whoosh_index

    current = IndexLayout(index_dir).current()
    ix = whoosh_index.open_dir(str(current))
    with ix.reader() as reader:
        documents = sorted((fields["id"], sorted(fields.items())) for _, fields in reader.iter_docs())
        postings = {}
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            ids = [reader.stored_fields(d)["id"] for d in matcher.all_ids()]
            postings[(field, term)] = sorted(ids)
    with np.load(current / GROUPS_FILE, allow_pickle=False) as data:
        groups = {name: data[name].tolist() for name in ("ids", "canonical", "near", "docnums", "signed")}
    return {"documents": documents, "postings": postings, "groups": groups}


def summary(report) -> dict:
    data = report.to_dict()
    return {k: data[k] for k in ("indexed", "unchanged", "removed", "kept", "total", "duplicates", "failed")}


@pytest.mark.parametrize("limit", [512, 2], ids=["all sent ahead", "two sent ahead"])
def test_prefetched_lines_give_the_index_the_plain_run_gives(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(pipeline, "BATCH_ARTICLES", 2)  # several units of changed lines
    monkeypatch.setattr(prefetch, "PREFETCH_ARTICLES", limit)
    path = tmp_path / "c.jsonl"
    records = [record(i) for i in range(40)]
    write(path, records)
    reindex([path], tmp_path / "ix", workers=1)
    shutil.copytree(tmp_path / "ix", tmp_path / "plain", symlinks=True)
    # Changed lines spread over the file, one becoming an exact copy of an
    # unchanged article, another the first of a new pair of copies, one new line.
    for i in (3, 4, 17, 30):
        records[i]["body"] += " 고친 문단이 붙었다."
    records[22]["body"] = records[8]["body"]
    records[35]["body"] = records[17]["body"]
    # Two lines trade places: other keys, the same articles (unchanged, by
    # the content hashes the worker is sent).
    records[10], records[11] = records[11], records[10]
    records.append({"id": "new", "title": "새 기사", "body": "새로 들어온 기사의 본문이다. 반도체 수출이 늘었다."})
    write(path, records)

    analysed_here = []
    real = pipeline.analyse_article
    monkeypatch.setattr(pipeline, "analyse_article",
                        lambda article, backend=None: analysed_here.append(article.id) or real(article, backend))
    fast = reindex([path], tmp_path / "ix", incremental=True, workers=2)
    sent_ahead_all = list(analysed_here)
    plain = reindex([path], tmp_path / "plain", incremental=True, workers=1)

    assert summary(fast) == summary(plain)
    assert (fast.indexed, len(fast.duplicates)) == (5, 2)  # a3, a4, a17, a30, new; a22 and a35 copies
    assert fast.unchanged == 40 - 6
    if limit >= 512:
        assert sent_ahead_all == []  # analysed in the worker, none in this process
    else:
        assert 0 < len(sent_ahead_all) < fast.indexed
    tables = ("articles", "lines", "copies", "copy_lines")
    fast_manifest, plain_manifest = (IndexLayout(d).read_manifest() for d in (tmp_path / "ix", tmp_path / "plain"))
    assert {t: fast_manifest[t] for t in tables} == {t: plain_manifest[t] for t in tables}
    assert index_state(tmp_path / "ix") == index_state(tmp_path / "plain")
    for query in ("고친 문단", "반도체 수출", "기준금리"):
        hits = SearchService(tmp_path / "ix").search_ids(query, 50)
        assert hits and hits == SearchService(tmp_path / "plain").search_ids(query, 50), query


def test_nothing_is_sent_ahead_without_worker_processes_or_changed_lines(tmp_path, monkeypatch):
    started, sent = [], []
    real_start, real_close = prefetch.Prefetch.start, prefetch.Prefetch.close
    monkeypatch.setattr(prefetch.Prefetch, "start", lambda self: started.append(1) or real_start(self))
    monkeypatch.setattr(prefetch.Prefetch, "close", lambda self: sent.append(self._articles) or real_close(self))
    path = tmp_path / "c.jsonl"
    write(path, [record(i) for i in range(10)])
    reindex([path], tmp_path / "ix", workers=2)  # a full build: no worker sent anything ahead
    reindex([path], tmp_path / "ix", incremental=True, workers=1)  # no worker processes
    assert started == [] and sent == []
    reindex([path], tmp_path / "ix", incremental=True, workers=2)  # nothing changed
    assert started == [1] and set(sent) == {0}
