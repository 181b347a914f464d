"""One JSON shape for a search result: `news-search search --json` and
`GET /api/search` print the same document for the same request (search/render.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from webui import create_app

REQUESTS = [
    # (command-line arguments, query string)
    (["삼성전자 협력"], {"q": "삼성전자 협력"}),
    (["협력", "--sort", "newest", "--size", "2", "--page", "2"], {"q": "협력", "sort": "newest", "size": "2", "page": "2"}),
    (["", "--from", "2018", "--to", "2025-12"], {"from": "2018", "to": "2025-12"}),
]


def cli_json(index_dir, args) -> dict:
    done = subprocess.run([sys.executable, "-m", "search", "search", *args, "--index", str(index_dir), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def without_timing(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "took_ms"}


@pytest.mark.parametrize("args, query", REQUESTS)
def test_the_cli_and_the_api_print_the_same_result(fixture_index, args, query):
    client = create_app(fixture_index).test_client()
    api = client.get("/api/search", query_string=query)
    assert api.status_code == 200
    from_api = api.get_json()
    from_cli = cli_json(fixture_index, args)
    assert from_api["total"] > 0  # a comparison of two empty results would prove little
    assert without_timing(from_cli) == without_timing(from_api)


def test_the_date_facet_is_a_period_in_both(fixture_index):
    client = create_app(fixture_index).test_client()
    dates = client.get("/api/search", query_string={"q": "협력"}).get_json()["facets"]["date"]
    assert dates and all(set(entry) == {"period", "count"} for entry in dates)
    assert cli_json(fixture_index, ["협력"])["facets"]["date"] == dates
