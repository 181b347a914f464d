"""The seed scrape becomes exactly the expected Article, field by field."""

from datetime import date, datetime, timedelta, timezone

import pytest

from search.ingest.loader import ArticleLoader, SourceFile
from search.ingest.textscrape import parse_text_scrape
from conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed():
    items = list(ArticleLoader().load(SourceFile(SEED_FILE, SEED_FILE.name)))
    assert len(items) == 1
    return items[0]


def test_title_and_subtitles(seed):
    assert seed.title == "이재용 삼성전자 부회장, MS CEO 만나 4차산업 기술 협력 확대"
    assert seed.subtitles == [
        "사티아 나델라 마이크로소프트 CEO, 기조강연 위해 4년 만에 한국 방문",
        "인공지능(AI), 클라우드 컴퓨팅, 데이터센터 등 미래 사업 협력 합의",
    ]


def test_byline(seed):
    assert seed.reporters == ["조재범"]
    assert seed.email == "jbcho@newdailybiz.co.kr"
    assert seed.press == "뉴데일리경제"
    assert seed.published == datetime(2018, 11, 7, 16, 12, 56, tzinfo=timezone(timedelta(hours=9)))
    assert seed.published.isoformat() == "2018-11-07T16:12:56+09:00"


def test_body_is_article_paragraphs_only(seed):
    assert len(seed.body) == 10
    assert seed.body[0].startswith("이재용 삼성전자 부회장과 미국 마이크로소프트(MS)의")
    assert seed.body[-1].endswith("경영진 간 교류도 실시한다는 계획이다.")
    text = "\n".join(seed.body)
    for noise in ("트위터 공유", "프린트", "글자크기", "맨 위로", "프로필보기", "프로필 사진",
                  "이 기사를 공유해보세요", "jbcho@", "조재범 기자", "관련기사", "▲", "•"):
        assert noise not in text, noise


def test_caption(seed):
    assert seed.captions == ["이재용 삼성전자 부회장"]


def test_related_list(seed):
    assert len(seed.related) == 44
    first = seed.related[0]
    assert first.title == "SK하이닉스, 4분기 '주춤' 불구 ‘연간 최대’ 실적 달성"
    assert first.published == date(2019, 1, 24)
    assert seed.related[1].title == "이재용 부회장, 文 대통령 만나 '4만개 일자리' 실천 약속"
    assert seed.related[-1].title == '[컨콜] SK하이닉스, "인텔 CPU 공급부족 영향, 2Q 이후 해소"'
    assert all(link.published for link in seed.related)


def test_identity_is_stable(seed):
    again = list(ArticleLoader().load(SourceFile(SEED_FILE, SEED_FILE.name)))[0]
    assert again.id == seed.id and again.content_hash == seed.content_hash
    assert seed.source == str(SEED_FILE)


def test_other_scrape_layouts():
    text = (
        "정부, 반도체 지원 확대\n\n홍길동·김철수 기자 | 입력 2019.03.02 09:05\n\n"
        "정부가 반도체 산업 지원을 늘린다.\n\n▲ 반도체 공장 전경\n\n<저작권자 © 예시신문 무단전재 및 재배포 금지>\n"
    )
    article = parse_text_scrape(text)
    assert article.title == "정부, 반도체 지원 확대"
    assert article.reporters == ["홍길동", "김철수"]
    assert article.published.isoformat() == "2019-03-02T09:05:00+09:00"
    assert article.body == ["정부가 반도체 산업 지원을 늘린다."]
    assert article.captions == ["반도체 공장 전경"]
