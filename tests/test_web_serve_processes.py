"""`serve --processes N`: worker processes forked after warming share the port.

Against real server processes (tests/web_fixtures.py).  Which worker answered is
read from outside, through /proc: each worker's `rchar` (bytes its read calls
returned, the requests included) grows only when it accepts and reads
connections; the API exposes nothing new for it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from web_fixtures import running_server, web_index, write_web_corpus

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; forks")

QUERY = "반도체"


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != b"Z":
                found.append(int(entry))
    return sorted(found)


def workers_of(process, count: int = 2) -> list[int]:
    """The worker pids (the serving line is printed before they are forked)."""
    assert wait_for(lambda: len(children(process.pid)) == count), children(process.pid)
    return children(process.pid)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def read_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/io", encoding="ascii") as handle:
        return int(next(line for line in handle if line.startswith("rchar:")).split()[1])


def search(base: str, q: str) -> dict:
    url = f"{base}/api/search?q={urllib.parse.quote(q)}"
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def load_until_both_answer(base: str, workers: list[int], q: str, check) -> None:
    """Concurrent requests (new connections each) until every worker has read
    some; each answer passes `check`.  Bounded: at most five rounds of 32."""
    before = {pid: read_bytes(pid) for pid in workers}
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            for answer in pool.map(lambda _: search(base, q), range(32)):
                check(answer)
            if all(read_bytes(pid) > before[pid] for pid in workers):
                return
    pytest.fail(f"not every worker answered: read bytes {before} -> { {p: read_bytes(p) for p in workers} }")


@pytest.fixture
def own_index(tmp_path_factory, tmp_path):
    """A copy of the web index this test may reindex."""
    index_dir = tmp_path / "index"
    shutil.copytree(web_index(tmp_path_factory), index_dir, symlinks=True)
    return index_dir


def test_two_worker_processes_both_answer_right_under_concurrent_load(tmp_path_factory, tmp_path):
    with running_server(web_index(tmp_path_factory), tmp_path, extra_args=("--processes", "2")) as (base, process):
        workers = workers_of(process)

        def check(answer):
            assert answer["total"] >= 12 and any(QUERY in hit["title"] for hit in answer["hits"])

        load_until_both_answer(base, workers, QUERY, check)
        assert children(process.pid) == workers  # none died under the load


def test_one_process_forks_no_workers(tmp_path_factory, tmp_path):
    with running_server(web_index(tmp_path_factory), tmp_path, extra_args=("--processes", "1")) as (base, process):
        assert search(base, QUERY)["total"] >= 12
        time.sleep(1)
        assert children(process.pid) == []


def test_workers_stop_with_the_parent_terminated_or_killed(tmp_path_factory, tmp_path):
    index_dir = web_index(tmp_path_factory)
    with running_server(index_dir, tmp_path, extra_args=("--processes", "2")) as (base, process):
        workers = workers_of(process)
        process.terminate()
        assert process.wait(timeout=20) == 0  # SIGTERM passed on; every worker gone before the parent
        assert not any(alive(pid) for pid in workers)
    with running_server(index_dir, tmp_path, extra_args=("--processes", "2")) as (base, process):
        workers = workers_of(process)
        process.kill()  # nothing to pass SIGKILL on: the kernel ends the orphans
        process.wait(timeout=20)
        assert wait_for(lambda: not any(alive(pid) for pid in workers)), "a worker outlived its parent"


def test_a_killed_worker_is_reported_and_replaced(tmp_path_factory, tmp_path):
    with running_server(web_index(tmp_path_factory), tmp_path, extra_args=("--processes", "2")) as (base, process):
        workers = workers_of(process)
        os.kill(workers[0], signal.SIGKILL)
        assert wait_for(lambda: len(children(process.pid)) == 2 and workers[0] not in children(process.pid))
        replaced = children(process.pid)
        assert workers[1] in replaced
        log = (tmp_path / "serve.stderr.txt").read_text("utf-8")
        assert f"worker process {workers[0]} was killed by signal 9" in log
        assert process.poll() is None
        load_until_both_answer(base, replaced, QUERY, lambda answer: answer["total"] >= 12)


def test_a_reindex_reaches_every_worker(own_index, tmp_path):
    from search.indexer import reindex

    word = "양자암호통신망"
    extra = {"id": "web-new-generation", "url": "https://www.example-news.kr/article/9001",
             "title": f"{word} 시범 구축", "press": "예시일보", "reporter": "김민지",
             "published": "2021-02-01T09:00:00+09:00",
             "body": f"{word} 시범 사업이 시작됐다.\n연구진은 보안 통신을 시험한다."}
    with running_server(own_index, tmp_path, extra_args=("--processes", "2")) as (base, process):
        workers = workers_of(process)
        # Both workers have opened the old generation and answered from it.
        load_until_both_answer(base, workers, word, lambda answer: assert_total(answer, 0))
        corpus = write_web_corpus(tmp_path / "corpus", extra=[extra])
        report = reindex([corpus], index_dir=own_index, workers=1, progress=False)
        assert not report.failed
        load_until_both_answer(base, workers, word, lambda answer: assert_total(answer, 1, "web-new-generation"))


def assert_total(answer: dict, total: int, first_id: str = "") -> None:
    assert answer["total"] == total, answer
    if first_id:
        assert answer["hits"][0]["id"] == first_id


def test_workers_that_keep_dying_stop_the_server_with_status_1(capsys):
    from webui.prefork import GIVE_UP_DEATHS, run_workers

    assert run_workers(lambda: 3, 2, name="test") == 1
    err = capsys.readouterr().err
    assert err.count("exited with status 3") == GIVE_UP_DEATHS
    assert err.count("in its place") == GIVE_UP_DEATHS - 1
    assert f"test: {GIVE_UP_DEATHS} worker processes died within" in err
