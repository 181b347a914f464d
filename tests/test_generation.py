"""Everything of one index generation hangs on its generation object: a swap
to an index built with another analyzer searches with that analyzer, and the
generation carries the user dictionary it was built with."""

import json

import pytest

from search.analysis.userdict import fingerprint
from search.indexer import reindex
from search.service import SearchService

ARTICLES = [
    {"id": "g1", "title": "반도체 수출 늘었다", "body": "반도체 수출이 크게 늘었다고 정부가 밝혔다.", "press": "예시일보"},
    {"id": "g2", "title": "시장 소식", "body": "시장에서 협력 방안을 논의했다.", "press": "가상신문"},
]


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), "utf-8")
    return folder


def test_a_swap_to_another_analyzer_analyses_queries_with_it(corpus, tmp_path):
    pytest.importorskip("kiwipiepy", reason="the kiwi analyzer is an optional extra")
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    service = SearchService(index_dir, cache_size=0)
    first = service.generation()
    assert first.backend == "mecab" and first.userdict == fingerprint()
    assert [h.id for h in service.search("반도체").hits] == ["g1"]

    reindex([corpus], index_dir=index_dir, workers=1, backend="kiwi")
    second = service.generation()
    assert second is not first and second.backend == "kiwi" and second.userdict is None
    assert second.parser is not first.parser
    assert second.parser.analyzer is not first.parser.analyzer
    assert [h.id for h in service.search("반도체").hits] == ["g1"]
    assert [h.id for h in service.search("협력").hits] == ["g2"]


def test_an_explicit_backend_overrides_the_manifest(corpus, tmp_path):
    pytest.importorskip("kiwipiepy", reason="the kiwi analyzer is an optional extra")
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    assert SearchService(index_dir).generation().backend == "mecab"
    overridden = SearchService(index_dir, backend="kiwi").generation()
    assert overridden.backend == "kiwi" and overridden.parser.analyzer.items[0].backend == "kiwi"
