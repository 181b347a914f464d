"""Bad input files: each is loaded or refused with a clear reason, never a crash,
and never stops the other files."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from search.ingest.dates import find_published, parse_datetime
from search.ingest.errors import LoadFailure, LoadWarning
from search.ingest.loader import ArticleLoader, MAX_ARTICLE_FILE_BYTES, SourceFile
from search.model import MAX_TITLE_CHARS, Article

SCRAPE = (
    "정부, 반도체 지원 확대 발표\n\n"
    "홍길동 기자 | 2018-11-07 16:12\n\n"
    "정부가 반도체 산업 지원을 크게 늘린다고 밝혔다. 똠양꿍 같은 드문 글자도 들어 있다.\n"
)


def load(path):
    return list(ArticleLoader().load(SourceFile(path, path.name)))


def only_failure(items):
    assert len(items) == 1 and isinstance(items[0], LoadFailure), items
    return items[0]


def only_article(items):
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"   \n\n")
    assert only_failure(load(path)).reason == "empty file"


def test_binary_file(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 40)
    failure = only_failure(load(path))
    assert "binary" in failure.reason and failure.source == str(path)


def test_huge_file_is_refused_with_the_limit(tmp_path):
    path = tmp_path / "dump.html"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: instant, but stat says 50 MB
    failure = only_failure(load(path))
    assert "50.0 MB" in failure.reason and f"{MAX_ARTICLE_FILE_BYTES // 1048576} MB limit" in failure.reason


@pytest.mark.parametrize("encoding", ["euc-kr", "cp949", "johab", "iso2022_kr", "utf-16", "utf-8-sig"])
def test_korean_encodings_of_text_scrapes(tmp_path, encoding):
    text = SCRAPE if encoding != "euc-kr" else SCRAPE.replace("똠양꿍 같은 드문 글자도 들어 있다.", "")
    if encoding == "iso2022_kr":
        text = text.replace("똠양꿍 같은 드문 글자도 들어 있다.", "")
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    article = only_article(load(path))
    assert article.title == "정부, 반도체 지원 확대 발표"
    assert article.reporters == ["홍길동"]
    assert article.body[0].startswith("정부가 반도체 산업 지원을")


def test_invalid_utf8_keeps_the_readable_text(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(SCRAPE.encode("utf-8") + b"\xff\xfe\xfa broken tail\n")
    items = load(path)
    # The article, and a warning that some bytes could not be read.
    warnings = [item for item in items if isinstance(item, LoadWarning)]
    article = only_article([item for item in items if not isinstance(item, LoadWarning)])
    assert article.title == "정부, 반도체 지원 확대 발표"
    assert len(warnings) == 1 and "3 byte sequence(s) are not utf-8" in warnings[0].message


def test_control_characters_and_zero_width_spaces(tmp_path):
    path = tmp_path / "dirty.txt"
    path.write_text(SCRAPE.replace("반도체 산업", "반\u200b도체\x07 산업\x00"), "utf-8")
    article = only_article(load(path))
    assert "반도체 산업" in article.body[0]
    assert not any(ch in article.body_text for ch in "\u200b\x07\x00")


def test_very_long_title_is_cut(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"title": "가나다 " * 2500, "body": "본문"}, ensure_ascii=False) + "\n", "utf-8")
    article = only_article(load(path))
    assert len(article.title) <= MAX_TITLE_CHARS + 1 and article.title.endswith("…")


def test_articles_without_date_reporter_or_title_still_load(tmp_path):
    path = tmp_path / "sparse.jsonl"
    path.write_text('{"body": "제목도 기자도 날짜도 없는 기사"}\n', "utf-8")
    article = only_article(load(path))
    # The title is then the first sentence, marked as derived (search.ingest.dateline).
    assert (article.title, article.title_derived, article.reporters, article.published) == (
        "제목도 기자도 날짜도 없는 기사", True, [], None)
    assert article.body == ["제목도 기자도 날짜도 없는 기사"]


def test_future_and_impossible_dates_are_dropped_not_the_article(tmp_path):
    future = (datetime.now(timezone.utc) + timedelta(days=400)).isoformat()
    path = tmp_path / "dates.jsonl"
    path.write_text(
        json.dumps({"id": "f", "title": "미래", "published": future, "body": "x"}) + "\n"
        + json.dumps({"id": "o", "title": "옛날", "published": "0001-01-01T00:00:00", "body": "x"}) + "\n",
        "utf-8",
    )
    articles = load(path)
    assert [a.id for a in articles] == ["f", "o"]
    assert all(a.published is None for a in articles)


def test_jsonl_broken_lines_name_the_line(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        b'{"id": "a", "title": "\xec\xb2\xab \xea\xb8\xb0\xec\x82\xac", "body": "x"}\n'
        b'{"id": "b", "title": \n'
        b'\xff\xfe not utf-8\n'
        b'[1, 2]\n'
        b'{"id": "e", "title": "t", "published": "someday", "body": "x"}\n'
        b'{"id": "f", "title": "\xeb\x81\x9d", "body": "x"}\n'
    )
    items = load(path)
    articles = [i for i in items if isinstance(i, Article)]
    failures = {i.line: i.reason for i in items if isinstance(i, LoadFailure)}
    assert [a.id for a in articles] == ["a", "f"]
    assert set(failures) == {2, 3, 4, 5}
    assert "invalid JSON" in failures[2]
    assert "UTF-8" in failures[3]
    assert "JSON object" in failures[4]
    assert "date" in failures[5]
    assert str(LoadFailure(str(path), "x", 2)).endswith("export.jsonl:2: x")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2018.11.07", "2018-11-07T00:00:00+09:00"),
        ("2018년 11월 7일 오후 4:12", "2018-11-07T16:12:00+09:00"),
        ("2018년 11월 7일 오전 12:05", "2018-11-07T00:05:00+09:00"),
        ("입력 2018-11-07 16:12", "2018-11-07T16:12:00+09:00"),
        ("기사입력 2018/11/07", "2018-11-07T00:00:00+09:00"),
        ("2018-11-07T07:12:56Z", "2018-11-07T07:12:56+00:00"),
        ("수정 2019.01.02 10:00 입력 2018.11.07 16:12", "2018-11-07T16:12:00+09:00"),
    ],
)
def test_korean_date_formats(text, expected):
    value = find_published(text)
    assert value is not None and value.isoformat() == expected


def test_unreadable_dates_are_none():
    assert parse_datetime("2018-13-45") is None
    assert parse_datetime("어제 오후") is None
