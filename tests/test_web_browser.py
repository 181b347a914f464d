"""A real browser (Debian's Chromium driven by Playwright) against a real
`news-search serve`: search, see the marks, narrow by a reporter facet, open the
article, follow a related-article link.  Screenshots land in test-output/browser/.

Never downloads a browser: it uses /usr/bin/chromium (`apt-get install chromium`,
listed in .ci/apt-packages) and skips only where that is absent.
"""

from __future__ import annotations

import pytest

from browser_fixtures import MARK_BACKGROUND, launched_chromium, needs_chromium, script_errors
from browser_fixtures import save_screenshot as screenshot
from web_fixtures import SEED_LINKED_TITLE, running_server, web_index

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(web_index(tmp_path_factory), tmp_path_factory.mktemp("serve-log")) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.problems = script_errors(page)  # a CSP violation or a script error shows up here
    yield page
    context.close()


def test_search_facet_article_and_related_link(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.get_by_role("combobox", name="검색어").fill("삼성전자 협력")  # app.js: autocomplete
    page.get_by_role("combobox", name="검색어").press("Enter")
    page.wait_for_url("**/search?q=*")

    seed = page.locator("ol.hits > li", has_text="이재용 삼성전자 부회장")
    expect(seed).to_have_count(1)
    marked = set(seed.locator(".snippet mark").all_inner_texts())
    assert {"삼성전자", "협력"} <= marked
    background = seed.locator(".snippet mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == MARK_BACKGROUND  # the marks are visibly highlighted
    screenshot(page, "1-results.png")

    page.locator("#filters .facet-list a", has_text="조재범").click()
    page.wait_for_url("**reporter=*")
    expect(page.locator(".summary-count strong")).to_have_text("1")
    expect(page.locator(".chips a.chip")).to_contain_text("기자: 조재범")
    # One article with both words (others only complete the page, marked 빠진 검색어).
    expect(page.locator("ol.hits > li:not(:has(.hit-missing))")).to_have_count(1)
    screenshot(page, "2-reporter-facet.png")

    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url("**/articles/**")
    expect(page.locator("h1")).to_contain_text("이재용 삼성전자 부회장, MS CEO 만나")
    assert page.locator(".article-body mark").count() > 0  # the query stays marked in the body
    screenshot(page, "3-article.png")

    page.locator("nav.related li.linked a", has_text="엑시노스 오토 V9").click()
    page.wait_for_url("**/articles/web-exynos")
    expect(page.locator("h1")).to_have_text(SEED_LINKED_TITLE)
    path = screenshot(page, "4-related-article.png")
    assert path.stat().st_size > 10_000
    assert page.problems == []


def test_phone_width_has_no_sideways_scrolling(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    try:
        for path, name in [("/search?q=%EC%82%BC%EC%84%B1%EC%A0%84%EC%9E%90", "phone-results.png"),
                           ("/search?q=%EC%93%B0%EC%93%B0%EC%93%B0", "phone-empty.png"),
                           ("/articles/web-ai-cloud", "phone-article.png")]:
            page.goto(server + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
            screenshot(page, name)
    finally:
        context.close()


def test_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.get_by_role("searchbox", name="검색어").fill("반도체")
        page.get_by_role("button", name="검색").click()
        page.wait_for_url("**/search?q=*")
        assert page.locator("ol.hits > li").count() > 0
        page.locator("nav.sort a", has_text="오래된순").click()
        page.wait_for_url("**sort=oldest*")
        page.get_by_label("시작").fill("2020-03")
        page.get_by_label("끝").fill("2020-04")
        page.get_by_role("button", name="기간 적용").click()
        page.wait_for_url("**from=2020-03*")
        assert page.locator(".summary-count strong").inner_text() == "2"
    finally:
        context.close()


def test_keyboard(server, page):
    page.goto(server + "/search?q=%EB%B0%98%EB%8F%84%EC%B2%B4")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "본문 바로가기"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "brand"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.locator("h1").click()
    page.keyboard.press("/")  # app.js: jump to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.problems == []
