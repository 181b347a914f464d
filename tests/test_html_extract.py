"""The HTML article loader (`search.ingest.html`): decoding, metadata, the body
without the page around it, 관련기사 links, and pages that hold no article."""

from __future__ import annotations

import difflib
import gzip
import json
import re
import shutil
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest.encoding import decode_bytes
from search.ingest.errors import ArticleError, LoadFailure
from search.ingest.html import declared_encoding, decode_html, extract_article, load_html
from search.ingest.loader import ArticleLoader
from search.ingest.text import clean_line
from search.model import SEOUL, Article

KST = timezone(timedelta(hours=9))


def squash(text: str) -> str:
    """NFC, no whitespace: the form body text is compared in (fundus joins the
    `<br>` lines of a 부제 without spaces, and writes 李 as U+F9E1)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def body_coverage(expected_paragraphs: list[str], body: list[str]) -> float:
    """Share of the expected characters found in the extracted body: a paragraph
    found whole counts fully, else its matching runs of 10+ characters."""
    haystack = squash("\n".join(body))
    total = covered = 0
    for paragraph in expected_paragraphs:
        needle = squash(paragraph)
        total += len(needle)
        if needle in haystack:
            covered += len(needle)
            continue
        matcher = difflib.SequenceMatcher(None, needle, haystack, autojunk=False)
        covered += sum(block.size for block in matcher.get_matching_blocks() if block.size >= 10)
    return covered / total if total else 1.0


def hangul_report(text: str) -> tuple[int, float]:
    """(number of Hangul syllables, share of them among KS X 1001's 2,350)."""
    syllables = [ch for ch in text if "\uac00" <= ch <= "\ud7a3"]
    common = 0
    for ch in syllables:
        try:
            ch.encode("euc-kr")
            common += 1
        except UnicodeEncodeError:
            pass
    return len(syllables), (common / len(syllables) if syllables else 0.0)


# --------------------------------------------------------------------------- real pages (fundus)

# page name, file of expected extractions, key in it, file with the page's URL
FUNDUS_PAGES = [
    ("HankookIlbo_2025_05_15", "HankookIlbo.json", "V1", "meta.info"),
    ("HankookIlbo_2026_01_29", "HankookIlbo.json", "V2", "meta.info"),
    ("MBN_2025_05_27", "MBN_2025_05_27.MBN.json", "V1", "MBN_2025_05_27.meta.info"),
    ("MBN_2025_05_28", "MBN_2025_05_28.MBN.json", "V1", "MBN_2025_05_28.meta.info"),
    ("MBN_2025_05_29", "MBN_2025_05_29.MBN.json", "V1", "MBN_2025_05_29.meta.info"),
]


@pytest.fixture(scope="module")
def fundus_dir(shared_data) -> Path:
    folder = shared_data / "html" / "fundus_kr"
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    return folder


def fundus_case(folder: Path, name: str, expected_file: str, key: str, meta_file: str):
    raw = gzip.decompress((folder / f"{name}.html.gz").read_bytes())
    expected = json.loads((folder / expected_file).read_text("utf-8"))[key]
    url = json.loads((folder / meta_file).read_text("utf-8"))[f"{name}.html.gz"]["url"]
    return raw, expected, url


def expected_paragraphs(expected: dict) -> list[str]:
    """The article text fundus expects: section headlines (중간제목) and
    paragraphs.  Its `summary` is the 부제, which goes to `subtitles` here."""
    return [text for section in expected["body"]["sections"] for text in section["headline"] + section["paragraphs"]]


def expected_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SEOUL)


@pytest.mark.parametrize("page", FUNDUS_PAGES, ids=[p[0] for p in FUNDUS_PAGES])
def test_real_page_metadata(fundus_dir, page):
    raw, expected, url = fundus_case(fundus_dir, *page)
    article = extract_article(raw, url=url, source=page[0])
    # The project folds NBSP into a space (clean_line); fundus keeps it.
    assert article.title == clean_line(expected["title"])
    assert article.reporters == expected["authors"]
    want = expected_time(expected["publishing_date"])
    assert article.published == want and article.published.utcoffset() == want.utcoffset()
    assert article.url and article.url.startswith("https://")
    assert article.press in ("한국일보", "매일경제")


@pytest.mark.parametrize("page", FUNDUS_PAGES, ids=[p[0] for p in FUNDUS_PAGES])
def test_real_page_body(fundus_dir, page):
    raw, expected, url = fundus_case(fundus_dir, *page)
    article = extract_article(raw, url=url, source=page[0])
    paragraphs = expected_paragraphs(expected)
    coverage = body_coverage(paragraphs, article.body)
    assert coverage >= 0.9, f"{page[0]}: only {coverage:.1%} of the expected body"
    # …and not the page around it: ads, menus, comments, 추천 기사 would swell it.
    extracted = len(squash("".join(article.body)))
    wanted = sum(len(squash(p)) for p in paragraphs)
    assert extracted <= 1.5 * wanted, f"{page[0]}: body is {extracted / wanted:.2f}x the expected length"
    # The 부제 lines are subtitles, not body.
    assert squash("".join(article.subtitles)) == squash("".join(expected["body"]["summary"]))
    for line in article.body:
        assert "무단 전재" not in line and "Copyright" not in line


def test_real_page_captions_are_not_body(fundus_dir):
    raw, expected, url = fundus_case(fundus_dir, *FUNDUS_PAGES[0])
    article = extract_article(raw, url=url)
    captions = [image["caption"] for image in expected["images"]]
    for caption in captions:
        assert any(squash(caption) in squash(c) for c in article.captions), caption
        assert squash(caption) not in squash("".join(article.body))


def test_gzipped_page_is_read_as_is(fundus_dir):
    data = (fundus_dir / "MBN_2025_05_27.html.gz").read_bytes()
    article = extract_article(data)
    assert article.title.startswith("“전국소년체육대회 2연패")
    assert article.url == "https://www.mk.co.kr/news/sports/11328187"


def test_real_page_truncated_mid_character(fundus_dir):
    """A download cut off inside the last paragraph, in the middle of a
    three-byte character: still UTF-8, still the article up to the cut."""
    raw, expected, url = fundus_case(fundus_dir, *FUNDUS_PAGES[2])
    paragraphs = expected_paragraphs(expected)
    cut = raw.index(paragraphs[-1].encode("utf-8")) + 31  # 31 = 10 syllables and a byte
    assert raw[cut - 1] >= 0x80  # really inside a multibyte character
    text, encoding = decode_html(raw[:cut])
    assert encoding == "utf-8" and "\ufffd" not in text
    article = extract_article(raw[:cut], url=url)
    assert article.title == clean_line(expected["title"])
    assert article.reporters == expected["authors"]
    assert body_coverage(paragraphs[:-1], article.body) >= 0.9


# --------------------------------------------------------------------------- encodings (chardet)

CHARDET_DIRS = {"EUC-KR": "cp949", "CP949": "cp949", "Johab": "johab", "iso-2022-kr": "iso2022_kr"}


@pytest.mark.parametrize("folder_name", sorted(CHARDET_DIRS))
def test_legacy_korean_files_decode_to_ordinary_hangul(shared_data, folder_name):
    folder = shared_data / "html" / "chardet_korean_encodings" / folder_name
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files
    for path in files:
        data = path.read_bytes()
        if path.suffix in (".html", ".htm", ".xml"):
            text, encoding = decode_html(data)
        else:
            text, encoding = decode_bytes(data)
        syllables, common = hangul_report(text)
        assert "\ufffd" not in text, path.name
        assert syllables >= 50, (path.name, syllables)
        assert common >= 0.97, (path.name, common)
        assert encoding == CHARDET_DIRS[folder_name], (path.name, encoding)


def test_euckr_page_without_charset_is_detected_and_extracted(shared_data):
    path = (shared_data / "html" / "chardet_korean_encodings" / "EUC-KR"
            / "_chromium_windows-949_with_no_encoding_specified.html")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    data = path.read_bytes()
    assert declared_encoding(data) is None
    text, encoding = decode_html(data)
    assert encoding == "cp949"
    article = extract_article(data)
    assert article.body[0].startswith("한나라당은 2월 임시국회에서")
    assert any("임채진 검찰총장은" in line for line in article.body)


def test_not_found_page_in_euckr_is_no_article(shared_data):
    path = shared_data / "html" / "chardet_korean_encodings" / "EUC-KR" / "_mozilla_bug9357_text.html"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    with pytest.raises(ArticleError, match="no article text found"):
        extract_article(path.read_bytes())


# --------------------------------------------------------------------------- decoding (own bytes)


def test_euckr_meta_charset_with_cp949_only_syllables(euckr_page):
    assert b'<meta charset="euc-kr">' in euckr_page
    with pytest.raises(UnicodeDecodeError):
        euckr_page.decode("euc-kr")  # 똠, 뷁 are not in EUC-KR proper
    assert declared_encoding(euckr_page) == "euc-kr"
    text, encoding = decode_html(euckr_page)
    assert encoding == "cp949" and "똠양꿍" in text and "뷁" in text
    article = extract_article(euckr_page)
    assert article.title == "똠양꿍 축제에 '뷁' 응원 구호 등장"
    assert article.reporters == ["최똠순"]
    assert article.published == datetime(2009, 7, 11, 14, 30, tzinfo=SEOUL)
    assert article.press == "예시타임즈"
    assert article.body[0].startswith("지난 주말 열린 똠양꿍 축제에서 관객들이 '뷁'을")
    assert len(article.body) == 3
    assert not any("홈" == line or "최똠순 기자" in line for line in article.body)


PAGE = '<html><head>{meta}<title>정부 발표</title></head><body><p>{text}</p></body></html>'
TEXT = "정부가 반도체 산업 지원을 크게 늘린다고 밝혔다. 똠양꿍 같은 드문 글자도 들어 있다."


@pytest.mark.parametrize(
    "meta, encoding, expected",
    [
        ('<meta charset="utf-8">', "utf-8", "utf-8"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">', "cp949", "cp949"),
        ("<meta http-equiv='content-type' content='text/html;charset=ks_c_5601-1987'>", "cp949", "cp949"),
        ("", "cp949", "cp949"),  # no declaration: detected
        ('<meta charset="utf-8">', "cp949", "cp949"),  # declared wrongly: fails strictly, falls back
        ('<meta charset="euc-kr">', "utf-8", "utf-8"),  # page converted, <meta> not
        ('<meta charset="iso-8859-1">', "cp949", "cp949"),  # editor default over Korean bytes
        ('<meta charset="utf-16">', "utf-8", "utf-8"),  # a readable declaration is not UTF-16
    ],
)
def test_declared_and_detected_encodings(meta, encoding, expected):
    data = PAGE.format(meta=meta, text=TEXT).encode(encoding)
    text, used = decode_html(data)
    assert used == expected
    assert TEXT in text


def test_bom_wins_over_the_declaration():
    data = "\ufeff".encode("utf-8") + PAGE.format(meta='<meta charset="euc-kr">', text=TEXT).encode("utf-8")
    text, used = decode_html(data)
    assert used == "utf-8-sig" and TEXT in text


def test_xml_declaration_is_read():
    data = f'<?xml version="1.0" encoding="euc-kr"?>\n<rss><title>{TEXT}</title></rss>'.encode("cp949")
    assert declared_encoding(data) == "euc-kr"
    assert TEXT in decode_html(data)[0]


def test_declaration_is_looked_for_in_the_first_4kb_only():
    filler = "<!-- " + "x" * 5000 + " -->"
    data = (filler + '<meta charset="iso-8859-1">' + PAGE.format(meta="", text=TEXT)).encode("cp949")
    assert declared_encoding(data) is None
    assert decode_html(data) == (data.decode("cp949"), "cp949")


# --------------------------------------------------------------------------- own fixture pages


def load_fixture(html_fixtures: Path, name: str, **kwargs) -> Article:
    path = html_fixtures / name
    return extract_article(path.read_bytes(), source=str(path), **kwargs)


def test_metadata_from_json_ld_only(html_fixtures):
    article = load_fixture(html_fixtures, "jsonld_only.html")
    assert article.title == "서울시, 심야버스 노선 12개 늘린다 & 배차 간격 단축"  # entity decoded
    assert article.reporters == ["박서연", "이도윤"]  # the Organization author is not a reporter
    assert article.email == "seoyeon@news.example.kr"
    assert article.published == datetime(2025, 3, 4, 6, 30, tzinfo=KST)
    assert article.press == "예시뉴스"  # the publisher, by its @id in the @graph
    assert article.url == "https://news.example.kr/articles/2025/03/04/night-bus"
    assert len(article.body) == 3 and article.body[0].startswith("서울시가 다음 달부터 심야버스")


def test_byline_and_date_from_the_page_text(html_fixtures):
    article = load_fixture(html_fixtures, "byline_text.html")
    assert article.title == "지역 축제 관람객 역대 최다"  # ` - 예시신문` cut: the <h1> shows the bare title
    assert article.reporters == ["홍길동", "김철수"]
    assert article.published == datetime(2025, 5, 15, 20, 0, tzinfo=SEOUL)  # 입력, not 수정
    assert article.body == [  # paragraphs from <br><br>-separated text
        "올해 봄꽃 축제를 찾은 관람객이 42만명으로 집계돼 축제가 시작된 뒤 가장 많았다.",
        "축제 추진위원회는 주말마다 열린 야간 공연과 먹거리 장터가 젊은 관람객을 끌어모았다고 분석했다.",
        "위원회는 내년에는 셔틀버스를 늘리고 주차장을 넓혀 교통 혼잡을 줄이겠다고 밝혔다.",
    ]
    assert article.url is None and article.press is None


def test_body_excludes_the_page_around_it(html_fixtures):
    article = load_fixture(html_fixtures, "cluttered.html")
    assert article.body == [
        "서울시가 이달부터 도심 공원 다섯 곳의 야간 개장 시간을 밤 11시까지 늘린다고 2일 밝혔다. "
        "여름철 열대야를 피해 공원을 찾는 시민이 늘어난 데 따른 조치다.",
        "시는 야간 개장에 맞춰 공원마다 안전요원을 두 명씩 배치하고, 산책로 조명도 밝은 발광다이오드(LED)로 "
        "바꾸기로 했다. 음주와 흡연 단속도 함께 강화한다.",
        '공원을 자주 찾는다는 한 시민은 "퇴근 뒤에도 가족과 함께 걸을 수 있게 돼 반갑다"며 '
        '"밤에도 안심하고 다닐 수 있도록 관리가 잘 됐으면 좋겠다"고 말했다.',
        "시는 시범 운영 결과를 살펴본 뒤 내년에는 야간 개장 공원을 열 곳으로 늘리는 방안을 검토할 계획이다.",
    ]
    everything = "\n".join(article.body + article.subtitles)
    for junk in ("광고", "댓글", "많이 본", "날씨", "Copyright", "무단 전재", "페이스북", "검색", "관련기사",
                 "스크립트 안의 문장", "document.write", "#공원", "정하늘 기자", "예시로 1",
                 "열대야 대비 무더위 쉼터", "안전요원 두 명으로는 부족"):
        assert junk not in everything, junk
    assert article.captions == [
        "시민들이 1일 밤 도심 공원을 산책하고 있다. 예시일보 자료사진",
        "야간 개장을 앞둔 공원 입구의 모습 (사진=예시일보)",
    ]
    assert article.title == "도심 공원 야간 개장 확대 & 안전요원 배치"  # og:title without ` | 예시일보`
    assert article.press == "예시일보"
    assert article.reporters == ["정하늘"] and article.email == "sky@yesi-ilbo.example"
    assert article.published == datetime(2025, 6, 2, 7, 15, tzinfo=KST)
    # The relative canonical URL, resolved against og:url, without the tracking query.
    assert article.url == "https://www.yesi-ilbo.example/news/2025/06/02/park"


def test_related_links_are_extracted(html_fixtures):
    article = load_fixture(html_fixtures, "cluttered.html")
    assert [(r.title, r.published, r.url) for r in article.related] == [
        ("열대야 대비 무더위 쉼터 운영 시작", date(2025, 5, 14),
         "https://www.yesi-ilbo.example/news/2025/05/14/heat"),
        ("공원 조명 교체 사업 본격화", date(2025, 5, 10), "https://other.example/news/77"),
        ("주말 걷기 좋은 산책로 다섯 곳", None, "https://www.yesi-ilbo.example/news/2025/05/01/walk"),
    ]


def test_page_without_article(html_fixtures):
    with pytest.raises(ArticleError, match="no article text found"):
        load_fixture(html_fixtures, "no_article.html")


def test_article_text_only_in_scripts_and_iframes_is_not_body(html_fixtures):
    with pytest.raises(ArticleError, match="no article text found"):
        load_fixture(html_fixtures, "script_only.html")


def test_truncated_html(html_fixtures):
    article = load_fixture(html_fixtures, "truncated.html")
    assert article.title == "반도체 수출 두 달 연속 증가"
    assert article.published == datetime(2025, 4, 1, 11, 0, tzinfo=KST)
    assert len(article.body) == 3
    assert article.body[-1].endswith("주의 깊게 지켜보겠다고")


@pytest.mark.parametrize("marker", ["<p>시는 시범 운영", "<p>공원을 자주", "안심하고 다닐"])
def test_page_cut_anywhere_keeps_what_came_before(html_fixtures, marker):
    data = (html_fixtures / "cluttered.html").read_bytes()
    cut = data.index(marker.encode("utf-8")) + 4  # inside a tag or a character
    article = extract_article(data[:cut])
    assert article.title == "도심 공원 야간 개장 확대 & 안전요원 배치"
    assert article.body[0].startswith("서울시가 이달부터 도심 공원")


def test_script_text_next_to_a_real_body_stays_out():
    page = (
        "<html><head><title>본문과 스크립트</title><meta property='og:type' content='article'></head>"
        "<body><div class='content'>"
        "<p>정부는 15일 새로운 정책을 발표했다. 이 정책은 내년부터 시행된다고 밝혔다.</p>"
        "<script>var s = '스크립트 속 문장은 본문이 아니다. 절대 본문에 들어가면 안 된다.';</script>"
        "<p>정책의 핵심은 중소기업 지원을 늘리는 것이다. 세부 계획은 다음 달 나온다.</p>"
        "<noscript>자바스크립트를 켜 주세요</noscript><style>p {color: red}</style>"
        "</div></body></html>"
    )
    article = extract_article(page)
    assert article.body == [
        "정부는 15일 새로운 정책을 발표했다. 이 정책은 내년부터 시행된다고 밝혔다.",
        "정책의 핵심은 중소기업 지원을 늘리는 것이다. 세부 계획은 다음 달 나온다.",
    ]


# --------------------------------------------------------------------------- articles kept as data

PARAGRAPHS = [
    "정부는 15일 새로운 반도체 지원 정책을 발표했다. 이 정책은 내년부터 시행된다.",
    "정책의 핵심은 중소 팹리스 기업에 대한 연구개발 지원을 두 배로 늘리는 것이다.",
    "업계는 환영하면서도 인력 양성 대책이 빠졌다고 아쉬움을 나타냈다.",
]


def test_json_ld_article_body_when_the_page_renders_it_with_javascript():
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "반도체 지원 정책 발표",
        "datePublished": "2025-02-03T10:00:00+09:00", "author": {"@type": "Person", "name": "한지민"},
        "articleBody": "\n".join(PARAGRAPHS),
    }
    page = (
        "<html><head><script type='application/ld+json'>" + json.dumps(ld, ensure_ascii=False)
        + "</script></head><body><div id='root'></div></body></html>"
    )
    article = extract_article(page)
    assert article.body == PARAGRAPHS
    assert article.title == "반도체 지원 정책 발표" and article.reporters == ["한지민"]


def test_hydration_state_whose_title_is_the_page_title():
    state = {"props": {"article": {
        "title": "반도체 지원 정책 발표",
        "contentHtml": "".join(f"<p>{p}</p>" for p in PARAGRAPHS),
        "subTitle": "중소 팹리스 지원 두 배<br>인력 대책은 빠져",
        "writerDisplay": "한지민 기자",
        "publishedAt": "2025-02-03 10:00",
        "updatedAt": "2025-02-04 09:00",
    }}}
    page = (
        "<html><head><meta property='og:title' content='반도체 지원 정책 발표 | 예시일보'>"
        "<meta property='og:site_name' content='예시일보'></head><body><div id='app'></div>"
        "<script>window.__STATE__ = " + json.dumps(state, ensure_ascii=False) + ";</script></body></html>"
    )
    article = extract_article(page)
    assert article.body == PARAGRAPHS
    assert article.subtitles == ["중소 팹리스 지원 두 배", "인력 대책은 빠져"]
    assert article.reporters == ["한지민"]
    assert article.published == datetime(2025, 2, 3, 10, 0, tzinfo=SEOUL)  # not updatedAt

    other = page.replace('"title": "반도체 지원 정책 발표"', '"title": "전혀 다른 기사"')
    with pytest.raises(ArticleError):  # data about another article is not this page's body
        extract_article(other)


# --------------------------------------------------------------------------- robustness


NOT_ARTICLES = {
    "empty-bytes": b"",
    "blank": b"   \n",
    "empty-text": "",
    "nul-bytes": b"\x00" * 10,
    "empty-html": b"<html></html>",
    "one-word": "<p>짧다</p>",
    "binary": bytes(range(256)) * 20,
    "deep-nesting": "<div>" * 3000 + "본문" + "</div>" * 3000,
}


@pytest.mark.parametrize("data", list(NOT_ARTICLES.values()), ids=list(NOT_ARTICLES))
def test_no_article_is_an_article_error(data):
    with pytest.raises(ArticleError):
        extract_article(data)


def test_wrong_input_type_is_an_article_error():
    with pytest.raises(ArticleError):
        extract_article(12345)  # type: ignore[arg-type]


HTML_PIECES = [
    "<html>", "<head>", "<body>", "<div class='article'>", "</div>", "<p>", "</p>", "<br>", "<script>", "</script>",
    "<meta charset='euc-kr'>", "<meta property='og:title' content='제목 | 신문'>", "<a href='http://[::1'>", "<!--",
    "-->", "<![CDATA[", "]]>", "관련기사", "입력 2025.05.15 20:00", "홍길동 기자", "<table><tr><td>", "<h1>", "&amp;",
    "정부는 15일 새로운 정책을 발표했다. ", "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",",
    "\"author\": [null, 3, {\"@id\": 1}]}", "<link rel=canonical href='//'>", "<figure><figcaption>", "\x00", "\ufffd",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=3000),
    st.lists(st.sampled_from(HTML_PIECES) | st.text(max_size=20), max_size=60).map("".join),
))
def test_any_input_yields_an_article_or_an_article_error(data):
    try:
        article = extract_article(data)
    except ArticleError as exc:
        assert exc.reason
    else:
        assert isinstance(article, Article) and article.body


# --------------------------------------------------------------------------- through the loader


def test_loader_reads_html_files_end_to_end(tmp_path, html_fixtures, euckr_page):
    for name in ("cluttered.html", "jsonld_only.html", "no_article.html"):
        shutil.copy(html_fixtures / name, tmp_path / name)
    (tmp_path / "euckr.htm").write_bytes(euckr_page)
    items = list(ArticleLoader().load_paths([tmp_path]))
    articles = {Path(a.source).name: a for a in items if isinstance(a, Article)}
    failures = [f for f in items if isinstance(f, LoadFailure)]
    assert sorted(articles) == ["cluttered.html", "euckr.htm", "jsonld_only.html"]
    assert articles["euckr.htm"].title == "똠양꿍 축제에 '뷁' 응원 구호 등장"
    assert articles["cluttered.html"].related
    assert len(failures) == 1 and failures[0].source.endswith("no_article.html")
    assert failures[0].reason.startswith("no article text found")


def test_load_html_yields_one_article_with_its_source(html_fixtures):
    path = html_fixtures / "jsonld_only.html"
    (article,) = load_html(path, path.read_bytes(), "jsonld_only.html")
    assert article.source == str(path)
    # The id comes from the URL, so the same page saved twice is one article.
    again = extract_article(path.read_bytes(), source="elsewhere.html", id_basis="elsewhere.html")
    assert again.id == article.id
