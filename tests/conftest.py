"""Shared fixtures: the read-only `../shared/data` (skipped where absent), a small
multi-article corpus written by the tests themselves, and indexes built from it;
and the hypothesis profile the property-based tests run under."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_91a1793b6462db86.txt"
# Beside the checkout, or wherever NEWS_SEARCH_SHARED_DATA says (a worktree, a
# symlinked mount).  Deliberately not resolved: tests must not assume it is.
SHARED_DATA = Path(os.environ.get("NEWS_SEARCH_SHARED_DATA") or ROOT.parent / "shared" / "data")


def pytest_configure(config):
    """Property-based tests (hypothesis, schemathesis) explore new examples on every
    local run, but in CI (the `CI` variable set, as CI services and .ci/run do) they
    replay one fixed set: Hypothesis's own `ci` profile (derandomised, no example
    database, no deadline), so a red build always means a change, never bad luck.
    Neither profile has a deadline or the too-slow health check: both measure the
    machine's load, not the code.  HYPOTHESIS_PROFILE names a profile explicitly."""
    from hypothesis import HealthCheck, settings

    settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if ci else "explore"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (it sits beside the checkout)")
    return SHARED_DATA


# Articles of our own: several reporters, presses and months; the first one lists
# the second in its 관련기사 box (by title and date).
FIXTURE_ARTICLES = [
    {
        "id": "fx-semi-1",
        "url": "https://www.example-news.kr/article/1001",
        "title": "삼성전자, 차세대 반도체 공장 착공",
        "subtitle": "평택에 3나노 라인… 2030년까지 투자",
        "press": "예시일보",
        "reporter": "김민지",
        "email": "minji@example-news.kr",
        "published": "2019-01-03T09:30:00+09:00",
        "body": "삼성전자가 평택에서 차세대 반도체 공장 착공식을 열었다.\n이재용 부회장은 협력사와의 상생을 강조했다.",
        "related": [{"title": "SK하이닉스, 메모리 감산 결정", "published": "2019-02-11"}],
    },
    {
        "id": "fx-semi-2",
        "url": "https://www.example-news.kr/article/1002",
        "title": "SK하이닉스, 메모리 감산 결정",
        "press": "예시일보",
        "reporter": ["박준호", "김민지"],
        "published": "2019-02-11T14:00:00+09:00",
        "body": "SK하이닉스가 메모리 반도체 감산을 결정했다.\n업계는 삼성전자의 대응에 주목하고 있다.",
    },
    {
        "id": "fx-ai-1",
        "url": "https://www.sample-times.kr/news/77",
        "title": "네이버, 인공지능 검색 서비스 공개",
        "press": "샘플타임스",
        "reporter": "이서연",
        "published": "2019-02-20T08:00:00+09:00",
        "body": "네이버가 인공지능 기반 검색 서비스를 공개했다.\n마이크로소프트와의 클라우드 협력도 검토하고 있다.",
    },
    {
        "id": "fx-ai-2",
        "url": "https://www.sample-times.kr/news/78",
        "title": "카카오, 자율주행 데이터센터 구축",
        "press": "샘플타임스",
        "reporter": "이서연",
        "published": "2019-03-05T17:45:00+09:00",
        "body": "카카오가 자율주행 연구를 위한 데이터센터를 구축한다고 밝혔다.",
    },
    {
        "id": "fx-nodate",
        "title": "날짜 없는 기사: 지역 축제 개막",
        "press": "샘플타임스",
        "body": "지역 축제가 개막했다. 주민들이 협력해 행사를 준비했다.",
    },
]


def write_fixture_corpus(folder: Path, with_seed: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as handle:
        for record in FIXTURE_ARTICLES:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if with_seed:
        shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    return folder


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory) -> Path:
    return write_fixture_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory, fixture_corpus) -> Path:
    from search.indexer import reindex

    index_dir = tmp_path_factory.mktemp("index")
    report = reindex([fixture_corpus], index_dir=index_dir, workers=1)
    assert not report.failed, report.failed
    return index_dir


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    from search.indexer import reindex

    index_dir = tmp_path_factory.mktemp("seed-index")
    reindex([SEEDS], index_dir=index_dir, workers=1)
    return index_dir


@pytest.fixture(scope="session")
def service(fixture_index):
    from search.service import SearchService

    return SearchService(fixture_index)


# ---- HTML loader fixtures (tests/test_html_extract.py)

HTML_FIXTURES = ROOT / "tests" / "fixtures" / "html"

# An article page saved by an old Korean CMS: EUC-KR declared, cp949 bytes.
# 똠 and 뷁 are outside KS X 1001 (the 2,350 syllables EUC-KR proper encodes),
# so a strict euc-kr decoder fails on this page; cp949 reads it.  Built here, not
# stored, so that the repository holds no file in a legacy encoding.
EUCKR_PAGE = """<html>
<head>
<meta charset="euc-kr">
<title>똠양꿍 축제에 '뷁' 응원 구호 등장 :: 예시타임즈</title>
<meta property="og:site_name" content="예시타임즈">
</head>
<body>
<table width="100%"><tr>
<td class="menu"><a href="/">홈</a> | <a href="/culture">문화</a> | <a href="/life">생활</a></td>
</tr><tr>
<td id="news_body">
<b>똠양꿍 축제에 '뷁' 응원 구호 등장</b><br>
최똠순 기자 | 입력 2009.07.11 14:30<br><br>
지난 주말 열린 똠양꿍 축제에서 관객들이 '뷁'을 외치는 독특한 응원 구호가 등장해 눈길을 끌었다.<br><br>
주최 측은 똠양꿍 요리 대회 참가자가 지난해보다 두 배 늘었으며 관객도 3만명을 넘었다고 밝혔다.<br><br>
한 관객은 "뷁이라는 말이 처음에는 낯설었지만 함께 외치다 보니 축제 분위기가 살아났다"고 말했다.
</td>
</tr></table>
</body>
</html>
"""


@pytest.fixture(scope="session")
def html_fixtures() -> Path:
    return HTML_FIXTURES


@pytest.fixture(scope="session")
def euckr_page() -> bytes:
    return EUCKR_PAGE.encode("cp949")
