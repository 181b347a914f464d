"""Reindexing: full and incremental builds, failures that do not stop a run, the
lock, the atomic swap, and the command line."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from search.index import IndexLayout
from search.indexer import Reindexer, ReindexLocked, reindex
from search.layout import WriterLock
from search.service import SearchService
from conftest import ROOT, SEED_FILE, write_fixture_corpus


@pytest.fixture
def corpus(tmp_path):
    return write_fixture_corpus(tmp_path / "corpus")


def test_full_reindex_counts_add_up(corpus, tmp_path):
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    assert report.indexed == 6 and report.total == 6
    assert report.files_seen == 3 and report.files_skipped == [str(corpus / "notes.pdf")]
    assert report.articles_seen == report.indexed + report.unchanged + len(report.failed) + len(report.duplicates)


def test_incremental_reanalyses_only_what_changed(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)

    untouched = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert (untouched.indexed, untouched.unchanged, untouched.removed) == (0, 6, 0)

    # Change one article of the JSONL export: only that one is analysed again.
    path = corpus / "articles.jsonl"
    lines = path.read_text("utf-8").splitlines()
    record = json.loads(lines[2])
    record["body"] += "\n새로 추가된 문단: 양자컴퓨터 연구."
    lines[2] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    changed = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert (changed.indexed, changed.unchanged, changed.removed) == (1, 5, 0)
    assert SearchService(index_dir).search("양자컴퓨터").total == 1

    # Delete a file: its article goes.
    (corpus / SEED_FILE.name).unlink()
    removed = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert (removed.indexed, removed.removed, removed.total) == (0, 1, 5)
    assert SearchService(index_dir).search("나델라").total == 0


def test_incremental_after_a_user_dictionary_change_reanalyses_everything_and_says_why(corpus, tmp_path, monkeypatch):
    from search.analysis import userdict

    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    same = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert (same.indexed, same.unchanged, same.rebuild_reason) == (0, 6, "")

    # One more word in the dictionary: every article's analysis may change.
    edited = tmp_path / "userdict.txt"
    edited.write_text(userdict.user_dictionary_text() + "\n양자얽힘컴퓨터 NNP\n", "utf-8")
    monkeypatch.setenv("NEWS_SEARCH_USERDICT", str(edited))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    userdict.user_entries.cache_clear()
    try:
        after = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
        assert (after.indexed, after.unchanged, after.total) == (6, 0, 6)
        assert not after.incremental and "user dictionary" in after.rebuild_reason
        assert after.to_dict()["rebuild_reason"] == after.rebuild_reason
        # The new dictionary is recorded: the next incremental run is incremental again.
        again = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
        assert (again.indexed, again.unchanged, again.rebuild_reason) == (0, 6, "")

        # The command line says why, too (a third dictionary: the index holds the second).
        third = tmp_path / "third.txt"
        third.write_text(edited.read_text("utf-8") + "새단어전혀없던말\n", "utf-8")
        cli = run_cli("reindex", str(corpus), "--index", str(index_dir), "--incremental", "--quiet",
                      env={**os.environ, "NEWS_SEARCH_USERDICT": str(third)})
        assert cli.returncode == 0, cli.stderr
        assert "re-analysed every article" in cli.stdout and "user dictionary" in cli.stdout
    finally:
        monkeypatch.undo()
        userdict.user_entries.cache_clear()


def test_corrupt_files_are_reported_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00" * 10)
    with open(corpus / "articles.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"title": "깨진 줄", "body": \n')
        handle.write('{"id": "fx-late", "title": "늦게 온 기사", "body": "깨진 줄 다음 기사도 색인된다."}\n')
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    reasons = {(os.path.basename(f.source), f.line): f.reason for f in report.failed}
    assert reasons[("empty.txt", None)] == "empty file"
    assert "binary" in reasons[("binary.txt", None)]
    assert "invalid JSON" in reasons[("articles.jsonl", 6)]
    assert report.indexed == 7
    assert SearchService(tmp_path / "ix").search("늦게 온 기사").total == 1


def test_duplicate_ids_are_reported_not_overwritten(corpus, tmp_path):
    shutil.copy(corpus / "articles.jsonl", corpus / "copy.jsonl")
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    assert len(report.duplicates) == 5
    assert report.total == 6
    # Each named by file and line, the copy's line the same as the original's.
    assert [kept.rsplit("/", 1)[-1] for _, _, kept in report.duplicates] == [
        f"articles.jsonl line {n}" for n in report.duplicate_lines]


def test_parallel_and_serial_builds_agree(tmp_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    base = json.loads(json.dumps({"title": "반도체 수출 증가", "press": "예시일보"}))
    with open(corpus / "many.jsonl", "w", encoding="utf-8") as handle:
        for i in range(400):
            record = dict(base, id=f"n{i}", body=("반도체 수출이 늘었다. " * 200) + f"번호 {i}번 기사")
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    serial = reindex([corpus], index_dir=tmp_path / "a", workers=1)
    parallel = reindex([corpus], index_dir=tmp_path / "b", workers=2)
    assert serial.total == parallel.total == 400
    a = SearchService(tmp_path / "a").search("반도체 수출", size=5)
    b = SearchService(tmp_path / "b").search("반도체 수출", size=5)
    assert a.total == b.total == 400
    assert [h.snippet for h in a.hits] == [h.snippet for h in b.hits]


def test_swap_is_atomic_and_old_generations_are_pruned(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    layout = IndexLayout(index_dir)
    seen = []
    for _ in range(4):
        reindex([corpus], index_dir=index_dir, workers=1)
        seen.append(layout.current())
        assert layout.current_link.is_symlink()
    assert len(set(seen)) == 4
    assert len(layout.generations()) <= 3
    assert not list(index_dir.glob("*.building"))


def test_a_running_server_sees_a_new_generation(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    service = SearchService(index_dir)
    assert service.search("양자컴퓨터").total == 0
    (corpus / "new.jsonl").write_text('{"id": "q1", "title": "양자컴퓨터 상용화", "body": "양자컴퓨터가 나왔다."}\n', "utf-8")
    reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert service.search("양자컴퓨터").total == 1


def test_second_reindex_is_refused_while_one_runs(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    with WriterLock(index_dir / ".lock", wait=False):
        with pytest.raises(ReindexLocked, match=r"another reindex \(pid \d+\)"):
            reindex([corpus], index_dir=index_dir, workers=1)
    # Released: the next one runs.
    assert reindex([corpus], index_dir=index_dir, workers=1).total == 6


def run_cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "search", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=env)


def test_cli_reindex_and_search(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    done = run_cli("reindex", str(corpus), "--index", str(index_dir), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "6 indexed" in done.stdout and "0 failed" in done.stdout

    found = run_cli("search", "삼성전자 협력", "--index", str(index_dir), "--json")
    assert found.returncode == 0, found.stderr
    assert "\\u" not in found.stdout  # Korean is printed as Korean
    data = json.loads(found.stdout)
    assert data["total"] >= 1
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "url", "press", "reporters", "published", "score", "snippet", "missing", "group"}
    assert "<mark>" in hit["snippet"]
    assert set(data["facets"]) == {"reporter", "press", "date"}

    text = run_cli("search", "나델라", "--index", str(index_dir))
    assert "1건" in text.stdout and "[나델라]" in text.stdout

    bad = run_cli("search", "삼성", "--index", str(index_dir), "--sort", "best")
    assert bad.returncode == 2 and "sort" in bad.stderr

    missing = run_cli("search", "삼성", "--index", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "reindex" in missing.stderr
