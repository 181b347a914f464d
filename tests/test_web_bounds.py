"""What the web layer refuses before the engine runs (webui/bounds.py): integer
parameters exactly as the OpenAPI document types them, and a cap on facet values
that keeps a result page a bounded multiple of its query string (F6: 3,000
`press=` values built a 284 MB page).  Sizes are measured, never times."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from web_fixtures import web_index
from webui import create_app
from webui.bounds import MAX_FACET_VALUE_CHARS, MAX_FACET_VALUES


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return create_app(web_index(tmp_path_factory)).test_client()


# --- integers: digits only, empty is not "the default" ----------------------------


@pytest.mark.parametrize("name", ["page", "size"])
@pytest.mark.parametrize("value", ["", " ", " 2", "2 ", "1_0", "+1", "１", "١", "2.0", "0x1"])
def test_integer_parameters_are_digits_or_a_400_naming_them(client, name, value):
    response = client.get("/api/search?" + urlencode({"q": "반도체", name: value}))
    assert response.status_code == 400, (name, value, response.json)
    assert response.json["error"]["param"] == name
    assert name in response.json["error"]["message"]


def test_an_absent_integer_parameter_means_its_default(client):
    data = client.get("/api/search?q=반도체").json
    assert data["page"] == 1 and data["size"] == 10
    assert client.get("/api/search?q=반도체&page=02&size=3").json["size"] == 3


def test_the_page_says_in_korean_that_an_empty_page_number_is_refused(client):
    response = client.get("/search?q=반도체&page=")
    assert response.status_code == 400
    alert = BeautifulSoup(response.data, "html.parser").select_one(".alert-error").get_text(" ", strip=True)
    assert "페이지: 값이 비어 있습니다" in alert


def test_sort_is_one_of_the_documented_values_exactly(client):
    assert client.get("/api/search?sort=newest").status_code == 200
    assert client.get("/api/search?sort=").status_code == 200  # documented: empty means relevance
    for value in ("NEWEST", " newest", "newest "):
        response = client.get("/api/search?" + urlencode({"sort": value}))
        assert response.status_code == 400 and response.json["error"]["param"] == "sort", value


# --- facet values: capped, and pages linear in the input ----------------------------


def flood(name: str, count: int, chars: int = 8) -> list[tuple[str, str]]:
    return [(name, f"{i:05d}" + "가" * (chars - 5)) for i in range(count)]


@pytest.mark.parametrize("name", ["press", "reporter"])
def test_a_flood_of_facet_values_is_a_400_naming_the_parameter(client, name):
    query = urlencode([("q", "반도체")] + flood(name, 3000))
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    assert api.json["error"]["param"] == name
    assert "3,000 values" in api.json["error"]["message"]
    page = client.get("/search?" + query)
    assert page.status_code == 400
    alert = BeautifulSoup(page.data, "html.parser").select_one(".alert-error").get_text(" ", strip=True)
    label = {"press": "언론사", "reporter": "기자"}[name]
    assert f"{label}: 3,000개를 골랐습니다" in alert and f"{MAX_FACET_VALUES}개까지" in alert
    # The refusal quotes the request a bounded number of times (the search forms
    # carry it along), not once per value: it was 284 MB for this input.
    assert len(page.data) < 6 * len(query) + 32_000, len(page.data)


def test_one_value_too_many_or_too_long_is_refused(client):
    at_cap = urlencode(flood("press", MAX_FACET_VALUES))
    assert client.get("/api/search?" + at_cap).status_code == 200
    over = client.get("/api/search?" + urlencode(flood("press", MAX_FACET_VALUES + 1)))
    assert over.status_code == 400 and over.json["error"]["param"] == "press"
    # Counted as received: blank and repeated values count too.
    blanks = client.get("/api/search?" + urlencode([("press", "")] * (MAX_FACET_VALUES + 1)))
    assert blanks.status_code == 400
    long_value = client.get("/api/search?" + urlencode({"reporter": "김" * (MAX_FACET_VALUE_CHARS + 1)}))
    assert long_value.status_code == 400 and long_value.json["error"]["param"] == "reporter"
    assert client.get("/api/search?" + urlencode({"reporter": "김" * MAX_FACET_VALUE_CHARS})).status_code == 200


def test_a_result_page_is_a_bounded_multiple_of_its_query_string(client):
    """Every facet value at its longest and both facets full: the page stays under
    100 times the query string (it grew with the square of the values before)."""
    pairs = [("q", "반도체")] + flood("press", MAX_FACET_VALUES, MAX_FACET_VALUE_CHARS) \
        + flood("reporter", MAX_FACET_VALUES, MAX_FACET_VALUE_CHARS)
    query = urlencode(pairs)
    response = client.get("/search?" + query)
    assert response.status_code == 200
    assert len(response.data) < 100 * len(query), (len(response.data), len(query))


def test_many_chosen_values_share_one_chip_and_stay_removable_one_by_one(client):
    presses = ["예시일보", "샘플타임스", "뉴데일리경제", "없는일보1", "없는일보2", "없는일보3"]
    response = client.get("/search?" + urlencode([("q", "반도체")] + [("press", p) for p in presses]))
    soup = BeautifulSoup(response.data, "html.parser")
    chips = [a.get_text(" ", strip=True) for a in soup.select(".chips a.chip")]
    assert len(chips) == 1 and chips[0].startswith(f"언론사 {len(presses)}개: 예시일보, 샘플타임스")
    # The facet list still offers each chosen value on its own, as a link that removes it.
    chosen = soup.select("section.facet a.on")
    assert {a.select_one(".facet-name").get_text() for a in chosen} >= {"예시일보", "샘플타임스"}
    few = BeautifulSoup(client.get("/search?q=반도체&press=예시일보&press=샘플타임스").data, "html.parser")
    assert [a.get_text(" ", strip=True).split(" ×")[0] for a in few.select(".chips a.chip")] == \
        ["언론사: 예시일보", "언론사: 샘플타임스"]
