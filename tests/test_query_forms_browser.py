"""Relaxed hits and the reporter card in a real browser (Debian's Chromium via
Playwright, never a downloaded browser) against a real `news-search serve`."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from browser_fixtures import launched_chromium, needs_chromium
from query_fixtures import query_forms_index
from web_fixtures import running_server

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(query_forms_index(tmp_path_factory), tmp_path_factory.mktemp("serve-log")) as (base, _):
        yield base


@pytest.fixture(scope="module")
def page(server):
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        yield context.new_page()


def test_a_relaxed_hit_shows_its_missing_word_struck_through(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/search?q=" + quote("원로 시인 타계"))
    hit = page.locator("ol.hits > li", has_text="원로 시인 김철수 별세")
    expect(hit).to_have_count(1)
    missing = hit.locator(".hit-missing")
    expect(missing).to_contain_text("빠진 검색어")
    word = missing.locator("s")
    expect(word).to_have_text("타계")
    assert "line-through" in word.evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(page.locator(".notice").first).to_contain_text("일부 단어가 빠진 기사")


def test_the_reporter_card_links_to_the_reporters_articles(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/search?q=" + quote("강경희"))
    card = page.locator(".reporter-card")
    expect(card).to_contain_text("강경희 기자 · 기사 2건 · 최근 기사")
    card.locator("a.reporter-card-name").click()
    page.wait_for_url("**/search?*")
    expect(page.locator("#q, input[name=q]").first).to_have_value("기자:강경희")
    expect(page.locator("ol.hits > li")).to_have_count(2)
    expect(page.locator(".hit-missing")).to_have_count(0)
