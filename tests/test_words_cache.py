"""A search reads its query text with the index's look-up (the compiler) and
without it (the question test, the marked terms) in turns; the last few
readings are kept per thread (search.query.words), so each is made once per
search, and the answers are those of a cache of one reading."""

from __future__ import annotations

import pytest

from columnar_fixtures import build_layouts
from search import SearchService, search_result_json
from search.query import words as words_module

QUERIES = ["정부 투자", "경제정책 협력", "\"시장 경제\"", "인공지능은 무엇인가?", "정부 -학교", "AI 정책"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_layouts(tmp_path_factory.mktemp("words"))[2]  # the layout with deletions


def answers(index, monkeypatch, kept: int) -> tuple[list, int]:
    monkeypatch.setattr(words_module, "ANALYSES_KEPT", kept)
    service = SearchService(index, cache_size=0)
    service.warm()
    analyser = service.generation().parser.analyzer
    calls = []
    original = analyser.query_token_tuples
    monkeypatch.setattr(analyser, "query_token_tuples",
                        lambda text, known=None: calls.append((text, known is None)) or original(text, known))
    found = []
    for q in QUERIES:
        result = search_result_json(service.search(q))
        result.pop("took_ms")
        found.append(result)
    monkeypatch.setattr(analyser, "query_token_tuples", original)
    return found, calls


def test_each_reading_once_per_search_and_the_same_answers(index, monkeypatch):
    kept, kept_calls = answers(index, monkeypatch, words_module.ANALYSES_KEPT)
    one, one_calls = answers(index, monkeypatch, 1)
    assert kept == one
    assert sum(r["total"] for r in kept) > 0
    # Each text read once with the look-up and once without it; one kept reading read them again.
    assert len(kept_calls) == len(set(kept_calls))
    assert len(one_calls) > len(kept_calls)
