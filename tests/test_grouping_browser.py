"""Same-event clusters on the results page, in a real browser (Debian's
Chromium driven by Playwright) against a real `news-search serve`: a cluster
shows once, as its best-ranked member with `같은 내용 기사 n건`, which opens
the other members in place (mouse or keyboard); without JavaScript the same
words are a link to a search of that cluster alone (group=<id>)."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlparse

import pytest

from browser_fixtures import launched_chromium, needs_chromium, script_errors
from browser_fixtures import save_screenshot as screenshot
from grouping_fixtures import CLUSTER, build_event_index
from web_fixtures import running_server

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index_dir = build_event_index(tmp_path_factory.mktemp("grouping-web"))
    with running_server(index_dir, tmp_path_factory.mktemp("serve-log")) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as browser:
        yield browser


def new_page(browser, javascript: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.problems = script_errors(page)
    return context, page


def hit_ids(page) -> list[str]:
    return [urlparse(a.get_attribute("href")).path.rsplit("/", 1)[-1]
            for a in page.locator("li.hit > h2.hit-title a").all()]


def test_a_cluster_shows_once_and_its_members_open_in_place(server, browser):
    from playwright.sync_api import expect

    context, page = new_page(browser)
    try:
        page.goto(server + "/search?q=" + quote("따릉이 요금"))
        heads = hit_ids(page)
        assert len(heads) == 1 and heads[0] in CLUSTER  # three articles, one story
        toggle = page.get_by_role("button", name="같은 내용 기사 2건")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        members = page.locator(".hit-group-members")
        expect(members).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(members).to_be_visible()
        shown = {urlparse(a.get_attribute("href")).path.rsplit("/", 1)[-1] for a in members.locator("a").all()}
        assert shown == CLUSTER - set(heads)
        expect(members.locator(".near-copy")).to_have_count(1)
        screenshot(page, "grouping-open.png")
        # The keyboard closes it again (Space, as a button answers).
        toggle.focus()
        page.keyboard.press(" ")
        expect(members).to_be_hidden()
        assert "group=" not in page.url  # opened in place: the link was not followed
        # 모든 기사 보기 lists the three apart.
        page.get_by_role("link", name="모든 기사 보기").click()
        assert set(hit_ids(page)) == CLUSTER
        assert page.problems == []
    finally:
        context.close()


def test_without_javascript_the_cluster_is_a_search_of_its_own(server, browser):
    context, page = new_page(browser, javascript=False)
    try:
        page.goto(server + "/search?q=" + quote("따릉이 요금"))
        link = page.get_by_role("link", name="같은 내용 기사 2건")
        link.click()
        query = parse_qs(urlparse(page.url).query)
        assert query["group"] == ["bike-wire"] and query["q"] == ["따릉이 요금"]
        assert set(hit_ids(page)) == CLUSTER
        assert page.get_by_text("같은 내용 기사 묶음만 보고 있습니다").is_visible()
    finally:
        context.close()
