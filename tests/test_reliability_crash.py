"""kill -9 of `news-search reindex` at chosen moments (search/faults.py
checkpoints, so the moment is exact, not a race): the previous index stays
intact and served, and the next reindex, full or incremental, completes with no
manual cleanup.  Also: locks left by dead processes never block, and forked
analysis workers neither keep the lock nor outlive a killed reindex."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, write_fixture_corpus
from search.index import IndexLayout
from search.indexer import reindex
from search.layout import WriterLock
from search.service import SearchService

NEW_ARTICLE = {"id": "rel-quantum", "title": "양자컴퓨터 상용화 임박", "press": "예시일보",
               "body": "양자컴퓨터가 내년 상용화를 앞두고 있다.\n연구진은 오류 보정 기술을 공개했다."}


def cli_reindex(index_dir: Path, corpus: Path, *flags: str, env: dict | None = None, timeout: float = 300):
    """Runs the reindex command to its end.  Its output goes through files, not
    pipes: a pipe would make this wait for any child still holding it open."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        done = subprocess.run(
            [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir), "--quiet", *flags],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})),
            stdout=out, stderr=err, text=True, timeout=timeout,
        )
        out.seek(0)
        err.seek(0)
        done.stdout, done.stderr = out.read(), err.read()
    return done


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a generation and the hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def add_and_change(corpus: Path) -> None:
    """Work for the next reindex: one new article, one changed."""
    path = corpus / "articles.jsonl"
    lines = path.read_text("utf-8").splitlines()
    record = json.loads(lines[0])
    record["body"] += "\n추가 문단: 협력사 지원 예산이 두 배로 늘었다."
    lines[0] = json.dumps(record, ensure_ascii=False)
    lines.append(json.dumps(NEW_ARTICLE, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", "utf-8")


def assert_old_index_served(index_dir: Path, generation: Path, files: dict[str, str]) -> None:
    layout = IndexLayout(index_dir)
    assert layout.current() == generation, "the current link moved"
    assert fingerprint(generation) == files, "a file of the served generation changed"
    service = SearchService(index_dir)  # what a server starting now would see
    assert service.count() == 6
    assert service.search("양자컴퓨터").total == 0
    assert service.search("나델라").total == 1
    assert service.article("fx-semi-1").body[-1] == "이재용 부회장은 협력사와의 상생을 강조했다."


@pytest.fixture
def built(tmp_path):
    corpus = write_fixture_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    add_and_change(corpus)
    return corpus, index_dir


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
@pytest.mark.parametrize("moment", ["reindex:analysis", "reindex:commit", "reindex:swap"])
def test_kill_before_the_swap_keeps_the_old_index_and_the_next_reindex_recovers(built, moment, incremental):
    corpus, index_dir = built
    layout = IndexLayout(index_dir)
    old = layout.current()
    old_files = fingerprint(old)

    flags = ["--incremental"] if incremental else []
    crashed = cli_reindex(index_dir, corpus, *flags, env={"NEWS_SEARCH_CRASH_AT": moment})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    # The crash left its remains: a half-built generation, or a finished one never swapped in.
    if moment == "reindex:swap":
        assert not list(index_dir.glob("gen-*.building"))
        assert [g for g in layout.generations() if g != old], "the renamed generation should exist"
    else:
        assert len(list(index_dir.glob("gen-*.building"))) == 1
    assert_old_index_served(index_dir, old, old_files)

    # No manual cleanup: an incremental reindex then a full one just run.
    again = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert again.incremental and not again.failed
    assert (again.indexed, again.unchanged, again.total) == (2, 5, 7)
    assert not list(index_dir.glob("gen-*.building"))
    service = SearchService(index_dir)
    assert service.search("양자컴퓨터").total == 1
    assert "추가 문단: 협력사 지원 예산이 두 배로 늘었다." in service.article("fx-semi-1").body

    full = reindex([corpus], index_dir=index_dir, workers=1)
    assert (full.indexed, full.total) == (7, 7)
    assert SearchService(index_dir).search("양자컴퓨터").total == 1
    assert len(layout.generations()) <= 3


def test_kill_after_the_swap_serves_the_new_index(built):
    corpus, index_dir = built
    layout = IndexLayout(index_dir)
    old = layout.current()
    crashed = cli_reindex(index_dir, corpus, env={"NEWS_SEARCH_CRASH_AT": "reindex:swapped"})
    assert crashed.returncode == -signal.SIGKILL
    assert layout.current() != old
    assert SearchService(index_dir).search("양자컴퓨터").total == 1
    # The dead process's lock went with it; the next run needs nothing.
    with WriterLock(layout.lock_path, wait=False):
        pass
    assert reindex([corpus], index_dir=index_dir, incremental=True, workers=1).unchanged == 7


def test_a_stale_lock_file_from_a_dead_process_does_not_block(built):
    corpus, index_dir = built
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (index_dir / ".lock").write_text(str(pid))  # what a killed reindex leaves: its pid, no flock
    done = cli_reindex(index_dir, corpus, "--incremental")
    assert done.returncode == 0, done.stderr
    assert "2 indexed" in done.stdout
    assert (index_dir / ".lock").read_text() != str(pid)


def test_workers_of_a_killed_reindex_neither_hold_the_lock_nor_linger(tmp_path):
    # Enough input for the parallel path (search.reindex.pipeline.PARALLEL_MIN_BYTES).
    corpus = tmp_path / "big"
    corpus.mkdir()
    with open(corpus / "many.jsonl", "w", encoding="utf-8") as handle:
        for i in range(260):
            body = "반도체 수출이 크게 늘었다. 업계는 협력사 지원을 확대했다. " * 120
            handle.write(json.dumps({"id": f"n{i}", "title": f"수출 동향 {i}", "body": body}, ensure_ascii=False) + "\n")
    assert (corpus / "many.jsonl").stat().st_size > 2_000_000
    index_dir = tmp_path / "ix"
    crashed = cli_reindex(index_dir, corpus, "--workers", "2", env={"NEWS_SEARCH_CRASH_AT": "reindex:analysis"})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    # The lock is free at once, though the workers had inherited the locked file.
    with WriterLock(index_dir / ".lock", wait=False):
        pass
    # The kernel kills them with their parent (they would otherwise finish their batch first).
    deadline = time.monotonic() + 1
    while (left := processes_mentioning(str(index_dir))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"orphaned workers still running: {left}"


def _signal_and_sleep(started) -> None:
    started.set()
    time.sleep(60)


def test_forked_children_do_not_keep_the_lock(tmp_path):
    context = multiprocessing.get_context("fork")
    lock = WriterLock(tmp_path / ".lock", wait=False).__enter__()
    started = context.Event()
    child = context.Process(target=_signal_and_sleep, args=(started,))
    child.start()
    try:
        assert started.wait(30)
        lock.handle.close()  # the holder dies: its descriptor is closed, nothing unlocks
        with WriterLock(tmp_path / ".lock", wait=False):
            pass
    finally:
        child.kill()
        child.join()


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found
