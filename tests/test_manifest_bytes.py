"""The manifest is written by orjson when its output is plain ASCII, else by
json.dumps with escapes (search/layout.py: manifest_bytes): either way the
file is ASCII and reads back as the very dict written, Korean text and file
names that are not UTF-8 (lone surrogates) included, by the reader the
reindex uses (search/index.py: parse_manifest, orjson with json.loads for
what orjson refuses) as by json.loads."""

from __future__ import annotations

import json

import pytest

from search.index import IndexLayout, parse_manifest
from search.layout import manifest_bytes

CASES = {
    "ascii": {"schema": 5, "articles": {"a1": ["/data/x.jsonl", "0f" * 16]}, "seconds": 1.25, "ok": True,
              "none": None, "lines": {f"{i:032x}": f"a{i}" for i in range(50)}},
    "korean": {"report": {"warnings": ["기사 a1: 제목이 없습니다"]}, "paths": ["/자료/뉴스.jsonl"]},
    "surrogate": {"files": {"/data/caf\udce9.jsonl": "ab" * 16}},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_manifest_reads_back_as_written_and_is_ascii(name):
    data = manifest_bytes(CASES[name])
    assert data.isascii()
    assert json.loads(data.decode("ascii")) == CASES[name]
    # the same text json.dumps would give, but for the spaces between items
    assert json.loads(data) == json.loads(json.dumps(CASES[name], ensure_ascii=True))
    assert parse_manifest(data) == CASES[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_generation_s_manifest_reads_back_as_written(tmp_path, name):
    generation = tmp_path / "gen-1"
    generation.mkdir()
    (generation / "manifest.json").write_bytes(manifest_bytes(CASES[name]))
    assert IndexLayout(tmp_path).read_manifest(generation) == CASES[name]


def test_an_unreadable_manifest_reads_as_none_at_all(tmp_path):
    generation = tmp_path / "gen-1"
    generation.mkdir()
    assert IndexLayout(tmp_path).read_manifest(generation) == {}  # no file
    for broken in (b'{"schema": 6, "articles": {', b"\xff\xfe not json", b""):
        (generation / "manifest.json").write_bytes(broken)
        assert IndexLayout(tmp_path).read_manifest(generation) == {}


def test_what_json_cannot_write_is_still_an_error():
    from pathlib import Path

    with pytest.raises(TypeError):
        manifest_bytes({"paths": [Path("/x")]})
