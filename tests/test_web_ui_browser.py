"""The search page of issue 14 in a real browser (Debian's Chromium via
Playwright) against a real `news-search serve`, at desktop (1366×900) and phone
(390×844) width, each point also with JavaScript off; plus the accessibility
checks that matter for the new controls (labels, heading order, a visible focus
ring, contrast).  Screenshots land in test-output/browser/; the two README
screenshots (docs/screenshots/) are written by this run.

Never downloads a browser: /usr/bin/chromium, skipped only where it is absent.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from conftest import ROOT
from browser_fixtures import MARK_BACKGROUND, OUTPUT, launched_chromium, needs_chromium, script_errors
from web_fixtures import running_server
from web_ui_fixtures import PRESSES, ui_index

pytestmark = needs_chromium

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
README_SHOTS = ROOT / "docs" / "screenshots"
EV = quote("전기차")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(ui_index(tmp_path_factory), tmp_path_factory.mktemp("ui-serve-log")) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as browser:
        yield browser


def open_page(browser, viewport, javascript=True):
    context = browser.new_context(viewport=viewport, locale="ko-KR", java_script_enabled=javascript,
                                  is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    # A script error or a CSP violation shows up here (an error page's own 4xx status is expected).
    page.problems = script_errors(page, lambda text: "server responded with a status of 4" in text)
    return page


@pytest.fixture(params=[("desktop", DESKTOP, True), ("phone", PHONE, True), ("desktop-nojs", DESKTOP, False),
                        ("phone-nojs", PHONE, False)], ids=lambda p: p[0])
def view(request, browser):
    name, viewport, javascript = request.param
    page = open_page(browser, viewport, javascript)
    page.view_name = name
    page.phone = viewport is PHONE
    page.javascript = javascript
    yield page
    assert page.problems == []
    page.context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}-{page.view_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def search_box(view):
    """The search box: a combobox once app.js adds autocomplete, a plain searchbox without JavaScript."""
    return view.get_by_role("combobox" if view.javascript else "searchbox", name="검색어")


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_options(page) -> None:
    """On a phone the filters sit behind the 검색 옵션 bar: open it."""
    if page.phone:
        assert not page.locator("#filters").is_visible()
        page.locator("nav.options-bar a.options-open").click()
    assert page.locator("#filters").is_visible()


def total(page) -> int:
    return int(page.locator(".summary-count strong").inner_text().replace(",", ""))


# --- (3) a new query starts without filters ----------------------------------------


def test_a_new_query_drops_the_filters_unless_within_results(server, view):
    view.goto(f"{server}/search?q={quote('반도체')}&reporter={quote('김민지')}")
    box = search_box(view)
    box.fill("수출")
    box.press("Enter")
    view.wait_for_url("**q=%EC%88%98%EC%B6%9C*")
    assert query_of(view) == {"q": ["수출"]}
    assert view.locator(".chips a.chip").count() == 0

    view.goto(f"{server}/search?q={quote('반도체')}&reporter={quote('김민지')}")
    view.get_by_label("결과 내 재검색").check()
    box.fill("수출")
    box.press("Enter")
    view.wait_for_url("**q=%EC%88%98%EC%B6%9C*")
    assert query_of(view) == {"q": ["수출"], "reporter": ["김민지"]}
    assert total(view) == 12
    screenshot(view, "within-results")


# --- (6) Korean everywhere -----------------------------------------------------------


def test_a_bad_date_is_explained_in_korean(server, view):
    view.goto(f"{server}/search?q={EV}")
    open_options(view)
    view.get_by_label("시작").fill("2018-13-45")
    view.get_by_role("button", name="기간 적용").click()
    view.wait_for_url("**from=2018-13-45*")
    alert = view.get_by_role("alert").inner_text()
    assert "없는 날짜입니다" in alert and "must be" not in alert
    assert view.locator("#range-from").get_attribute("aria-invalid") == "true"
    screenshot(view, "bad-date")


def test_related_and_original_links_read_as_korean(server, view):
    view.goto(f"{server}/articles/ui-idn")
    link = view.locator(".original a")
    assert link.inner_text() == "https://실례.한국/기사/전기차?id=7"
    assert link.get_attribute("href").startswith("https://xn--9n2bp8q.xn--3e0b707e/%EA%B8%B0")
    view.goto(f"{server}/articles/web-ai-cloud")
    unlinked = view.locator("nav.related li.unlinked")
    assert unlinked.count() >= 1 and "색인에 없음" not in unlinked.first.inner_text()


# --- (1) period ----------------------------------------------------------------------


def test_period_presets_and_typed_dates(server, view):
    view.goto(f"{server}/search?q={EV}")
    open_options(view)
    view.locator(".presets a", has_text="1일").click()
    view.wait_for_url("**from=2021-03-15*")
    assert total(view) == 2
    open_options(view)
    assert view.locator(".presets a.current").inner_text().startswith("1일")
    screenshot(view, "preset-1day")

    assert view.get_by_label("시작").get_attribute("inputmode") == "decimal"
    view.get_by_label("시작").fill("2020년 3월")
    view.get_by_label("끝").fill("20200430")
    view.get_by_role("button", name="기간 적용").click()
    view.wait_for_url("**to=20200430*")
    assert total(view) == 0  # 전기차 is not in March–April 2020
    view.goto(f"{server}/search?from={quote('2020년 3월')}&to=20200430")
    assert total(view) == 2


def test_chart_ticks_drill_down_and_a_focused_bar_says_its_count(server, view):
    view.goto(f"{server}/search")
    open_options(view)
    chart = view.locator("svg.histogram")
    assert "연도별" in chart.get_attribute("aria-label")
    assert view.locator("svg.histogram text.tick").count() >= 3
    view.locator("svg.histogram a", has_text="2020년").first.click()
    view.wait_for_url("**from=2020*")
    open_options(view)
    assert "월별" in view.locator("svg.histogram").get_attribute("aria-label")
    view.locator("svg.histogram a", has_text="2020년 3월").first.click()
    view.wait_for_url("**from=2020-03&to=2020-03*")
    open_options(view)
    assert "일별" in view.locator("svg.histogram").get_attribute("aria-label")
    bar = view.locator("svg.histogram a").first
    label = bar.locator("text.bar-value")
    assert label.evaluate("e => getComputedStyle(e).display") == "none"
    bar.focus()
    assert label.evaluate("e => getComputedStyle(e).display") != "none"
    assert label.text_content().startswith("2020년 3월 10일: ")
    screenshot(view, "chart-day-focused", full_page=not view.phone)


# --- (2) facets ------------------------------------------------------------------------


def test_more_facet_values_with_a_filter_box(server, view):
    view.goto(f"{server}/search?q={EV}")
    open_options(view)
    assert view.locator("#facet-press ~ .facet-list li").count() == 10
    view.locator("a.facet-more", has_text="언론사 더보기").click()
    view.wait_for_url("**/search/facets/press?*")
    items = view.locator(".facet-list-full li")
    assert items.count() == len(PRESSES)
    view.get_by_label("언론사 이름으로 찾기").fill("kb")
    if view.javascript:  # narrowed as one types
        assert view.locator(".facet-list-full li:visible").count() == 1
    view.get_by_role("button", name="찾기").click()
    view.wait_for_url("**contains=kb*")
    assert view.locator(".facet-list-full li").count() == 1
    screenshot(view, "facet-more")
    view.locator(".facet-list-full a", has_text="KBS").click()
    view.wait_for_url("**/search?*press=KBS*")
    assert view.locator(".chips a.chip", has_text="언론사: KBS").count() == 1


def test_phone_options_bar_sits_above_the_results(server, browser):
    for javascript in (True, False):
        page = open_page(browser, PHONE, javascript)
        page.view_name = "phone" if javascript else "phone-nojs"
        try:
            page.goto(f"{server}/search?q={EV}")
            bar = page.locator("nav.options-bar")
            first_hit = page.locator("ol.hits > li").first
            assert bar.bounding_box()["y"] < first_hit.bounding_box()["y"] < 844
            assert not page.locator("#filters").is_visible()
            page.screenshot(path=str(OUTPUT / f"options-closed-{page.view_name}.png"))
            bar.locator("a", has_text="언론사").click()
            assert page.locator("#facet-press").is_visible()
            assert page.locator("#filters").bounding_box()["y"] < first_hit.bounding_box()["y"]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0
            page.screenshot(path=str(OUTPUT / f"options-open-{page.view_name}.png"))
            page.locator("#filters a.options-close").click()
            assert not page.locator("#filters").is_visible()
            assert page.problems == []
        finally:
            page.context.close()


# --- (4) home ------------------------------------------------------------------------


def test_home_page_facts_and_examples(server, view):
    view.goto(server + "/")
    facts = view.locator(".index-facts").inner_text()
    assert "2015.06.01 ~ 2021.03.15" in facts and "언론사" in facts and "기자" in facts
    example = view.locator(".examples li a", has_text="전기차").first
    example.click()
    view.wait_for_url("**/search?q=*")
    assert total(view) > 0
    view.go_back()
    screenshot(view, "home")


# --- (7) results and (5) rewrites ---------------------------------------------------


def test_results_original_links_sizes_and_relative_times(server, view):
    # Every article (collapse=0): the same story filed by twenty presses would fold into one.
    view.goto(f"{server}/search?q={EV}&sort=newest&collapse=0")
    first = view.locator("ol.hits > li").first
    assert first.locator("a.hit-original").get_attribute("href") == "https://www.example.kr/newest"
    assert [t.inner_text() for t in view.locator("ol.hits time").all()[:2]] == ["방금", "3시간 전"]
    view.locator("nav.page-size a", has_text="20개씩").click()
    view.wait_for_url("**size=20*")
    assert view.locator("ol.hits > li").count() == 20
    screenshot(view, "results-size-20")


def test_rewrites_are_visible(server, view):
    view.goto(f"{server}/search?q=wjsrlck")
    assert search_box(view).input_value() == "전기차"
    assert view.locator(".summary-query").inner_text() == "‘전기차’"
    assert "전기차(으)로 검색한 결과입니다 · wjsrlck 검색결과 보기" in view.locator(".rewritten").inner_text()
    view.goto(f"{server}/search?q={quote('ㅈㄱㅊ')}")
    assert "초성 검색 → 전기차" in view.locator(".initials").inner_text()
    mark = view.locator("ol.hits mark", has_text="전기차").first
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == MARK_BACKGROUND
    screenshot(view, "initials")


def test_download_the_result_list(server, view):
    view.goto(f"{server}/search?q={EV}&press=KBS")
    for label, first_bytes in (("CSV", "\ufeffrank,id,title".encode("utf-8")), ("JSON", b"{")):
        with view.expect_download() as info:
            view.locator(".downloads a", has_text=label).click()
        download = info.value
        assert download.suggested_filename == f"뉴스검색_전기차_언론사-KBS.{label.lower()}"
        assert Path(download.path()).read_bytes().startswith(first_bytes)


def test_advanced_search_form(server, view):
    view.goto(f"{server}/search?q={EV}")
    view.locator("a.advanced-link").click()
    view.wait_for_url("**/search/advanced")
    view.get_by_label("모두 포함").fill("전기차")
    view.get_by_label("정확히 일치하는 문구").fill("배터리 공장")
    view.get_by_label("제외할 단어").fill("보조금")
    view.get_by_label("언론사").fill("지역01일보")
    view.get_by_label("하나 이상 포함").fill("착공 개편")
    view.get_by_label("하나 이상 포함").fill("")
    if view.javascript:  # the query the form will write, shown as one types
        assert view.locator(".advanced-preview kbd").inner_text() == '전기차 "배터리 공장" -보조금 언론사:지역01일보'
    screenshot(view, "advanced-form")
    view.get_by_role("button", name="검색", exact=True).last.click()
    view.wait_for_url("**/search?q=*")
    assert search_box(view).input_value() == '전기차 "배터리 공장" -보조금 언론사:지역01일보'
    assert total(view) == 1


ADVANCED_CASES = [
    {"all": '"삼성" (전자', "phrase": "기술  협력", "any": "가 OR 나", "none": "-애플 --구글", "reporter": "홍 길동", "press": "KBS"},
    {"any": "하나", "none": "-", "reporter": '"조재범"'},
    {"phrase": '"', "press": "서울 경제 신문"},
]


def test_advanced_preview_writes_what_the_server_writes(server, browser):
    from webui.advanced import AdvancedForm

    page = open_page(browser, DESKTOP)
    try:
        page.goto(f"{server}/search/advanced")
        for case in ADVANCED_CASES:
            for name in ("all", "phrase", "any", "none", "reporter", "press"):
                page.locator(f"#adv-{name}").fill(case.get(name, ""))
            assert page.locator(".advanced-preview kbd").inner_text() == AdvancedForm(**case).query()
    finally:
        page.context.close()


# --- accessibility -----------------------------------------------------------------------

CONTRAST = """
(selector) => {
  function rgb(text) { const m = text.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
  function lum(c) { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
  function background(e) { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; }
                           return {r: 255, g: 255, b: 255, a: 1}; }
  return Array.from(document.querySelectorAll(selector)).filter(e => e.offsetParent !== null).map(e => {
    const fg = lum(rgb(getComputedStyle(e).color)), bg = lum(background(e));
    return [e.textContent.trim().slice(0, 20), (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)];
  });
}
"""

UNLABELLED = """
() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button')).filter(e => {
  if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')) return false;
  if (e.tagName === 'BUTTON') return !e.textContent.trim();
  return !(e.labels && e.labels.length && Array.from(e.labels).some(l => l.textContent.trim()));
}).map(e => e.outerHTML.slice(0, 80))
"""

HEADINGS = "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).filter(e => e.offsetParent !== null || getComputedStyle(e).display !== 'none').map(e => +e.tagName[1])"

NEW_CONTROLS = (".presets a, .option-list a, .page-size a, .options-bar a, .facet-more, .range-hint, .presets-note, "
                ".chart-caption, .within, .within-note, .hit-original, .index-facts dt, .index-facts dd, .initials, "
                ".rewritten, .facet-filter button, .advanced-link, .advanced-hint, .advanced-preview, .advanced-form button, .downloads, .downloads a")


@pytest.mark.parametrize("path", [f"/search?q={EV}&reporter={quote('박새봄')}", "/", f"/search/facets/press?q={EV}",
                                  "/search?q=x&from=2018-13-45", f"/search?q={quote('ㅈㄱㅊ')}",
                                  "/search/advanced"])
def test_accessibility_of_the_new_controls(server, browser, path):
    for viewport in (DESKTOP, PHONE):
        page = open_page(browser, viewport)
        try:
            page.goto(server + path)
            if viewport is PHONE and page.locator("nav.options-bar").count():
                page.locator("nav.options-bar a.options-open").click()
            assert page.evaluate(UNLABELLED) == []
            levels = page.evaluate(HEADINGS)
            assert levels[0] == 1 and levels.count(1) == 1, levels
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
            low = [(text, round(ratio, 2)) for text, ratio in page.evaluate(CONTRAST, NEW_CONTROLS) if ratio < 4.5]
            assert low == [], low
        finally:
            page.context.close()


def test_focus_is_visible_on_the_new_controls(server, browser):
    page = open_page(browser, DESKTOP)
    try:
        page.goto(f"{server}/search?q={EV}&reporter={quote('박새봄')}")
        seen = set()
        for _ in range(60):
            page.keyboard.press("Tab")
            found = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
                const kind = ['presets', 'page-size', 'within', 'facet-more', 'range-form', 'hit-original'].find(c => e.closest('.' + c));
                return [kind || '', s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }""")
            kind, style, width, shadow = found
            if kind:
                assert (style != "none" and width >= 2) or shadow != "none", found
                seen.add(kind)
        assert {"within", "page-size", "presets", "range-form", "hit-original"} <= seen, seen
    finally:
        page.context.close()


# --- the README's screenshots ---------------------------------------------------------


def test_readme_screenshots(server, browser):
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(browser, viewport)
        try:
            # Twice: the second answer comes from the result cache and shows no
            # timing, so the committed pictures only change when the page does.
            page.goto(f"{server}/search?q={EV}&from=2021-03&to=2021-03")
            page.reload()
            if viewport is PHONE:
                page.locator("nav.options-bar a.options-open").click()
            path = README_SHOTS / f"search-{name}.png"
            page.screenshot(path=str(path), clip={"x": 0, "y": 0, **({"width": 1366, "height": 760} if viewport is DESKTOP else {"width": 390, "height": 844})})
            assert 10_000 < path.stat().st_size < 400_000
        finally:
            page.context.close()
