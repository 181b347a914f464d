"""The index of the search-page tests (issue 14): the web corpus plus articles
that make the page's features visible — more presses than a facet list shows,
a newest day with articles hours apart (relative times, the 1일 preset), a
percent-encoded address on a Hangul domain, and one article years earlier so
the whole index's chart is by year.  Built once per session."""

from __future__ import annotations

from pathlib import Path

from web_fixtures import write_web_corpus

PRESSES = [f"지역{n:02d}일보" for n in range(1, 16)] + ["KBS", "MBC"]
IDN_URL = "https://xn--9n2bp8q.xn--3e0b707e/%EA%B8%B0%EC%82%AC/%EC%A0%84%EA%B8%B0%EC%B0%A8?id=7"
NEWEST = "2021-03-15T18:00:00+09:00"
UI_ARTICLES = [
    {
        "id": f"ui-press-{n}", "url": f"https://press{n}.example.kr/a/{n}", "title": f"전기차 배터리 공장 착공 {n}",
        "press": press, "reporter": f"기자{n:02d}", "published": f"2021-03-{1 + n % 14:02d}T09:00:00+09:00",
        "body": "전기차 배터리 공장이 착공했다.\n지역 경제에 도움이 될 전망이다.",
    }
    for n, press in enumerate(PRESSES)
] + [
    {"id": "ui-newest", "url": "https://www.example.kr/newest", "title": "전기차 충전소 확충 발표",
     "press": "KBS", "reporter": "박새봄", "published": NEWEST, "body": "전기차 충전소를 늘린다고 발표했다."},
    {"id": "ui-idn", "url": IDN_URL, "title": "전기차 보조금 개편", "press": "MBC", "reporter": "박새봄",
     "published": "2021-03-15T15:00:00+09:00", "body": "전기차 보조금이 개편된다."},
    # Years before the rest: the whole index's chart is then by year.
    {"id": "ui-old", "url": "https://www.example.kr/old", "title": "전기차 시범 운행", "press": "MBC",
     "reporter": "박새봄", "published": "2015-06-01T09:00:00+09:00", "body": "전기차 시범 운행이 시작됐다."},
]


_built: dict[str, Path] = {}


def ui_index(tmp_path_factory) -> Path:
    if "index" not in _built:
        from search.indexer import reindex

        corpus = write_web_corpus(tmp_path_factory.mktemp("ui-corpus"), extra=UI_ARTICLES)
        index_dir = tmp_path_factory.mktemp("ui-index")
        report = reindex([corpus], index_dir=index_dir, workers=1, progress=False)
        assert not report.failed, report.failed
        _built["index"] = index_dir
    return _built["index"]
