"""Bad queries and requests: each is a 400 naming the parameter or a valid
(possibly empty) result with a notice saying what was done — never a 500, never
unbounded work.  The time budget (search/limits.py) is tested by shrinking it,
not by timing: timing belongs in benchmarks."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator

import search.limits as limits
import search.service as service_module
from search.limits import TIMEOUT_NOTICE, WILDCARD_NOTICE, BudgetedQuery, SearchBudget
from search.service import MAX_PAGE, SearchRequest
from test_web_api import DOCUMENT
from web_fixtures import web_index
from webui import create_app

RESPONSE = Draft202012Validator({"$ref": "#/components/schemas/SearchResponse", "components": DOCUMENT["components"]})


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return create_app(web_index(tmp_path_factory)).test_client()


@pytest.fixture(scope="module")
def service(client):
    return client.application.extensions["news_search"]


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code in (200, 400), response.data[:300]
    data = response.json
    if response.status_code == 200:
        errors = list(RESPONSE.iter_errors(data))
        assert not errors, errors[0].message
    else:
        assert data["error"]["message"] and data["error"]["param"]
    return response.status_code, data


NO_WORDS = "찾을 수 있는 단어가 없습니다"

# query → what the answer must say (a notice substring), or None for "a valid result".
BAD_QUERIES = {
    '"반도체 수출': None,                          # unbalanced quote: the phrase runs to the end
    '반도체 "': None,
    "((반도체 OR 협력": None,                       # unbalanced parentheses
    "반도체))": None,
    "OR": NO_WORDS, "AND": None, "-": NO_WORDS, "+": NO_WORDS, "OR OR -": NO_WORDS,
    "반도체 OR": None, "OR 반도체": None, "- 반도체": None,
    "은 는 이 가": None,                             # particles only (standalone, mecab reads 은 as silver)
    "은는이가": None,
    "을를에서으로": None,
    "😀🔥🇰🇷": NO_WORDS, "반도체 😀": None,
    "'; DROP TABLE articles; --": None, "1' OR '1'='1": None, "$(reboot)": None, "`rm -rf /`": None,
    "<script>alert(1)</script>": None, "<!--": None, "{{7*7}}": None, "\u202e반도체": None,
    "*": WILDCARD_NOTICE, "**********": WILDCARD_NOTICE, "*성": WILDCARD_NOTICE, "반도*": WILDCARD_NOTICE,
    "*" * 1000 + " 반도체": WILDCARD_NOTICE,
    "기자:": "다음에 값이 없어", "날짜:2018-99": "날짜", "제목:(": None,
    "반도체 " * 2000: "1,000자만",               # 10,000 characters: capped, and said so
    "(" * 300 + "반도체" + ")" * 300: "단어가 너무 많아",
}


@pytest.mark.parametrize("q", list(BAD_QUERIES), ids=[ascii(q[:12]) + f"…{len(q)}" for q in BAD_QUERIES])
def test_bad_queries_get_a_valid_answer_and_say_what_was_done(client, q):
    status, data = search(client, q=q)
    assert status == 200
    expected = BAD_QUERIES[q]
    if expected:
        assert any(expected in notice for notice in data["notices"]), data["notices"]


def test_particles_add_nothing_to_a_word(client):
    assert search(client, q="반도체는")[1]["total"] == search(client, q="반도체")[1]["total"] > 0
    assert search(client, q="반도체에서도")[1]["total"] == search(client, q="반도체")[1]["total"]


def test_a_query_over_the_cap_searches_its_start(client):
    status, data = search(client, q="반도체 " * 2000)
    assert data["total"] == search(client, q="반도체")[1]["total"] > 0


def test_wildcards_are_ignored_not_expanded(client):
    plain = search(client, q="반도체")[1]
    starred = search(client, q="반도체*")[1]
    assert starred["total"] == plain["total"] > 0
    assert [h["id"] for h in starred["hits"]] == [h["id"] for h in plain["hits"]]
    assert WILDCARD_NOTICE in starred["notices"] and WILDCARD_NOTICE not in plain["notices"]
    # A leading wildcard is the same word without it, never "every word ending in 체".
    assert search(client, q="*도체")[1]["total"] == search(client, q="도체")[1]["total"]


@pytest.mark.parametrize("page,ok", [(1, True), (MAX_PAGE, True), (MAX_PAGE + 1, False), (10**30, False),
                                     (0, False), (-1, False), ("1e9", False),
                                     ("９", False)])  # ASCII digits only, as the document's integer (webui/bounds.py)
def test_page_numbers(client, page, ok):
    status, data = search(client, q="반도체", page=page)
    if ok:
        assert status == 200 and data["total"] > 0
        assert data["hits"] == [] or data["page"] == 1  # far past the end: a valid, empty page
    else:
        assert status == 400 and data["error"]["param"] == "page"
        assert "page" in data["error"]["message"]


def test_sizes_and_other_parameters_name_the_culprit(client):
    for params, param in (({"size": 101}, "size"), ({"size": 0}, "size"), ({"sort": "best"}, "sort"),
                          ({"from": "2019-02-30"}, "from"), ({"from": "2020", "to": "2019"}, "from"),
                          ({"to": "x" * 10_000}, "to")):
        status, data = search(client, q="반도체", **params)
        assert status == 400 and data["error"]["param"] == param
        assert len(data["error"]["message"]) <= 300  # a long value is quoted in part


def test_the_time_budget_cuts_a_search_short_with_a_notice(client, service, monkeypatch):
    full = service.search(SearchRequest(q="반도체 OR 협력 OR 삼성전자"))
    assert full.total > 3 and not any(TIMEOUT_NOTICE in n for n in full.notices)
    # A budget that is spent at the first look at the clock.
    monkeypatch.setattr(limits, "PASS_BUDGET_SECONDS", -1.0)
    monkeypatch.setattr(limits, "CHECK_EVERY", 1)
    status, data = search(client, q="반도체 OR 협력 OR 삼성전자", sort="newest")
    assert status == 200
    assert data["notices"].count(TIMEOUT_NOTICE) == 1
    assert data["total"] < full.total  # partial: what was found in time
    # (Another sort than the first search's: that full result is cached, rightly.)
    page = client.get("/search?sort=oldest&q=" + quote("반도체 OR 협력 OR 삼성전자"))
    assert page.status_code == 200 and "시간 한도" in page.get_data(as_text=True)
    # A partial result is kept briefly: an identical search at once gets it
    # (even with the budget back), and once it expires the search runs again.
    monkeypatch.undo()
    request = SearchRequest(q="반도체 OR 협력 OR 삼성전자", sort="oldest", collapse=True)  # as the page asked
    again = service.search(request)
    assert TIMEOUT_NOTICE in again.notices and again.total < full.total
    monkeypatch.setattr(service_module, "PARTIAL_RESULT_SECONDS", 0.0)
    monkeypatch.setattr(limits, "PASS_BUDGET_SECONDS", -1.0)
    monkeypatch.setattr(limits, "CHECK_EVERY", 1)
    service.search(SearchRequest(q="반도체 OR 협력 OR 삼성전자", sort="newest", size=5))  # cut short, kept 0 s
    monkeypatch.undo()
    rerun = service.search(SearchRequest(q="반도체 OR 협력 OR 삼성전자", sort="newest", size=5))
    assert TIMEOUT_NOTICE not in rerun.notices and rerun.total == full.total


def test_budgeted_query_is_transparent(service):
    # Same matches, same order.
    parser = service.parser
    compiled = parser.compile(parser.parse("반도체 협력")).query
    wrapped = BudgetedQuery(compiled, SearchBudget([]))
    searcher = service.generation().searcher()
    assert list(searcher.docs_for_query(wrapped)) == list(searcher.docs_for_query(compiled))
    assert [h["id"] for h in searcher.search(wrapped, limit=20)] == [h["id"] for h in searcher.search(compiled, limit=20)]


def test_the_cli_prints_the_notices(fixture_index):
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "search", "search", "반도체* " * 2000, "--index", str(fixture_index), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    notices = json.loads(done.stdout)["notices"]
    assert WILDCARD_NOTICE in notices and any("1,000자만" in n for n in notices)
