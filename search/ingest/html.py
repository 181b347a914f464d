"""Saved news pages (`.html`/`.htm`) → `Article`, with no rules for any one site.

Decoding: a byte-order mark, else the charset the page declares in its first
4 KB (`<meta charset>`, `http-equiv` Content-Type, an XML declaration), read
through `encoding.decode_bytes`, which treats `euc-kr` as cp949 and falls back to
Korean-aware detection when the declaration is missing or plainly wrong.

Metadata, most trusted first: schema.org JSON-LD (`NewsArticle`, also inside
`@graph` and lists), OpenGraph / `article:*` / `dable:*` / `name=author` meta
tags, `<link rel=canonical>`, and then what the page says to a reader: the
byline (`홍길동 기자`, `홍길동·김철수 기자`) and the labelled date (`입력
2025.05.15 20:00`, `기사입력 …`).

Body: scripts, styles, forms' controls and embedded frames are dropped; so are
elements whose tag, role or class/id words mark them as navigation, ads,
comments, share buttons, related-article boxes, bylines or footers, unless they
hold most of the page's text.  The remaining blocks of running text are scored
(readability-style: length, clauses, Hangul share, minus link text) and their
scores handed to their containers; the best container (plus siblings that score
nearly as well) is the body.  Photo captions go to `captions`, the 부제 lines at
the head of the article to `subtitles`, and a 관련기사 box to `related`.

Pages that render their article with JavaScript carry it only as data: the
JSON-LD `articleBody`, or the JSON state a framework hydrates from (Next.js and
the like).  That data is used when the visible page has no article, but only an
object whose title matches the page's own title; free text in scripts (a
`document.write`, a JS string) is never read as the body.
"""

from __future__ import annotations

import codecs
import html as html_lib
import json
import re
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from search.ingest.dates import PUBLISHED_LABELS, parse_date, parse_datetime
from search.ingest.encoding import decode_bytes, looks_binary, normalise_label
from search.ingest.errors import ArticleError
from search.ingest.text import clean_line, press_for
from search.ingest.textscrape import CHROME, REPORTER_TITLES, reporters_in
from search.model import Article, RelatedLink, plausible_date

# --------------------------------------------------------------------------- bytes → text

PRESCAN_BYTES = 4096
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024

_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_DECLARATION = re.compile(rb"\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']\s*([A-Za-z0-9_.:\-]+)", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def declared_encoding(data: bytes) -> Optional[str]:
    """The charset label a page declares in its first few kilobytes, if any."""
    head = data[:PRESCAN_BYTES]
    match = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML or XML page: its BOM, else its declaration
    (when the bytes bear it out), else detection."""
    label = declared_encoding(data)
    codec = normalise_label(label)
    if codec and codec.startswith(("utf-16", "utf-32")) and not data.startswith(_BOMS):
        # A declaration readable as ASCII cannot be in UTF-16 itself; browsers read
        # such pages as UTF-8 (HTML's own rule).
        label = "utf-8"
    return decode_bytes(data, label)


def _maybe_gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise ArticleError(f"corrupt gzip data: {exc}") from None
    if inflater.unconsumed_tail:
        raise ArticleError(f"gzip data expands to over {MAX_DECOMPRESSED_BYTES // 1048576} MB")
    return out  # a truncated stream yields what it has


# --------------------------------------------------------------------------- vocabulary

# Elements that never hold article text a reader sees.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "svg", "math", "canvas", "video", "audio", "source", "track", "map",
    "button", "input", "select", "option", "optgroup", "textarea", "datalist", "output",
    "link", "meta", "base", "head", "title",
)
_STRUCTURAL_JUNK = {"nav", "aside", "footer", "header", "menu", "dialog"}
_JUNK_ROLES = {
    "navigation", "banner", "complementary", "contentinfo", "search", "menu", "menubar",
    "dialog", "alertdialog", "toolbar", "tablist", "tab",
}
# Class/id words (split at `-`, `_`, camelCase) that mark page chrome.
_JUNK_WORDS = {
    "nav", "navi", "navbar", "gnb", "lnb", "snb", "menu", "menubar", "allmenu", "footer", "foot",
    "aside", "side", "sidebar", "header", "masthead", "related", "relation", "comment", "comments",
    "cmt", "reply", "reple", "share", "sharing", "sns", "social", "kakao", "facebook", "twitter",
    "ad", "ads", "adv", "advert", "advertisement", "banner", "bnr", "sponsor", "sponsored", "promo",
    "promotion", "copyright", "tag", "tags", "hashtag", "keyword", "keywords", "breadcrumb",
    "breadcrumbs", "login", "signin", "subscribe", "subscription", "newsletter", "popup", "modal",
    "toast", "toolbar", "toolbox", "tool", "tools", "util", "utility", "utils", "btn", "button",
    "search", "widget", "rank", "ranking", "popular", "trending", "best", "most", "recommend",
    "taboola", "outbrain", "dable", "byline", "writer", "reporter", "journalist", "author",
    "profile", "sitemap", "paging", "pagination", "pager", "reaction", "emotion", "blind", "gotop",
}
_JUNK_PREFIXES = (
    "comment", "relat", "recommend", "recomm", "advert", "adsby", "banner", "sponsor", "copyright",
    "footer", "sidebar", "breadcrumb", "navigation", "subscri", "newsletter", "popular", "sharing",
    "social", "reporter", "byline",
)
_JUNK_JOINED = ("sronly", "screenout", "soundonly", "visuallyhidden", "offscreen", "screenreader")
# Section words that mark the boxes whose author names belong to other people.
_FOREIGN_WORDS = {
    "comment", "comments", "cmt", "reply", "reple", "related", "relation", "recommend", "popular",
    "rank", "ranking", "footer", "aside", "sidebar", "nav", "gnb", "lnb", "best", "most",
}
_POSITIVE_WORDS = {
    "article", "articlebody", "articletext", "articlecontent", "articleview", "content", "contents",
    "cont", "body", "view", "news", "text", "txt", "story", "entry", "post", "main", "detail",
    "read", "cnt", "paragraph",
}
_CAPTION_WORDS = {"caption", "figcaption", "cap", "photocaption", "imgcaption", "caption_text"}
_CAPTION_OBJECTS = {"photo", "img", "image", "pic", "picture", "thumb", "thum", "figure", "fig"}
_CAPTION_TEXTS = {"txt", "text", "desc", "caption", "cap", "info", "explain", "exp", "title"}
_SUBTITLE_WORDS = {
    "subtitle", "subtit", "subtitles", "subhead", "subheadline", "subheading", "summary", "deck",
    "standfirst", "midtitle",
}
_SUB_PAIRS = {("sub", "tit"), ("sub", "title"), ("sub", "ttl"), ("sub", "head"), ("sub", "headline"),
              ("mid", "title"), ("mid", "tit"), ("sum", "title"), ("sum", "tit")}

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Blocks that are one paragraph: their score goes to the element holding them.
_PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd blockquote pre th figcaption caption address".split())
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANGUL = re.compile("[\uac00-\ud7a3]")
_NON_WORD = re.compile(r"[\W_]+")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0\u3000]*\n")
_CLAUSE = re.compile(r"[,，、]|다\.|[.!?。](?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?。…\"'”’)\]」』다요음함됨임]\s*$")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
_PLACEHOLDER = re.compile(r"^(?:\$\$.*\$\$|\{\{.*\}\}|%%.*%%|\[\[.*\]\]|#{2,}\w+#{2,})$")
_KOREAN_NAME = re.compile(r"^[가-힣]{2,4}$")
_BYLINE_END = re.compile(
    rf"(?:{REPORTER_TITLES})\s*(?:[(\[<]?\s*{_EMAIL.pattern}\s*[)\]>]?)?\s*[\])]?\s*$"
)
_LABELLED_DATE = re.compile(
    "(?:" + "|".join(re.escape(label) for label in PUBLISHED_LABELS) + r")\s*(?:일시|시간)?\s*[:：]?\s*(?=(?:19|20)\d\d)"
)
_RELATED_HEADING = re.compile(
    r"^[\s\[【<〈《■□▶▷●○◆◇-]*(?:관련\s*기사|관련\s*뉴스|연관\s*기사|관련\s*콘텐츠|관련\s*글"
    r"|(?:함께|같이)\s*(?:보면|읽으면|볼만한|읽을만한)\s*(?:좋은\s*)?(?:기사|뉴스|콘텐츠)"
    r"|이\s*기사와\s*관련된\s*(?:기사|뉴스))"
    r"(?:\s*(?:보기|더\s*보기|목록))?[\s\]】>〉》:：]*$"
)
_DATE_IN_PARENS = re.compile(r"\s*[(\[]\s*((?:19|20)\d\d[./-]\s*\d{1,2}[./-]\s*\d{1,2}\.?)\s*[)\]]\s*$")
_FOOTER_LINE = re.compile(r"무단\s*전재|재배포\s*금지|copyright\s*(?:©|ⓒ|\(c\))|all\s+rights\s+reserved|저작권자\s*[©ⓒ]|^[©ⓒ]", re.I)
_CAPTION_LINE = re.compile(r"^\s*[▲△]\s*(?P<text>.+)$")
_TITLE_SEPARATOR = re.compile(r"\s+[|:\-–—·•»«/]+\s+|\s*[|ㅣ｜]\s*|(?<=\S)[-–—](?=\S)|\s*::\s*")

# Section names that sit between a headline and the site name (`제목-정치ㅣ한국일보`).
_SECTION_WORDS = {
    "정치", "경제", "사회", "국제", "세계", "문화", "스포츠", "연예", "엔터", "오피니언", "사설", "칼럼",
    "기고", "산업", "금융", "증권", "부동산", "it", "과학", "itㆍ과학", "생활", "라이프", "전국", "지역",
    "피플", "인물", "북한", "건강", "여행", "교육", "날씨", "포토", "영상", "뉴스", "속보", "종합", "경제일반",
    "사회일반", "정치일반", "기업", "테크", "politics", "economy", "society", "world", "culture", "sports",
    "entertainment", "opinion", "business", "tech", "news",
}

_EXTRA_CHROME = {
    "이미지 확대보기", "사진 확대", "확대", "축소", "기사저장", "기사 저장", "댓글 쓰기", "댓글쓰기", "공유",
    "기사 공유", "공유 닫기", "인쇄하기", "글자 크기 변경하기", "글자크기 설정", "본문 글씨 키우기",
    "본문 글씨 줄이기", "구독", "구독하기", "싫어요", "추천", "신고", "더보기", "전체메뉴", "TOP",
    "열기", "이전", "다음", "광고", "AD", "기사 URL이 복사되었습니다.", "URL이 복사되었습니다.",
    "SNS 공유", "음성으로 듣기", "번역", "스크랩 하기", "북마크",
}

MIN_BODY_CHARS = 50  # a one-paragraph 속보 is about this long
# A 속보 or 단신 of one or two sentences, on a page with a byline (a reporter or
# a publication time): accepted when it is a sentence, which navigation, menus
# and link lists never are.
MIN_BRIEF_CHARS = 20
_SENTENCE_END = re.compile(r"(?:[가-힣][.!?…]|[.!?])[\"'”’」』)]*\s*$")
MIN_UNSIGNED_BODY_CHARS = 150  # a page with no article metadata must show more
STRUCTURED_MIN_CHARS = 200


# --------------------------------------------------------------------------- small helpers


def _letters(text: str) -> int:
    return len(_NON_WORD.sub("", text))


def _squeeze(text: str) -> str:
    """Whitespace-free, lower-case form used to compare titles and lines."""
    return _NON_WORD.sub("", clean_line(text)).lower()


def _unescape(value: Optional[str]) -> str:
    """A metadata value as a line: entities decoded (once more when a CMS escaped
    them twice), spaces folded."""
    if not value:
        return ""
    value = str(value)
    if _ENTITY.search(value):
        value = html_lib.unescape(value)
    return clean_line(value)


def _words(el: Tag) -> list[str]:
    """The words of an element's class and id: `end-ad-container`, `newsView`
    → ['end', 'ad', 'container'], ['news', 'view']."""
    attrs = getattr(el, "attrs", None) or {}
    values: list[str] = []
    cls = attrs.get("class")
    if isinstance(cls, str):
        values.append(cls)
    elif cls:
        values.extend(str(c) for c in cls)
    ident = attrs.get("id")
    if ident:
        values.append(str(ident))
    words: list[str] = []
    for value in values:
        value = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", value)
        words.extend(w for w in re.split(r"[^a-z0-9]+", value.lower()) if w)
    return words


def _has_pair(words: list[str], pairs: set[tuple[str, str]]) -> bool:
    return any((a, b) in pairs for a, b in zip(words, words[1:]))


def _attr(el: Tag, name: str) -> str:
    value = (getattr(el, "attrs", None) or {}).get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return str(value).strip() if value is not None else ""


def _tags(root: Tag, names: Optional[Iterable[str]] = None) -> list[Tag]:
    """The elements under `root` in document order (a plain scan: bs4's
    `find_all` filters cost ten times more on big pages)."""
    if names is None:
        return [n for n in root.descendants if isinstance(n, Tag)]
    wanted = set(names)
    return [n for n in root.descendants if isinstance(n, Tag) and n.name in wanted]


def _links(root: Tag) -> list[Tag]:
    return [a for a in _tags(root, ("a",)) if _attr(a, "href")]


def _is_text(node: Any) -> bool:
    """Text a reader sees: not a comment, doctype, CDATA or script/style source."""
    return (
        isinstance(node, NavigableString)
        and not isinstance(node, PreformattedString)
        and type(node).__name__ not in ("Script", "Stylesheet", "TemplateString")
    )


def _attached(el: Tag, root: Tag) -> bool:
    """Still inside `root` (not taken out with an ancestor)."""
    node: Optional[Tag] = el
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False


def _scheme(url: Optional[str]) -> str:
    try:
        return urlsplit(url).scheme.lower() if url else ""
    except ValueError:  # `http://[` and the like
        return ""


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _absolute(href: Optional[str], base: Optional[str]) -> Optional[str]:
    """`href` resolved against `base`; None for script, anchor and mail links and
    for anything that does not end up as an http(s) URL."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base, href) if base and _scheme(base) in ("http", "https") else href
    except ValueError:
        return None
    return url if _scheme(url) in ("http", "https") else None


def _press_for(*addresses: Optional[str]) -> Optional[str]:
    try:
        return press_for(*addresses)
    except ValueError:
        return None


def _parse(markup: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return BeautifulSoup(markup, "lxml")
        except Exception:  # lxml refused the markup: the slower, laxer parser
            return BeautifulSoup(markup, "html.parser")


# --------------------------------------------------------------------------- text lines


@dataclass
class _Line:
    """One paragraph (or `<br>`-separated line) as a reader sees it."""

    text: str
    owner: Tag
    chars: int = 0
    link_chars: int = 0
    bold_chars: int = 0


def _iter_lines(root: Tag) -> list[_Line]:
    """The lines of `root` in document order.  Each block element and each `<br>`
    starts a new line; a blank line inside a text node does too (plain text
    pasted into a page), and so does every newline inside `<pre>`."""
    lines: list[_Line] = []
    parts: list[str] = []
    counts = [0, 0, 0]
    key: Optional[tuple[int, int]] = None
    owner: Optional[Tag] = None
    segment = 0

    def flush() -> None:
        nonlocal parts, counts
        if parts and owner is not None:
            text = clean_line("".join(parts))
            if text:
                lines.append(_Line(text, owner, counts[0], counts[1], counts[2]))
        parts = []
        counts = [0, 0, 0]

    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name in _BLOCK_TAGS or node.name == "br":
                segment += 1
            continue
        if not _is_text(node):
            continue
        text = str(node)
        if not text:
            continue
        in_link = in_bold = False
        parent = node.parent
        while parent is not None and parent is not root and parent.name not in _BLOCK_TAGS:
            if parent.name == "a":
                in_link = True
            elif parent.name in ("b", "strong"):
                in_bold = True
            parent = parent.parent
        block = parent if parent is not None else root
        if (segment, id(block)) != key:
            flush()
            key = (segment, id(block))
            owner = block
        pieces = text.split("\n") if block.name == "pre" else _BLANK_LINE.split(text)
        for i, piece in enumerate(pieces):
            if i:
                flush()
            parts.append(piece)
            n = _letters(piece)
            counts[0] += n
            if in_link:
                counts[1] += n
            if in_bold:
                counts[2] += n
    flush()
    return lines


def _is_chrome_line(text: str) -> bool:
    return (
        text in CHROME
        or text in _EXTRA_CHROME
        or _EMAIL.fullmatch(text) is not None
        or not _NON_WORD.sub("", text)
        or _PLACEHOLDER.match(text) is not None
    )


def _byline_names(text: str) -> list[str]:
    """Reporter names when `text` reads as a byline (`홍길동 기자 hong@x.com`,
    `홍길동·김철수 기자 | 입력 2025.05.15`), not as a sentence about a reporter."""
    if len(text) > 80:
        return []
    names = reporters_in(" " + text)
    if not names:
        return []
    if _BYLINE_END.search(text) or _EMAIL.search(text) or _LABELLED_DATE.search(text) or "|" in text:
        return names
    return []


# --------------------------------------------------------------------------- JSON helpers


def _loads(text: str) -> Any:
    text = text.strip()
    text = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text)
    text = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)\s*$", "", text).strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
    except ValueError:
        return None


def _walk_json(obj: Any, limit: int = 200_000) -> Iterator[dict]:
    """Every dict inside `obj` (iteratively: hydration states nest deep)."""
    stack = [obj]
    seen = 0
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _ld_types(obj: dict) -> set[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower() for v in values if v}


def _is_ld_article(obj: dict) -> bool:
    return any(
        t.endswith("article") or t in ("blogposting", "liveblogposting", "socialmediaposting", "report")
        for t in _ld_types(obj)
    )


def _ld_text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    return _unescape(value) if isinstance(value, (str, int, float)) else ""


def _ld_url(value: Any) -> Optional[str]:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return value.strip() if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- the page


@dataclass
class _Found:
    """The metadata found beside an article kept as data (hydration state)."""

    reporters: list[str] = field(default_factory=list)
    email: Optional[str] = None
    published: Any = None
    subtitles: list[str] = field(default_factory=list)


class _Page:
    """What the page's head and scripts declare, read before the tree is cleaned."""

    def __init__(self, soup: BeautifulSoup):
        self.metas: dict[str, list[str]] = {}
        self.ld_objects: list[Any] = []
        self.script_texts: list[str] = []
        tags = _tags(soup)
        for meta in (t for t in tags if t.name == "meta"):
            key = _attr(meta, "property") or _attr(meta, "name") or _attr(meta, "itemprop")
            content = _attr(meta, "content")
            if key and content:
                self.metas.setdefault(key.lower(), []).append(content)
        for script in (t for t in tags if t.name == "script"):
            kind = _attr(script, "type").lower()
            text = script.get_text()
            if "ld+json" in kind:
                parsed = _loads(text)
                if parsed is not None:
                    self.ld_objects.append(parsed)
            elif kind in ("", "text/javascript", "application/javascript", "module", "application/json",
                          "text/json") and len(text) >= 200:
                self.script_texts.append(text)
        self.html_title = _unescape(soup.title.get_text()) if soup.title else ""
        self.canonical = None
        for link in (t for t in tags if t.name == "link"):
            rel = [r.lower() for r in (link.get("rel") or [])] if isinstance(link.get("rel"), list) else [
                _attr(link, "rel").lower()]
            if "canonical" in rel and _attr(link, "href"):
                self.canonical = _attr(link, "href")
                break
        base = next((t for t in tags if t.name == "base" and _attr(t, "href")), None)
        self.base_href = _attr(base, "href") if base else None
        self.headings = [clean_line(t.get_text(" ")) for t in tags if t.name in ("h1", "h2", "h3")][:40]
        self.date_published = [
            _attr(t, "content") or _attr(t, "datetime") or t.get_text(" ")
            for t in tags if _attr(t, "itemprop").lower() == "datepublished"
        ][:5]
        self.times = [_attr(t, "datetime") or t.get_text(" ") for t in tags if t.name == "time"][:10]

    # -- meta tags
    def meta(self, *keys: str) -> str:
        for key in keys:
            for value in self.metas.get(key, []):
                value = _unescape(value)
                if value:
                    return value
        return ""

    def meta_all(self, *keys: str) -> list[str]:
        return [_unescape(v) for key in keys for v in self.metas.get(key, []) if _unescape(v)]

    # -- JSON-LD
    def ld_article(self) -> Optional[dict]:
        found: list[dict] = []
        for obj in self.ld_objects:
            for item in _walk_json(obj, limit=20_000):
                if _is_ld_article(item):
                    found.append(item)
        if not found:
            return None
        found.sort(key=lambda o: (not any("newsarticle" in t for t in _ld_types(o)),
                                  not (o.get("headline") or o.get("articleBody"))))
        return found[0]

    def ld_ids(self) -> dict[str, dict]:
        ids: dict[str, dict] = {}
        for obj in self.ld_objects:
            for item in _walk_json(obj, limit=20_000):
                if isinstance(item.get("@id"), str) and len(item) > 1:
                    ids.setdefault(item["@id"], item)
        return ids


# --------------------------------------------------------------------------- metadata pieces


def _ld_resolve(value: Any, ids: dict[str, dict]) -> Any:
    """A JSON-LD `{"@id": …}` reference replaced by the node it names."""
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) == 1:
        return ids.get(value["@id"], value)
    return value


def _site_names(page: _Page, ld: Optional[dict], url: Optional[str], ids: dict[str, dict]) -> list[str]:
    names = [page.meta("og:site_name"), page.meta("application-name"), page.meta("twitter:site").lstrip("@")]
    if ld:
        names.append(_ld_text(_ld_resolve(ld.get("publisher"), ids)))
    names.append(_press_for(url) or "")
    return [n for n in dict.fromkeys(n.strip() for n in names if n) if n]


def _only_site(part: str, sites: list[str], sections: set[str]) -> bool:
    """`part` (squeezed) is a site name, maybe with a section name: `정치한국일보`."""
    part = part.replace("ㅣ", "")  # the jamo some sites use as a bar is a word character
    for site in sites:
        if site and site in part:
            rest = part.replace(site, "", 1)
            if not rest or rest in sections:
                return True
    return False


def _strip_site(title: str, sites: list[str], headings: list[str], sections: Iterable[str] = ()) -> str:
    """`제목 | 한국일보`, `제목-정치ㅣ한국일보`, `제목 - 매일경제` → `제목`; a hyphen
    inside the headline (`美-中 갈등 | 한국일보`) stays."""
    if not title:
        return title
    squeezed_sites = [_squeeze(s) for s in sites if _squeeze(s)]
    known_sections = _SECTION_WORDS | {_squeeze(s) for s in sections if s}
    seps = list(_TITLE_SEPARATOR.finditer(title))
    for match in seps:  # earliest separator whose remainder is just the site's name
        if _only_site(_squeeze(title[match.end():]), squeezed_sites, known_sections):
            head = title[: match.start()].strip()
            if head:
                return head
    for match in reversed(seps):  # `한국일보 | 제목`
        if _only_site(_squeeze(title[: match.start()]), squeezed_sites, known_sections):
            tail = title[match.end():].strip()
            if tail:
                return tail
    squeezed_headings = {_squeeze(h) for h in headings if h}
    for match in seps:  # no site name known: a heading on the page shows the bare title
        head = title[: match.start()].strip()
        if head and _squeeze(head) in squeezed_headings:
            return head
    return title


_TITLE_WORDS = set(REPORTER_TITLES.split("|")) | {"기자단", "사진", "영상", "편집", "취재", "뉴스", "특별취재팀", "취재팀", "온라인"}


def _is_bare_name(value: str) -> bool:
    return bool(_KOREAN_NAME.match(value)) and value not in _TITLE_WORDS


def _names_from_value(value: str, press_names: list[str]) -> list[str]:
    value = _unescape(value)
    if not value or "://" in value or value.startswith("www."):
        return []
    if any(_squeeze(value) == _squeeze(p) for p in press_names if p):
        return []
    names = reporters_in(" " + value)
    if names:
        return names
    bare = _EMAIL.sub("", value).strip(" ,/|")
    if _is_bare_name(bare):
        return [bare]
    return []


def _ld_authors(ld: dict, ids: dict[str, dict], press_names: list[str]) -> tuple[list[str], Optional[str]]:
    raw = ld.get("author") or ld.get("creator")
    items = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    email = None
    for item in items:
        item = _ld_resolve(item, ids)
        if isinstance(item, dict):
            if any(t.endswith("organization") for t in _ld_types(item)):
                continue
            value = _ld_text(item.get("name"))
            email = email or (_ld_text(item.get("email")) or None)
        elif isinstance(item, str):
            value = _unescape(item)
        else:
            continue
        if not value or "://" in value:
            continue
        found = _names_from_value(value, press_names)
        if not found and re.fullmatch(r"[A-Za-z][A-Za-z.'-]*(?: [A-Za-z][A-Za-z.'-]*){1,3}", value):
            found = [value]  # a name in Latin script (`John Smith`), not an agency (`연합뉴스`)
        for name in found:
            if name not in names:
                names.append(name)
        if not email:
            m = _EMAIL.search(value)
            email = m.group(0) if m else None
    return names, email


def _labelled_published(text: str):
    for match in _LABELLED_DATE.finditer(text):
        value = parse_datetime(text[match.end(): match.end() + 40])
        if value:
            return value
    return None


def _plausible(value) -> bool:
    """A usable publication time; a bogus one lets the next source speak."""
    return value is not None and plausible_date(value)


# --------------------------------------------------------------------------- related links


def _usable_anchor(a: Tag) -> bool:
    href = _attr(a, "href")
    if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
        return False
    text = clean_line(a.get_text(" "))
    return len(text) >= 4 and not _RELATED_HEADING.match(text) and text not in _EXTRA_CHROME


def _link_share(elements: list[Tag], minus: int = 0) -> float:
    text = sum(_letters(el.get_text(" ")) for el in elements) - minus
    links = sum(_letters(a.get_text(" ")) for el in elements for a in _tags(el, ("a",)))
    return links / text if text > 0 else 0.0


def _related_boxes(root: Tag, total_letters: int) -> list[list[Tag]]:
    boxes: list[list[Tag]] = []
    tags = _tags(root)
    for el in tags:
        words = _words(el)
        if any(w.startswith("relat") and not w.startswith("relativ") for w in words):
            size = _letters(el.get_text(" "))
            if size <= 0.4 * max(total_letters, 1) and (size == 0 or _link_share([el]) >= 0.3):
                boxes.append([el])
    headings = [
        node for node in root.descendants
        if _is_text(node) and len(node) <= 60 and _RELATED_HEADING.match(str(node))
    ]
    for string in headings:
        heading_letters = _letters(str(string))
        el = string.parent
        box = None
        for _ in range(6):
            if el is None or el.name in ("body", "html", "[document]"):
                break
            anchors = [a for a in _links(el) if _usable_anchor(a)]
            if anchors:
                size = _letters(el.get_text(" "))
                if size <= 3000 and _link_share([el], heading_letters) >= 0.5:
                    box = [el]
                break
            el = el.parent
        if box is None:
            # `<h3>관련기사</h3><ul>…</ul>` inside the body: the heading's block and
            # the link list right after it.
            block = string.parent
            while block is not None and block.name not in _BLOCK_TAGS:
                block = block.parent
            following = block.find_next_sibling() if block is not None else None
            if (
                block is not None
                and following is not None
                and any(_usable_anchor(a) for a in _links(following))
                and _link_share([following]) >= 0.5
            ):
                box = [block, following]
        if box:
            boxes.append(box)
    # Keep the outermost boxes only, once each.
    chosen: list[list[Tag]] = []
    members: set[int] = set()
    for box in boxes:
        if any(id(p) in members for el in box for p in [el, *el.parents]):
            continue
        chosen.append(box)
        members.update(id(el) for el in box)
    return chosen


def _related_links(boxes: list[list[Tag]], base: Optional[str]) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    seen: set[str] = set()
    for box in boxes:
        for el in box:
            for a in _links(el):
                if not _usable_anchor(a):
                    continue
                url = _absolute(_attr(a, "href"), base)
                title = clean_line(a.get_text(" "))
                published = None
                match = _DATE_IN_PARENS.search(title)
                if match:
                    published = parse_date(match.group(1))
                    title = title[: match.start()].strip()
                if published is None:
                    item = a.parent
                    while item is not None and item is not el and item.name not in ("li", "dd", "dt", "tr", "p", "div"):
                        item = item.parent
                    if item is not None and len(_links(item)) <= 2:
                        rest = clean_line(item.get_text(" ")).replace(title, " ")
                        published = parse_date(rest)
                key = url or title
                if not title or key in seen:
                    continue
                seen.add(key)
                links.append(RelatedLink(title=title, published=published, url=url))
    return links


# --------------------------------------------------------------------------- captions, junk


def _is_caption_element(el: Tag) -> bool:
    if el.name == "figcaption":
        return True
    words = _words(el)
    if not words:
        return False
    if any(w in _CAPTION_WORDS or w.endswith("caption") for w in words):
        return True
    return any(a in _CAPTION_OBJECTS and b in _CAPTION_TEXTS for a, b in zip(words, words[1:]))


def _take_captions(root: Tag) -> list[tuple[str, set[int]]]:
    """Remove photo captions from the tree; return each with the ids of the
    elements that held it (to keep only the article's own later)."""
    taken: list[tuple[str, set[int]]] = []
    tags = _tags(root)
    for el in [t for t in tags if _is_caption_element(t)]:
        if not _attached(el, root):
            continue
        text = clean_line(el.get_text(" "))
        if len(text) > 600:
            continue  # a container with an unlucky class name
        holders = {id(p) for p in el.parents}
        el.extract()
        if text:
            taken.append((text, holders))
    for figure in [t for t in tags if t.name == "figure"]:
        if _attached(figure, root) and _tags(figure, ("img",)):
            text = clean_line(figure.get_text(" "))
            if text and len(text) <= 300:
                holders = {id(p) for p in figure.parents}
                figure.extract()
                taken.append((text, holders))
    return taken


def _is_subtitle_element(el: Tag) -> bool:
    if _attr(el, "itemprop").lower() == "alternativeheadline":
        return True
    words = _words(el)
    return any(w in _SUBTITLE_WORDS for w in words) or _has_pair(words, _SUB_PAIRS)


def _is_junk(el: Tag, strict: bool = True) -> bool:
    if _attr(el, "itemprop").lower() == "articlebody":
        return False
    if el.name in _STRUCTURAL_JUNK:
        return True
    if _attr(el, "role").lower() in _JUNK_ROLES or _attr(el, "aria-hidden").lower() == "true":
        return True
    style = _attr(el, "style").lower().replace(" ", "")
    if "display:none" in style or "visibility:hidden" in style:
        return True
    words = _words(el) if strict else []
    if not words:
        return False
    if any(w in _JUNK_WORDS or w.startswith(_JUNK_PREFIXES) for w in words):
        return True
    joined = "".join(words)
    return any(j in joined for j in _JUNK_JOINED)


def _remove_junk(root: Tag, total_letters: int, strict: bool = True) -> None:
    """Drop chrome, but never an element holding most of the page's running
    text (a `<div class="content has-sidebar">` wrapping the article)."""
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el.children):
            if not isinstance(child, Tag):
                continue
            if _is_junk(child, strict) and not _holds_article(child, total_letters):
                child.extract()
                continue
            stack.append(child)


def _holds_article(el: Tag, total_letters: int) -> bool:
    if any(_attr(t, "itemprop").lower() == "articlebody" for t in _tags(el)):
        return True
    size = _letters(el.get_text(" "))
    return size >= 0.5 * max(total_letters, 1) and _link_share([el]) < 0.35


def _foreign(el: Tag) -> bool:
    """Inside a comment list, a related/popular box or the page footer."""
    for parent in el.parents:
        if not isinstance(parent, Tag):
            continue
        if parent.name in ("footer", "aside", "nav") or any(w in _FOREIGN_WORDS for w in _words(parent)):
            return True
    return False


# --------------------------------------------------------------------------- scoring


@dataclass
class _Stat:
    el: Tag
    chars: int = 0
    link_chars: int = 0
    score: float = 0.0


def _line_points(line: _Line, korean_page: bool) -> float:
    points = 1.0 + min(line.chars / 80.0, 3.0) + min(len(_CLAUSE.findall(line.text)), 3)
    if korean_page and len(_HANGUL.findall(line.text)) < 0.3 * max(line.chars, 1):
        points *= 0.6  # code, URLs, lists of numbers
    return points


def _class_weight(el: Tag) -> float:
    weight = 0.0
    if _attr(el, "itemprop").lower() == "articlebody":
        weight += 30
    if el.name == "article":
        weight += 5
    words = _words(el)
    if any(w in _POSITIVE_WORDS for w in words):
        weight += 10
    if any(w in _JUNK_WORDS or w.startswith(_JUNK_PREFIXES) for w in words):
        weight -= 25
    return weight


def _choose_containers(root: Tag, lines: list[_Line]) -> list[Tag]:
    stats: dict[int, _Stat] = {}
    korean_page = sum(len(_HANGUL.findall(l.text)) for l in lines) >= 0.3 * max(sum(l.chars for l in lines), 1)
    for line in lines:
        el: Optional[Tag] = line.owner
        while el is not None:
            stat = stats.get(id(el))
            if stat is None:
                stat = stats[id(el)] = _Stat(el)
            stat.chars += line.chars
            stat.link_chars += line.link_chars
            if el is root:
                break
            el = el.parent
    for line in lines:
        if line.chars < 10 or line.link_chars > 0.5 * line.chars or line.owner.name in _HEADING_TAGS:
            continue  # headings and link lists are not running text
        points = _line_points(line, korean_page)
        owner = line.owner
        if owner.name in _PARAGRAPH_TAGS and owner is not root:
            targets = [owner.parent, owner.parent.parent if owner.parent is not None else None]
        else:
            targets = [owner, owner.parent]
        for target, share in zip(targets, (1.0, 0.5)):
            if target is not None and id(target) in stats:
                stats[id(target)].score += points * share

    def final(stat: _Stat) -> float:
        density = stat.link_chars / stat.chars if stat.chars else 1.0
        return (stat.score + _class_weight(stat.el)) * (1.0 - density)

    scored = [s for s in stats.values() if s.score > 0]
    if not scored:
        return []
    best = max(scored, key=final)
    best_score = final(best)
    if best_score < 3:
        return []
    top = best.el
    parent = top.parent
    if parent is None or top is root:
        return [top]
    threshold = max(10.0, best_score * 0.2)
    chosen = []
    for sibling in parent.children:
        if sibling is top:
            chosen.append(top)
            continue
        if not isinstance(sibling, Tag):
            continue
        stat = stats.get(id(sibling))
        if stat is None or not stat.chars:
            continue
        density = stat.link_chars / stat.chars
        if density >= 0.25:
            continue
        if final(stat) >= threshold or (sibling.name == "p" and stat.chars >= 80):
            chosen.append(sibling)
    return chosen


def _within(el: Tag, ids: set[int]) -> bool:
    node: Optional[Tag] = el
    while node is not None:
        if id(node) in ids:
            return True
        node = node.parent
    return False


# --------------------------------------------------------------------------- body lines


@dataclass
class _BodyResult:
    body: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    email: Optional[str] = None

    @property
    def chars(self) -> int:
        return sum(_letters(line) for line in self.body)


def _subtitle_scope(el: Tag, container_ids: set[int], subtitle_ids: set[int]) -> bool:
    node: Optional[Tag] = el
    while node is not None and id(node) not in container_ids:
        if id(node) in subtitle_ids:
            return True
        node = node.parent
    return False


def _body_from_lines(
    lines: list[_Line],
    title: str,
    subtitle_ids: set[int],
    container_ids: set[int],
) -> _BodyResult:
    result = _BodyResult()
    squeezed_title = _squeeze(title) if title else ""
    leading = True
    total = sum(line.chars for line in lines) or 1
    seen_chars = 0
    for line in lines:
        text = line.text
        seen_chars += line.chars
        if not text or _is_chrome_line(text) or _RELATED_HEADING.match(text):
            continue
        if line.chars and line.link_chars >= 0.6 * line.chars:
            continue
        if line.owner.name == "h1" or (squeezed_title and _squeeze(text) == squeezed_title):
            continue  # the headline, repeated above the body
        caption = _CAPTION_LINE.match(text)
        if caption and text.count("▲") + text.count("△") == 1 and len(text) <= 200:
            result.captions.append(caption["text"].strip())
            continue
        names = _byline_names(text)
        if names:
            for name in names:
                if name not in result.reporters:
                    result.reporters.append(name)
            m = _EMAIL.search(text)
            if m and not result.email:
                result.email = m.group(0)
            continue
        if _FOOTER_LINE.search(text) and len(text) <= 160:
            if seen_chars >= 0.5 * total:
                break  # the copyright footer: what follows is page chrome
            continue
        if leading:
            in_subtitle = _subtitle_scope(line.owner, container_ids, subtitle_ids)
            heading = line.owner.name in _HEADING_TAGS and line.owner.name != "h1"
            bold = line.chars and line.bold_chars >= 0.9 * line.chars and len(text) <= 80
            if in_subtitle or heading or bold:
                result.subtitles.append(text)
                continue
            leading = False
        result.body.append(text)
    # A lone heading mistaken for the 부제 while the body holds nothing else.
    if not result.body and result.subtitles and not subtitle_ids:
        result.body, result.subtitles = result.subtitles, []
    # Trailing fragments of page chrome (`당신이 관심 있을 만한 이슈`) end no article.
    while result.body and len(result.body[-1]) < 30 and not _SENTENCE_END.search(result.body[-1]):
        result.body.pop()
    subtitle_set = {_squeeze(s) for s in result.subtitles}
    result.body = [b for b in result.body if _squeeze(b) not in subtitle_set]
    return result


def _list_like(containers: list[Tag], body: list[str]) -> bool:
    """A section front or search result: headline links, each with a one-line
    teaser, instead of paragraphs."""
    headline_links = sum(
        1 for c in containers for a in _links(c) if len(clean_line(a.get_text(" "))) >= 8
    )
    if headline_links < 3 or headline_links < 0.5 * len(body):
        return False
    lengths = sorted(len(line) for line in body)
    return not lengths or lengths[len(lengths) // 2] < 60


def _clean_tree(root: Tag) -> None:
    drop = set(_DROP_TAGS)
    doomed = [n for n in root.descendants if (isinstance(n, Tag) and n.name in drop) or isinstance(n, PreformattedString)]
    for node in doomed:
        node.extract()


def _fragment_body(markup: str, title: str) -> _BodyResult:
    """Body of an HTML (or plain-text) article body found in structured data."""
    if not re.search(r"<(?:p|br|div|span|strong|b|h\d)\b", markup, re.I):
        lines = [clean_line(part) for part in re.split(r"\n+", markup)]
        result = _BodyResult(body=[line for line in lines if line and not _is_chrome_line(line)])
        return result
    soup = _parse(markup)
    _clean_tree(soup)
    captions = _take_captions(soup)
    total = _letters(soup.get_text(" "))
    _remove_junk(soup, total)
    root = soup.body or soup
    subtitle_ids = {id(el) for el in _tags(root) if _is_subtitle_element(el)}
    result = _body_from_lines(_iter_lines(root), title, subtitle_ids, {id(root)})
    result.captions = [text for text, _ in captions] + result.captions
    return result


# --------------------------------------------------------------------------- hydration data


_TITLE_KEYS = {"title", "headline", "subject", "articletitle", "newstitle", "ttl", "tit", "head"}
_BODY_KEY = re.compile(r"content|body|html|article|text|story", re.I)
_NOT_BODY_KEY = re.compile(r"summary|desc|sub|title|caption|seo|meta|image|img|url|link|keyword|tag|lead|teaser", re.I)
_SUBTITLE_KEY = re.compile(r"^(?:sub_?title|subhead(?:line)?|alternative_?headline|deck)$", re.I)
_AUTHOR_KEY = re.compile(r"writer|author|reporter|byline|journalist", re.I)
_DATE_KEY_BAD = re.compile(r"modif|updat|edit|revis|last|expir|end|crawl|dehydrat|birth|paper|print|fetch|cache|server|now", re.I)
_DATE_KEY_RANKS = (
    re.compile(r"publish|pub_?date|first_?pub", re.I),
    re.compile(r"deploy|release|regist|reg_?dt|reg_?date|input|insert|create|write|service", re.I),
    re.compile(r"date|dt$|time$", re.I),
)


def _hydrated_objects(script_texts: list[str]) -> Iterator[Any]:
    decoder = json.JSONDecoder(strict=False)
    for text in script_texts:
        stripped = text.strip()
        if stripped[:1] in "{[":
            parsed = _loads(stripped)
            if parsed is not None:
                yield parsed
                continue
        for match in re.finditer(r"[=(]\s*([{\[])", text):
            try:
                obj, _ = decoder.raw_decode(text, match.start(1))
            except ValueError:
                continue
            if isinstance(obj, (dict, list)) and obj:
                yield obj


def _title_matches(value: str, titles: set[str]) -> bool:
    squeezed = _squeeze(value)
    if len(squeezed) < 4:
        return False
    return any(
        squeezed == t or (min(len(squeezed), len(t)) >= 8 and (squeezed in t or t in squeezed))
        for t in titles
    )


def _dict_strings(obj: dict, depth: int = 2) -> Iterator[tuple[str, Any]]:
    stack = [(obj, 0)]
    while stack:
        item, level = stack.pop()
        for key, value in item.items():
            if isinstance(value, str):
                yield str(key), value
            elif level < depth and isinstance(value, dict):
                stack.append((value, level + 1))
            elif level < depth and isinstance(value, list):
                for entry in value[:20]:
                    if isinstance(entry, dict):
                        stack.append((entry, level + 1))


def _hydrated_article(page: _Page, titles: set[str]) -> Optional[dict]:
    """The JSON object a script-rendered page keeps its article in: one whose
    title is the page's title and that holds a long text or HTML value."""
    best: Optional[tuple[int, dict, str]] = None
    for obj in _hydrated_objects(page.script_texts):
        for item in _walk_json(obj):
            title_value = next(
                (v for k, v in item.items() if str(k).lower() in _TITLE_KEYS and isinstance(v, str)), None
            )
            if not title_value or not _title_matches(title_value, titles):
                continue
            bodies = [
                (_letters(re.sub(r"<[^>]+>", " ", v)), v)
                for k, v in _dict_strings(item)
                if _BODY_KEY.search(k) and not _NOT_BODY_KEY.search(k)
            ]
            bodies = [b for b in bodies if b[0] >= 60]
            if not bodies:
                continue
            size, body = max(bodies, key=lambda b: b[0])
            if best is None or size > best[0]:
                best = (size, item, body)
    if best is None:
        return None
    return {"object": best[1], "body": best[2]}


def _hydrated_metadata(obj: dict, press_names: list[str]) -> _Found:
    found = _Found()
    ranked: list[tuple[int, Any]] = []
    for key, value in _dict_strings(obj):
        if _SUBTITLE_KEY.match(key) and value.strip() and not found.subtitles:
            parts = re.split(r"<br\s*/?>|\n", value, flags=re.I)
            found.subtitles = [s for s in (_unescape(re.sub(r"<[^>]+>", " ", p)) for p in parts) if s]
        elif _AUTHOR_KEY.search(key):
            for name in _names_from_value(value, press_names) if (
                "name" in key.lower() or "display" in key.lower() or "기자" in value
            ) else reporters_in(" " + value):
                if name not in found.reporters:
                    found.reporters.append(name)
            m = _EMAIL.search(value)
            if m and not found.email:
                found.email = m.group(0)
        if _DATE_KEY_BAD.search(key) or re.match(r"re[A-Z_]", key):
            continue
        for rank, pattern in enumerate(_DATE_KEY_RANKS):
            if pattern.search(key):
                value_dt = parse_datetime(value) if len(value) <= 40 else None
                if _plausible(value_dt):
                    ranked.append((rank, value_dt))
                break
    if ranked:
        found.published = min(ranked, key=lambda r: r[0])[1]
    return found


# --------------------------------------------------------------------------- extraction


def extract_article(
    data: Union[bytes, str],
    url: Optional[str] = None,
    source: Optional[str] = None,
    id_basis: Optional[str] = None,
) -> Article:
    """The article of one HTML page.  `url` is where the page came from: it
    resolves relative links and stands in when the page names no URL of its
    own.  Raises `ArticleError` (and nothing else) when there is no article."""
    try:
        return _extract(data, url, source, id_basis)
    except ArticleError:
        raise
    except RecursionError:
        raise ArticleError("HTML nested too deeply to read") from None
    except Exception as exc:  # the contract: a bad page is an ArticleError, never a crash
        raise ArticleError(f"cannot read the HTML page ({type(exc).__name__}: {exc})") from exc


def load_html(path: Path, data: bytes, id_basis: Optional[str] = None) -> Iterator[Article]:
    """The loader's entry point: one page, one article."""
    yield extract_article(data, source=str(path), id_basis=id_basis)


@dataclass
class _DomRead:
    """What the visible page gave: body, related links and the byline."""

    result: _BodyResult
    related: list[RelatedLink]
    page_text: str
    reporters: list[str]
    email: Optional[str]
    prose: int  # letters of the page outside link-dominated lines


def _read_dom(soup: BeautifulSoup, title: str, base: Optional[str], strict: bool) -> _DomRead:
    """Find the body in the visible page.  `strict` drops elements by their
    class/id words too; the lenient pass (for pages whose article container
    carries an unlucky class name) only by tag, role and inline style."""
    _clean_tree(soup)
    root = soup.body or soup
    page_lines = _iter_lines(root)
    page_text = "\n".join(line.text for line in page_lines)
    total_letters = sum(line.chars for line in page_lines)

    boxes = _related_boxes(root, total_letters)
    related = _related_links(boxes, base)
    for box in boxes:
        for el in box:
            el.extract()
    captions = _take_captions(root)

    order = _tags(root)
    position = {id(el): i for i, el in enumerate(order)}
    subtitle_elements = [el for el in order if _is_subtitle_element(el) and not _foreign(el)]

    reporters: list[str] = []
    email = None
    for el in [t for t in order if any(
        w.startswith(("byline", "writer", "reporter", "journalist", "author")) for w in _words(t)
    )]:
        if _foreign(el):
            continue
        value = clean_line(el.get_text(" "))
        if not value or len(value) > 300:
            continue
        for name in reporters_in(" " + value) or ([value] if _is_bare_name(value) else []):
            if name not in reporters:
                reporters.append(name)
        m = _EMAIL.search(value)
        if not m:
            mail = next((a for a in _links(el) if _attr(a, "href").lower().startswith("mailto:")), None)
            m = _EMAIL.search(_attr(mail, "href")) if mail else None
        if m and not email:
            email = m.group(0)

    _remove_junk(root, total_letters, strict)
    lines = _iter_lines(root)
    containers = _choose_containers(root, lines)
    result = _BodyResult()
    if containers:
        container_ids = {id(c) for c in containers}
        first = min(position.get(id(c), 0) for c in containers)
        inside = [line for line in lines if _within(line.owner, container_ids)]
        result = _body_from_lines(inside, title, {id(el) for el in subtitle_elements}, container_ids)
        head_subtitles: list[str] = []
        for el in subtitle_elements:  # a 부제 in the article's header, above the body
            if _within(el, container_ids) or position.get(id(el), first) >= first:
                continue
            texts = [line.text for line in _iter_lines(el)]
            if texts and sum(len(t) for t in texts) <= 300 and _squeeze(" ".join(texts)) != _squeeze(title):
                head_subtitles.extend(texts)
        result.subtitles = head_subtitles[:6] + result.subtitles
        result.captions = [text for text, holders in captions if holders & container_ids] + result.captions
        if _list_like(containers, result.body):
            result = _BodyResult()
    prose = sum(line.chars for line in page_lines if line.link_chars <= 0.5 * line.chars)
    return _DomRead(result, related, page_text, reporters, email, prose)


def _extract(data: Union[bytes, str], url: Optional[str], source: Optional[str], id_basis: Optional[str]) -> Article:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = _maybe_gunzip(bytes(data))
        if looks_binary(raw):
            raise ArticleError("binary data (mostly control bytes), not an HTML page")
        text, _ = decode_html(raw)
    elif isinstance(data, str):
        text = data
    else:
        raise ArticleError(f"expected the page as bytes or text, not {type(data).__name__}")
    text = text.replace("\x00", "")
    if not text.strip():
        raise ArticleError("empty page")
    undecodable = text.count("\ufffd")
    if undecodable > 10 and undecodable > 0.05 * len(text):
        raise ArticleError("not a text page: the bytes read as no known encoding")

    soup = _parse(text)
    page = _Page(soup)
    ld = page.ld_article()
    ld_ids = page.ld_ids() if ld else {}

    # ---- URL: the page's own canonical address, else where it came from
    base = url if _scheme(url) in ("http", "https") else None
    for candidate in (page.base_href, page.canonical, page.meta("og:url")):
        if candidate and _scheme(candidate) in ("http", "https"):
            base = base or candidate
    candidates = [page.canonical, page.meta("og:url"), _ld_url(ld.get("url")) if ld else None,
                  _ld_url(ld.get("mainEntityOfPage")) if ld else None, url]
    absolute = [u for u in (_absolute(c, base) for c in candidates if c) if u]
    deep = [u for u in absolute if _path(u) not in ("", "/")]  # not a canonical that names the home page
    article_url = (deep or absolute or [None])[0]
    base = base or article_url

    # ---- press and title
    headings = page.headings
    press_names = _site_names(page, ld, article_url, ld_ids)
    sections = page.meta_all("article:section", "article:section2", "og:article:section", "section")
    title_sources = [
        (_ld_text(ld.get("headline")) or _ld_text(ld.get("name"))) if ld else "",
        page.meta("og:title"), page.meta("twitter:title"), page.meta("dable:title"), page.html_title,
    ]
    title = ""
    for candidate in title_sources:
        if candidate:
            title = _strip_site(candidate, press_names, headings, sections)
            if title:
                break
    if not title:
        site_forms = {_squeeze(p) for p in press_names}
        title = next((h for h in headings if len(h) >= 4 and _squeeze(h) not in site_forms), "")
    press = page.meta("og:site_name") or (_ld_text(_ld_resolve(ld.get("publisher"), ld_ids)) if ld else "") \
        or _press_for(article_url)

    # ---- what the article's metadata says
    reporters: list[str] = []
    email: Optional[str] = None
    published = None
    subtitles: list[str] = []
    if ld:
        reporters, email = _ld_authors(ld, ld_ids, press_names)
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = parse_datetime(_ld_text(ld.get(key)))
            if _plausible(value):
                published = value
                break
        alternative = _ld_text(ld.get("alternativeHeadline"))
        if alternative and _squeeze(alternative) != _squeeze(title):
            subtitles = [alternative]
    if published is None:
        for value in page.meta_all(
            "article:published_time", "og:article:published_time", "article:published", "published_time",
            "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "sailthru.date",
            "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
            "article:published_date", "nv:news:date",
        ):
            value_dt = parse_datetime(value)
            if _plausible(value_dt):
                published = value_dt
                break
    if published is None:
        published = next((v for v in map(parse_datetime, page.date_published) if _plausible(v)), None)
    time_values = page.times

    meta_reporters: list[str] = []
    meta_email = None
    for value in page.meta_all("author", "article:author", "og:article:author", "dable:author", "byl",
                               "sailthru.author", "parsely-author", "dc.creator"):
        for name in _names_from_value(value, press_names):
            if name not in meta_reporters:
                meta_reporters.append(name)
        m = _EMAIL.search(value)
        if m and not meta_email:
            meta_email = m.group(0)

    # ---- the body in the visible page (a second, lenient pass when the first finds none)
    dom = _read_dom(soup, title, base, strict=True)
    if dom.result.chars < STRUCTURED_MIN_CHARS and dom.prose >= STRUCTURED_MIN_CHARS:
        lenient = _read_dom(_parse(text), title, base, strict=False)
        if lenient.result.chars > dom.result.chars:
            dom = lenient
    chosen = dom.result

    # ---- articles that only exist as data: JSON-LD articleBody, hydration state
    structured: Optional[_BodyResult] = None
    if ld and isinstance(ld.get("articleBody"), str) and ld["articleBody"].strip():
        structured = _fragment_body(ld["articleBody"], title)
    needs_data = chosen.chars < STRUCTURED_MIN_CHARS and (
        structured is None or structured.chars < STRUCTURED_MIN_CHARS
    )
    hydrated_meta: Optional[_Found] = None
    have_reporters = reporters or meta_reporters or dom.reporters or chosen.reporters
    if page.script_texts and (needs_data or published is None or not have_reporters):
        titles = {_squeeze(t) for t in [title, *title_sources, *headings[:5]] if t and len(_squeeze(t)) >= 4}
        hydrated = _hydrated_article(page, titles) if titles else None
        if hydrated:
            hydrated_meta = _hydrated_metadata(hydrated["object"], press_names)
            if needs_data:
                structured = _fragment_body(hydrated["body"], title)
                if not structured.subtitles:
                    structured.subtitles = hydrated_meta.subtitles
    if structured is not None and structured.body and (not chosen.body or chosen.chars < 0.6 * structured.chars):
        chosen = structured

    # ---- what the page tells its reader, when the metadata said nothing
    declared_article = bool(ld or published or reporters or meta_reporters or dom.reporters
                            or page.meta("og:type").lower() == "article")
    if published is None and hydrated_meta is not None:
        published = hydrated_meta.published
    if published is None:
        published = _labelled_published(dom.page_text)
        declared_article = declared_article or published is not None
    if published is None:
        published = next((v for v in map(parse_datetime, time_values) if _plausible(v)), None)

    if not reporters:
        for found in (hydrated_meta.reporters if hydrated_meta else [], dom.reporters, meta_reporters,
                      chosen.reporters):
            if found:
                reporters = list(found)
                break
    if not reporters:
        for line in dom.page_text.split("\n"):
            names = _byline_names(line)
            if names:
                reporters = names
                declared_article = True
                m = _EMAIL.search(line)
                email = email or (m.group(0) if m else None)
                break
    email = email or dom.email or (hydrated_meta.email if hydrated_meta else None) or meta_email or chosen.email
    if not subtitles:
        subtitles = chosen.subtitles
    subtitles = [s for s in dict.fromkeys(subtitles) if s and _squeeze(s) != _squeeze(title)]

    body = chosen.body
    body_chars = chosen.chars
    needed = MIN_BODY_CHARS if declared_article or hydrated_meta else MIN_UNSIGNED_BODY_CHARS
    # A brief needs a byline (a reporter or a publication time), not only
    # article metadata, which section pages carry too.
    brief = bool(reporters or published) and body_chars >= MIN_BRIEF_CHARS and any(
        _SENTENCE_END.search(line) and _letters(line) >= MIN_BRIEF_CHARS for line in body)
    if not body or (body_chars < needed and not brief) or max(len(line) for line in body) < 25:
        raise ArticleError(
            "no article text found: no block of running text outside navigation, ads and scripts"
            + (f" (only {body_chars} characters)" if body else "")
        )

    return Article.create(
        id_basis=id_basis,
        title=title,
        url=article_url,
        subtitles=subtitles,
        press=press or _press_for(article_url, email) or None,
        reporters=reporters,
        email=email,
        published=published,
        body=body,
        captions=list(dict.fromkeys(c for c in chosen.captions if c)),
        related=dom.related,
        source=source,
    )
