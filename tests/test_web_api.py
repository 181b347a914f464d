"""The JSON API through Flask's test client: responses against the OpenAPI
document, filters, the related lists, errors naming the parameter, escaping,
and no 500 for any query string."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from web_fixtures import ALL_ARTICLES, NASTY_IDS, NASTY_QUERIES, SCRIPT_TITLE, web_index
from webui import create_app

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "webui" / "openapi.json"
DOCUMENT = json.loads(OPENAPI_FILE.read_text("utf-8"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(web_index(tmp_path_factory))
    return app.test_client()


def validator(name: str) -> Draft202012Validator:
    """A validator for one of the document's schemas, its $refs resolved in the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]})


def assert_matches(name: str, data) -> None:
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def reporters_of(record) -> list[str]:
    value = record.get("reporter") or []
    return [value] if isinstance(value, str) else list(value)


# --- the document -----------------------------------------------------------


def test_openapi_document_is_valid_and_served(client):
    from openapi_spec_validator import validate

    validate(DOCUMENT)
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json == DOCUMENT


def test_every_api_route_is_documented(client):
    routes = {
        rule.rule.replace("<article:article_id>", "{id}")
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(DOCUMENT["paths"])


def test_schemas_are_strict():
    # "additionalProperties: false" everywhere, so an undocumented field fails the tests below.
    for name, schema in DOCUMENT["components"]["schemas"].items():
        if schema.get("type") == "object":
            assert schema.get("additionalProperties") is False, name
            assert set(schema["required"]) == set(schema["properties"]), name


def test_a_stray_field_would_be_caught():
    with pytest.raises(AssertionError):
        assert_matches("Hit", {"id": "x", "title": "t", "url": None, "press": None, "reporters": [],
                               "published": None, "score": None, "snippet": "", "title_html": "t"})


# --- search -----------------------------------------------------------------


def test_search_response_matches_the_document(client):
    response = client.get("/api/search?q=" + quote("삼성전자 협력"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.json
    assert_matches("SearchResponse", data)
    assert list(data) == ["query", "total", "page", "size", "took_ms", "hits", "facets", "suggestion", "rewritten_from",
                          "notices", "relaxed_total", "facets_scope", "reporter_card", "counts", "matched_articles"]
    assert data["query"] == "삼성전자 협력"
    assert data["total"] == len([h for h in data["hits"] if not h["missing"]]) >= 2
    assert len([h for h in data["hits"] if h["missing"]]) == min(data["relaxed_total"], data["size"] - data["total"])
    seed = next(h for h in data["hits"] if h["title"].startswith("이재용 삼성전자 부회장"))
    assert "<mark>삼성전자</mark>" in seed["snippet"] and "<mark>협력</mark>" in seed["snippet"]
    assert seed["reporters"] == ["조재범"] and seed["press"] == "뉴데일리경제"
    assert seed["published"] == "2018-11-07T16:12:56+09:00"
    assert seed["score"] > 0


def test_facets_shape_and_counts(client):
    data = client.get("/api/search?collapse=0").json  # every article, a syndicated copy too
    assert_matches("SearchResponse", data)
    assert data["total"] == len(ALL_ARTICLES) + 1
    reporters = {f["value"]: f["count"] for f in data["facets"]["reporter"]}
    expected = sum(1 for r in ALL_ARTICLES if "이서연" in reporters_of(r))
    assert reporters["이서연"] == expected
    dates = data["facets"]["date"]
    assert all(set(d) == {"period", "count"} for d in dates)
    assert [d["period"] for d in dates] == sorted(d["period"] for d in dates)
    dated = sum(1 for r in ALL_ARTICLES if r.get("published")) + 1  # + the seed
    assert sum(d["count"] for d in dates) == dated


def test_repeated_facets_are_or_within_and_across(client):
    def total(query: str) -> int:
        response = client.get("/api/search?collapse=0&" + query)
        assert response.status_code == 200
        return response.json["total"]

    def expected(reporters: set[str], presses: set[str] | None = None) -> int:
        return sum(
            1 for r in ALL_ARTICLES
            if reporters & set(reporters_of(r)) and (presses is None or r.get("press") in presses)
        )

    one = total("reporter=" + quote("이서연"))
    both = total("reporter=" + quote("이서연") + "&reporter=" + quote("박준호"))
    narrowed = total("reporter=" + quote("이서연") + "&reporter=" + quote("박준호") + "&press=" + quote("예시일보"))
    assert one == expected({"이서연"})
    assert both == expected({"이서연", "박준호"}) > one
    assert narrowed == expected({"이서연", "박준호"}, {"예시일보"}) < both


def test_dates_sort_and_paging(client):
    data = client.get("/api/search?from=2020-01&to=2020-03&sort=oldest&size=2&page=2").json
    assert data["total"] == 3 and data["page"] == 2 and data["size"] == 2
    assert [h["id"] for h in data["hits"]] == ["web-semi-3"]
    assert data["hits"][0]["score"] is None  # sorted by date, not ranked
    newest = client.get("/api/search?sort=newest&size=1").json["hits"][0]
    assert newest["id"] == "web-semi-12"


def test_suggestion_and_notices(client):
    # 협럭 finds nothing and 협력 does: the correction is searched (Naver's way) …
    data = client.get("/api/search?q=" + quote("협럭")).json
    assert (data["query"], data["rewritten_from"]) == ("협력", "협럭") and data["total"] >= 1
    # … and exact=1 searches the word as typed, offering the correction.
    data = client.get("/api/search?exact=1&q=" + quote("협럭")).json
    assert data["total"] == 0 and data["suggestion"] == "협력"
    data = client.get("/api/search?q=" + quote('"삼성전자')).json
    assert_matches("SearchResponse", data)
    assert data["total"] >= 1  # a lone quote runs to the end of the query


# --- articles -----------------------------------------------------------------


def test_latin_layout_typo_is_rewritten_and_can_be_refused(client):
    data = client.get("/api/search?q=tkatjdwjswk").get_json()
    assert_matches("SearchResponse", data)
    assert data["query"] == "삼성전자" and data["rewritten_from"] == "tkatjdwjswk"
    assert data["total"] >= 1
    exact = client.get("/api/search?q=tkatjdwjswk&exact=1").get_json()
    assert exact["query"] == "tkatjdwjswk" and exact["rewritten_from"] is None
    assert exact["total"] == 0
    plain = client.get("/api/search?q=" + quote("삼성전자")).get_json()
    assert plain["rewritten_from"] is None


def test_article_is_the_whole_record(client):
    data = client.get("/api/articles/fx-semi-1").json
    assert_matches("Article", data)
    assert data["title"] == "삼성전자, 차세대 반도체 공장 착공"
    assert data["subtitles"] == ["평택에 3나노 라인… 2030년까지 투자"]
    assert data["reporters"] == ["김민지"] and data["email"] == "minji@example-news.kr"
    assert data["body"] == ["삼성전자가 평택에서 차세대 반도체 공장 착공식을 열었다.", "이재용 부회장은 협력사와의 상생을 강조했다."]
    assert data["related"] == [{"title": "SK하이닉스, 메모리 감산 결정", "published": "2019-02-11", "url": None}]
    assert "source" not in data  # a server path, not part of the article


def test_related_lists(client):
    data = client.get("/api/articles/web-ai-cloud/related").json
    assert_matches("Related", data)
    assert data["id"] == "web-ai-cloud"
    assert data["listed"][0]["article"]["id"] == "fx-ai-2"
    assert data["listed"][1]["article"] is None
    similar = [ref["id"] for ref in data["similar"]]
    assert similar and "web-ai-cloud" not in similar and "web-ai-cloud-copy" not in similar
    assert data["same_reporter"][0]["reporter"] == "이서연"


@pytest.mark.parametrize("path", ["/api/articles/no-such-id", "/api/articles/no-such-id/related"])
def test_unknown_article_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_matches("Error", response.json)
    assert response.json["error"]["param"] == "id"
    assert "no-such-id" in response.json["error"]["message"]


# --- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, param",
    [
        ("page=0", "page"),
        ("size=1000", "size"),
        ("from=2018-13-45", "from"),
        ("to=2019-02-30", "to"),
        ("sort=best", "sort"),
        ("page=abc", "page"),
        ("size=-5", "size"),
        ("from=2019-03&to=2019-01", "from"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, query, param):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert_matches("Error", response.json)
    error = response.json["error"]
    assert error["status"] == 400 and error["param"] == param
    assert param in error["message"]


def test_missing_index_is_503_saying_how_to_build_it(tmp_path):
    response = create_app(tmp_path / "empty").test_client().get("/api/search?q=x")
    assert response.status_code == 503
    assert_matches("Error", response.json)
    assert "news-search reindex" in response.json["error"]["message"]


def test_unknown_api_path_and_method_are_json(client):
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    posted = client.post("/api/search", data={"q": "x"})
    assert posted.status_code == 405 and posted.json["error"]["status"] == 405




@pytest.mark.parametrize("q", NASTY_QUERIES, ids=NASTY_IDS)
def test_nasty_queries_never_fail(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.data[:300]
    assert_matches("SearchResponse", response.json)


@pytest.mark.parametrize("raw", ["q=%ff%fe", "q=%", "q=%zz", "reporter=%ff", "page=%00", "size=1e3", "from=%ff", "q=a&q=b"])
def test_broken_query_strings_never_fail(client, raw):
    response = client.get("/api/search?" + raw)
    assert response.status_code in (200, 400)
    assert "error" in response.json if response.status_code == 400 else "hits" in response.json


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=60),
    page=st.one_of(st.none(), st.text(max_size=5), st.integers(-3, 5).map(str)),
    sort=st.one_of(st.none(), st.sampled_from(["relevance", "newest", "oldest", "NEWEST", "x"])),
    date_from=st.one_of(st.none(), st.text(max_size=10)),
)
def test_any_parameters_are_200_or_400(client, q, page, sort, date_from):
    params = {"q": q}
    for name, value in (("page", page), ("sort", sort), ("from", date_from)):
        if value is not None:
            params[name] = value
    response = client.get("/api/search", query_string=params)
    assert response.status_code in (200, 400), response.data[:300]
    if response.status_code == 400:
        assert response.json["error"]["param"] in ("page", "sort", "from")


# --- escaping -------------------------------------------------------------------


def test_markup_in_articles_never_reaches_a_response_as_markup(client):
    response = client.get("/api/search?q=" + quote("보안 점검"))
    hit = response.json["hits"][0]
    assert hit["title"] == SCRIPT_TITLE  # plain text: the client escapes it
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in hit["snippet"]
    assert "<script" not in hit["snippet"] and "<mark>보안</mark>" in hit["snippet"]
    # The body bytes hold no markup at all (<, >, & are \u-escaped JSON).
    for raw in (response.data, client.get("/api/articles/web-script").data,
                client.get("/api/search?q=" + quote("<script>alert(1)</script>")).data):
        assert b"<" not in raw and b">" not in raw
