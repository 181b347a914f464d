"""`news-search serve` for real: a waitress process on a free local port, an index
built from seeds/ when there is none, and a reindex by another process picked up
on the next request without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

from conftest import ROOT
from web_fixtures import running_server, web_index, write_web_corpus


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def total(base: str, q: str) -> int:
    status, _, body = get(f"{base}/api/search?q={quote(q)}")
    assert status == 200, body[:300]
    return json.loads(body)["total"]


def test_serve_builds_a_missing_index_then_sees_a_reindex_from_another_process(tmp_path):
    index_dir = tmp_path / "index"  # does not exist yet
    with running_server(index_dir, tmp_path) as (base, process):
        # Built from seeds/ before serving: the seed is there, nothing else.
        assert (index_dir / "current").is_symlink()
        assert total(base, "나델라") == 1
        assert total(base, "엑시노스") == 0
        first_generation = os.readlink(index_dir / "current")

        corpus = write_web_corpus(tmp_path / "corpus")
        reindexed = subprocess.run(
            [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index_dir), "--workers", "1", "--quiet"],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
        )
        assert reindexed.returncode == 0, reindexed.stderr
        assert os.readlink(index_dir / "current") != first_generation

        # Same server process, next request: the new generation answers.
        assert process.poll() is None
        assert total(base, "엑시노스") == 1
        assert total(base, "나델라") == 1
        status, _, page = get(f"{base}/articles/web-exynos")
        assert status == 200 and "엑시노스 오토 V9" in page.decode("utf-8")

    build_log = (tmp_path / "serve.stderr.txt").read_text("utf-8")
    assert "building it first" in build_log and "indexed 1 articles" in build_log


def test_served_pages_over_http(tmp_path, tmp_path_factory):
    with running_server(web_index(tmp_path_factory), tmp_path) as (base, _):
        status, headers, body = get(f"{base}/search?q={quote('삼성전자 협력')}")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Server"] == "news-search"  # waitress, not the Flask development server
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "<mark>삼성전자</mark>" in body.decode("utf-8")
        status, headers, body = get(f"{base}/api/search?page=0")
        assert status == 400 and json.loads(body)["error"]["param"] == "page"
        status, _, body = get(f"{base}/static/app.js")
        assert status == 200 and b"addEventListener" in body
