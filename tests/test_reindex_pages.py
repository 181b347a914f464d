"""An incremental reindex keeps numpy's large arrays on small pages for its
run only (search/reindex/pages.py): the setting is off inside the run, put
back after it (also when the run fails), and a full build leaves it alone."""


import pytest

import search.reindex.pipeline as pipeline
from search.reindex.pages import huge_pages_enabled, small_pages
from reindex_fixtures import full_then_incremental

pytestmark = pytest.mark.skipif(huge_pages_enabled() is None, reason="this numpy has no huge-page switch")


def test_small_pages_turns_huge_pages_off_and_puts_the_setting_back():
    assert huge_pages_enabled() is True  # numpy's default
    with small_pages():
        assert huge_pages_enabled() is False
        with small_pages():
            assert huge_pages_enabled() is False
        assert huge_pages_enabled() is False  # the inner block restores the outer one's setting
    assert huge_pages_enabled() is True
    with pytest.raises(RuntimeError):
        with small_pages():
            raise RuntimeError("a failed run")
    assert huge_pages_enabled() is True


def test_an_incremental_run_regroups_on_small_pages_and_a_full_build_does_not(tmp_path, monkeypatch):
    seen = []
    real = pipeline.regroup
    monkeypatch.setattr(pipeline, "regroup", lambda *args, **kwargs: seen.append(huge_pages_enabled())
                        or real(*args, **kwargs))
    report = full_then_incremental(tmp_path / "c.jsonl", tmp_path / "ix", 6, changed=2)
    assert (report.indexed, report.unchanged) == (1, 5)
    assert seen == [True, False]
    assert huge_pages_enabled() is True
