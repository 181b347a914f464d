"""Queries as readers type them (issue 11, points 3-6): no empty page for words
that are in the index.  Each rule is checked on the engine and, where it shows,
in the JSON API (against the OpenAPI document), the CLI and the page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator

from query_fixtures import query_forms_index
from search.query.parser import QueryParser
from search.query.syntax import source_start
from search.query.tree import Not, Text, plain_words
from search.service import SearchService
from webui import create_app

DOCUMENT = json.loads((Path(__file__).resolve().parents[1] / "webui" / "openapi.json").read_text("utf-8"))
WIDENED_NONE = "모든 단어가 들어 있는 기사가 없어, 일부 단어가 빠진 기사를 보여 드립니다."


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return query_forms_index(tmp_path_factory)


@pytest.fixture(scope="module")
def svc(index_dir):
    return SearchService(index_dir, cache_size=0)


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app(index_dir).test_client()


def api(client, q: str, **params) -> dict:
    query = "&".join([f"q={quote(q)}"] + [f"{k}={quote(str(v))}" for k, v in params.items()])
    response = client.get("/api/search?" + query)
    assert response.status_code == 200, response.data[:300]
    data = response.json
    validator = Draft202012Validator({"$ref": "#/components/schemas/SearchResponse", "components": DOCUMENT["components"]})
    errors = list(validator.iter_errors(data))
    assert not errors, errors[0].message
    return data


def listed(data: dict) -> list[tuple[str, list[str]]]:
    return [(h["id"], h["missing"]) for h in data["hits"]]


# --- 3. progressive relaxation ----------------------------------------------


def test_words_no_article_holds_together_list_articles_with_some_of_them(client):
    # No article has both 삼성전자 and 반도체; each has some.
    data = api(client, "삼성전자 반도체")
    assert data["total"] == 0 and data["relaxed_total"] == 3
    assert sorted(listed(data)) == [("qf-chip", ["삼성전자"]), ("qf-chip-typhoon", ["삼성전자"]), ("qf-phone", ["반도체"])]
    assert WIDENED_NONE in data["notices"]
    # Nothing holds every word: the facets count the listed (relaxed) articles, and say so.
    assert data["facets_scope"] == "relaxed"
    assert {f["value"]: f["count"] for f in data["facets"]["press"]} == {"한국일보": 2, "매일경제": 1}


def test_articles_with_every_word_come_first_then_those_missing_fewest(client):
    data = api(client, "강경희 반도체")
    assert data["total"] == 1 and data["facets_scope"] == "strict"
    assert listed(data)[0] == ("qf-chip", [])
    assert {hit_id for hit_id, missing in listed(data)[1:]} == {"qf-chip-typhoon", "qf-phone"}
    assert all(missing for _, missing in listed(data)[1:])
    assert any("1건뿐이어서, 일부 단어가 빠진 기사를 이어서 보여 드립니다" in n for n in data["notices"])
    # The facets describe the one article with every word.
    assert [f["value"] for f in data["facets"]["press"]] == ["한국일보"]


def test_fewer_missing_words_rank_first(svc):
    # Three words: 반도체 공장 점검 holds all; the others miss one or two.
    result = svc.search("태풍 반도체 공장 수출")
    counts = [len(hit.missing) for hit in result.hits]
    assert counts == sorted(counts) and counts[0] <= 1


def test_a_full_page_is_never_widened(svc):
    result = svc.search("반도체 태풍 공장", size=1)
    assert result.total == 1 and result.relaxed_total == 0 and not result.notices


def test_pages_continue_into_the_relaxed_articles(svc):
    first, second = svc.search("삼성전자 반도체", size=2), svc.search("삼성전자 반도체", size=2, page=2)
    assert first.pages == 2 and len(first.hits) == 2 and len(second.hits) == 1
    assert {h.id for h in first.hits}.isdisjoint(h.id for h in second.hits)


def test_exclusions_and_filters_are_never_relaxed(client):
    data = api(client, "삼성전자 반도체 -스마트폰")
    assert data["hits"] and all(h["id"] != "qf-phone" for h in data["hits"])
    data = api(client, "삼성전자 반도체 언론사:매일경제")
    assert listed(data) == [("qf-phone", ["반도체"])]
    data = api(client, "삼성전자 반도체", press="한국일보")
    assert {h["press"] for h in data["hits"]} == {"한국일보"}
    data = api(client, "삼성전자 반도체 날짜:2024-03")
    assert {h["id"] for h in data["hits"]} == {"qf-phone", "qf-chip"}


def test_a_relaxed_article_holds_half_of_the_content_words(svc):
    # 반도체 스마트폰 태풍: only qf-chip-typhoon holds two of the three.
    result = svc.search("반도체 스마트폰 태풍")
    assert [(h.id, h.missing) for h in result.hits] == [("qf-chip-typhoon", ["스마트폰"])]


def test_a_digit_or_one_letter_word_never_carries_a_relaxed_hit(client):
    # qf-typhoon says 1일, 1시간, 1차: matching only `1` is no answer.
    data = api(client, "<script>alert(1)</script>")
    assert data["hits"] == [] and data["total"] == 0 and data["relaxed_total"] == 0
    assert api(client, "1 x 크리스마스")["hits"] == []


def test_keyboard_layout_guess_is_not_corrected_again(client):
    # dkssud (안녕 on the Latin layout) must not end in a suggestion of 안경.
    # The index has no word 안녕, but qf-assembly spells it (안녕히): the
    # layout guess finds that article by its spelling (search.query.spelled)
    # and stays what it is.
    data = api(client, "dkssud")
    assert (data["query"], data["rewritten_from"]) == ("안녕", "dkssud")
    assert [h["id"] for h in data["hits"]] == ["qf-assembly"] and data["suggestion"] is None


def test_questions_keep_their_ranked_or(svc):
    result = svc.search("반도체 수출은 얼마나 늘었나?")
    assert result.relaxed_total == 0 and result.hits[0].id == "qf-chip"
    assert all(hit.missing == [] for hit in result.hits)


# --- 4. pasted headlines ----------------------------------------------------


@pytest.mark.parametrize("text, source", [
    ("원전 수출 30조 육박 - 뉴스웍스", " - 뉴스웍스"),
    ("한국은행 기준금리 동결 | 한국일보", " | 한국일보"),
    ("태풍 경보 발령 / YTN", " / YTN"),
    ("이-팔 전쟁에 국제유가 급등 / 연합뉴스TV (YonhapnewsTV) - 연합뉴스TV", " / 연합뉴스TV (YonhapnewsTV) - 연합뉴스TV"),
])
def test_a_trailing_source_is_recognised(text, source):
    start = source_start(text)
    assert start is not None and text[start:] == source


def test_two_words_around_a_dash_and_an_or_are_no_source():
    assert source_start("삼성 - 애플") is None
    assert source_start("삼성 | 엘지 | LG") is None
    parsed = QueryParser().parse("삼성 | 엘지 | LG")
    assert [t.text for t in parsed.node.nodes] == ["삼성", "엘지", "LG"] and not any(t.source for t in parsed.node.nodes)


@pytest.mark.parametrize("headline", [
    "한국은행 기준금리 동결 결정 - 한국일보",
    "한국은행 기준금리 동결 결정 | 한국일보",
    "[한국일보] 한국은행 기준금리 동결 결정",
])
def test_a_known_press_in_the_source_is_preferred_not_required(client, headline):
    data = api(client, headline, collapse=0)  # one story by two presses: listed apart
    assert [h["id"] for h in data["hits"]][:2] == ["qf-rate-hk", "qf-rate-mk"]  # both listed, 한국일보 first
    assert data["total"] == 2


def test_the_other_press_is_preferred_by_its_own_source(client):
    data = api(client, "한국은행 기준금리 동결 결정 - 매일경제", collapse=0)
    assert [h["id"] for h in data["hits"]][:2] == ["qf-rate-mk", "qf-rate-hk"]
    # Folded (the default), the preferred press heads the story and the other is its member.
    folded = api(client, "한국은행 기준금리 동결 결정 - 매일경제")
    assert folded["hits"][0]["id"] == "qf-rate-mk"
    assert [m["id"] for m in folded["hits"][0]["group"]["members"]] == ["qf-rate-hk"]


@pytest.mark.parametrize("headline, article", [
    ("이-팔 전쟁에 국제유가 급등 / 연합뉴스TV (YonhapnewsTV) - 연합뉴스TV", "qf-war"),
    ("[OSEN] 원로 시인 김철수 별세", "qf-poet"),
    ("원로 시인 김철수 별세… #추모 🙏", "qf-poet"),
    ("e-스포츠 대회 관중 10만 명 돌파 - 뉴스웍스", "qf-esports"),
    ("SK하이닉스·반도체 수출 사상 최대", "qf-chip"),
    ("【속보】 태풍 경보 발령, 남해안 비상", "qf-typhoon"),
])
def test_pasted_headlines_find_their_article_first(svc, headline, article):
    result = svc.search(headline)
    assert result.hits and result.hits[0].id == article and result.hits[0].missing == []


def test_the_article_whose_title_is_the_query_comes_first(svc):
    # The column says every word of the headline three times; the article is titled with it.
    searcher = svc.generation().searcher()
    first_stage = searcher.search(svc.parser.compile(svc.parser.parse("여름 해수욕장 안전 점검 실시")).query, limit=2)
    assert searcher.stored_fields(first_stage.top_n[0][1])["id"] == "qf-beach-column"
    assert [h.id for h in svc.search("여름 해수욕장 안전 점검 실시").hits] == ["qf-beach", "qf-beach-column"]


def test_title_overlap_is_one_only_for_the_same_words(svc):
    from search.headline import title_overlap

    searcher = svc.generation().searcher()
    number = {searcher.stored_fields(d)["id"]: d for d in range(searcher.doc_count_all())}
    terms = [t for t, *_ in svc.parser.analyzer.token_tuples("여름 해수욕장 안전 점검 실시")]
    overlap = title_overlap(searcher, [number["qf-beach"], number["qf-beach-column"], number["qf-poet"]], terms)
    assert overlap[number["qf-beach"]] == pytest.approx(1.0)
    assert number["qf-beach-column"] not in overlap and number["qf-poet"] not in overlap
    partial = title_overlap(searcher, [number["qf-beach"]], terms[:2] + ["반도체"])
    assert 0 < partial[number["qf-beach"]] < 0.5


@pytest.mark.parametrize("q", ["이-팔 전쟁", "e-스포츠 관중", "유가 - 전쟁"])
def test_a_hyphen_in_or_between_words_is_no_exclusion(svc, q):
    parsed = QueryParser().parse(q)
    nodes = parsed.node.nodes if hasattr(parsed.node, "nodes") else [parsed.node]
    assert not any(isinstance(n, Not) for n in nodes)
    assert svc.search(q).total >= 1


def test_a_minus_before_a_word_still_excludes(svc):
    parsed = QueryParser().parse("반도체 -태풍")
    assert isinstance(parsed.node.nodes[1], Not)
    assert [h.id for h in svc.search("반도체 -태풍").hits] == ["qf-chip"]


# --- 5. quotes that are speech ------------------------------------------------


@pytest.mark.parametrize("quoted", ['"집값 반드시 잡겠다"', "“집값 반드시 잡겠다”", "‘집값 반드시 잡겠다’",
                                    "'집값 반드시 잡겠다'", "「집값 반드시 잡겠다」"])
def test_every_kind_of_quote_is_a_phrase(svc, quoted):
    parsed = QueryParser().parse(f"국토부 장관 {quoted}")
    phrases = [n for n in parsed.node.nodes if isinstance(n, Text) and n.phrase]
    assert [p.text for p in phrases] == ["집값 반드시 잡겠다"]
    result = svc.search(f"국토부 장관 {quoted}")
    assert [h.id for h in result.hits] == ["qf-housing"] and not result.notices


def test_an_apostrophe_inside_a_word_is_no_quote():
    parsed = QueryParser().parse("don't 반도체")
    assert [(w.text, w.phrase) for w in plain_words(parsed.node)] == [("don't", False), ("반도체", False)]


@pytest.mark.parametrize("quoted", ['"집값 꼭 잡겠다"', "“집값 꼭 잡겠다”며", "‘집값 꼭 잡겠다’", "「집값 꼭 잡겠다」"])
def test_a_quote_the_article_paraphrases_falls_back_to_words(client, quoted):
    data = api(client, f"국토부 장관 {quoted}")
    bare = quoted.rstrip("며")
    assert f"{bare}이(가) 그대로 들어간 기사가 없어 따옴표 없이 찾았습니다." in data["notices"]
    assert data["hits"][0]["id"] == "qf-housing"
    assert data["hits"][0]["missing"] == ["꼭"]


def test_exclusion_of_a_phrase_is_kept(svc):
    assert "qf-housing" not in [h.id for h in svc.search('장관 -"집값 반드시"').hits]


# --- 6. names -----------------------------------------------------------------


def test_a_reporter_name_matches_bylines_and_shows_a_card(client):
    data = api(client, "강경희")
    assert {h["id"] for h in data["hits"]} == {"qf-phone", "qf-chip"}  # the name is in no article's text
    card = data["reporter_card"]
    assert card["name"] == "강경희" and card["count"] == 2 and card["query"] == "기자:강경희"
    assert [a["id"] for a in card["recent"]] == ["qf-chip", "qf-phone"]  # newest first
    assert data["suggestion"] is None  # never "corrected" to 강창희


def test_a_name_with_gija_reads_as_a_byline(client):
    # 기자 is in no article's text: after a reporter's name it is how a byline reads.
    data = api(client, "강경희 기자")
    assert {h["id"] for h in data["hits"]} == {"qf-phone", "qf-chip"} and data["relaxed_total"] == 0
    assert data["reporter_card"]["name"] == "강경희"


def test_no_card_for_a_name_among_other_words(client):
    assert api(client, "강경희 반도체")["reporter_card"] is None
    assert api(client, "반도체")["reporter_card"] is None


def test_did_you_mean_leaves_reporter_and_press_names_alone(svc):
    assert svc.search("강경희 태풍").suggestion is None
    assert svc.search("한국일보 스마트폰").suggestion is None


def test_a_correction_is_applied_only_when_the_query_finds_nothing(client):
    data = api(client, "삼성젼자")
    assert (data["query"], data["rewritten_from"]) == ("삼성전자", "삼성젼자") and data["hits"][0]["id"] == "qf-phone"
    # With exact=1 the word is searched as typed and the correction offered.
    data = api(client, "삼성젼자", exact=1)
    assert data["hits"] == [] and data["suggestion"] == "삼성전자" and data["rewritten_from"] is None


# --- the CLI and the page -----------------------------------------------------


def test_cli_json_shows_missing_words_and_notices(index_dir, capsys):
    from search.cli import main

    assert main(["search", "삼성전자 반도체", "--json", "--index", str(index_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 0 and data["relaxed_total"] == 3
    assert WIDENED_NONE in data["notices"]
    assert {"반도체"} in [set(h["missing"]) for h in data["hits"]]
    assert main(["search", "강경희", "--index", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "* 강경희 기자 · 기사 2건 (기자:강경희)" in out
    assert main(["search", "원로 시인 타계", "--index", str(index_dir)]) == 0
    assert "빠진 검색어: 타계" in capsys.readouterr().out


def page(client, q: str) -> BeautifulSoup:
    response = client.get("/search?q=" + quote(q))
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_page_strikes_through_the_missing_word(client):
    soup = page(client, "원로 시인 타계")
    hit = soup.select_one("ol.hits > li")
    assert "원로 시인 김철수 별세" in hit.get_text()
    assert [s.get_text() for s in hit.select(".hit-missing s")] == ["타계"]
    assert "빠진 검색어" in hit.select_one(".hit-missing").get_text()
    assert WIDENED_NONE in [p.get_text() for p in soup.select(".notice")]
    assert "일부 단어가 빠진 기사 1건" in soup.select_one(".summary-relaxed").get_text()


def test_page_shows_the_reporter_card(client):
    soup = page(client, "강경희")
    card = soup.select_one(".reporter-card")
    text = " ".join(card.get_text().split())
    assert text.startswith("강경희 기자 · 기사 2건 · 최근 기사")
    link = card.select_one("a.reporter-card-name")
    assert parse_qs(urlparse(link["href"]).query)["q"] == ["기자:강경희"]


def test_page_says_which_correction_was_searched(client):
    soup = page(client, "삼성젼자")
    notice = " ".join(soup.select_one(".rewritten").get_text().split())
    assert notice == "삼성전자(으)로 검색한 결과입니다 · 삼성젼자 검색결과 보기"
