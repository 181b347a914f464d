"""Concurrency: two reindexes never both write, and searches keep answering from
the old index while a reindex runs, then from the new one after the swap.

A reindex subprocess is paused at a checkpoint (NEWS_SEARCH_HOLD_AT, see
search/faults.py) so the tests act while it is mid-way, deterministically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT
from search.index import IndexLayout
from search.indexer import reindex
from search.service import SearchRequest, SearchService
from test_reliability_crash import built, cli_reindex  # noqa: F401 (built: the fixture both modules use)


@contextmanager
def held_reindex(index_dir: Path, corpus: Path, moment: str, tmp: Path, *flags: str):
    """A `news-search reindex` subprocess paused at checkpoint `moment`; yields
    (process, release) once it is there.  `release()` lets it go on."""
    gate = tmp / f"gate-{moment.replace(':', '-')}"
    gate.write_text("")
    reached = Path(str(gate) + ".reached")
    env = dict(os.environ, PYTHONPATH=str(ROOT), NEWS_SEARCH_HOLD_AT=moment, NEWS_SEARCH_HOLD_FILE=str(gate))
    out = open(tmp / "held.out", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir), "--quiet", *flags],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not reached.exists():
            assert process.poll() is None, f"reindex ended before {moment}: {Path(out.name).read_text()}"
            assert time.monotonic() < deadline, f"reindex never reached {moment}"
            time.sleep(0.02)
        yield process, lambda: gate.unlink(missing_ok=True)
    finally:
        gate.unlink(missing_ok=True)
        try:
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            out.close()


def test_a_second_reindex_is_refused_or_waits_while_one_writes(built, tmp_path):
    corpus, index_dir = built
    with held_reindex(index_dir, corpus, "reindex:analysis", tmp_path) as (first, release):
        refused = cli_reindex(index_dir, corpus)
        assert refused.returncode == 1
        assert f"another reindex (pid {first.pid}) is writing {index_dir}" in refused.stderr
        assert "--wait" in refused.stderr
        # Only the first one has a generation under construction.
        assert [p.name.endswith(f"-{first.pid}.building") for p in index_dir.glob("gen-*.building")] == [True]

        waiting = subprocess.Popen(
            [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir), "--quiet",
             "--incremental", "--wait", "--json"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(1.5)
        assert waiting.poll() is None, "a --wait reindex must queue behind the running one"
        assert len(list(index_dir.glob("gen-*.building"))) == 1
        release()
        assert first.wait(timeout=120) == 0
    stdout, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    report = json.loads(stdout)
    # It ran after the first had swapped in everything: nothing left to do.
    assert (report["indexed"], report["unchanged"], report["total"]) == (0, 7, 7)
    assert SearchService(index_dir).search("양자컴퓨터").total == 1


def test_searches_answer_from_the_old_index_during_a_reindex_and_the_new_one_after(built, tmp_path):
    corpus, index_dir = built
    service = SearchService(index_dir)  # one service, as a server holds it
    old_generation = service.generation_name
    semiconductors = service.search(SearchRequest(q="반도체", sort="newest", size=5)).total
    assert semiconductors >= 2  # unchanged by this reindex
    errors: list[BaseException] = []
    seen: dict[int, list[int]] = {}
    stop = threading.Event()

    def hammer(worker: int) -> None:
        totals = seen.setdefault(worker, [])
        while not stop.is_set():
            try:
                totals.append(service.search("양자컴퓨터").total)
                result = service.search(SearchRequest(q="반도체", sort="newest", size=5))
                assert result.total == semiconductors and result.hits
                assert service.article("fx-semi-2").title == "SK하이닉스, 메모리 감산 결정"
                assert service.related("fx-semi-1") is not None
            except BaseException as exc:  # noqa: BLE001 — every failure counts
                errors.append(exc)
                return

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        # Paused after the new segments are written, before the swap: the worst moment.
        with held_reindex(index_dir, corpus, "reindex:commit", tmp_path, "--incremental") as (process, release):
            # Every thread answers again while the reindex is held (a condition with a
            # generous deadline, not a fixed sleep: a loaded CI machine is slow, not wrong).
            before = {w: len(t) for w, t in seen.items()}
            deadline = time.monotonic() + 60
            while not errors and not (len(seen) == len(threads)
                                      and all(len(t) > before.get(w, 0) for w, t in seen.items())):
                assert time.monotonic() < deadline, "searches stalled during the reindex"
                time.sleep(0.05)
            assert not any(any(t) for t in seen.values()), "the unfinished index was visible"
            release()
            assert process.wait(timeout=120) == 0
        deadline = time.monotonic() + 120
        while not all(t and t[-1] == 1 for t in seen.values()) and time.monotonic() < deadline and not errors:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, repr(errors[:3])
    assert service.generation_name != old_generation
    for worker, totals in seen.items():
        assert totals[-1] == 1, f"thread {worker} never saw the new index"
        switched = totals.index(1)
        assert set(totals[:switched]) == {0} and set(totals[switched:]) == {1}, "answers went back to the old index"


def test_searches_survive_a_burst_of_reindexes(built):
    """Each reindex prunes generations older than the last three; a server that
    keeps answering across many swaps must never trip over a pruned one."""
    corpus, index_dir = built
    service = SearchService(index_dir)
    errors: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                assert service.search("나델라").total == 1
                answered[0] += 1
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(5):
            reindex([corpus], index_dir=index_dir, workers=1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, repr(errors[:3])
    assert answered[0] > 0
    assert len(IndexLayout(index_dir).generations()) <= 3
