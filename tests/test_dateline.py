"""Metadata from the text when the record lacks it: Korean datelines give press
and reporter (and leave the body), a missing title becomes the first sentence."""

from __future__ import annotations

import json

import pytest

from search.ingest.dateline import parse_dateline, title_from_body
from search.ingest.jsonl import article_from_record
from search.model import Article


@pytest.mark.parametrize("text, press, reporters, rest", [
    ("(서울=연합뉴스) 홍길동 기자 = 정부가 예산안을 발표했다.", "연합뉴스", ["홍길동"], "정부가 예산안을 발표했다."),
    ("[서울=뉴시스]홍길동 기자 = 정부가 발표했다.", "뉴시스", ["홍길동"], "정부가 발표했다."),
    ("【서울=뉴스1】 홍길동·김철수 기자 = 정부가", "뉴스1", ["홍길동", "김철수"], "정부가"),
    ("(서울=연합뉴스) 홍길동 김철수 기자 = 정부가", "연합뉴스", ["홍길동", "김철수"], "정부가"),
    ("【서울=뉴스1】 정부가 발표했다.", "뉴스1", [], "정부가 발표했다."),
    ("(워싱턴=연합뉴스) 이상헌 특파원 = 미국 정부는", "연합뉴스", ["이상헌"], "미국 정부는"),
    ("[아시아경제 홍길동 기자] 정부가 발표했다.", "아시아경제", ["홍길동"], "정부가 발표했다."),
    ("홍길동 기자 = 정부가 발표했다.", None, ["홍길동"], "정부가 발표했다."),
    ("◆ 홍길동 기자 > 네, 정부가 발표했습니다.", None, ["홍길동"], "네, 정부가 발표했습니다."),
    ("◆ 진행 : 홍길동 기자 : 정부가", None, ["홍길동"], "정부가"),
    # Punctuation stripped (as the soynlp news sample has it): a known press is required.
    ("서울 연합뉴스 강종훈 기자 롯데면세점은 배우 김수현과", "연합뉴스", ["강종훈"], "롯데면세점은 배우 김수현과"),
    ("머니투데이 이슈팀 박지윤 기자 신화가 컴백한다", "머니투데이", ["박지윤"], "신화가 컴백한다"),
    ("헤럴드경제 서병기 선임 기자 강타가 돌아왔다", "헤럴드경제", ["서병기"], "강타가 돌아왔다"),
])
def test_datelines(text, press, reporters, rest):
    dateline = parse_dateline(text)
    assert dateline is not None
    assert (dateline.press, dateline.reporters, text[dateline.end:]) == (press, reporters, rest)


@pytest.mark.parametrize("text", [
    "매일경제 보도에 따르면 정부가 예산안을 발표했다.",  # a press named in a sentence
    "강경희 기자가 현장을 취재했다.",  # a sentence about a reporter
    "(사진=연합뉴스) 정부가 예산안을 발표했다.",  # a photo credit
    "서울 뉴시스 신화 그룹 사진",  # press without a byline: too weak without brackets
    "정부는 20일 예산안을 발표했다.",
    "",
])
def test_text_that_is_not_a_dateline(text):
    assert parse_dateline(text) is None


def test_first_sentence_title():
    assert title_from_body(["", "정부가 3.5% 인상을 발표했다. 다음 문장이다."]) == "정부가 3.5% 인상을 발표했다"
    long = "롯데면세점은 배우 김수현과 아이돌그룹 엑소 등 인기스타들이 대거 출연하는 한류 콘서트 패밀리 페스티벌을 21일부터 사흘간 서울 잠실 올림픽주경기장에서 개최한다고 밝혔다"
    title = title_from_body([long])
    assert title.endswith("…") and len(title) <= 81
    assert long.startswith(title[:-1]) and long[len(title) - 1] == " "  # cut between words
    assert title_from_body([]) == ""


def test_a_record_without_title_press_or_reporter(tmp_path):
    record = {"id": "x1", "title": None, "press": None, "reporter": None,
              "body": "서울 연합뉴스 강종훈 기자 롯데면세점은 한류 콘서트를 21일부터 연다고 20일 밝혔다\n둘째 문단이다"}
    article = article_from_record(record, "x.jsonl", "x.jsonl#1")
    assert article.title == "롯데면세점은 한류 콘서트를 21일부터 연다고 20일 밝혔다"
    assert article.title_derived
    assert (article.press, article.reporters) == ("연합뉴스", ["강종훈"])
    assert article.body == ["롯데면세점은 한류 콘서트를 21일부터 연다고 20일 밝혔다", "둘째 문단이다"]
    assert article.content_hash == article.compute_hash()
    # The flag survives the record's round trip.
    assert Article.from_dict(article.to_dict()).title_derived


def test_the_record_wins_over_the_dateline():
    article = Article.create(title="제목", press="한국일보", reporters=["김기자"], body=["(서울=연합뉴스) 홍길동 기자 = 본문이다."])
    assert (article.title, article.title_derived, article.press, article.reporters) == ("제목", False, "한국일보", ["김기자"])
    assert article.body == ["본문이다."]  # the dateline still leaves the body


def test_an_article_with_neither_is_left_as_it_is():
    article = Article.create(title="제목", body=["정부는 20일 예산안을 발표했다."])
    assert (article.press, article.reporters, article.body, article.title_derived) == (
        None, [], ["정부는 20일 예산안을 발표했다."], False)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from search.indexer import reindex
    from search.service import SearchService

    folder = tmp_path_factory.mktemp("dateline")
    records = [
        {"id": "dl-1", "body": "서울 연합뉴스 강종훈 기자 롯데면세점은 한류 콘서트를 21일부터 연다고 20일 밝혔다\n행사에는 가수들이 출연한다"},
        {"id": "dl-2", "body": "(서울=뉴스1) 홍길동 기자 = 기상청은 주말에 전국에 비가 내린다고 예보했다."},
        {"id": "dl-3", "title": "제목 있는 기사", "press": "예시일보", "body": "콘서트 소식을 전한다."},
    ]
    corpus = folder / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    report = reindex([corpus], index_dir=folder / "index", workers=1)
    assert not report.failed
    return SearchService(folder / "index")


def test_derived_metadata_reaches_the_index(service):
    from search.service import SearchRequest

    hit = service.search(SearchRequest(q="롯데면세점", reporters=["강종훈"])).hits[0]
    assert (hit.id, hit.press, hit.reporters) == ("dl-1", "연합뉴스", ["강종훈"])
    assert hit.title == "롯데면세점은 한류 콘서트를 21일부터 연다고 20일 밝혔다"
    # The snippet opens with the text, not with the dateline.
    assert "기자" not in hit.snippet and "연합뉴스" not in hit.snippet
    article = service.article("dl-1")
    assert article.title_derived and not service.article("dl-3").title_derived
    hits = service.search(SearchRequest(q="기상청", presses=["뉴스1"])).hits
    assert [(h.id, h.reporters) for h in hits] == [("dl-2", ["홍길동"])]


def test_the_soynlp_sample_gets_press_and_reporters(shared_data):
    path = shared_data / "news" / "soynlp_news_2016-10-20_sample" / "doublespace_line_corpus_sample.normalized.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    articles = [article_from_record(json.loads(line), str(path), f"s#{n}")
                for n, line in enumerate(path.read_text("utf-8").splitlines())]
    assert all(a.title and a.title_derived for a in articles if a.body)
    with_press = [a for a in articles if a.press]
    with_reporter = [a for a in articles if a.reporters]
    # 44 of its 482 articles open with a stripped dateline of a press the table
    # knows (서울 연합뉴스 강종훈 기자 …, 한국경제 온라인정보팀 유병철 기자 …).
    assert len(with_reporter) >= 40 and {a.id for a in with_reporter} <= {a.id for a in with_press}
    for article in with_reporter:
        raw = json.loads(path.read_text("utf-8").splitlines()[int(article.id.rsplit("-", 1)[1])])["body"]
        opening = raw[: len(raw) - len(" ".join(article.body)) + 1]
        assert article.press in opening and article.reporters[0] + " " in opening
