"""Metadata an article's text gives when its record does not: the press and
reporter of a Korean dateline at the start of the body, and a title taken from
the first sentence.

Datelines recognised (at the very start of the body):

    (서울=연합뉴스) 홍길동 기자 = …        [서울=뉴시스]홍길동 기자 = …
    【서울=뉴스1】 홍길동·김철수 기자 = …   [아시아경제 홍길동 기자] …
    홍길동 기자 = …                       ◆ 진행 홍길동 기자 : …
    서울 연합뉴스 홍길동 기자 …           (punctuation stripped, as some corpora
    머니투데이 이슈팀 홍길동 기자 …        have it: a press of the press table
                                          and a name before 기자 are required)

A dateline is cut from the body (it is metadata, not text: a snippet should
not open with it); its press fills a missing press, its names missing
reporters.  A record's own press and reporters always win.  A missing title
becomes the first sentence of the body, cut at a word boundary, and the
article is marked `title_derived`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from search.ingest.bylines import DATELINE_ROLE, NAME
from search.ingest.text import _press_table

# One or more names: 홍길동, 홍길동·김철수, 홍길동 김철수 (backtracking leaves 기자 to DATELINE_ROLE).
NAMES = rf"{NAME}(?:\s*[·,ㆍ]\s*{NAME}|\s+{NAME})*"
# (사진=연합뉴스) credits a photo, not the article.
_CREDIT = r"(?:사진|그래픽|자료|영상|제공|출처|캡처|편집|디자인|일러스트)"
_OPEN, _CLOSE = r"[\(\[【〔<＜]", r"[\)\]】〕>＞]"

# (서울=연합뉴스) 홍길동 기자 =   [서울=뉴시스]   【서울=뉴스1】
_CITY_PRESS = re.compile(
    rf"\s*{_OPEN}\s*(?!{_CREDIT})(?P<city>[^=\)\]】〕>＞\n]{{1,20}}?)\s*=\s*(?P<press>[^\)\]】〕>＞\n=]{{1,20}}?)\s*{_CLOSE}"
    rf"\s*(?:(?P<names>{NAMES})\s*{DATELINE_ROLE}\s*(?:=|:)?\s*)?"
)
# [아시아경제 홍길동 기자]
_PRESS_REPORTER = re.compile(rf"\s*{_OPEN}\s*(?P<press>[^\)\]】〕>＞\n]{{2,20}}?)\s+(?P<names>{NAMES})\s*{DATELINE_ROLE}\s*{_CLOSE}\s*")
# 홍길동 기자 = …   (the = makes it a dateline, not a sentence about a reporter)
_REPORTER_EQUALS = re.compile(rf"\s*(?P<names>{NAMES})\s*{DATELINE_ROLE}\s*=\s*")
# ◆ 홍길동 기자 …   ◆ 진행 : 홍길동 기자 >
_DIAMOND = re.compile(rf"\s*◆\s*(?:[^\n◆]{{0,20}}?\s)?(?P<names>{NAME})\s*{DATELINE_ROLE}\s*[:>=]?\s*")
# The words of a stripped dateline: [city] press [desk …] name [선임] 기자
_WORD = re.compile(r"\S+")
_PLAIN_NAME = re.compile(rf"{NAME}")
_RANKS = ("선임", "수석", "전문", "객원", "인턴", "수습")
TITLE_CHARS = 80
_SENTENCE_END = re.compile(r"[.!?。？！…](?=[\s\"'”’」』)]|$)")


@lru_cache(maxsize=1)
def known_presses() -> frozenset[str]:
    """The press names of the domain → press table (search/data/press_domains.tsv)."""
    return frozenset(_press_table().values())


@dataclass
class Dateline:
    end: int  # where the body text starts after it
    press: Optional[str] = None
    reporters: list[str] = field(default_factory=list)


def _names(value: Optional[str]) -> list[str]:
    return [n for n in re.split(r"\s*[·,ㆍ]\s*|\s+", value or "") if n]


def _press(value: str, structural: bool) -> Optional[str]:
    """A press name: one of the press table, else (in a bracketed dateline,
    whose shape says it is a press) the name as written."""
    value = value.strip()
    presses = known_presses()
    if value in presses:
        return value
    squeezed = value.replace(" ", "")
    if squeezed in presses:
        return squeezed
    if structural and 2 <= len(value) <= 15 and not re.search(r"\d{3,}|[.!?]", value):
        return value
    return None


def parse_dateline(text: str) -> Optional[Dateline]:
    """The dateline at the start of `text` (the first paragraph of a body)."""
    match = _CITY_PRESS.match(text)
    if match:
        press = _press(match.group("press"), structural=True)
        if press:
            return Dateline(match.end(), press, _names(match.group("names")))
    match = _PRESS_REPORTER.match(text)
    if match:
        press = _press(match.group("press"), structural=True)
        if press:
            return Dateline(match.end(), press, _names(match.group("names")))
    for pattern in (_REPORTER_EQUALS, _DIAMOND):
        match = pattern.match(text)
        if match:
            return Dateline(match.end(), None, _names(match.group("names")))
    return _plain_dateline(text)


def _plain_dateline(text: str) -> Optional[Dateline]:
    """서울 연합뉴스 강종훈 기자 … / 머니투데이 이슈팀 박지윤 기자 … / 사진 신화컴퍼니
    헤럴드경제 문화팀 장영준 기자 …: a dateline whose punctuation was stripped
    (a photo credit may come first).  Needs a press of the press table among
    the first eight words and, at most four words after it, a name and 기자."""
    words = list(_WORD.finditer(text[:160]))[:14]
    presses = known_presses()
    for at in range(min(8, len(words))):
        if words[at].group() not in presses:
            continue
        for j in range(at + 1, min(at + 6, len(words))):
            if words[j].group() not in ("기자", "특파원"):
                continue
            k = j - 1
            if k > at and words[k].group() in _RANKS:
                k -= 1
            if k > at and _PLAIN_NAME.fullmatch(words[k].group()):
                end = words[j].end()
                if end < len(text) and text[end] == "=":
                    end += 1
                while end < len(text) and text[end] == " ":
                    end += 1
                return Dateline(end, words[at].group(), [words[k].group()])
            break
    return None


def title_from_body(paragraphs: list[str], limit: int = TITLE_CHARS) -> str:
    """The first sentence of the body, cut at a word boundary near `limit`."""
    first = next((p.strip() for p in paragraphs if p.strip()), "")
    if not first:
        return ""
    end = _SENTENCE_END.search(first)
    sentence = first[: end.start()] if end else first
    sentence = sentence.strip() or first
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit)
    return sentence[: cut if cut > limit // 2 else limit].rstrip(" ,·") + "…"


def complete_from_text(article) -> None:
    """Fill what the record lacks from the article's own text (in place): the
    dateline's press and reporters (the dateline leaves the body), and a title
    from the first sentence.  Recomputes the content hash when anything changed."""
    changed = False
    if article.body:
        dateline = parse_dateline(article.body[0])
        if dateline is not None and (dateline.press or dateline.reporters):
            rest = article.body[0][dateline.end:].strip()
            article.body = ([rest] if rest else []) + article.body[1:]
            if dateline.press and not article.press:
                article.press = dateline.press
            if dateline.reporters and not article.reporters:
                article.reporters = dateline.reporters
            changed = True
    if not article.title.strip():
        title = title_from_body(article.body or article.subtitles)
        if title:
            article.title = title
            article.title_derived = True
            changed = True
    if changed:
        article.content_hash = article.compute_hash()
