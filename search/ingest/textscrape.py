"""Plain-text scrapes of Korean news pages.

The shape (see `seeds/`): a title, subtitle lines, a byline such as
`조재범 기자 프로필보기 | 2018-11-07 16:12:56`, share-button noise, photo captions
starting with `▲`, the body, a reporter box with the e-mail, and a `관련기사`
list of `- 제목 (YYYY/MM/DD)` lines.  The page chrome is recognised by what it
says, not by its line numbers, so other scrapes of the same kind load too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Optional

from search.ingest.bylines import BYLINE_NAMES, reporters_in
from search.ingest.dates import find_published, parse_date
from search.ingest.errors import ArticleError
from search.ingest.text import clean_line, clean_text, press_for
from search.model import Article, RelatedLink

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_BULLET = re.compile(r"^\s*[•·\-*▪◆◇■□●○]\s*")
_RELATED_HEADER = re.compile(r"^\s*(?:관련\s*기사|관련\s*뉴스)\s*:?\s*$")
_RELATED_ENTRY = re.compile(
    r"^\s*[-•*·]\s*(?P<title>.+?)\s*\((?P<date>\d{4}[./-]\d{1,2}[./-]\d{1,2})\)\s*$"
)
_CAPTION = re.compile(r"^\s*[▲△▶]\s*(?P<text>.+)$")
_FOOTER = re.compile(r"(무단\s*전재|재배포\s*금지|Copyright\s*©|ⓒ|저작권자\s*©)", re.I)

# Words of the page chrome: share buttons, tool bars, the reporter box.
CHROME = {
    "트위터 공유", "페이스북 공유", "구글 북마크", "네이트온 쪽지", "카카오톡 공유",
    "카카오스토리 공유", "밴드 공유", "네이버 블로그 공유", "프린트", "인쇄", "메일",
    "이메일", "목록", "글자크기", "글자 크기", "크게", "작게", "맨 위로", "스크랩",
    "공유하기", "이 기사를 공유해보세요", "프로필 사진", "프로필보기", "프로필 보기",
    "기사 저장", "좋아요", "URL 복사", "댓글", "기사공유", "닫기",
}


def _is_chrome(line: str) -> bool:
    text = _BULLET.sub("", line).strip()
    return not text or text in CHROME or _EMAIL.fullmatch(text) is not None


def _is_byline(line: str) -> bool:
    # A byline names a reporter and (in this format) carries the time.
    return bool(BYLINE_NAMES.search(" " + line)) and (
        find_published(line) is not None or "프로필" in line or len(line) < 40
    )


def parse_text_scrape(text: str, source: Optional[str] = None, id_basis: Optional[str] = None) -> Article:
    lines = [clean_line(line) for line in clean_text(text).split("\n")]

    related: list[RelatedLink] = []
    for i, line in enumerate(lines):
        if _RELATED_HEADER.match(line):
            for entry in lines[i + 1 :]:
                match = _RELATED_ENTRY.match(entry)
                if match:
                    related.append(RelatedLink(match["title"], parse_date(match["date"])))
            lines = lines[:i]
            break

    byline_at = next((i for i, line in enumerate(lines) if line and _is_byline(line)), None)
    head = [line for line in lines[: byline_at if byline_at is not None else 1] if line]
    if not head:
        raise ArticleError("no title: the file has no text before the byline")
    title, subtitles = head[0], head[1:]

    reporters: list[str] = []
    published = None
    if byline_at is not None:
        byline = lines[byline_at]
        reporters = reporters_in(" " + byline)
        published = find_published(byline)
    rest = lines[(byline_at if byline_at is not None else 0) + 1 :]

    email_match = _EMAIL.search("\n".join(rest))
    email = email_match.group(0) if email_match else None

    body: list[str] = []
    captions: list[str] = []
    for line in rest:
        if _is_chrome(line) or _FOOTER.search(line):
            continue
        caption = _CAPTION.match(line)
        if caption:
            captions.append(caption["text"].strip())
            continue
        bare = _BULLET.sub("", line).strip()
        # The reporter box repeats the byline as a bullet (`• 조재범 기자`).
        if line != bare and reporters_in(" " + bare) and len(bare) <= 30:
            for name in reporters_in(" " + bare):
                if name not in reporters:
                    reporters.append(name)
            continue
        body.append(line)

    if published is None:
        published = find_published("\n".join(rest[:5]))
    return Article.create(
        id_basis=id_basis,
        title=title,
        subtitles=subtitles,
        press=press_for(email),
        reporters=reporters,
        email=email,
        published=published,
        body=body,
        captions=captions,
        related=related,
        source=source,
    )


def load_text_scrape(path: Path, text: str, id_basis: Optional[str] = None) -> Iterator[Article]:
    if not text.strip():
        raise ArticleError("empty file")
    yield parse_text_scrape(text, source=str(path), id_basis=id_basis)
