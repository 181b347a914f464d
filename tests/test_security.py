"""Security of the web layer: no markup from an article, a query, a facet value or
an article id ever becomes markup in a page; article ids and static paths never
reach a file outside what is served; limits on request size; security headers
on every kind of response.

The corpus is our own, hostile in every field a page shows."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from reindex_fixtures import index_of
from search.service import SearchService
from webui import MAX_CONTENT_LENGTH, create_app

XSS_TITLE = "\"><script>alert('title')</script> 해킹 시도 기사"
XSS_REPORTER = "\" onmouseover=\"alert('reporter')"
XSS_PRESS = "<svg onload=alert('press')>일보"
XSS_BODY = ("</mark><script>alert('body')</script> 해킹 시도 본문이다.\n"
            "<img src=x onerror=alert('img')> 두 번째 문단에도 해킹 시도.\n"
            "&lt;script&gt; 이미 이스케이프된 글자도 그대로 보여야 한다. {{7*7}} ${7*7}")
XSS_CAPTION = "<iframe src=javascript:alert('caption')></iframe> 사진"
XSS_REPORTER_2 = "<a href=javascript:alert(1)>기자</a>"
XSS_ID = "x\"><script>alert('id')</script>"
SLASH_ID = "../../static/app.js"

HOSTILE = [
    {
        "id": XSS_ID,
        "url": "javascript:alert('url')",
        "title": XSS_TITLE,
        "subtitle": "<b onclick=alert('sub')>부제</b>",
        "press": XSS_PRESS,
        "reporter": [XSS_REPORTER, XSS_REPORTER_2],
        "email": "<script>@example.kr",
        "published": "2021-03-01T09:00:00+09:00",
        "body": XSS_BODY,
        "captions": [XSS_CAPTION],
        "related": [
            {"title": "<script>alert('related')</script> 관련 해킹 시도", "url": "data:text/html,<script>alert(1)</script>",
             "published": "2021-02-01"},
            {"title": "정상 제목 해킹 시도 후속", "url": "vbscript:msgbox(1)"},
        ],
    },
    {
        "id": SLASH_ID,
        "title": "경로처럼 생긴 아이디의 해킹 시도 기사",
        "press": XSS_PRESS,
        "reporter": XSS_REPORTER,
        "published": "2021-03-02T09:00:00+09:00",
        "body": "아이디에 ../ 가 들어 있어도 이 기사로 가는 링크는 이 기사로 가야 한다. 해킹 시도.",
    },
    {
        "id": "plain-1",
        "url": "https://www.example-news.kr/article/9001",
        "title": "보안 업데이트 배포 해킹 시도 차단",
        "press": "예시일보",
        "reporter": "김민지",
        "published": "2021-03-03T09:00:00+09:00",
        "body": "보안 업데이트가 배포됐다. 해킹 시도를 차단한다.",
    },
]
INJECTED = ["alert(", "onmouseover=", "onload=", "onerror=", "onclick="]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    index_dir = index_of(tmp_path_factory, "hostile", HOSTILE)
    assert SearchService(index_dir).overview().articles == len(HOSTILE)
    return index_dir


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app(index_dir).test_client()


def html_of(client, url: str, status: int = 200) -> tuple[str, BeautifulSoup]:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    return text, BeautifulSoup(text, "lxml")


def assert_inert(text: str, soup: BeautifulSoup) -> None:
    """Nothing from the data became markup: our one script, no event handlers, no
    foreign elements, no script-capable URLs — and the hostile text is not in the
    raw HTML unescaped."""
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/app.js"]
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
        assert tag.name not in ("iframe", "frame", "img", "object", "embed", "applet", "base", "b"), tag
        for attribute in ("href", "src", "action", "formaction", "xlink:href"):
            value = tag.get(attribute)
            if value:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https"), (attribute, value)
    for needle in ("<script>alert", "<svg onload", "<iframe", "<img src=x", "<b onclick", "</mark><script"):
        assert needle not in text


def test_search_page_hits_facets_and_chips(client):
    # The hostile reporter and press chosen as filters: they appear in chips and facet links.
    url = "/search?" + "&".join([f"q={quote('해킹 시도')}", f"reporter={quote(XSS_REPORTER)}", f"press={quote(XSS_PRESS)}"])
    text, soup = html_of(client, url)
    assert_inert(text, soup)
    titles = [a.get_text() for a in soup.select(".hit-title a")]
    assert XSS_TITLE in titles
    chips = [c.get_text(" ", strip=True) for c in soup.select("a.chip")]
    assert any(XSS_REPORTER in c for c in chips) and any(XSS_PRESS in c for c in chips)
    facet_names = [s.get_text() for s in soup.select("#filters .facet-name")]
    assert XSS_REPORTER in facet_names and XSS_PRESS in facet_names
    # Facet and chip links carry the hostile values as URL parameters, intact.
    for link in soup.select("#filters a, a.chip"):
        for values in parse_qs(urlsplit(link["href"]).query).values():
            for value in values:
                assert value in (XSS_REPORTER, XSS_REPORTER_2, XSS_PRESS, "해킹 시도", "김민지", "예시일보", "newest", "oldest") or re.fullmatch(r"[\d-]+", value), value
    snippet = " ".join(s.get_text() for s in soup.select(".snippet"))
    assert "</mark><script>alert('body')</script>" in snippet  # shown as text


def test_hit_links_lead_to_their_own_article(client):
    text, soup = html_of(client, "/search?q=" + quote("해킹 시도"))
    links = {a.get_text(): a["href"] for a in soup.select(".hit-title a")}
    assert len(links) == len(HOSTILE)
    for record in HOSTILE:
        href = links[record["title"]]
        path = urlsplit(urljoin("http://localhost/search", href)).path
        assert path.startswith("/articles/") and path.count("/") == 2, href  # one segment: the id cannot climb out
        page_text, page = html_of(client, href)
        assert page.select_one("h1").get_text() == record["title"]
        assert_inert(page_text, page)


def test_article_page_shows_every_hostile_field_as_text(client):
    text, soup = html_of(client, "/articles/" + quote(XSS_ID, safe="") + "?q=" + quote("해킹"))
    assert_inert(text, soup)
    shown = soup.get_text(" ")
    for value in (XSS_TITLE, XSS_REPORTER, "<b onclick=alert('sub')>부제</b>", "<script>alert('body')</script>",
                  "<img src=x onerror=alert('img')>", "&lt;script&gt;", "{{7*7}}", XSS_CAPTION,
                  "<script>alert('related')</script> 관련 해킹 시도", "javascript:alert('url')"):
        assert value in shown, value
    assert "49" not in shown  # {{7*7}} was not evaluated by the template engine
    # The query is marked inside escaped text, never around markup.
    assert [m.get_text() for m in soup.select("mark")] and all(m.get_text() == "해킹" for m in soup.select("mark"))


def test_query_strings_are_text_everywhere(client):
    q = "\"><script>alert('q')</script><img src=x onerror=alert(1)> 해킹"
    for url in ("/search?q=" + quote(q), "/articles/plain-1?q=" + quote(q), "/search?q=" + quote(q) + "&sort=" + quote("<script>"),
                "/search?from=" + quote("<script>alert(1)</script>"), "/articles/" + quote("<script>alert(1)</script>", safe="")):
        response = client.get(url)
        assert response.status_code in (200, 400, 404)
        text = response.get_data(as_text=True)
        assert_inert(text, BeautifulSoup(text, "lxml"))


def test_api_never_returns_markup(client):
    urls = ["/api/search?q=" + quote("해킹 시도") + "&reporter=" + quote(XSS_REPORTER),
            "/api/articles/" + quote(XSS_ID, safe=""), "/api/articles/" + quote(XSS_ID, safe="") + "/related",
            "/api/search?sort=" + quote("<script>alert(1)</script>"), "/api/articles/" + quote("<img src=x>", safe="")]
    for url in urls:
        response = client.get(url)
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<" not in response.data and b">" not in response.data, url
        json.loads(response.data)  # still valid JSON with the same values
    record = client.get("/api/articles/" + quote(XSS_ID, safe="")).json
    assert record["title"] == XSS_TITLE and record["reporters"][0] == XSS_REPORTER


# --- paths ------------------------------------------------------------------

TRAVERSALS = [
    "/articles/..%2f..%2fpyproject.toml", "/articles/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/articles/%252e%252e%252fpyproject.toml", "/articles/..%5c..%5cpyproject.toml",
    "/articles/manifest.json", "/articles/current", "/articles/.lock", "/articles/%00",
    "/articles/....//....//pyproject.toml", "/articles/..", "/articles/%2e%2e",
    "/api/articles/..%2f..%2fpyproject.toml", "/api/articles/%2e%2e%2fmanifest.json",
    "/api/articles/..%2F..%2F..%2Fetc%2Fpasswd", "/api/articles/manifest.json/related",
    "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static/..%5cpyproject.toml", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", "//etc/passwd", "/static/app.js%00.html",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_never_reach_files_outside(client, path):
    response = client.get(path, follow_redirects=True)  # `//` is merged by a redirect, then looked up
    assert response.status_code in (400, 404), (path, response.status_code)
    body = response.get_data(as_text=True)
    for secret in ("[build-system]", "root:x:0:0", '"schema"', '"articles"', "SCHEMA_VERSION"):
        assert secret not in body


def test_an_id_that_looks_like_a_path_is_only_an_id(client, index_dir):
    # It names an article, not a file: its JSON is the article, not app.js.
    response = client.get("/api/articles/" + quote(SLASH_ID, safe=""))
    if response.status_code == 200:
        assert response.json["id"] == SLASH_ID
    page = client.get("/articles/" + quote(SLASH_ID, safe=""))
    assert b"addEventListener" not in page.data


# --- size limits and headers ------------------------------------------------------


def test_request_bodies_are_refused_above_the_limit(client):
    big = b"x" * (MAX_CONTENT_LENGTH + 1)
    for path in ("/api/search", "/search", "/"):
        response = client.post(path, data=big, content_type="application/x-www-form-urlencoded")
        assert response.status_code in (405, 413)
    # Through a route that reads the body, the limit itself answers.
    app = create_app(client.application.extensions["news_search"].layout.root)

    @app.post("/_echo_for_test")
    def _echo():
        from flask import request

        return str(len(request.get_data()))

    echo = app.test_client()
    assert echo.post("/_echo_for_test", data=b"x" * 1000).get_data(as_text=True) == "1000"
    response = echo.post("/_echo_for_test", data=big)
    assert response.status_code == 413
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path,status", [
    ("/", 200), ("/search?q=x", 200), ("/articles/plain-1", 200), ("/articles/nope", 404),
    ("/search?page=0", 400), ("/api/search?q=x", 200), ("/api/search?size=0", 400), ("/api/articles/nope", 404),
    ("/api/nope", 404), ("/static/app.js", 200), ("/static/nope.js", 404),
])
def test_security_headers_on_every_kind_of_response(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    post = client.post(path.split("?")[0])
    assert post.status_code in (404, 405) and post.headers["X-Content-Type-Options"] == "nosniff"


# --- the real server ----------------------------------------------------------------


def raw_request(base: str, data: bytes, timeout: float = 30) -> bytes:
    import socket

    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_served_limits_on_bodies_urls_and_queries(index_dir, tmp_path):
    from urllib.request import urlopen

    from web_fixtures import running_server

    with running_server(index_dir, tmp_path) as (base, process):
        # A body announced at 10 MB is refused from its headers, before it is sent.
        answer = raw_request(base, b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 1000)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
        # A 1 MB URL is refused by the server, which goes on serving.
        answer = raw_request(base, b"GET /search?q=" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.split(b" ", 2)[1] in (b"400", b"414", b"431"), answer[:100]
        # A 10,000-character query is searched, capped, and says so.
        with urlopen(base + "/api/search?q=" + quote("해킹 " * 3334), timeout=60) as response:
            data = json.loads(response.read())
        assert data["total"] >= 1 and any("1,000자" in n for n in data["notices"])
        with urlopen(base + "/api/search?q=" + quote("보안"), timeout=30) as response:
            assert json.loads(response.read())["total"] == 1
        assert process.poll() is None
