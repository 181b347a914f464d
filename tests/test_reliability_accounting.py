"""Nothing is lost: after a reindex, every input article is searchable or listed
(failed with its reason, or a duplicate naming the copy kept), and the summary
adds up — articles read = indexed + unchanged + failed + duplicate, and articles
in the index = indexed + unchanged + kept — on full and incremental runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_ARTICLES, HTML_FIXTURES, ROOT, SEED_FILE
from search.indexer import ReindexReport, reindex
from search.service import SearchService


def jsonl(path: Path, lines: list) -> None:
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l, ensure_ascii=False)) + "\n" for l in lines), "utf-8")


@pytest.fixture
def messy(tmp_path):
    """A corpus of 15 input records (16 with the missing path), and which ids must end up searchable."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    jsonl(corpus / "articles.jsonl", FIXTURE_ARTICLES + [
        "",                                               # blank: not a record
        '{"id": "broken", "title": "끊긴 줄"',            # line 7: invalid JSON
        "[1, 2, 3]",                                      # line 8: not an object
        dict(FIXTURE_ARTICLES[2], title="같은 아이디, 다른 제목"),  # line 9: duplicate id fx-ai-1
    ])
    jsonl(corpus / "later.jsonl", [
        dict(FIXTURE_ARTICLES[0], body="다른 파일에 같은 아이디."),  # duplicate of fx-semi-1
        {"id": "acc-new", "title": "해저 케이블 완공", "body": "한반도와 일본을 잇는 해저 케이블이 완공됐다."},
    ])
    shutil.copy(SEED_FILE, corpus / SEED_FILE.name)
    shutil.copy(HTML_FIXTURES / "cluttered.html", corpus / "cluttered.html")
    shutil.copy(HTML_FIXTURES / "no_article.html", corpus / "no_article.html")
    (corpus / "empty.txt").write_text("")
    (corpus / "image.html").write_bytes(bytes(range(256)) * 40)
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    missing = tmp_path / "not-there"
    expected_ids = {a["id"] for a in FIXTURE_ARTICLES} | {"acc-new"}
    return corpus, missing, expected_ids


def assert_adds_up(report: ReindexReport, records: int) -> None:
    assert report.articles_seen == records
    assert report.indexed + report.unchanged + len(report.failed) + len(report.duplicates) == records
    assert report.total == report.indexed + report.unchanged + report.kept


def test_every_record_is_searchable_failed_or_a_reported_duplicate(messy, tmp_path):
    corpus, missing, expected_ids = messy
    index_dir = tmp_path / "ix"
    # A missing input refuses the publish unless allowed (tests/test_reliability_inputs.py);
    # allowed here, it is one failure line among the others.
    report = reindex([corpus, missing], index_dir=index_dir, workers=1, allow_shrink=True)

    # 8 JSONL records + 2 + seed + 4 HTML/text files + the missing path.
    assert_adds_up(report, 16)
    assert report.files_seen == 8 and report.files_skipped == [str(corpus / "notes.pdf")]
    where = {(Path(f.source).name, f.line): f.reason for f in report.failed}
    assert set(where) == {("articles.jsonl", 7), ("articles.jsonl", 8), ("no_article.html", None),
                          ("empty.txt", None), ("image.html", None), ("not-there", None)}
    assert "invalid JSON" in where[("articles.jsonl", 7)] and "object" in where[("articles.jsonl", 8)]
    assert where[("not-there", None)] == "no such file or folder"
    assert {(i, Path(s).name, Path(k).name) for i, s, k in report.duplicates} == {
        ("fx-ai-1", "articles.jsonl", "articles.jsonl line 3"), ("fx-semi-1", "later.jsonl", "articles.jsonl line 1")}

    service = SearchService(index_dir)
    for article_id in expected_ids:
        assert service.article(article_id) is not None, article_id
    # The first copy was kept, not overwritten by the duplicate.
    assert service.article("fx-ai-1").title == FIXTURE_ARTICLES[2]["title"]
    assert service.search("해저 케이블").total == 1
    assert report.total == len(expected_ids) + 2  # + the seed and the cluttered page
    assert service.count() == report.total


def test_incremental_runs_add_up_and_keep_reporting_duplicates(messy, tmp_path):
    corpus, missing, _ = messy
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)

    same = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert_adds_up(same, 15)
    assert same.indexed == 0 and same.unchanged == 8
    # Files with a duplicate or a failure are read again each time, so nothing that
    # was reported once silently disappears from the report.
    assert len(same.duplicates) == 2 and len(same.failed) == 5

    # One record changed, one file deleted, and a once-good file breaks.
    lines = (corpus / "articles.jsonl").read_text("utf-8").splitlines()
    lines[1] = json.dumps(dict(FIXTURE_ARTICLES[1], body="본문이 바뀌었다."), ensure_ascii=False)
    (corpus / "articles.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (corpus / "later.jsonl").unlink()
    (corpus / "cluttered.html").write_bytes(b"")
    changed = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert_adds_up(changed, 13)
    assert (changed.indexed, changed.unchanged, changed.removed, changed.kept) == (1, 5, 1, 1)
    assert {Path(f.source).name for f in changed.failed} >= {"cluttered.html"}
    service = SearchService(index_dir)
    assert service.article("acc-new") is None  # its file is gone
    assert service.search("바뀌었다").total == 1
    # The page that broke keeps its last good version in the index.
    assert service.count() == changed.total == 7


def test_the_cli_summary_states_the_identity(messy, tmp_path):
    corpus, missing, _ = messy
    done = subprocess.run(
        [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(tmp_path / "ix"), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 3, done.stderr  # published, with failures
    assert "15 articles read = 8 indexed + 0 unchanged + 5 failed + 2 duplicate" in done.stdout
    assert "8 articles in the index = 8 indexed + 0 unchanged + 0 kept" in done.stdout
    assert f"failed: {corpus / 'articles.jsonl'}:7: invalid JSON" in done.stdout


def test_real_legacy_encoded_files_are_each_indexed_or_explained(shared_data, tmp_path):
    """The chardet samples (EUC-KR, CP949, Johab, ISO-2022-KR; .txt, .html and
    .xml): every supported file becomes an article or a failure with a reason,
    never an unexpected error, and the other files are counted as skipped."""
    folder = shared_data / "html" / "chardet_korean_encodings"
    files = [p for p in folder.rglob("*") if p.is_file()]
    # Resolved, as reindex records sources: ../shared may be reached through a symlink.
    supported = [p.resolve() for p in files if p.suffix in (".txt", ".html")]
    report = reindex([folder], index_dir=tmp_path / "ix", workers=1)
    assert report.files_seen == len(files) and len(report.files_skipped) == len(files) - len(supported)
    assert_adds_up(report, len(supported))
    # A text saved in two encodings is one article (search/dedup.py): the second is a duplicate.
    assert report.indexed + len(report.duplicates) >= len(supported) - 2
    for _, source, kept in report.duplicates:
        assert Path(source).resolve() in supported and "same text as article" in kept
    for failure in report.failed:
        assert not failure.reason.startswith("unexpected"), failure
        assert Path(failure.source).resolve() in supported
    service = SearchService(tmp_path / "ix")
    sources = {service.article(h.id).source for h in service.search("", size=100).hits}
    assert len(sources) == report.indexed and {Path(s).resolve() for s in sources} <= set(supported)
