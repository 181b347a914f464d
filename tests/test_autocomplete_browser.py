"""Autocomplete in a real browser (Debian's Chromium driven by Playwright,
never a downloaded one) against a real `news-search serve`: the search box is
an ARIA 1.2 combobox; typing `삼성`, `ㅅㅅㅈ` or `tkatjd` offers 삼성전자, which
the keyboard (or a mouse, or a finger) chooses; Esc closes the list; typing
fast sends few requests and a late answer for older text is dropped; without
JavaScript the box is a plain search field."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from browser_fixtures import launched_chromium, needs_chromium, script_errors
from browser_fixtures import save_screenshot as screenshot
from web_fixtures import running_server, web_index

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
    page.problems = script_errors(page)
    yield page
    context.close()


def searched(page) -> str:
    return parse_qs(urlparse(page.url).query)["q"][0]


def open_list(page, server, typed: str):
    from playwright.sync_api import expect

    page.goto(server + "/")
    box = page.get_by_role("combobox", name="검색어")
    box.press_sequentially(typed, delay=30)
    listbox = page.get_by_role("listbox", name="추천 검색어")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "q-suggestions")
    return box, listbox


@pytest.mark.parametrize("typed", ["삼성", "ㅅㅅㅈ", "tkatjd"])
def test_typing_offers_samsung_and_the_keyboard_chooses_it(server, page, typed):
    from playwright.sync_api import expect

    box, listbox = open_list(page, server, typed)
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("삼성전자")
    box.press("ArrowDown")
    first = options.first
    expect(first).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    screenshot(page, f"suggest-{typed}.png")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert searched(page) == "삼성전자"
    assert page.locator("ol.hits > li").count() > 0
    assert page.problems == []


def test_arrow_keys_wrap_and_escape_closes(server, page):
    from playwright.sync_api import expect

    count = len(page.request.get(server + "/api/suggest?q=%E3%85%85").json()["suggestions"])  # ㅅ
    assert count >= 2
    box, listbox = open_list(page, server, "ㅅ")
    expect(listbox.get_by_role("option")).to_have_count(count)
    box.press("ArrowUp")  # from the box, up goes to the last option
    expect(listbox.get_by_role("option").nth(count - 1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")  # past the last: back to the typed text, nothing chosen
    assert box.get_attribute("aria-activedescendant") is None
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")  # with the list closed, Enter searches what was typed
    page.wait_for_url("**/search?q=*")
    assert searched(page) == "ㅅ"


def test_mouse_chooses_a_reporter(server, page):
    from playwright.sync_api import expect

    _, listbox = open_list(page, server, "조재")
    option = listbox.get_by_role("option", name="조재범 기자")
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url("**/search?q=*")
    assert searched(page) == "기자:조재범"
    assert page.locator("ol.hits > li").count() > 0


def test_touch_chooses_a_suggestion(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _, listbox = open_list(page, server, "삼성")
        listbox.get_by_role("option").first.tap()
        page.wait_for_url("**/search?q=*")
        assert searched(page) == "삼성전자"
    finally:
        context.close()


def test_typing_fast_sends_few_requests(server, page):
    from playwright.sync_api import expect

    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/api/suggest" in request.url else None)
    box, listbox = open_list(page, server, "tkatjdwjswk")
    expect(listbox.get_by_role("option").first).to_contain_text("삼성전자")
    assert 1 <= len(asked) <= 3, asked  # 11 keystrokes, 30 ms apart: one request after the pause


# A fetch that answers the first suggest request late, and with a marker: if the
# page showed that answer after a newer one, the list would hold STALE.
SLOW_FIRST_ANSWER = """
(() => {
  const realFetch = window.fetch.bind(window);
  let first = true;
  window.fetch = (url, options) => {
    if (String(url).includes("/api/suggest") && first) {
      first = false;
      return new Promise((resolve) => setTimeout(() => resolve(new Response(JSON.stringify(
        {query: "x", suggestions: [{text: "STALE", query: "STALE", kind: "term", count: 1}]}),
        {headers: {"Content-Type": "application/json"}})), 800));
    }
    return realFetch(url, options);
  };
})();
"""


def test_a_late_answer_for_older_text_is_dropped(server, page):
    from playwright.sync_api import expect

    page.add_init_script(SLOW_FIRST_ANSWER)
    page.goto(server + "/")
    box = page.get_by_role("combobox", name="검색어")
    box.press_sequentially("조", delay=0)
    page.wait_for_timeout(300)  # the first request is out, its answer 800 ms away
    box.press_sequentially("재범", delay=0)
    listbox = page.get_by_role("listbox", name="추천 검색어")
    expect(listbox.get_by_role("option").first).to_contain_text("조재범")
    page.wait_for_timeout(900)  # the late answer has arrived by now
    assert "STALE" not in listbox.inner_text()
    expect(listbox.get_by_role("option").first).to_contain_text("조재범")


def test_without_javascript_the_box_is_a_plain_search_field(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        box = page.get_by_role("searchbox", name="검색어")
        box.fill("삼성")
        box.press("Enter")
        page.wait_for_url("**/search?q=*")
        assert searched(page) == "삼성"
        assert page.get_by_role("listbox").count() == 0
        assert page.locator("ol.hits > li").count() > 0
    finally:
        context.close()
