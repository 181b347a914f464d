"""Inputs that must never cost the index its articles, and inputs that must never
stop a reindex: a missing, vanished or unreadable source is not a deletion (the
publish is refused, or the articles kept), a big shrink needs --allow-shrink,
the exit status says what happened, and hostile JSONL fields, file names and
symbolic links each give a failure line instead of a crash."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import FIXTURE_ARTICLES, ROOT, SEED_FILE
from search.index import IndexLayout
from search.indexer import MAX_SHRINK_SHARE, ReindexRefused, reindex
from search.ingest.errors import LoadFailure, LoadWarning, printable
from search.ingest.loader import ArticleLoader, SourceFile, looks_binary
from search.model import Article
from search.service import SearchService


def scrape(title: str, body: str, reporter: str = "홍길동") -> str:
    return f"{title}\n\n{reporter} 기자 | 2024-03-05 09:00\n\n{body}\n"


SUB_ARTICLES = {
    "harbor.txt": scrape("부산항 물동량 사상 최대", "부산항의 올해 컨테이너 물동량이 사상 최대를 기록했다. 환적 화물이 크게 늘었다."),
    "orchard.txt": scrape("사과 작황 회복세", "올해 사과 작황이 지난해보다 나아졌다. 경북 농가의 출하도 앞당겨졌다."),
}


def make_corpus(folder: Path) -> Path:
    """Five JSONL articles and the seed at the top, two scrapes in `sub/`: 8 articles."""
    folder.mkdir(parents=True)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as handle:
        for record in FIXTURE_ARTICLES:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    (folder / "sub").mkdir()
    for name, text in SUB_ARTICLES.items():
        (folder / "sub" / name).write_text(text, "utf-8")
    return folder


@pytest.fixture
def built(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "ix"
    report = reindex([corpus], index_dir=index_dir, workers=1)
    assert report.total == 8 and not report.failed
    return corpus, index_dir


def served(index_dir: Path) -> tuple[Path, int]:
    """The generation served and how many articles it holds."""
    return IndexLayout(index_dir).current(), SearchService(index_dir).count()


def cli(*args: str, env: dict | None = None, prefix: tuple = (), timeout: float = 300) -> subprocess.CompletedProcess:
    """`news-search ARGS`, output through files (never a pipe a child could hold open)."""
    with tempfile.TemporaryFile("w+b") as out, tempfile.TemporaryFile("w+b") as err:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "search", *args, "--quiet"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})),
            stdout=out, stderr=err, timeout=timeout,
        )
        out.seek(0)
        err.seek(0)
        done.stdout = out.read().decode("utf-8", "backslashreplace")
        done.stderr = err.read().decode("utf-8", "backslashreplace")
    return done


# ----------------------------------------------------------------- F1: missing, vanished, shrinking


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_a_missing_path_is_refused_and_the_old_index_still_served(built, tmp_path, incremental):
    corpus, index_dir = built
    before = served(index_dir)
    done = cli("reindex", str(tmp_path / "no" / "such" / "path"), "--index", str(index_dir),
               *(["--incremental"] if incremental else []))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refused: input not found or unreadable" in done.stderr and "--allow-shrink" in done.stderr
    assert "NOT PUBLISHED" in done.stdout
    assert served(index_dir) == before == (before[0], 8)
    assert not list(index_dir.glob("gen-*.building"))  # the refused generation is gone


def test_allow_shrink_publishes_without_the_missing_path(built, tmp_path):
    corpus, index_dir = built
    report = reindex([corpus, tmp_path / "gone"], index_dir=index_dir, incremental=True, workers=1,
                     allow_shrink=True)
    assert report.published and report.total == 8
    assert [(Path(f.source).name, f.reason) for f in report.failed] == [("gone", "no such file or folder")]
    # With the flag, a path given alone that is missing empties the index: the user said so.
    emptied = reindex([tmp_path / "gone"], index_dir=index_dir, workers=1, allow_shrink=True)
    assert emptied.published and served(index_dir)[1] == 0


def test_the_library_raises_refused_with_the_report(built, tmp_path):
    corpus, index_dir = built
    with pytest.raises(ReindexRefused) as refused:
        reindex([tmp_path / "typo"], index_dir=index_dir, workers=1)
    report = refused.value.report
    assert not report.published and report.previous_total == 8 and report.total == 0
    assert report.to_dict()["refused"] == refused.value.reason
    assert served(index_dir)[1] == 8


def run_held(index_dir: Path, corpus: Path, tmp_path: Path, change, *flags: str) -> subprocess.CompletedProcess:
    """A reindex paused after its first articles (search/faults.py), `change`
    applied to the input meanwhile, then let go."""
    gate = tmp_path / "gate"
    gate.write_text("")
    Path(str(gate) + ".reached").unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NEWS_SEARCH_HOLD_AT="reindex:analysis",
               NEWS_SEARCH_HOLD_FILE=str(gate))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir), "--quiet",
             "--workers", "1", *flags], cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        try:
            deadline = time.monotonic() + 120
            while not Path(str(gate) + ".reached").exists():
                assert process.poll() is None and time.monotonic() < deadline, "the reindex never reached the hold"
                time.sleep(0.05)
            change()
        finally:
            gate.unlink()
        process.wait(timeout=300)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_an_input_folder_vanishing_mid_run_is_refused(built, tmp_path, incremental):
    corpus, index_dir = built
    before = served(index_dir)
    if incremental:  # so that the files after the hold must be read again
        for path in (corpus / "sub").iterdir():
            path.write_text(path.read_text("utf-8") + "\n추가 문단이다.\n", "utf-8")
    done = run_held(index_dir, corpus, tmp_path, lambda: corpus.rename(tmp_path / "moved"),
                    *(["--incremental"] if incremental else []))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "input disappeared during the run" in done.stderr
    assert served(index_dir) == before


def test_a_sub_folder_vanishing_mid_run_full_is_refused_incremental_keeps(built, tmp_path):
    corpus, index_dir = built
    before = served(index_dir)
    full = run_held(index_dir, corpus, tmp_path, lambda: (corpus / "sub").rename(tmp_path / "sub-away"))
    assert full.returncode == 1, full.stdout + full.stderr
    assert "could not be read this time" in full.stderr and "--incremental keeps them" in full.stderr
    assert served(index_dir) == before

    (tmp_path / "sub-away").rename(corpus / "sub")
    for path in (corpus / "sub").iterdir():
        path.write_text(path.read_text("utf-8") + "\n추가 문단이다.\n", "utf-8")
    incremental = run_held(index_dir, corpus, tmp_path, lambda: (corpus / "sub").rename(tmp_path / "sub-away"),
                           "--incremental")
    assert incremental.returncode == 3, incremental.stdout + incremental.stderr  # published, with failures
    # harbor.txt was read before the hold (its new version replaces the old one:
    # a scrape's id follows its content); orchard.txt vanished: kept as it was.
    assert "1 indexed" in incremental.stdout and "8 articles in the index = 1 indexed + 6 unchanged + 1 kept" \
        in incremental.stdout
    assert f"failed: {corpus / 'sub' / 'orchard.txt'}: cannot read: No such file or directory" in incremental.stdout
    service = SearchService(index_dir)
    assert service.count() == 8 and service.search("사과 작황").total == 1
    assert service.search("추가 문단").total == 1  # only harbor.txt's new version has it


def test_a_big_shrink_is_refused_unless_allowed(built, tmp_path):
    corpus, index_dir = built
    before = served(index_dir)
    (corpus / "articles.jsonl").unlink()
    (corpus / SEED_FILE.name).unlink()  # 8 → 2 articles: 75% dropped
    assert MAX_SHRINK_SHARE == 0.5
    for flags in ((), ("--incremental",)):
        done = cli("reindex", str(corpus), "--index", str(index_dir), *flags)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "would shrink from 8 to 2 articles (more than 50% of it dropped)" in done.stderr
        assert served(index_dir) == before
    allowed = cli("reindex", str(corpus), "--index", str(index_dir), "--incremental", "--allow-shrink")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert served(index_dir)[1] == 2


def test_a_small_deletion_is_published_with_exit_0(built):
    corpus, index_dir = built
    (corpus / "sub" / "harbor.txt").unlink()
    done = cli("reindex", str(corpus), "--index", str(index_dir), "--incremental")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 removed" in done.stdout and served(index_dir)[1] == 7


def test_exit_3_when_published_with_failures(built):
    corpus, index_dir = built
    (corpus / "broken.jsonl").write_text('{"id": "x", "title": \n', "utf-8")
    done = cli("reindex", str(corpus), "--index", str(index_dir))
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"failed: {corpus / 'broken.jsonl'}:1: invalid JSON" in done.stdout
    assert served(index_dir)[1] == 8


def test_help_documents_the_exit_codes_and_flags():
    done = subprocess.run([sys.executable, "-m", "search", "reindex", "--help"], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    for text in ("exit status:", "--allow-shrink", "--follow-symlinks", "0  published", "1  nothing published",
                 "3  published, with failed files"):
        assert text in done.stdout, text


# ----------------------------------------------------------------- F4: permission errors (real EACCES)


def _no_dac_prefix() -> tuple:
    """A command prefix under which chmod 000 really denies: for root, setpriv
    dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (the capabilities that let
    root ignore permission bits); nothing for another user."""
    if os.geteuid() != 0:
        return ()
    prefix = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
              "--bounding-set=-dac_override,-dac_read_search")
    probe = Path(tempfile.mkdtemp()) / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        denied = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, timeout=30).returncode != 0
    except (OSError, subprocess.SubprocessError):
        denied = False
    finally:
        shutil.rmtree(probe.parent)
    if not denied:
        pytest.skip("cannot run a process that honours chmod 000 here (needs setpriv and CAP_SETPCAP)")
    return prefix


@pytest.fixture
def no_dac():
    return _no_dac_prefix()


def test_an_unreadable_file_keeps_its_articles_in_an_incremental_run(built, no_dac):
    corpus, index_dir = built
    jsonl = corpus / "articles.jsonl"
    jsonl.write_text(jsonl.read_text("utf-8") + "\n", "utf-8")  # changed: must be read again
    jsonl.chmod(0)
    try:
        done = cli("reindex", str(corpus), "--index", str(index_dir), "--incremental", prefix=no_dac)
    finally:
        jsonl.chmod(0o644)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"failed: {jsonl}: cannot read: Permission denied" in done.stdout
    assert "8 articles in the index = 0 indexed + 3 unchanged + 5 kept" in done.stdout
    service = SearchService(index_dir)
    assert service.count() == 8 and service.article("fx-semi-1") is not None


def test_an_unreadable_sub_folder_is_reported_and_keeps_its_articles(built, no_dac):
    corpus, index_dir = built
    (corpus / "sub").chmod(0)
    try:
        incremental = cli("reindex", str(corpus), "--index", str(index_dir), "--incremental", prefix=no_dac)
        full = cli("reindex", str(corpus), "--index", str(index_dir), prefix=no_dac)
    finally:
        (corpus / "sub").chmod(0o755)
    assert incremental.returncode == 3, incremental.stdout + incremental.stderr
    assert f"failed: {corpus / 'sub'}: cannot read folder: Permission denied" in incremental.stdout
    assert "2 kept" in incremental.stdout and "0 removed" in incremental.stdout
    assert SearchService(index_dir).search("사과 작황").total == 1
    # A full build cannot keep them: refused, not emptied.
    assert full.returncode == 1 and "could not be read this time" in full.stderr
    assert served(index_dir)[1] == 8


# ----------------------------------------------------------------- F2: hostile JSONL


def test_every_jsonl_field_is_checked_by_type_and_named(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = {"title": "정상 기사", "body": "이 줄은 색인된다."}
    lines = [
        json.dumps(dict(good, id="ok-1")),
        json.dumps(dict(good, id="url-obj", url={})),                 # 2
        json.dumps(dict(good, id="email-list", email=["a@b.kr"])),   # 3
        "[" * 100_000 + "]" * 100_000,                                # 4
        json.dumps(dict(good, id="nested", title={"a": [1]})),       # 5
        json.dumps(dict(good, id="body-num", body=["문단", 7])),      # 6
        json.dumps(dict(good, id="date-num", published=20240101)),   # 7
        json.dumps(dict(good, id="press-bool", press=True)),         # 8
        json.dumps(dict(good, id={"x": 1})),                          # 9
        json.dumps(dict(good, id="list-title", title=["[속보]", "금리 동결"])),
        json.dumps(dict(good, id="rel", related=[{"title": "번호 링크", "url": 5}, {"title": ["x"]},
                                                 {"title": "제대로 된 링크", "url": "https://example.kr/1"}])),
        '{"id": "deep", "title": "깊은 값", "body": "본문이다.", "extra": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ]
    (corpus / "hostile.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    reasons = {f.line: f.reason for f in report.failed}
    nested = "JSON nested too deeply to read (arrays or objects inside each other thousands of levels deep)"
    assert reasons == {
        2: "url: expected text, got an object",
        3: "email: expected text, got an array",
        4: nested,
        5: "title: expected text, got an object",
        6: "body[1]: expected text, got a number",
        7: "published: expected text, got a number",
        8: "press: expected text, got true/false",
        9: "id: expected text or an integer, got an object",
        12: nested,
    }
    service = SearchService(tmp_path / "ix")
    assert service.article("list-title").title == "[속보] 금리 동결"  # joined, never "['[속보]', ...]"
    related = service.article("rel").related
    assert [(link.title, link.url) for link in related] == [("제대로 된 링크", "https://example.kr/1")]
    assert {(w.line, w.message.split(":")[0]) for w in report.warnings} == {(11, "related[0].url"),
                                                                            (11, "related[1].title")}
    assert report.total == 3 and report.articles_seen == 3 + 9


def test_ids_that_cannot_be_opened_are_rejected_and_odd_ones_open(tmp_path):
    from webui import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    accepted = ["a/b", "../x", "기사 1", "100%", "q?x=1#f", 42]
    rejected = ["/lead", "trail/", "a//b", "cr\rlf", "new\nline", "tab\tid"]
    rows = [{"id": i, "title": f"기사 {n}", "body": f"본문 {n}번째 문장이다."} for n, i in enumerate(accepted + rejected)]
    (corpus / "ids.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    assert report.total == len(accepted)
    assert sorted(f.line for f in report.failed) == list(range(len(accepted) + 1, len(rows) + 1))
    assert all(f.reason.startswith("id: ") and "/articles/<id>" in f.reason for f in report.failed)
    client = create_app(tmp_path / "ix").test_client()
    for n, article_id in enumerate(accepted):
        response = client.get(f"/api/articles/{quote(str(article_id), safe='')}")
        assert response.status_code == 200, article_id
        assert response.get_json()["title"] == f"기사 {n}"


# ----------------------------------------------------------------- F3: file names and links


def test_symlink_loops_dangling_links_and_links_outside_are_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.txt").write_text(scrape("바깥 문서 제목", "입력 폴더 밖에 있는 문서의 본문이다. 색인되면 안 된다."), "utf-8")
    (corpus / "real.txt").write_text(scrape("진짜 기사 제목", "입력 폴더 안에 있는 기사의 본문이다."), "utf-8")
    os.symlink("b.txt", corpus / "a.txt")
    os.symlink("a.txt", corpus / "b.txt")
    os.symlink("nowhere.txt", corpus / "dangling.txt")
    os.symlink(outside / "private.txt", corpus / "out.txt")
    os.symlink(outside, corpus / "outdir")
    os.symlink("real.txt", corpus / "alias.txt")  # inside: the same file, read once

    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    reasons = {Path(f.source).name: f.reason for f in report.failed}
    assert set(reasons) == {"a.txt", "b.txt", "dangling.txt", "out.txt", "outdir"}
    assert reasons["a.txt"].startswith("symbolic link loop") and reasons["b.txt"].startswith("symbolic link loop")
    assert reasons["dangling.txt"] == "dangling symbolic link: its target nowhere.txt does not exist"
    assert "outside" in reasons["out.txt"] and "--follow-symlinks" in reasons["out.txt"]
    assert "folder outside" in reasons["outdir"]
    assert report.total == 1 and SearchService(tmp_path / "ix").search("바깥 문서").total == 0

    followed = reindex([corpus], index_dir=tmp_path / "ix2", workers=1, follow_symlinks=True)
    assert {Path(f.source).name for f in followed.failed} == {"a.txt", "b.txt", "dangling.txt"}
    assert followed.total == 2 and SearchService(tmp_path / "ix2").search("바깥 문서").total == 1


def test_a_folder_link_loop_with_follow_symlinks_ends(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "d").mkdir(parents=True)
    (corpus / "d" / "one.txt").write_text(scrape("하나뿐인 기사", "폴더 고리 안에 있는 단 하나의 기사 본문이다."), "utf-8")
    os.symlink("..", corpus / "d" / "up")
    found = ArticleLoader(follow_symlinks=True).discover([corpus])
    assert [s.relative for s in found.files] == ["d/one.txt"] and not found.failures


def test_file_names_that_are_not_utf8_work_on_every_run(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = os.fsencode(corpus) + b"/\xff\xfe\xc0\xba\xed.txt"
    with open(raw, "wb") as handle:
        handle.write(scrape("비정상 파일 이름의 기사", "파일 이름이 UTF-8이 아닌 기사의 본문이다.").encode("utf-8"))
    with open(os.fsencode(corpus) + b"/\xff empty.txt", "wb"):
        pass
    index_dir = tmp_path / "ix"
    for flags in ((), ("--incremental",), ("--incremental",)):
        done = cli("reindex", str(corpus), "--index", str(index_dir), *flags)
        assert done.returncode == 3, done.stdout + done.stderr  # the empty file fails, nothing else
        assert "Traceback" not in done.stderr
        assert f"failed: {corpus}/\\xff empty.txt: empty file" in done.stdout
    assert "1 unchanged" in done.stdout
    service = SearchService(index_dir)
    assert service.search("비정상 파일").total == 1
    assert os.fsencode(service.article(service.search("비정상 파일").hits[0].id).source) == raw
    data = json.loads(cli("reindex", str(corpus), "--index", str(index_dir), "--incremental", "--json").stdout)
    assert any(f["source"].endswith("\udcff empty.txt") for f in data["failed"])


def test_names_with_newlines_or_escapes_cannot_forge_summary_lines(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text(scrape("진짜 기사 제목", "입력 폴더 안에 있는 기사의 본문이다."), "utf-8")
    (corpus / "x\n  999 articles read = forged.txt").write_text("")
    (corpus / "\x1b[2Jclear\x1b]0;title\x07.txt").write_text("")
    done = cli("reindex", str(corpus), "--index", str(tmp_path / "ix"))
    assert done.returncode == 3
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert not any(line.startswith("  999 articles read") for line in done.stdout.splitlines())
    assert "x\\x0a  999 articles read = forged.txt: empty file" in done.stdout
    assert "\\x1b[2Jclear\\x1b]0;title\\x07.txt: empty file" in done.stdout
    assert printable("a\u202eb\\c") == "a\\u202eb\\\\c"


# ----------------------------------------------------------------- encodings, briefs, caps, fsync

SCRAPE = scrape("정부, 반도체 지원 확대 발표", "정부가 반도체 산업 지원을 크게 늘린다고 밝혔다.")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text(tmp_path, codec):
    path = tmp_path / "u16.txt"
    path.write_bytes(SCRAPE.encode(codec))
    assert not looks_binary(path.read_bytes())
    items = list(ArticleLoader().load(SourceFile(path, path.name)))
    assert len(items) == 1 and isinstance(items[0], Article), items
    assert items[0].title == "정부, 반도체 지원 확대 발표"
    # Real binaries stay binary.
    assert looks_binary(bytes(range(256)) * 40)


def test_a_mixed_encoding_file_is_indexed_with_a_warning_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    data = SCRAPE.encode("utf-8") + "둘째 문단은 다른 인코딩으로 저장됐다.\n".encode("cp949")
    (corpus / "mixed.txt").write_bytes(data)
    done = cli("reindex", str(corpus), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0, done.stdout + done.stderr  # indexed: a warning is not a failure
    assert f"warning: {corpus / 'mixed.txt'}: " in done.stdout and "are not utf-8 (mixed encodings?)" in done.stdout
    assert SearchService(tmp_path / "ix").search("반도체 지원").total == 1


BRIEF = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>[속보] 한은, 기준금리 연 3.5% 동결 - 예시일보</title></head>
<body><header><nav><a href="/">홈</a> <a href="/politics">정치</a> <a href="/economy">경제</a></nav></header>
<article><h1>[속보] 한은, 기준금리 연 3.5% 동결</h1>
<p class="byline">홍길동 기자 · 입력 2025.05.15 10:02</p>
<p>한국은행이 15일 기준금리를 연 3.5%로 동결했다. 여섯 차례 연속 동결이다.</p></article>
<footer>Copyright © 예시일보. 무단 전재 및 재배포 금지.</footer></body></html>"""

NAVIGATION = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>경제 - 예시일보</title></head>
<body><article><h1>경제</h1><p>홍길동 기자 · 입력 2025.05.15 10:02</p>
<ul><li><a href="/1">금리 동결 속보</a></li><li><a href="/2">환율 급등 마감 시황</a></li>
<li><a href="/3">코스피 외국인 순매수 전환</a></li></ul></article></body></html>"""


SECTION = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>경제 - 예시일보</title>
<meta property="og:type" content="article"></head><body><article><h1>경제</h1>
<p>예시일보 경제면은 국내외 경제 소식을 가장 빠르고 정확하게 전해 드립니다.</p></article></body></html>"""


def test_a_two_sentence_brief_is_an_article_and_a_menu_is_not(tmp_path):
    brief, menu, section = tmp_path / "brief.html", tmp_path / "menu.html", tmp_path / "section.html"
    brief.write_text(BRIEF, "utf-8")
    menu.write_text(NAVIGATION, "utf-8")
    section.write_text(SECTION, "utf-8")  # one sentence, article metadata, but no byline
    refused = list(ArticleLoader().load(SourceFile(section, section.name)))[0]
    assert isinstance(refused, LoadFailure) and "no article text found" in refused.reason
    article = list(ArticleLoader().load(SourceFile(brief, brief.name)))[0]
    assert isinstance(article, Article), article
    assert article.title == "[속보] 한은, 기준금리 연 3.5% 동결" and article.reporters == ["홍길동"]
    assert article.body == ["한국은행이 15일 기준금리를 연 3.5%로 동결했다. 여섯 차례 연속 동결이다."]
    failure = list(ArticleLoader().load(SourceFile(menu, menu.name)))[0]
    assert isinstance(failure, LoadFailure) and "no article text found" in failure.reason


def test_text_cap_cuts_body_then_subtitles_and_captions():
    article = Article(id="x", body=["가" * 60, "나" * 60], subtitles=["다" * 30], captions=["라" * 10])
    assert article.cap_text(100) == 160
    assert article.body == ["가" * 60, "나" * 39] and article.subtitles == [] and article.captions == []
    assert article.cap_text(100) == 0  # fits now


def test_a_giant_article_is_capped_and_the_cap_reported(tmp_path, monkeypatch):
    import search.reindex.worker

    monkeypatch.setattr(search.reindex.worker, "MAX_INDEXED_TEXT_CHARS", 2_000)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "대한민국 경제 성장률 전망이 상향 조정됐다. "
    body = "\n".join([paragraph * 10] * 40) + "\n마지막 문단의 고유한 낱말 무지개송어."
    rows = [{"id": "giant", "title": "거대한 기사", "body": body}, {"id": "small", "title": "작은 기사", "body": "짧다."}]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    report = reindex([corpus], index_dir=tmp_path / "ix", workers=1)
    assert [(i, n) for i, _, n in report.capped] == [("giant", sum(len(p.strip()) for p in body.split("\n")))]
    service = SearchService(tmp_path / "ix")
    assert len(service.article("giant").body_text) <= 2_000
    assert service.search("무지개송어").total == 0 and service.search("경제 성장률").total == 1
    done = cli("reindex", str(corpus), "--index", str(tmp_path / "ix2"))  # the real cap: nothing to cut
    assert done.returncode == 0 and "capped:" not in done.stdout


def test_every_file_of_a_generation_is_fsynced_before_the_swap(built, monkeypatch):
    corpus, index_dir = built
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    (corpus / "sub" / "harbor.txt").write_text(SUB_ARTICLES["harbor.txt"] + "\n덧붙인 문단.\n", "utf-8")
    report = reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    generation = IndexLayout(index_dir).current()
    assert generation.name == report.generation
    files = {str(p).replace(".building", "") for p in generation.iterdir() if p.name != "manifest.json"}
    assert files and files <= {s.replace(".building", "") for s in synced}
    assert str(generation).replace(".building", "") in {s.replace(".building", "") for s in synced}


def test_parallel_builds_report_warnings_and_caps_like_serial_ones(tmp_path, monkeypatch):
    import search.reindex.pipeline
    import search.reindex.worker

    monkeypatch.setattr(search.reindex.worker, "MAX_INDEXED_TEXT_CHARS", 500)
    monkeypatch.setattr(search.reindex.pipeline, "PARALLEL_MIN_BYTES", 0)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"id": f"p{i}", "title": f"기사 {i}", "body": "수출이 늘었다. " * (100 if i == 3 else 2)} for i in range(6)]
    rows[4]["related"] = [{"title": "잘못된 링크", "url": ["x"]}]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    (corpus / "mixed.txt").write_bytes(SCRAPE.encode("utf-8") + "다른 인코딩 문단이다.\n".encode("cp949"))
    reports = [reindex([corpus], index_dir=tmp_path / name, workers=workers) for name, workers in (("s", 1), ("p", 2))]
    for report in reports:
        assert [i for i, _, _ in report.capped] == ["p3"]
        assert sorted((Path(w.source).name, w.line) for w in report.warnings) == [("a.jsonl", 5), ("mixed.txt", None)]
        assert report.total == 7 and not report.failed
