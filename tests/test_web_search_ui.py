"""The search page a newsroom reaches for (issue 14), through Flask's test client:
a new query starts without filters, Korean everywhere, period presets and typed
dates, the drilled-down chart, full facet lists (더보기), the home page's index
facts and computed examples, 원문 links, page sizes, relative times, rewrites.
(The index: tests/web_ui_fixtures.py.)"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from search.query.dates import parse_date_bound
from search.query.tree import QueryError
from web_ui_fixtures import IDN_URL, NEWEST, PRESSES, ui_index
from webui import create_app
from webui.formatting import readable_url, relative_time, short_text
from webui.periods import months_back

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return create_app(ui_index(tmp_path_factory)).test_client()


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    return BeautifulSoup(response.data.decode("utf-8"), "lxml")


def params_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def total_of(soup: BeautifulSoup) -> int:
    return int(soup.select_one(".summary-count strong").get_text().replace(",", ""))


EV = quote("전기차")


# --- (3) a new query starts without filters --------------------------------------


def test_a_new_query_from_the_box_drops_the_filters(client):
    response = client.get(f"/search?box=1&q={quote('반도체')}&reporter={quote('김민지')}&from=2020&sort=newest")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/search?q={quote('반도체')}&sort=newest"


def test_results_within_results_keep_the_filters(client):
    response = client.get(f"/search?box=1&within=1&q={quote('수출')}&reporter={quote('김민지')}&from=2020")
    assert response.status_code == 303
    landing = response.headers["Location"]
    assert params_of(landing) == {"q": ["수출"], "reporter": ["김민지"], "from": ["2020"]}
    assert total_of(page(client, landing)) == 12


def test_without_filters_the_box_sends_just_the_query(client):
    form = page(client, f"/search?q={EV}").select_one("form[role=search]")
    assert form.select("input[type=hidden]") == []
    assert form.select_one("input[name=within]") is None  # nothing to keep


# --- (6) Korean everywhere ----------------------------------------------------------


@pytest.mark.parametrize("url, korean, code", [
    ("/search?q=x&from=2018-13-45", "없는 날짜", "impossible_date"),
    ("/search?q=x&from=yesterday", "날짜로 읽을 수 없습니다", "invalid_date"),
    ("/search?q=x&from=2019-03&to=2019-01", "시작 날짜가 끝 날짜보다 늦습니다", "date_order"),
    ("/search?q=x&page=0", "페이지 번호", "out_of_range"),
    ("/search?q=x&size=abc", "숫자가 아닙니다", "invalid_number"),
])
def test_bad_values_are_explained_in_korean_and_coded_in_the_api(client, url, korean, code):
    alert = page(client, url, status=400).select_one("[role=alert]").get_text()
    assert korean in alert
    assert "is not" not in alert and "must be" not in alert
    error = client.get("/api" + url).json["error"]
    assert error["code"] == code and error["message"]  # English message kept for API clients


def test_error_pages_do_not_repeat_their_title(client):
    soup = page(client, "/no/such/page", status=404)
    assert soup.h1.get_text() == "페이지를 찾을 수 없습니다"
    message = soup.select_one(".error-message").get_text()
    assert message and message != soup.h1.get_text() and "검색" in message
    assert client.get("/api/articles/nope").json["error"]["code"] == "not_found"


def test_a_cached_result_shows_no_timing(client):
    first = page(client, f"/search?q={quote('배터리 공장')}")
    assert first.select_one(".summary-time").get_text().endswith("초)")
    again = page(client, f"/search?q={quote('배터리 공장')}")
    assert again.select_one(".summary-time") is None
    assert "0.000초" not in again.get_text()


def test_related_entries_not_in_the_index_are_plain_titles(client):
    soup = page(client, "/articles/web-ai-cloud")
    unlinked = soup.select("nav.related li.unlinked")
    assert unlinked and all(li.a is None for li in unlinked)
    assert "색인에 없음" not in " ".join(li.get_text() for li in unlinked)
    assert soup.select_one("#related-listed").get_text().count("색인에 없는") == 1


def test_original_url_is_shown_decoded_with_the_href_unchanged(client):
    soup = page(client, "/articles/ui-idn")
    link = soup.select_one(".original a")
    assert link["href"] == IDN_URL
    assert link.get_text() == "https://실례.한국/기사/전기차?id=7"


def test_a_long_query_is_shortened_in_the_heading_and_whole_in_the_box(client):
    q = "전기차 " * 400
    soup = page(client, "/search?q=" + quote(q))
    heading = soup.select_one(".summary-query").get_text()
    assert len(heading) < 70 and heading.endswith("…’")
    assert soup.select_one("input#q")["value"] == q.strip()
    assert len(soup.title.get_text()) < 100


# --- (1) period ---------------------------------------------------------------------


@pytest.mark.parametrize("text, first, last", [
    ("2018", date(2018, 1, 1), date(2018, 12, 31)),
    ("2018-03", date(2018, 3, 1), date(2018, 3, 31)),
    ("2018.03.01", date(2018, 3, 1), date(2018, 3, 1)),
    ("20180301", date(2018, 3, 1), date(2018, 3, 1)),
    ("201802", date(2018, 2, 1), date(2018, 2, 28)),
    ("2018년 3월", date(2018, 3, 1), date(2018, 3, 31)),
    ("2018년 3월 1일", date(2018, 3, 1), date(2018, 3, 1)),
    ("2018. 3. 1.", date(2018, 3, 1), date(2018, 3, 1)),
    ("2018/3", date(2018, 3, 1), date(2018, 3, 31)),
])
def test_date_forms(text, first, last):
    assert parse_date_bound(text, upper=False) == first
    assert parse_date_bound(text, upper=True) == last


@pytest.mark.parametrize("text, code", [
    ("2018-02-30", "impossible_date"), ("2018년 13월", "impossible_date"), ("3월", "invalid_date"),
    ("2018-03-01-02", "invalid_date"), ("2018031", "invalid_date"), ("", "invalid_date"),
])
def test_bad_date_forms(text, code):
    with pytest.raises(QueryError) as raised:
        parse_date_bound(text, upper=False, param="from")
    assert raised.value.code == code and raised.value.param == "from"


def test_the_api_and_the_query_syntax_accept_the_same_forms(client):
    by_dashes = client.get("/api/search?from=2020-03&to=2020-04").json["total"]
    assert by_dashes == 2
    assert client.get("/api/search", query_string={"from": "2020년 3월", "to": "20200430"}).json["total"] == by_dashes
    assert client.get("/api/search", query_string={"q": "날짜:2020.03..2020.04"}).json["total"] == by_dashes


def test_dates_are_read_as_the_api_document_writes_them(client):
    """The OpenAPI pattern's spaces and digits are ECMAScript's, narrower than
    Python's: a control character Python calls a space (\x1d) or digits of another
    script are refused with the parameter named, never read as "no date"."""
    document = client.get("/api/openapi.json").json
    pattern = next(p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "to")
    assert "\\s" in pattern["schema"]["pattern"]  # the pattern this reading follows
    for value in ("\x1d", "2020\x1c", "\x852020", "\u0662\u0660\u0662\u0660"):
        response = client.get("/api/search", query_string={"to": value})
        assert response.status_code == 400, value
        assert response.json["error"]["param"] == "to" and response.json["error"]["code"] == "invalid_date"
    # The spaces the pattern does allow, around and inside a date, are still read.
    spaced = client.get("/api/search", query_string={"from": "\u3000 2020 . 03\ufeff", "to": "\t2020-04 "})
    assert spaced.status_code == 200 and spaced.json["total"] == 2


def test_presets_reach_back_from_the_newest_article(client):
    soup = page(client, f"/search?q={EV}")
    presets = soup.select(".presets a")
    assert [a.get_text(strip=True).split("(")[0] for a in presets] == ["전체", "1일", "1주", "1개월", "3개월", "1년"]
    assert "current" in presets[0]["class"]
    spans = {a.get_text(strip=True).split("(")[0]: params_of(a["href"]) for a in presets}
    assert spans["1일"]["from"] == spans["1일"]["to"] == ["2021-03-15"]
    assert spans["1주"]["from"] == ["2021-03-09"]
    assert spans["1개월"]["from"] == ["2021-02-16"] and spans["1년"]["from"] == ["2020-03-16"]
    day = page(client, presets[1]["href"])
    assert total_of(day) == 2  # the two articles of the newest day
    assert [a.get_text(strip=True).split("(")[0] for a in day.select(".presets a.current")] == ["1일"]


def test_months_back_clamps_to_the_month_end():
    assert months_back(date(2021, 3, 31), 1) == date(2021, 3, 1)
    assert months_back(date(2021, 1, 15), 3) == date(2020, 10, 16)


def test_typed_korean_dates_narrow_the_page(client):
    soup = page(client, "/search?from=" + quote("2020년 3월") + "&to=20200430")
    assert total_of(soup) == 2
    field = soup.select_one("input#range-from")
    assert field["value"] == "2020년 3월" and field["inputmode"] == "decimal"


def test_the_chart_drills_down_year_month_day(client):
    whole = page(client, "/search")
    assert "연도별" in whole.select_one(".chart-caption").get_text()
    ticks = [t.get_text() for t in whole.select("svg.histogram text.tick")]
    assert len(ticks) >= 3  # the axis is labelled between its ends
    year = page(client, "/search?from=2020&to=2020")
    assert "월별" in year.select_one(".chart-caption").get_text()
    assert len(year.select("svg.histogram a")) == 12
    month = page(client, "/search?from=2021-03&to=2021-03")
    assert "일별" in month.select_one(".chart-caption").get_text()
    bars = month.select("svg.histogram a")
    assert params_of(bars[0]["href"])["from"][0].count("-") == 2  # a bar is a day
    assert bars[0].select_one("text.bar-value").get_text().startswith("2021년 3월")


# --- (2) facets ---------------------------------------------------------------------


def test_facet_lists_show_ten_with_a_more_link(client):
    soup = page(client, f"/search?q={EV}")
    presses = soup.select("#facet-press ~ .facet-list li")
    assert len(presses) == 10
    more = soup.select_one("#facet-press ~ a.facet-more")
    full = page(client, more["href"])
    names = [s.get_text() for s in full.select(".facet-list-full .facet-name")]
    assert {"KBS", "MBC"} <= set(names) and len(names) == len(PRESSES)
    picked = next(a for a in full.select(".facet-list-full a") if a.select_one(".facet-name").get_text() == "MBC")
    assert params_of(picked["href"]) == {"q": ["전기차"], "press": ["MBC"]}


def test_the_more_page_filters_without_javascript(client):
    soup = page(client, f"/search/facets/press?q={EV}&contains=" + quote("kb"))
    assert [s.get_text() for s in soup.select(".facet-list-full .facet-name")] == ["KBS"]
    assert soup.select_one("label[for=facet-contains]").get_text().startswith("언론사")


def test_options_bar_links_into_the_filters(client):
    bar = page(client, f"/search?q={EV}&press=KBS").select_one("nav.options-bar")
    assert bar.select_one("a.options-open")["href"] == "#filters"
    labels = [a.get_text() for a in bar.select("ul a")]
    assert labels == ["관련도순", "전체 기간", "언론사 1", "기자"]


# --- (4) home page ------------------------------------------------------------------


def test_home_page_says_what_the_index_holds_and_its_examples_find_something(client):
    soup = page(client, "/")
    facts = {d.dt.get_text(): d.dd.get_text() for d in soup.select(".index-facts div")}
    assert facts["기간"].endswith("2021.03.15")
    assert facts["언론사"].endswith("곳") and int(facts["언론사"][:-1]) >= len(PRESSES)
    examples = soup.select(".examples li a")[:-1]
    assert len(examples) >= 3
    for link in examples:
        assert total_of(page(client, link["href"])) > 0, link.get_text()
    assert "전기차" in [a.get_text() for a in examples]  # the word of the newest headlines


# --- (7) results ---------------------------------------------------------------------


def test_each_hit_links_to_its_original(client):
    soup = page(client, f"/search?q={EV}&sort=newest")
    first = soup.select_one("ol.hits > li")
    assert first.select_one("a.hit-original")["href"] == "https://www.example.kr/newest"


def test_page_size_choice(client):
    soup = page(client, f"/search?q={EV}")
    links = soup.select("nav.page-size a")
    assert [a.get_text() for a in links] == ["10개씩", "20개씩", "50개씩"]
    bigger = page(client, links[1]["href"])
    assert len(bigger.select("ol.hits > li")) == min(20, total_of(bigger))
    assert bigger.select_one("nav.page-size a.current").get_text() == "20개씩"


def test_recent_articles_show_relative_times(client):
    soup = page(client, f"/search?q={EV}&sort=newest")
    times = [t.get_text() for t in soup.select("ol.hits time")]
    assert times[:2] == ["방금", "3시간 전"]
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}", times[2])


def test_display_helpers():
    assert relative_time("2021-03-15T17:15:00+09:00", NEWEST) == "45분 전"
    assert relative_time("2021-03-14T17:59:00+09:00", NEWEST) == "2021.03.14 17:59"
    assert readable_url("https://a.kr/%E2%80%AEgpj.exe") == "https://a.kr/%E2%80%AEgpj.exe"  # no hidden bidi
    assert readable_url("https://a.kr/%FF") == "https://a.kr/%FF"
    assert short_text("가" * 100).endswith("…") and len(short_text("가" * 100)) == 60


# --- (5) rewrites made visible -------------------------------------------------------


def test_initials_are_expanded_in_one_line_and_marked(client):
    soup = page(client, "/search?q=" + quote("ㅈㄱㅊ"))
    line = soup.select_one(".initials")
    assert " ".join(line.get_text().split()).startswith("‘ㅈㄱㅊ’ 초성 검색 → 전기차")
    assert params_of(line.a["href"]) == {"q": ["전기차"]}
    assert total_of(soup) > 0
    marked = {m.get_text() for m in soup.select("ol.hits .hit-title mark, ol.hits .snippet mark")}
    assert "전기차" in marked


def test_keyboard_layout_rewrite_is_one_line_with_a_way_back(client):
    soup = page(client, "/search?q=wjsrlck")  # 전기차 typed on the Latin layout
    line = soup.select_one(".rewritten")
    assert " ".join(line.get_text().split()).startswith("전기차(으)로 검색한 결과입니다 · wjsrlck 검색결과 보기")
    assert soup.select_one("input#q")["value"] == "전기차"
    assert params_of(line.a["href"]) == {"q": ["wjsrlck"], "exact": ["1"]}


# --- 결과 다운로드 ---------------------------------------------------------------------


def test_download_csv_has_a_bom_every_page_and_a_named_file(client):
    soup = page(client, f"/search?q={EV}&press=KBS&press=MBC&collapse=0")  # every article, each story's copies too
    link = soup.select_one(".downloads a")
    assert params_of(link["href"])["format"] == ["csv"]
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8"))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("뉴스검색_전기차_언론사-KBS_언론사-MBC.csv") in disposition
    import csv
    import io
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0] == ["rank", "id", "title", "press", "reporters", "published", "url", "snippet"]
    assert {row[3] for row in table[1:]} == {"KBS", "MBC"} and len(table) - 1 == 5
    assert all("<mark>" not in row[7] for row in table[1:])


def test_download_is_every_page_of_the_result(client):
    data = client.get("/api/search?format=json&sort=oldest").get_json()
    assert data["total"] == data["exported"] > 10 and data["limit"] == 1000
    assert [h["rank"] for h in data["hits"]] == list(range(1, data["exported"] + 1))
    one_page = client.get("/api/search?sort=oldest&size=100").get_json()
    assert [h["id"] for h in data["hits"]] == [h["id"] for h in one_page["hits"]]


def test_download_walks_the_pages_in_order(client):
    from search.service import SearchRequest
    from webui.export import all_hits

    service = client.application.extensions["news_search"]
    whole = service.search(SearchRequest(q="전기차", size=100))
    first, paged = all_hits(service, SearchRequest(q="전기차"), page_size=7)  # three pages and a bit
    assert first.total == whole.total == len(paged) > 14
    assert [h.id for h in paged] == [h.id for h in whole.hits]


def test_csv_cells_never_run_as_formulas():
    from webui.export import _cell

    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("-협력") == "'-협력" and _cell("삼성") == "삼성"


def test_unknown_format_is_a_400(client):
    error = client.get("/api/search?format=xml").get_json()["error"]
    assert error["param"] == "format" and error["code"] == "invalid_choice"


# --- 상세검색 ----------------------------------------------------------------------------


def test_advanced_form_writes_query_syntax_into_the_box(client):
    form = page(client, "/search/advanced")
    labels = [label.get_text() for label in form.select(".advanced-form label")]
    assert labels[:6] == ["정확히 일치하는 문구", "모두 포함", "하나 이상 포함", "제외할 단어", "기자", "언론사"]
    response = client.get("/search/advanced", query_string={
        "phrase": "배터리 공장", "all": "전기차", "any": "착공 개편", "none": "보조금", "press": "지역01일보",
        "from": "2021년 3월", "to": "",
    })
    assert response.status_code == 303
    landing = response.headers["Location"]
    q = '전기차 "배터리 공장" (착공 OR 개편) -보조금 언론사:지역01일보'
    assert params_of(landing) == {"q": [q], "from": ["2021년 3월"]}
    soup = page(client, landing)
    assert soup.select_one("input#q")["value"] == q  # the box teaches the syntax
    assert total_of(soup) == 1


def test_advanced_form_quotes_names_and_drops_syntax_characters():
    from webui.advanced import AdvancedForm

    assert AdvancedForm(reporter="홍 길동").query() == '기자:"홍 길동"'
    assert AdvancedForm(all='"a" (b', any="c", none="-d").query() == "a b c -d"
    assert AdvancedForm().query() == ""


def test_every_page_links_to_the_advanced_form(client):
    for url in ("/", f"/search?q={EV}"):
        assert page(client, url).select_one("a.advanced-link")["href"] == "/search/advanced"


def test_the_article_page_back_link_shortens_a_long_query(client):
    q = "전기차 " * 400
    back = page(client, "/articles/ui-newest?q=" + quote(q) + "&rank=1").select_one("a.back").get_text()
    assert back.startswith("← 검색 결과 ‘전기차") and len(back) < 45
