"""A reporter's name typed with a particle (강경희가, 강경희의 기사) finds that
reporter's bylines, as the bare name does: the engine, the JSON API, the
relaxation and the reporter card all read the same stem.  The fixture's
reporter names appear in no article's text, so only the bylines can match."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from search.query.bylines import byline_name, byline_titles, is_byline_title, reporter_names
from search.query.compile import compile_query
from search.query.parser import QueryParser
from search.service import SearchService
from webui import create_app

from reindex_fixtures import index_of

ARTICLES = [
    {"id": "by-port", "title": "부산항 물동량 역대 최대", "press": "부산일보", "reporter": "강경희",
     "published": "2024-03-02T09:00:00+09:00", "body": "부산항의 컨테이너 물동량이 지난해 역대 최대를 기록했다."},
    {"id": "by-ship", "title": "조선업 수주 회복세", "press": "부산일보", "reporter": "강경희",
     "published": "2024-04-02T09:00:00+09:00", "body": "국내 조선사들의 선박 수주가 회복세를 보이고 있다."},
    {"id": "by-rice", "title": "쌀값 하락에 농가 시름", "press": "농민신문", "reporter": "이가영",
     "published": "2024-05-02T09:00:00+09:00", "body": "산지 쌀값이 떨어지면서 농가의 시름이 깊어졌다."},
    {"id": "by-apple", "title": "사과 수확 앞당겨", "press": "농민신문", "reporter": "김하나",
     "published": "2024-06-02T09:00:00+09:00", "body": "이상 고온으로 사과 수확 시기가 앞당겨졌다."},
    # 김하 is a reporter too: 김하나 (나 looks like a particle) must never be read as 김하 + 나.
    {"id": "by-pear", "title": "배 가격 안정", "press": "농민신문", "reporter": "김하",
     "published": "2024-06-03T09:00:00+09:00", "body": "배 가격이 추석을 앞두고 안정세를 보였다."},
    {"id": "by-grape", "title": "포도 농가 일손 부족", "press": "농민신문", "reporter": "김하은",
     "published": "2024-07-02T09:00:00+09:00", "body": "포도 농가들이 수확철 일손 부족을 호소했다."},
    # An article that says 기사 and 기자: after a name those words ask for the
    # reporter's bylines, so this article is no answer to 강경희의 기사.
    {"id": "by-notice", "title": "정정 보도", "press": "부산일보", "reporter": "박민수",
     "published": "2024-08-02T09:00:00+09:00", "body": "지난 기사에서 기자가 잘못 적은 수출 통계를 바로잡습니다."},
    {"id": "by-export", "title": "반도체 수출 증가", "press": "부산일보", "reporter": "박민수",
     "published": "2024-08-03T09:00:00+09:00", "body": "반도체가 수출 증가를 이끌었다."},
]
KANG = {"by-port", "by-ship"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return index_of(tmp_path_factory, "byline", ARTICLES)


@pytest.fixture(scope="module")
def svc(index_dir):
    return SearchService(index_dir, cache_size=0)


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app(index_dir).test_client()


def api(client, q: str) -> dict:
    response = client.get("/api/search?q=" + quote(q))
    assert response.status_code == 200, response.data[:300]
    return response.json


def ids(data: dict) -> set[str]:
    return {h["id"] for h in data["hits"]}


def test_no_name_is_in_any_body():
    bodies = " ".join(a["title"] + " " + a["body"] for a in ARTICLES)
    assert not any(a["reporter"] in bodies for a in ARTICLES)


# --- the reading of a word, on its own


BYLINES = {"강경희", "이가영", "김하나", "김하", "김하은"}


@pytest.mark.parametrize("word, name", [
    ("강경희", "강경희"), ("강경희가", "강경희"), ("강경희는", "강경희"), ("강경희의", "강경희"),
    ("강경희에게", "강경희"), ("김하나", "김하나"), ("김하나가", "김하나"), ("김하은", "김하은"),
    ("김하은은", "김하은"), ("이가영", "이가영"), ("이가영이", "이가영"), ("이가영의", "이가영"),
    ("반도체가", None), ("수출의", None), ("ㄱㄱㅎ", None),
    # a particle that does not fit the stem's last syllable, on a name only
    ("이가영가", "이가영"), ("이가영는", "이가영"), ("강경희이", "강경희"),
])
def test_a_word_names_the_byline_as_typed_or_without_its_particle(word, name):
    assert byline_name(word, BYLINES.__contains__) == name


def test_title_words_after_a_name_are_gija_and_gisa_with_or_without_a_particle():
    assert all(is_byline_title(w) for w in ("기자", "기자의", "기자가", "기사", "기사를"))
    assert not any(is_byline_title(w) for w in ("기자회견", "수출", "기"))
    parsed = QueryParser().parse("강경희의 기사 수출")
    names = reporter_names(parsed, BYLINES.__contains__)
    assert names == {"강경희의": "강경희"}
    titles = byline_titles(parsed.node, names)
    assert [w.text for w in parsed.node.nodes if id(w) in titles] == ["기사"]
    parsed = QueryParser().parse("기사 강경희 기자의 기사 수출 기자")
    titles = byline_titles(parsed.node, reporter_names(parsed, BYLINES.__contains__))
    assert [i for i, w in enumerate(parsed.node.nodes) if id(w) in titles] == [2, 3]  # only the run after the name


# --- the search, end to end


@pytest.mark.parametrize("q", ["강경희가", "강경희는", "강경희의", "강경희에게", "강경희 기자의", "강경희의 기사",
                               "강경희 기자", "강경희의 기사를", "강경희 기자의 기사"])
def test_a_name_with_a_particle_finds_exactly_the_reporters_articles(client, q):
    bare = api(client, "강경희")
    assert ids(bare) == KANG
    data = api(client, q)
    assert ids(data) == KANG and data["total"] == 2 and data["relaxed_total"] == 0
    assert all(h["missing"] == [] for h in data["hits"])
    card = data["reporter_card"]
    assert card is not None and card["name"] == "강경희" and card["count"] == 2 and card["query"] == "기자:강경희"
    assert data["suggestion"] is None  # a name is no typo


@pytest.mark.parametrize("q, expected", [
    ("김하나", {"by-apple"}), ("김하나가", {"by-apple"}), ("김하나의 기사", {"by-apple"}),
    ("김하", {"by-pear"}), ("김하가", {"by-pear"}),
    ("김하은", {"by-grape"}), ("김하은은", {"by-grape"}), ("김하은의", {"by-grape"}),
    ("이가영", {"by-rice"}), ("이가영이", {"by-rice"}), ("이가영 기자에게", {"by-rice"}),
    ("이가영가", {"by-rice"}), ("이가영는", {"by-rice"}),
])
def test_a_name_ending_like_a_particle_is_found_as_typed_and_with_a_particle(client, q, expected):
    data = api(client, q)
    assert ids(data) == expected and data["relaxed_total"] == 0
    reporter = next(a["reporter"] for a in ARTICLES if a["id"] in expected)
    assert data["reporter_card"]["name"] == reporter


def test_a_name_with_a_particle_ranks_and_relaxes_by_the_same_byline(client, svc):
    # 강경희는 수주: the strict hit first, the reporter's other article as relaxed, missing 수주.
    data = api(client, "강경희는 수주")
    assert [(h["id"], h["missing"]) for h in data["hits"]][0] == ("by-ship", [])
    assert data["total"] == 1
    relaxed = [(h["id"], h["missing"]) for h in data["hits"][1:]]
    assert ("by-port", ["수주"]) in relaxed
    assert data["reporter_card"] is None  # a name among other words
    compiled = compile_query(svc.generation().parser.parse("강경희는 수주"), svc.generation().parser,
                             svc.generation().searcher())
    assert compiled.reporter_names == frozenset({"강경희"})


def test_a_word_that_is_no_name_behaves_as_before(client, svc):
    data = api(client, "반도체가")
    assert ids(data) == {"by-export"} and data["reporter_card"] is None
    parser = svc.generation().parser
    compiled = compile_query(parser.parse("반도체가 수출의"), parser, svc.generation().searcher())
    assert compiled.reporter_names == frozenset()
    # 기사 is only a title word after a name: on its own it is a word to find.
    assert ids(api(client, "기사")) == {"by-notice"}


def test_the_page_shows_the_card_and_the_hits_for_a_name_with_a_particle(client):
    from bs4 import BeautifulSoup

    response = client.get("/search?q=" + quote("강경희의 기사"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    card = " ".join(soup.select_one(".reporter-card").get_text().split())
    assert card.startswith("강경희 기자 · 기사 2건 · 최근 기사")
    assert len(soup.select("ol.hits > li")) == 2
