"""What the web tests share: their own corpus, indexes of it, and a real
`news-search serve` process to drive over HTTP.

The corpus is the shared fixture articles and the seed, plus articles that
exercise the web layer — one named in the seed's 관련기사 box (so a
reader can follow it), one linked by URL, a syndicated duplicate (never "similar"),
a hostile article full of markup (always shown as text) and enough of one
reporter's work for paging and the same-reporter list.

Indexes are built once per test session (module-level cache) because several
test modules use them.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from conftest import FIXTURE_ARTICLES, ROOT, SEED_FILE

SCRIPT_TITLE = "<script>alert('title')</script> 보안 점검 결과 발표"
SCRIPT_REPORTER = "<b>최해커</b>"
SCRIPT_BODY = "<script>alert('body')</script> 보안 점검에서 협력사 시스템의 취약점이 발견됐다."

# The seed lists "삼성전자, 차량용 반도체 '엑시노스 오토 V9' 아우디 탑재 (2019/01/03)";
# this is our own short article under that headline, so the link resolves.
SEED_LINKED_TITLE = "삼성전자, 차량용 반도체 '엑시노스 오토 V9' 아우디 탑재"

WEB_ARTICLES = [
    {
        "id": "web-exynos",
        "url": "https://www.example-biz.kr/news/5501",
        "title": SEED_LINKED_TITLE,
        "press": "뉴데일리경제",
        "reporter": "조재범",
        "published": "2019-01-03T11:20:00+09:00",
        "body": "삼성전자가 차량용 반도체를 독일 완성차 업체에 공급한다.\n"
                "자동차 전장 시장에서 반도체 사업의 새 성장 동력을 찾겠다는 전략이다.",
        "related": [
            # By URL, whatever the title says.
            {"title": "제목이 달라진 네이버 기사", "url": "https://www.sample-times.kr/news/77"},
            # No date: matched only because exactly one article has this title.
            {"title": "카카오, 자율주행 데이터센터 구축"},
            # No date and two articles with this title: left unmatched.
            {"title": "마이크로소프트, 국내 클라우드 데이터센터 증설"},
        ],
    },
    {
        "id": "web-ai-cloud",
        "url": "https://www.sample-times.kr/news/90",
        "title": "마이크로소프트, 국내 클라우드 데이터센터 증설",
        "press": "샘플타임스",
        "reporter": "이서연",
        "published": "2019-04-02T10:00:00+09:00",
        "body": "마이크로소프트가 국내 클라우드 데이터센터를 증설한다.\n"
                "인공지능 서비스 수요가 늘어난 데 따른 것으로, 국내 기업과의 협력도 확대한다.",
        "related": [
            {"title": "카카오, 자율주행 데이터센터 구축", "published": "2019-03-05",
             "url": "https://www.sample-times.kr/news/78"},
            {"title": "색인에 없는 옛 기사 제목", "published": "2017-05-01"},
        ],
    },
    {
        # The same story syndicated under another URL, with a sentence of its own
        # (a word-for-word copy would not be indexed at all, search/dedup.py):
        # a duplicate, never "similar".
        "id": "web-ai-cloud-copy",
        "url": "https://www.portal-copy.kr/v/90",
        "title": "마이크로소프트, 국내 클라우드 데이터센터 증설",
        "press": "샘플타임스",
        "reporter": "이서연",
        "published": "2019-04-02T10:05:00+09:00",
        "body": "마이크로소프트가 국내 클라우드 데이터센터를 증설한다.\n"
                "인공지능 서비스 수요가 늘어난 데 따른 것으로, 국내 기업과의 협력도 확대한다.\n"
                "이 기사는 제휴 포털에 함께 실렸다.",
    },
    {
        "id": "web-script",
        "url": "javascript:alert('url')",
        "title": SCRIPT_TITLE,
        "subtitle": "<img src=x onerror=alert('sub')> 부제목",
        "press": "샘플타임스",
        "reporter": SCRIPT_REPORTER,
        "published": "2020-06-15T09:00:00+09:00",
        "body": SCRIPT_BODY,
        "captions": ["<iframe src='//evil'></iframe> 사진 설명"],
    },
] + [
    {
        "id": f"web-semi-{n}",
        "url": f"https://www.example-news.kr/article/2{n:03d}",
        "title": f"반도체 수출 동향 {n}월 보고서",
        "press": "예시일보",
        "reporter": "김민지",
        "published": f"2020-{n:02d}-10T09:00:00+09:00",
        "body": f"{n}월 반도체 수출이 집계됐다.\n업계는 협력사 지원을 늘리고 있다.",
    }
    for n in range(1, 13)
]

ALL_ARTICLES = FIXTURE_ARTICLES + WEB_ARTICLES

# Query strings that have broken search boxes elsewhere: none may cause a 500.
NASTY_QUERIES = [
    '"', '""', '"""', "(", ")", "((((", "))))", "OR", "AND OR NOT", "-", "--", "+", "-(", "기자:", "기자:\"",
    "날짜:", "날짜:2018-13", "날짜:9999-99-99", "날짜:..", "날짜:2018..2017", "from:", "to:abc", ":", ":::",
    "*", "?", "\\", "/", "%", "%00", "\x00", "\u200b", "\ufeff", "😀" * 50, "a" * 5000, "삼성전자 " * 300,
    "<script>alert(1)</script>", "'; DROP TABLE articles; --", "{{7*7}}", "${7*7}", "제목:", "본문:(", "title:\"a",
    "OR OR OR", "-삼성전자", "-(삼성 OR 엘지)", "\ud7a3\u3131\u314f", "ㅋㅋㅋ", "ⓐ①㈜", "\t\n\r",
]
NASTY_IDS = [ascii(q[:10]) + (f"...{len(q)}" if len(q) > 10 else "") for q in NASTY_QUERIES]
# Everything in the corpus: the JSONL articles and the seed.
ARTICLE_COUNT = len(ALL_ARTICLES) + 1


def write_web_corpus(folder: Path, extra: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as handle:
        for record in ALL_ARTICLES + (extra or []):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    return folder


_built: dict[str, Path] = {}


def web_index(tmp_path_factory) -> Path:
    """An index of the web corpus, built once per session."""
    if "index" not in _built:
        from search.indexer import reindex

        corpus = write_web_corpus(tmp_path_factory.mktemp("web-corpus"))
        index_dir = tmp_path_factory.mktemp("web-index")
        report = reindex([corpus], index_dir=index_dir, workers=1, progress=False)
        assert not report.failed, report.failed
        _built["corpus"], _built["index"] = corpus, index_dir
    return _built["index"]


SERVING = re.compile(r"news-search: serving .* at (http://\S+/)")


@contextmanager
def running_server(index_dir: Path, log_dir: Path, timeout: float = 180.0,
                   extra_args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `news-search serve` on a free local port (chosen by the server:
    --port 0), yielding its base URL and process; stopped afterwards."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    stderr_path = log_dir / "serve.stderr.txt"
    with open(stderr_path, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "search", "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", "0", *extra_args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8",
        )
        lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
        try:
            deadline = time.monotonic() + timeout
            base = None
            while base is None:
                if process.poll() is not None:
                    raise RuntimeError(f"serve exited with {process.returncode}: {stderr_path.read_text('utf-8')[-2000:]}")
                try:
                    match = SERVING.search(lines.get(timeout=0.5))
                except queue.Empty:
                    match = None
                if match:
                    base = match[1].rstrip("/")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not start in {timeout:.0f} s: {stderr_path.read_text('utf-8')[-2000:]}")
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
