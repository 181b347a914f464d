"""`reindex --json` prints its report a key a line and a list item a line,
each value by orjson (json's encoder where orjson refuses a value): what it
prints reads back as the report, names that are not UTF-8 included."""

import io
import json

from search.cli import _print_report_json, _report_json


def report_like():
    return {
        "index": "/tmp/색인",
        "incremental": True,
        "indexed": 100,
        "seconds": 5.388,
        "failed": [{"source": "/data/caf\udce9.jsonl", "line": 3, "reason": "cannot parse: \"bad\" \\ line\n"}],
        "duplicates": [{"id": f"기사-{i}", "source": "/data/c.jsonl", "line": i, "kept": f"/data/c.jsonl:{i - 1}"}
                       for i in range(1, 50)],
        "warnings": [],
        "capped": [{"id": "a", "source": "s", "characters": 10**6, "indexed": 200_000}],
        "refused": "",
        "rebuild_reason": None,
    }


def test_the_printed_report_reads_back_as_the_report(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    data = report_like()
    _print_report_json(data)
    assert json.loads(out.getvalue()) == data
    text = out.getvalue()
    assert "\\udce9" in text  # the lone surrogate escaped, the JSON valid


def test_a_list_item_a_line():
    data = report_like()
    lines = _report_json(data).splitlines()
    items = [json.loads(line.strip().rstrip(",")) for line in lines if line.startswith("    ")]
    assert items == data["failed"] + data["duplicates"] + data["capped"]
