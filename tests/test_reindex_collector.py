"""A reindex keeps the last manifest's tables out of the cyclic garbage
collector's sight while it runs (search/reindex/pipeline.py: Reindexer.run)
and pauses the collector while a manifest is parsed (search/index.py:
parse_manifest).  The process may live on (a server, the tests): whatever
way the run ends, published, refused or failed, the collector is back as it
was, and an incremental run gives the same index as before."""

from __future__ import annotations

import gc

import pytest

from search.index import IndexLayout, parse_manifest
from search.reindex import ReindexRefused, reindex
from reindex_fixtures import full_then_incremental, write_corpus


def collector_as_it_was():
    return gc.isenabled() and gc.get_freeze_count() == 0


def test_full_and_incremental_runs_leave_the_collector_as_it_was(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 6)
    first = reindex([corpus], tmp_path / "ix", workers=1)
    assert first.indexed == 6 and collector_as_it_was()
    write_corpus(corpus, 6, changed={2})
    second = reindex([corpus], tmp_path / "ix", incremental=True, workers=1)
    assert (second.indexed, second.unchanged) == (1, 5) and collector_as_it_was()
    manifest = IndexLayout(tmp_path / "ix").read_manifest()
    assert sorted(manifest["articles"]) == [f"a{i}" for i in range(6)]


def test_a_refused_run_leaves_the_collector_as_it_was(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 6)
    reindex([corpus], tmp_path / "ix", workers=1)
    with pytest.raises(ReindexRefused):
        reindex([tmp_path / "missing.jsonl"], tmp_path / "ix", workers=1)
    assert collector_as_it_was()


def test_parsing_a_manifest_leaves_the_collector_as_it_was():
    assert parse_manifest(b'{"a": [1, 2]}') == {"a": [1, 2]} and collector_as_it_was()
    with pytest.raises(ValueError):
        parse_manifest(b'{"a": [1, ')
    assert collector_as_it_was()
    gc.disable()
    try:
        parse_manifest(b"{}")
        assert not gc.isenabled()  # paused by the caller: left paused
    finally:
        gc.enable()


def test_plans_are_made_with_the_collector_paused_and_incremental_runs_run_with_it_paused(tmp_path, monkeypatch):
    import search.reindex.pipeline as pipeline

    seen = {"plan": [], "regroup": []}
    real_units, real_regroup = pipeline.jsonl_units, pipeline.regroup

    def units(*args, **kwargs):
        seen["plan"].append(gc.isenabled())
        return real_units(*args, **kwargs)

    def regroup(*args, **kwargs):
        seen["regroup"].append(gc.isenabled())
        return real_regroup(*args, **kwargs)

    monkeypatch.setattr(pipeline, "jsonl_units", units)
    monkeypatch.setattr(pipeline, "regroup", regroup)
    corpus = tmp_path / "c.jsonl"
    second = full_then_incremental(corpus, tmp_path / "ix", 6, changed=4)
    assert (second.indexed, second.unchanged) == (1, 5)
    assert seen == {"plan": [False, False], "regroup": [True, False]}  # a full build regroups with it on
    assert collector_as_it_was()
    monkeypatch.setattr(pipeline, "jsonl_units", lambda *args, **kwargs: (_ for _ in ()).throw(OSError(5, "boom")))
    write_corpus(corpus, 6, changed={1})
    reindex([corpus], tmp_path / "ix", incremental=True, workers=1, allow_shrink=True)  # the file unreadable: kept
    assert collector_as_it_was()
