"""The HTML pages through Flask's test client: the search page (query, hits,
marks, sort, paging, facets, histogram, chips, date range, did-you-mean, empty
results, errors), the article page (fields, highlighting, related navigation,
previous/next result), escaping and the security headers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.service import SearchService
from web_fixtures import (
    ALL_ARTICLES, NASTY_IDS, NASTY_QUERIES, SCRIPT_REPORTER, SCRIPT_TITLE, SEED_LINKED_TITLE, web_index,
)
from webui import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(web_index(tmp_path_factory))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def service(app) -> SearchService:
    return app.extensions["news_search"]


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.data.decode("utf-8"), "lxml")


def params_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def hit_ids(soup: BeautifulSoup) -> list[str]:
    return [urlsplit(a["href"]).path.rsplit("/", 1)[1] for a in soup.select("ol.hits .hit-title a")]


def total_of(soup: BeautifulSoup) -> int:
    return int(soup.select_one(".summary-count strong").get_text().replace(",", ""))


# --- home and search page ----------------------------------------------------


def test_home_page(client):
    soup = page(client, "/")
    assert soup.html["lang"] == "ko"
    form = soup.select_one("form[role=search]")
    assert form["action"] == "/search" and form["method"] == "get"
    box = form.select_one("input#q")
    assert box["name"] == "q" and soup.select_one("label[for=q]").get_text() == "검색어"
    assert f"{len(ALL_ARTICLES) + 1}" in soup.select_one(".home-lead").get_text()
    assert soup.select_one(".syntax-help")  # the query syntax is explained up front


def test_search_keeps_the_query_and_marks_inflected_forms(client):
    # (Narrowed to the seed's reporter: short fixture articles about 협력사 rank first.)
    soup = page(client, "/search?q=" + quote("협력 기자:조재범"))
    assert soup.select_one("input#q")["value"] == "협력 기자:조재범"
    assert "<mark>협력</mark>에" in str(soup.select_one("ol.hits"))  # the seed's 협력에
    assert len(soup.select("ol.hits > li")) == min(total_of(soup), 10)
    assert soup.select_one(".summary-time").get_text().strip().endswith("초)")


def test_hit_shows_title_link_press_reporters_date_and_snippet(client, service):
    soup = page(client, "/search?q=" + quote("삼성전자 협력"))
    seed_id = service.search("나델라").hits[0].id
    hit = next(li for li in soup.select("ol.hits > li") if seed_id in li.select_one(".hit-title a")["href"])
    link = hit.select_one(".hit-title a")
    assert urlsplit(link["href"]).path == f"/articles/{seed_id}"
    assert params_of(link["href"])["q"] == ["삼성전자 협력"] and "rank" in params_of(link["href"])
    assert [m.get_text() for m in link.select("mark")] == ["삼성전자", "협력"]
    assert hit.select_one(".hit-press").get_text() == "뉴데일리경제"
    assert hit.select_one(".hit-reporters").get_text() == "조재범 기자"
    assert hit.select_one("time")["datetime"] == "2018-11-07T16:12:56+09:00"
    assert hit.select_one("time").get_text() == "2018.11.07 16:12"
    marks = {m.get_text() for m in hit.select(".snippet mark")}
    assert {"삼성전자", "협력"} <= marks


def test_sort_links(client):
    soup = page(client, "/search?q=" + quote("반도체") + "&sort=newest&size=50")
    links = soup.select("nav.sort a")
    assert [a.get_text() for a in links] == ["관련도순", "최신순", "오래된순"]
    current = soup.select("nav.sort a[aria-current]")
    assert [a.get_text() for a in current] == ["최신순"]
    assert params_of(links[2]["href"])["sort"] == ["oldest"]
    assert "sort" not in params_of(links[0]["href"])  # the default is left out of URLs
    newest = hit_ids(soup)
    oldest = hit_ids(page(client, links[2]["href"]))
    assert len(newest) == total_of(soup) > 10
    assert newest == list(reversed(oldest))


def test_browsing_without_a_query_shows_newest_first(client):
    soup = page(client, "/search")
    assert [a.get_text() for a in soup.select("nav.sort a[aria-current]")] == ["최신순"]
    assert hit_ids(soup)[0] == "web-semi-12"


def test_paging_has_stable_urls_and_no_overlap(client):
    url = "/search?reporter=" + quote("김민지")
    first = page(client, url)
    total = total_of(first)
    assert total == sum(1 for r in ALL_ARTICLES if "김민지" in ([r["reporter"]] if isinstance(r.get("reporter"), str) else r.get("reporter", [])))
    assert total > 10
    pager = first.select_one("nav.pager")
    assert pager.select_one("a[aria-current=page]").get_text(strip=True).endswith("1")
    next_link = pager.select_one("a[rel=next]")["href"]
    assert next_link == "/search?reporter=%EA%B9%80%EB%AF%BC%EC%A7%80&page=2"
    second = page(client, next_link)
    assert set(hit_ids(first)).isdisjoint(hit_ids(second))
    assert len(hit_ids(first)) + len(hit_ids(second)) == total
    assert second.select_one("ol.hits")["start"] == "11"
    assert page(client, next_link).select_one("ol.hits") is not None  # same URL, same page


def test_page_past_the_end(client):
    soup = page(client, "/search?q=" + quote("반도체") + "&page=50")
    assert soup.select_one("ol.hits") is None
    assert "50쪽에는 결과가 없습니다" in soup.get_text()


def test_reporter_facet_links_narrow_and_toggle(client):
    soup = page(client, "/search?q=" + quote("삼성전자 협력"))
    facet = {a.select_one(".facet-name").get_text(): a for a in soup.select("#filters .facet-list a")}
    assert facet["조재범"].select_one(".facet-count").get_text().startswith("1")
    narrowed = page(client, facet["조재범"]["href"])
    assert total_of(narrowed) == 1
    chosen = narrowed.select_one("#filters .facet-list a.on")
    assert chosen.select_one(".facet-name").get_text() == "조재범" and chosen["aria-current"] == "true"
    # Choosing it again takes it away.
    assert "reporter" not in params_of(chosen["href"])
    chips = narrowed.select(".chips a.chip")
    assert [c.select_one("span").get_text() for c in chips] == ["기자: 조재범"]
    assert total_of(page(client, chips[0]["href"])) == total_of(soup)


def test_press_facet_and_or_within(client):
    soup = page(client, "/search?collapse=0&press=" + quote("예시일보"))  # articles, not stories
    expected = sum(1 for r in ALL_ARTICLES if r.get("press") == "예시일보")
    assert total_of(soup) == expected
    other = next(a for a in soup.select("#filters .facet-list a") if a.select_one(".facet-name").get_text() == "샘플타임스")
    widened = page(client, other["href"])
    assert params_of(other["href"])["press"] == ["예시일보", "샘플타임스"]
    assert total_of(widened) == sum(1 for r in ALL_ARTICLES if r.get("press") in ("예시일보", "샘플타임스"))


def test_date_histogram_bars_link_to_their_period(client):
    soup = page(client, "/search?q=" + quote("반도체"))
    svg = soup.select_one("svg.histogram")
    assert "월별" in svg["aria-label"]
    bars = svg.select("a")
    assert bars, "each period with articles is a link"
    by_period = {}
    for bar in bars:
        query = params_of(bar["href"])
        assert query["from"] == query["to"]
        by_period[query["from"][0]] = int(bar["aria-label"].split(": ")[1].rstrip("건"))
    # The bars are the date facet's counts, and following one narrows to them.
    period, count = max(by_period.items(), key=lambda kv: kv[1])
    narrowed = page(client, next(b["href"] for b in bars if params_of(b["href"])["from"] == [period]))
    assert total_of(narrowed) == count
    # The chart drills down: the chosen month by day, each bar a day of it.
    drilled = narrowed.select_one("svg.histogram")
    assert "일별" in drilled["aria-label"]
    assert all(params_of(b["href"])["from"][0].startswith(period + "-") for b in drilled.select("a"))
    assert any("기간: " + period in c.get_text() for c in narrowed.select(".chips a.chip"))


def test_histogram_switches_to_years_for_long_spans(client, tmp_path):
    from search.indexer import reindex
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [
        {"id": f"y{year}", "title": f"{year}년 경제 전망", "press": "예시일보", "published": f"{year}-05-01T09:00:00+09:00",
         "body": "경제 성장률 전망이 나왔다."}
        for year in (2010, 2013, 2016, 2020)
    ]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    reindex([corpus], index_dir=tmp_path / "index", workers=1)
    soup = page(create_app(tmp_path / "index").test_client(), "/search?q=" + quote("경제"))
    svg = soup.select_one("svg.histogram")
    assert "연도별" in svg["aria-label"]
    assert sorted(params_of(a["href"])["from"][0] for a in svg.select("a")) == ["2010", "2013", "2016", "2020"]
    assert len(svg.select("rect.bar")) == 4 and len(svg.select("rect.bar-hit")) == 4


def test_typed_date_range(client):
    soup = page(client, "/search")
    form = soup.select_one("form.range-form")
    assert soup.select_one("label[for=range-from]") and soup.select_one("label[for=range-to]")
    assert form.select_one("input#range-from")["name"] == "from"
    narrowed = page(client, "/search?from=2019-02&to=2019-02&collapse=0")  # articles, not stories
    expected = sum(1 for r in ALL_ARTICLES if (r.get("published") or "").startswith("2019-02"))
    assert total_of(narrowed) == expected
    assert narrowed.select_one("input#range-from")["value"] == "2019-02"
    chip = narrowed.select_one(".chips a.chip")
    assert chip.select_one("span").get_text() == "기간: 2019-02"
    assert total_of(page(client, chip["href"])) == len(ALL_ARTICLES) + 1


def test_the_box_carries_the_filters_for_within_results_search(client):
    soup = page(client, "/search?q=" + quote("반도체") + "&reporter=" + quote("김민지") + "&sort=newest")
    form = soup.select_one("form[role=search]")
    hidden = {(i["name"], i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden == {("box", "1"), ("reporter", "김민지"), ("sort", "newest")}
    within = form.select_one("input[type=checkbox][name=within]")
    assert within is not None and not within.has_attr("checked")
    assert "결과 내 재검색" in within.parent.get_text()


def test_did_you_mean(client):
    soup = page(client, "/search?q=" + quote("협럭"))
    assert "협력(으)로 검색한 결과입니다 · 협럭 검색결과 보기" in " ".join(soup.select_one(".rewritten").get_text().split())
    soup = page(client, "/search?exact=1&q=" + quote("협럭"))
    suggestion = soup.select_one(".suggestion")
    assert "이것을 찾으셨나요?" in suggestion.get_text()
    assert params_of(suggestion.a["href"])["q"] == ["협력"]


def test_latin_layout_typo_is_searched_as_hangul_and_says_so(client):
    soup = page(client, "/search?q=tkatjdwjswk")
    notice = soup.select_one(".rewritten")
    assert "삼성전자(으)로 검색한 결과입니다 ·" in " ".join(notice.get_text().split())
    assert total_of(soup) >= 1
    # The box and the heading show what was searched.
    assert soup.select_one("input#q")["value"] == "삼성전자"
    assert soup.select_one(".summary-query").get_text() == "‘삼성전자’"
    original = notice.a
    assert "tkatjdwjswk 검색결과 보기" in original.get_text()
    assert params_of(original["href"]) == {"q": ["tkatjdwjswk"], "exact": ["1"]}
    # Following it searches the letters as typed: no rewrite, no notice.
    exact = page(client, original["href"])
    assert exact.select_one(".rewritten") is None
    assert total_of(exact) == 0


def test_empty_results_explain_the_syntax(client):
    soup = page(client, "/search?q=" + quote("쀍쀍쀍"))
    empty = soup.select_one(".empty")
    assert "‘쀍쀍쀍’에 대한 검색 결과가 없습니다." in empty.get_text()
    help_text = empty.select_one(".syntax-help").get_text()
    for syntax in ('"기술 협력"', "OR", "-협력", "기자:", "언론사:", "날짜:"):
        assert syntax in help_text


@pytest.mark.parametrize(
    "query, label",
    [("page=0", "페이지"), ("size=1000", "표시 개수"), ("from=2018-13-45", "시작 날짜"), ("sort=best", "정렬")],
)
def test_bad_parameters_are_explained_on_the_page(client, query, label):
    soup = page(client, "/search?q=" + quote("반도체") + "&" + query, status=400)
    alert = soup.select_one("[role=alert]")
    text = alert.get_text()
    assert label in text
    # Korean for the reader: no English message, no parameter name from the URL.
    assert not re.search(r"[A-Za-z]{3,}", text.replace(query.split("=", 1)[1], "")), text
    retry = alert.select_one("a")["href"]
    assert client.get(retry).status_code == 200
    assert params_of(retry)["q"] == ["반도체"]


@pytest.mark.parametrize("q", NASTY_QUERIES, ids=NASTY_IDS)
def test_nasty_queries_render(client, q):
    results = client.get("/search", query_string={"q": q})
    assert results.status_code == 200
    soup = BeautifulSoup(results.data.decode("utf-8"), "lxml")
    assert soup.select_one(".summary-count") is not None
    # The article page re-runs the search for previous/next links and marks.
    article = client.get("/articles/fx-semi-1", query_string={"q": q, "rank": "2"})
    assert article.status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40), reporter=st.text(max_size=8), to=st.text(max_size=10))
def test_any_search_page_is_200_or_400(client, q, reporter, to):
    response = client.get("/search", query_string={"q": q, "reporter": reporter, "to": to})
    assert response.status_code in (200, 400), response.data[:300]
    if response.status_code == 400:
        assert "끝 날짜" in response.data.decode("utf-8")


@pytest.mark.parametrize("article_id", ["%00", "..%2F..%2Fetc%2Fpasswd", "a" * 500, "%EC%97%86%EC%9D%8C", "<script>"])
def test_odd_article_ids_are_404(client, article_id):
    for prefix in ("/articles/", "/api/articles/"):
        assert client.get(prefix + article_id).status_code == 404


def test_missing_index_is_a_503_page(tmp_path):
    response = create_app(tmp_path / "empty").test_client().get("/")
    assert response.status_code == 503
    assert "news-search reindex" in response.data.decode("utf-8")


def test_unknown_page_is_a_korean_404(client):
    soup = page(client, "/no/such/page", status=404)
    assert soup.select_one("h1").get_text() == "페이지를 찾을 수 없습니다"


# --- article page -----------------------------------------------------------------


def test_article_page_fields(client):
    soup = page(client, "/articles/fx-semi-1")
    assert soup.select_one("h1").get_text() == "삼성전자, 차세대 반도체 공장 착공"
    assert [p.get_text() for p in soup.select(".article-subtitle")] == ["평택에 3나노 라인… 2030년까지 투자"]
    assert soup.select_one(".article-press").get_text() == "예시일보"
    reporter = soup.select_one(".byline-reporters a")
    assert reporter.get_text() == "김민지 기자" and params_of(reporter["href"]) == {"reporter": ["김민지"]}
    assert soup.select_one(".byline-date time").get_text() == "2019.01.03 09:30"
    original = soup.select_one(".original a")
    assert original["href"] == "https://www.example-news.kr/article/1001"
    assert "noopener" in original["rel"] and "noreferrer" in original["rel"]
    assert [p.get_text() for p in soup.select(".article-body p")] == [
        "삼성전자가 평택에서 차세대 반도체 공장 착공식을 열었다.", "이재용 부회장은 협력사와의 상생을 강조했다."]
    assert not soup.select(".article-body mark")  # not arriving from a search: nothing marked
    assert not soup.select("nav.result-nav")


def test_article_captions(client, service):
    seed_id = service.search("나델라").hits[0].id
    soup = page(client, f"/articles/{seed_id}")
    assert [li.get_text() for li in soup.select(".captions li")] == ["이재용 삼성전자 부회장"]


def test_article_from_a_search_marks_the_query(client):
    soup = page(client, "/articles/fx-semi-1?q=" + quote("협력") + "&rank=1")
    assert "<mark>협력</mark>사와의" in str(soup.select_one(".article-body"))
    assert soup.select_one("input#q")["value"] == "협력"


def test_related_navigation_order_and_links(client):
    soup = page(client, "/articles/web-ai-cloud")
    nav = soup.select_one("nav.related")
    headings = [h.get_text(" ", strip=True) for h in nav.select("h2")]
    assert headings[0].startswith("관련기사") and headings[1] == "비슷한 기사" and headings[2] == "이서연 기자 의 다른 기사"
    listed = nav.select("section")[0]
    linked = listed.select("li.linked a")
    assert [urlsplit(a["href"]).path for a in linked] == ["/articles/fx-ai-2"]
    unlinked = listed.select_one("li.unlinked")
    assert unlinked.select_one(".ref-title").get_text() == "색인에 없는 옛 기사 제목" and unlinked.a is None
    assert unlinked.select_one("time").get_text() == "2017.05.01"
    similar = [urlsplit(a["href"]).path for a in nav.select("section")[1].select("a")]
    assert "/articles/web-ai-cloud-copy" not in similar and "/articles/web-ai-cloud" not in similar and similar


def test_long_related_box_folds_unmatched_entries(client, service):
    seed_id = service.search("나델라").hits[0].id
    listed = page(client, f"/articles/{seed_id}").select_one("nav.related section")
    first = listed.select_one("ul li.linked a")
    assert first.get_text() == SEED_LINKED_TITLE and urlsplit(first["href"]).path == "/articles/web-exynos"
    shown = listed.select(":scope > ul > li")
    folded = listed.select("details li")
    assert len(shown) + len(folded) == 44
    assert "더 보기" in listed.select_one("details summary").get_text()


def test_previous_and_next_result(client, service):
    q = "반도체"
    hits = service.search(q).hits
    assert len(hits) >= 3
    soup = page(client, f"/articles/{hits[1].id}?q={quote(q)}&rank=2")
    nav = soup.select_one("nav.result-nav")
    prev_link, next_link = nav.select_one("a[rel=prev]")["href"], nav.select_one("a[rel=next]")["href"]
    assert urlsplit(prev_link).path == f"/articles/{hits[0].id}" and params_of(prev_link)["rank"] == ["1"]
    assert urlsplit(next_link).path == f"/articles/{hits[2].id}" and params_of(next_link)["rank"] == ["3"]
    back = nav.select_one("a.back")["href"]
    assert params_of(back) == {"q": [q]}
    first = page(client, prev_link).select_one("nav.result-nav")
    assert first.select_one("a[rel=prev]") is None and first.select_one("a[rel=next]")


def test_back_link_returns_to_the_right_page(client):
    soup = page(client, "/articles/web-semi-1?reporter=" + quote("김민지") + "&rank=12")
    assert params_of(soup.select_one("a.back")["href"]) == {"reporter": ["김민지"], "page": ["2"]}


def test_unknown_article_is_404(client):
    soup = page(client, "/articles/no-such-article", status=404)
    assert soup.html["lang"] == "ko"


# --- escaping and headers --------------------------------------------------------------


def test_markup_in_an_article_is_shown_as_text(client):
    response = client.get("/search?q=" + quote("보안 점검"))
    html = response.data.decode("utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert soup.select_one(".hit-title a").get_text() == SCRIPT_TITLE
    assert "&lt;script&gt;alert(" in html
    facet_names = [s.get_text() for s in soup.select("#filters .facet-name")]
    assert SCRIPT_REPORTER in facet_names
    article = client.get("/articles/web-script").data.decode("utf-8")
    for html_text in (html, article):
        # Only our own script tag (the static app.js) and no markup from the article.
        assert html_text.count("<script") == 1 and "<script src=\"/static/app.js\" defer>" in html_text
        for injected in ("<b>최해커", "<img src=x", "<iframe", "alert('", 'href="javascript:'):
            assert injected not in html_text
    soup = BeautifulSoup(article, "lxml")
    assert soup.select_one("h1").get_text() == SCRIPT_TITLE
    assert soup.select_one(".original a") is None  # a javascript: URL never becomes a link
    assert "javascript:alert" in soup.select_one(".original").get_text()


def test_markup_in_a_query_is_shown_as_text(client):
    q = '<script>alert("q")</script>"><img src=x onerror=alert(1)>'
    html = client.get("/search", query_string={"q": q}).data.decode("utf-8")
    assert html.count("<script") == 1 and "<img src=x" not in html
    assert BeautifulSoup(html, "lxml").select_one("input#q")["value"] == q


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/articles/fx-semi-1", "/api/search", "/static/style.css", "/nope"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style(client):
    soup = page(client, "/search?q=" + quote("반도체"))
    assert all(tag.get("src") for tag in soup.select("script"))
    assert not soup.select("[style]") and not soup.select("style")
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]


def test_static_files_are_local(client):
    soup = page(client, "/")
    for ref in [t["href"] for t in soup.select("link[href]")] + [t["src"] for t in soup.select("script[src]")]:
        assert ref.startswith("/static/")
        assert client.get(ref).status_code == 200
