"""Autocomplete (search/autocomplete.py, GET /api/suggest): completions by
prefix (at keystroke level, so half-composed syllables count), by 초성 and by
the keyboard-layout rewrite, ranked by articles then recency; and the API's
answers against its OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from search.autocomplete import Completions, build, keystrokes
from search.indexer import reindex
from search.service import SearchService
from web_fixtures import web_index
from webui import create_app

DOCUMENT = json.loads((Path(__file__).resolve().parents[1] / "webui" / "openapi.json").read_text("utf-8"))


def table(*entries) -> Completions:
    """Entries as (text, kind, documents, latest day)."""
    return Completions([(text, text, kind, count, day) for text, kind, count, day in entries])


def texts(found) -> list[str]:
    return [s.text for s in found]


# ---------------------------------------------------------------- the table alone

def test_prefix_matches_half_composed_syllables():
    completions = table(("삼성전자", "term", 5, 1), ("삼양식품", "term", 3, 1), ("사과", "term", 1, 1))
    assert texts(completions.suggest("삼성")) == ["삼성전자"]
    # What an IME shows on the way to 삼성: 사, 삼, 삼ㅅ, 삼서.
    assert texts(completions.suggest("사")) == ["삼성전자", "삼양식품", "사과"]
    assert texts(completions.suggest("삼")) == ["삼성전자", "삼양식품"]
    assert texts(completions.suggest("삼ㅅ")) == ["삼성전자"]
    assert texts(completions.suggest("삼서")) == ["삼성전자"]
    assert completions.suggest("삼성SDI") == []


def test_initials_prefix():
    completions = table(("삼성전자", "term", 5, 1), ("삼성SDI", "term", 2, 1), ("서울시", "term", 9, 1))
    assert texts(completions.suggest("ㅅㅅ")) == ["삼성전자", "삼성SDI"]
    assert texts(completions.suggest("ㅅㅅㅈ")) == ["삼성전자"]
    assert texts(completions.suggest("ㅅㅇ")) == ["서울시"]


def test_layout_rewrite_only_when_the_latin_text_completes_nothing():
    completions = table(("삼성전자", "term", 5, 1), ("samsung", "term", 1, 1), ("놔두다", "term", 1, 1))
    assert texts(completions.suggest("tkatjd")) == ["삼성전자"]
    assert texts(completions.suggest("tkatjdwjs")) == ["삼성전자"]  # 삼성전: half a word
    assert texts(completions.suggest("sam")) == ["samsung"]       # a real Latin prefix wins
    assert texts(completions.suggest("shk")) == ["놔두다"]         # ㄴㅗㅏ: a compound vowel from two keys


def test_ranked_by_articles_then_recency_then_text():
    completions = table(("경제", "term", 2, 100), ("경기", "term", 7, 1), ("경찰", "term", 2, 300), ("경로", "term", 2, 300))
    assert texts(completions.suggest("경")) == ["경기", "경로", "경찰", "경제"]
    assert texts(completions.suggest("경", limit=2)) == ["경기", "경로"]


def test_one_entry_per_text_the_more_frequent_kind():
    completions = Completions([("이서연", "이서연", "term", 1, 5), ("이서연", "기자:이서연", "reporter", 4, 5)])
    [only] = completions.suggest("이서")
    assert (only.kind, only.query, only.count) == ("reporter", "기자:이서연", 4)


def test_limit_over_a_wide_range_keeps_the_best():
    entries = [(f"가{i:05d}", "term", i % 97 + 1, i) for i in range(5000)]
    completions = table(*entries)
    best = sorted(entries, key=lambda e: (-e[2], -e[3], e[0]))[:10]
    assert texts(completions.suggest("가")) == [e[0] for e in best]


def test_nothing_for_blank_or_unknown():
    completions = table(("삼성전자", "term", 5, 1))
    assert completions.suggest("") == []
    assert completions.suggest("   ") == []
    assert completions.suggest("없는말") == []
    assert completions.suggest("삼", limit=0) == []


def test_keystrokes_split_compound_jamo():
    assert keystrokes("왕") == "ㅇㅗㅏㅇ"
    assert keystrokes("ㅘ") == "ㅗㅏ"
    assert keystrokes("SK 하이닉스") == keystrokes("sk 하이닉스")


# ---------------------------------------------------------------- built from an index

@pytest.fixture(scope="module")
def suggest_service(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("suggest-corpus")
    articles = [
        # 삼성전자 heads three titles (one with a particle), SK하이닉스 one.
        {"id": "a1", "title": "삼성전자가 반도체 투자 확대", "press": "예시일보", "reporter": "박준호",
         "published": "2019-01-02T09:00:00+09:00", "body": "삼성전자가 반도체 투자를 늘린다."},
        {"id": "a2", "title": "삼성전자 반도체 실적 발표", "press": "예시일보", "reporter": "박준호",
         "published": "2019-01-05T09:00:00+09:00", "body": "삼성전자는 반도체 실적을 발표했다."},
        {"id": "a3", "title": "삼성전자 반도체 공장 증설", "press": "샘플 타임스", "reporter": "이서연",
         "published": "2019-02-01T09:00:00+09:00", "body": "삼성전자는 반도체 공장을 짓는다."},
        {"id": "a4", "title": "삼성SDI 배터리 공급", "press": "샘플 타임스", "reporter": "이서연",
         "published": "2019-03-01T09:00:00+09:00", "body": "삼성SDI가 배터리를 공급한다."},
        {"id": "a5", "title": "삼양식품 수출 증가", "press": "샘플 타임스", "reporter": "삼보람",
         "published": "2019-03-02T09:00:00+09:00", "body": "삼양식품의 수출이 늘었다."},
    ]
    with open(corpus / "articles.jsonl", "w", encoding="utf-8") as handle:
        for record in articles:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    index_dir = tmp_path_factory.mktemp("suggest-index")
    report = reindex([corpus], index_dir=index_dir, workers=1, progress=False)
    assert not report.failed
    return SearchService(index_dir)


def test_index_title_words_without_particles_phrases_reporters_presses(suggest_service):
    found = {s.text: s for s in suggest_service.suggest("삼", limit=10)}
    assert found["삼성전자"].count == 3 and found["삼성전자"].kind == "term"  # 삼성전자가 counted as 삼성전자
    assert "삼성전자가" not in found
    assert found["삼성전자 반도체"].kind == "phrase" and found["삼성전자 반도체"].count == 3
    assert found["삼보람"].kind == "reporter" and found["삼보람"].query == "기자:삼보람"
    assert texts(suggest_service.suggest("삼"))[:2] == ["삼성전자", "삼성전자 반도체"]
    [press] = suggest_service.suggest("샘플")
    assert (press.kind, press.query, press.count) == ("press", '언론사:"샘플 타임스"', 3)


def test_index_initials_and_layout(suggest_service):
    assert texts(suggest_service.suggest("ㅅㅅㅈ"))[0] == "삼성전자"
    assert {"삼성전자", "삼성SDI"} <= set(texts(suggest_service.suggest("ㅅㅅ")))
    assert texts(suggest_service.suggest("tkatjd"))[0] == "삼성전자"


def test_index_recency_breaks_ties(suggest_service):
    # 삼성SDI, 삼양식품 and 삼보람 are in one title each; the newest first.
    singles = [s.text for s in suggest_service.suggest("삼") if s.count == 1]
    assert singles.index("삼양식품") < singles.index("삼성SDI")


def test_a_new_generation_gets_a_new_table(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    path = corpus / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "title": "카카오 신작 공개", "body": "카카오가 신작을 공개했다."},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    reindex([corpus], index_dir=tmp_path / "ix", workers=1, progress=False)
    service = SearchService(tmp_path / "ix")
    assert texts(service.suggest("카카")) == ["카카오"]
    path.write_text(json.dumps({"id": "y", "title": "네이버 신작 공개", "body": "네이버가 신작을 공개했다."},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    reindex([corpus], index_dir=tmp_path / "ix", workers=1, progress=False, allow_shrink=True)
    assert service.suggest("카카") == []
    assert texts(service.suggest("네이")) == ["네이버"]


def test_a_slow_build_answers_nothing_until_ready_and_never_blocks_long(tmp_path, monkeypatch):
    import threading
    import time

    from search import autocomplete

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(json.dumps({"id": "x", "title": "카카오 신작 공개", "body": "카카오가 신작을 공개했다."},
                                               ensure_ascii=False) + "\n", encoding="utf-8")
    reindex([corpus], index_dir=tmp_path / "ix", workers=1, progress=False)
    service = SearchService(tmp_path / "ix")
    release = threading.Event()
    real_build = autocomplete.build
    builds = []

    def slow_build(reader):
        builds.append(1)
        release.wait(10)
        return real_build(reader)

    monkeypatch.setattr(autocomplete, "build", slow_build)
    monkeypatch.setattr(autocomplete.for_generation, "__defaults__", (0.05,))  # BUILD_WAIT, shortened
    began = time.perf_counter()
    assert service.suggest("카카") == []  # still building: nothing, at once
    assert service.suggest("카카") == []  # one build, not one per request
    assert time.perf_counter() - began < 2
    assert builds == [1]
    release.set()
    table = autocomplete.for_generation(service.generation().path, wait=None)
    assert table is not None and texts(service.suggest("카카")) == ["카카오"]


# ---------------------------------------------------------------- the API

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return create_app(web_index(tmp_path_factory)).test_client()


def assert_document(data) -> None:
    schema = {"$ref": "#/components/schemas/Suggestions", "components": DOCUMENT["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(data))
    assert not errors, errors[:3]


@pytest.mark.parametrize("typed", ["삼성", "ㅅㅅㅈ", "tkatjd"])
def test_api_suggests_samsung(client, typed):
    response = client.get("/api/suggest", query_string={"q": typed})
    assert response.status_code == 200
    data = response.get_json()
    assert_document(data)
    assert data["query"] == typed
    assert data["suggestions"][0]["text"] == "삼성전자"
    assert data["suggestions"][0]["count"] >= 2


def test_api_limit_and_bad_limit(client):
    data = client.get("/api/suggest", query_string={"q": "ㅅ", "limit": "2"}).get_json()
    assert len(data["suggestions"]) <= 2
    for bad in ("0", "11", "x", ""):
        response = client.get("/api/suggest", query_string={"q": "삼", "limit": bad})
        assert response.status_code == 400
        assert response.get_json()["error"]["param"] == "limit"


def test_api_empty_query_suggests_nothing(client):
    data = client.get("/api/suggest").get_json()
    assert data == {"query": "", "suggestions": []}
