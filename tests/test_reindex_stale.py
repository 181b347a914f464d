"""Deleting the old versions of changed and removed articles by document
number, read from the last generation's groups table (search/reindex/stale.py),
instead of Whoosh's delete_by_query, which opens a reader over every segment.
Held to the plain path: the same incremental runs with the table's numbers
withheld (delete_by_query for every id) leave the same documents, stored
fields and search answers; a table that does not match the segments is not
trusted."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q

import search.reindex.stale as stale
from search import grouping
from search.index import IndexLayout
from search.reindex import reindex
from search.service import SearchRequest, SearchService

TOPICS = ["전기차 보조금 기준이 바뀐다", "지하철 심야 운행이 다시 시작된다", "기준금리가 동결됐다",
          "항만 물류가 늘었다", "산불 진화 헬기가 투입됐다"]


def records(version: int) -> list[dict]:
    out = []
    for i in range(30):
        if version == 2 and i % 7 == 3:
            continue  # removed in version 2
        body = f"{TOPICS[i % 5]}. 관계자는 {i}번째 발표에서 이렇게 말했다. 지역 주민 반응도 전했다."
        if version == 2 and i % 5 == 1:
            body += f" 추가 취재: 양자암호 통신망 시범 사업 {i}호가 확대된다."
        out.append({"id": f"a{i}", "title": f"{TOPICS[i % 5]} {i}", "body": body})
    if version == 2:
        out.append({"id": "new1", "title": "새 기사", "body": "양자암호 통신망 시범 사업이 새로 시작된다고 밝혔다."})
    return out


def write(path: Path, version: int) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(version)), "utf-8")
    return path


def live_documents(index_dir: Path) -> list[tuple]:
    ix = whoosh_index.open_dir(str(IndexLayout(index_dir).current()))
    with ix.searcher() as searcher:
        return sorted((d["id"], d.get("title"), json.dumps(d, sort_keys=True, ensure_ascii=False, default=str))
                      for d in searcher.all_stored_fields())


def answers(index_dir: Path) -> list:
    service = SearchService(index_dir, cache_size=0)
    return [(q, [(h.id, h.title) for h in service.search(SearchRequest(q=q, size=50)).hits])
            for q in ("양자암호", "보조금", "지하철 심야", "기준금리", "발표", "새 기사")]


def run_twice(tmp_path: Path, name: str) -> Path:
    tmp_path.mkdir()
    corpus = tmp_path / "corpus.jsonl"
    write(corpus, 1)
    index_dir = tmp_path / name
    reindex([corpus], index_dir=index_dir, workers=1)
    write(corpus, 2)
    report = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert report.removed == 4 and report.indexed == 7  # 6 changed + 1 new
    write(corpus, 1)  # and back: the changed versions of the last run go stale in turn
    report = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert report.removed == 1 and report.indexed == 10  # 4 back + 6 changed back
    return index_dir


def test_deleting_by_the_tables_numbers_leaves_what_delete_by_query_leaves(tmp_path, monkeypatch):
    calls = {"by_number": 0, "by_query": 0}
    real_numbers = stale.base_document_numbers

    def numbers(base, segments, wanted=None):
        found = real_numbers(base, segments, wanted)
        calls["by_number"] += found is not None
        return found

    monkeypatch.setattr(stale, "base_document_numbers", numbers)
    fast = run_twice(tmp_path / "fast", "ix")
    assert calls["by_number"] == 2  # both incremental runs took the fast path
    monkeypatch.setattr(stale, "base_document_numbers", lambda base, segments, wanted=None: None)
    plain = run_twice(tmp_path / "plain", "ix")
    fast_docs, plain_docs = live_documents(fast), live_documents(plain)
    assert len(fast_docs) == 30 and [d[0] for d in fast_docs] == [d[0] for d in plain_docs]
    # stored fields name the corpus path, the same relative name in both
    assert [d[1] for d in fast_docs] == [d[1] for d in plain_docs]
    assert answers(fast) == answers(plain)
    # the versions of the middle run are gone: no 양자암호 left, no new1
    assert dict(answers(fast))["양자암호"] == []


def test_a_table_that_does_not_match_the_segments_is_not_trusted(tmp_path):
    corpus = write(tmp_path / "corpus.jsonl", 1)
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    current = IndexLayout(index_dir).current()
    segments = whoosh_index.open_dir(str(current))._segments()
    numbers = stale.base_document_numbers(current, segments)
    assert numbers is not None and sorted(numbers.values()) == list(range(30))
    # each number is the document of that id
    ix = whoosh_index.open_dir(str(current))
    with ix.searcher() as searcher:
        assert all(searcher.stored_fields(docnum)["id"] == article for article, docnum in numbers.items())
    # only the ids asked for, at the same numbers; one not in the table is left out
    assert stale.base_document_numbers(current, segments, ["a7", "a3", "nowhere"]) == {
        "a3": numbers["a3"], "a7": numbers["a7"]}
    assert stale.base_document_numbers(current, segments, []) == {}

    def rewrite(change) -> None:
        path = current / grouping.GROUPS_FILE
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        change(arrays)
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)

    rewrite(lambda a: a.__setitem__("docnums", np.where(a["docnums"] == 4, -1, a["docnums"])))  # one missing
    assert stale.base_document_numbers(current, segments) is None
    rewrite(lambda a: a.__setitem__("docnums", np.where(a["docnums"] == -1, 5, a["docnums"])))  # one twice
    assert stale.base_document_numbers(current, segments) is None
    rewrite(lambda a: a.pop("docnums"))
    assert stale.base_document_numbers(current, segments) is None
    assert stale.base_document_numbers(None, segments) is None


@pytest.mark.parametrize("broken", ["missing", "deleted"])
def test_an_id_the_table_cannot_place_goes_through_delete_by_query(tmp_path, monkeypatch, broken):
    corpus = write(tmp_path / "corpus.jsonl", 1)
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    real = stale.base_document_numbers

    def numbers(base, segments, wanted=None):
        found = real(base, segments, wanted)
        if broken == "missing":
            found.pop("a3")
        else:  # the table names a document the segment has deleted already
            segments[0].delete_document(found["a3"])
        return found

    queried: list[str] = []
    monkeypatch.setattr(stale, "base_document_numbers", numbers)
    monkeypatch.setattr(stale, "Q", SimpleNamespace(
        Term=Q.Term, Or=lambda terms: queried.extend(t.text for t in terms) or Q.Or(terms)))
    write(corpus, 2)
    report = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert queried == ["a3"]
    assert report.total == 27
    ids = [d[0] for d in live_documents(index_dir)]
    assert "a3" not in ids and len(ids) == len(set(ids)) == 27
