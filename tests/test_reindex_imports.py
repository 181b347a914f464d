"""A `news-search reindex` imports the write side only: not the query layer,
not Flask (the web UI), not beautifulsoup4 when no HTML file is read
(search/__init__.py binds the query side's names on first use, search/cli.py
loads a command's modules when that command runs).  The public names still
import from `search` as before, as the very objects their modules define."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import search

ROOT = Path(__file__).resolve().parent.parent

# Modules a reindex of JSONL files has no use for.
QUERY_SIDE = ("search.query", "search.service", "search.render", "search.evaluation", "flask", "webui", "bs4")


def modules_after(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
                            cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return json.loads(result.stdout.splitlines()[-1])


def loaded(modules: list[str], prefixes) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_a_jsonl_reindex_through_the_command_line_imports_no_query_side(tmp_path):
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(json.dumps({"id": "a1", "title": "전기차 보조금", "body": "정부가 전기차 보조금 기준을 바꾼다."},
                                 ensure_ascii=False) + "\n", "utf-8")
    modules = modules_after(
        "from search.cli import main\n"
        f"assert main(['reindex', {str(corpus)!r}, '--index', {str(tmp_path / 'ix')!r}, '--quiet', '--workers', '1']) == 0"
    )
    assert "search.reindex.pipeline" in modules  # the run did happen here
    assert loaded(modules, QUERY_SIDE) == []


def test_the_search_command_still_loads_what_it_needs():
    modules = modules_after("from search.cli import build_parser\nbuild_parser()")
    # The full parser (help lists every command) loads every command's module.
    assert "webui.commands" in modules and "search.evaluation" in modules


def test_the_public_names_import_from_the_package_root_as_before():
    from search.query.dates import parse_date_bound, strip_date_spaces
    from search.query.tree import QueryError
    from search.render import search_result_json
    from search.service import MAX_PAGE_SIZE, Hit, IndexOverview, SearchRequest, SearchResult, SearchService

    expected = {"parse_date_bound": parse_date_bound, "strip_date_spaces": strip_date_spaces, "QueryError": QueryError,
                "search_result_json": search_result_json, "MAX_PAGE_SIZE": MAX_PAGE_SIZE, "Hit": Hit,
                "IndexOverview": IndexOverview, "SearchRequest": SearchRequest, "SearchResult": SearchResult,
                "SearchService": SearchService}
    for name, value in expected.items():
        assert getattr(search, name) is value
    namespace: dict = {}
    exec("from search import *", namespace)
    assert set(search.__all__) <= set(namespace)
    assert set(search.__all__) <= set(dir(search))


def test_an_unknown_name_is_an_attribute_error():
    try:
        search.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("search.no_such_name did not raise")
