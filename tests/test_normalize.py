"""Unicode normalisation, the same at index and at query time: decomposed Hangul,
full-width letters and digits, odd spaces and zero-width characters find the
same articles as ordinary text, and highlights land on the original characters."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.derived import bigram_terms, bigrams, words_from_tokens
from search.analysis.normalize import normalize_text, normalize_with_offsets

NFD_SAMSUNG = unicodedata.normalize("NFD", "삼성전자")


def test_the_samples_are_what_they_claim():
    assert len(NFD_SAMSUNG) == 11 and NFD_SAMSUNG != "삼성전자"


@pytest.mark.parametrize("raw, normal", [
    (NFD_SAMSUNG, "삼성전자"),
    ("ＡＩ 반도체", "AI 반도체"),
    ("２０１５년", "2015년"),
    ("방탄\u200b소년단", "방탄소년단"),
    ("국민\u200c\u200d의힘\u2060", "국민의힘"),
    ("\ufeff서울", "서울"),
    ("소프트\u00ad웨어", "소프트웨어"),
    ("서울\u00a0경기\u3000인천\u2009부산", "서울 경기 인천 부산"),
    ("＂집값 잡겠다＂！", '"집값 잡겠다"!'),
    ("￦1,000", "₩1,000"),
    ("cafe\u0301", "café"),
    ("각", "각"),  # a syllable and a trailing jamo compose
])
def test_normalized_forms(raw, normal):
    assert normalize_text(raw) == normal


@pytest.mark.parametrize("kept", ["ㅋㅋㅋ ㅠㅠ", "㈜삼성", "①항", "10㎞", "줄\n바꿈\t탭", "plain text", ""])
def test_what_is_left_alone(kept):
    # Compatibility characters that NFKC would rewrite are not ours to change.
    assert normalize_text(kept) == kept
    assert normalize_with_offsets(kept)[1] is None


def test_offsets_map_back_to_the_original():
    raw = f"{NFD_SAMSUNG}와 ＡＩ\u00a0방탄\u200b소년단"
    normal, offsets = normalize_with_offsets(raw)
    assert normal == "삼성전자와 AI 방탄소년단"
    for word in ("삼성전자", "AI", "방탄소년단", "와"):
        start = normal.index(word)
        low, high = offsets.span(start, start + len(word))
        assert normalize_text(raw[low:high]) == word
    # 방탄소년단 covers the zero-width space it was written with.
    start = normal.index("방탄소년단")
    assert raw[slice(*offsets.span(start, start + 5))] == "방탄\u200b소년단"


@pytest.mark.parametrize("raw", [
    NFD_SAMSUNG + "는 반도체 공장을 지었다",
    "ＡＩ 반도체 ２０１５년 출시",
    "방탄\u200b소년단이 콘서트를 열었다",
    "서울\u00a0경기\u3000인천",
])
def test_the_analyzer_gives_the_same_terms_with_offsets_into_the_original(raw):
    analyzer = KoreanAnalyzer()
    plain = unicodedata.normalize("NFKC", raw).replace("\u200b", "")
    tokens, plain_tokens = analyzer.token_tuples(raw), analyzer.token_tuples(plain)
    assert [t[:2] for t in tokens] == [t[:2] for t in plain_tokens]
    for (_, _, start, end), (_, _, plain_start, plain_end) in zip(tokens, plain_tokens):
        assert normalize_text(raw[start:end]) == plain[plain_start:plain_end]
    # The query side (in its carrier context) normalises the same way.
    assert [t[0] for t in analyzer.query_token_tuples(raw)] == [t[0] for t in analyzer.query_token_tuples(plain)]
    # And through the Whoosh entry point (as the index writer calls it).
    via_call = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(raw, positions=True, chars=True)]
    assert via_call == tokens


def test_bigrams_and_words_are_normalised_too():
    assert bigram_terms(NFD_SAMSUNG) == bigram_terms("삼성전자") == ["삼성", "성전", "전자"]
    raw = "방탄\u200b소년단"
    assert [g for g, _, _ in bigrams(raw)] == bigram_terms("방탄소년단")
    assert all(normalize_text(raw[s:e]) == g for g, s, e in bigrams(raw))
    text = NFD_SAMSUNG + "가 나섰다"
    assert "삼성전자" in words_from_tokens(text, KoreanAnalyzer().token_tuples(text))


ARTICLES = [
    {"id": "nf-nfd", "title": "반도체 공장 착공", "press": "예시일보", "published": "2024-05-01",
     "body": f"{NFD_SAMSUNG}가 평택에 반도체 공장을 짓는다."},
    {"id": "nf-plain", "title": "인공지능 경쟁", "press": "예시일보", "published": "2024-05-02",
     "body": "AI 기술 경쟁이 2015년부터 본격화했다."},
    {"id": "nf-wide", "title": "ＬＧ전자 신제품", "press": "예시일보", "published": "2024-05-03",
     "body": "ＬＧ전자가 ２０２４년형 ＴＶ를 내놓았다."},
    {"id": "nf-zw", "title": "콘서트 소식", "press": "예시일보", "published": "2024-05-04",
     "body": "방탄\u200b소년단이\u00a0서울에서 콘서트를 연다."},
    {"id": "nf-other", "title": "날씨", "press": "예시일보", "published": "2024-05-05",
     "body": "전국에 비가 내린다."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from search.indexer import reindex
    from search.service import SearchService

    folder = tmp_path_factory.mktemp("normalize")
    corpus = folder / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES), encoding="utf-8")
    report = reindex([corpus], index_dir=folder / "index", workers=1)
    assert not report.failed
    return SearchService(folder / "index")


@pytest.mark.parametrize("query, article", [
    (NFD_SAMSUNG, "nf-nfd"),  # decomposed query, decomposed article
    ("삼성전자", "nf-nfd"),  # composed query, decomposed article
    ("ＡＩ", "nf-plain"),  # full-width query, ordinary article
    ("２０１５", "nf-plain"),
    ("LG전자", "nf-wide"),  # ordinary query, full-width article
    ("2024년형 TV", "nf-wide"),
    ("방탄\u200b소년단", "nf-zw"),  # zero-width query, zero-width article
    ("방탄소년단", "nf-zw"),
    ("서울\u00a0콘서트", "nf-zw"),
])
def test_queries_find_their_articles_whatever_the_code_points(service, query, article):
    assert [h.id for h in service.search(query).hits] == [article]


def _marked(html: str) -> list[str]:
    return [unicodedata.normalize("NFC", m).replace("\u200b", "") for m in re.findall(r"<mark>(.*?)</mark>", html)]


def test_highlights_land_on_the_original_characters(service):
    # Loading already composes Hangul and drops zero-width characters from the
    # stored text (search.ingest.text.clean_text); full-width letters stay as
    # published, and the marks sit on them.
    hit = service.search(NFD_SAMSUNG).hits[0]
    assert _marked(hit.snippet) == ["삼성전자"]
    hit = service.search("TV").hits[0]
    assert re.findall(r"<mark>(.*?)</mark>", hit.snippet) == ["ＴＶ"]
    hit = service.search("２０２４년형").hits[0]
    assert re.findall(r"<mark>(.*?)</mark>", hit.snippet)[0] in ("２０２４", "２０２４년")
    body = "".join(service.highlighted_body("nf-wide", "LG전자"))
    assert re.findall(r"<mark>(.*?)</mark>", body)[:2] in (["ＬＧ", "전자"], ["ＬＧ전자"])
