"""The one record every loader produces and every later stage consumes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional
from zoneinfo import ZoneInfo

from search.ingest.dateline import complete_from_text

SEOUL = ZoneInfo("Asia/Seoul")

# A title is a line, not a page: longer ones (a scrape that lost its line
# breaks) are cut here so lists stay readable; the full text stays in the body.
MAX_TITLE_CHARS = 300
# Dates outside this window are typos or placeholders (0001-01-01, 2999-…), not
# publication times; the article is kept, without a date.
EARLIEST_YEAR = 1880
# The text of one article that is analysed, indexed and stored: body, then
# subtitles and captions, at most this many characters together (a long
# feature is ~20,000; a 10 MB scrape would make every query matching it slow).
# The rest is dropped, and the reindex lists each article it cut.
MAX_INDEXED_TEXT_CHARS = 1_000_000
FUTURE_SLACK = timedelta(days=2)


@dataclass
class RelatedLink:
    """One entry of an article's own 관련기사 list."""

    title: str
    published: Optional[date] = None
    url: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RelatedLink":
        published = data.get("published")
        if isinstance(published, str) and published:
            published = date.fromisoformat(published[:10])
        return cls(title=data["title"], published=published or None, url=data.get("url") or None)


@dataclass
class Article:
    """A news article as the search engine sees it, whatever file it came from."""

    id: str
    title: str = ""
    url: Optional[str] = None
    subtitles: list[str] = field(default_factory=list)
    press: Optional[str] = None
    reporters: list[str] = field(default_factory=list)
    email: Optional[str] = None
    published: Optional[datetime] = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    source: Optional[str] = None
    content_hash: str = ""
    # The title is the body's first sentence: the record had none (search.ingest.dateline).
    title_derived: bool = False

    def __post_init__(self) -> None:
        if self.published is not None and self.published.tzinfo is None:
            # Korean sources that omit the offset mean Korean time.
            self.published = self.published.replace(tzinfo=SEOUL)
        if self.published is not None and not plausible_date(self.published):
            self.published = None
        if len(self.title) > MAX_TITLE_CHARS:
            cut = self.title.rfind(" ", 0, MAX_TITLE_CHARS)
            self.title = self.title[: cut if cut > MAX_TITLE_CHARS // 2 else MAX_TITLE_CHARS].rstrip() + "…"
        if not self.content_hash:
            self.content_hash = self.compute_hash()

    @property
    def body_text(self) -> str:
        return "\n".join(self.body)

    def cap_text(self, limit: int = MAX_INDEXED_TEXT_CHARS) -> int:
        """Cuts body, subtitles and captions (in that order) to `limit`
        characters together; returns their length before, or 0 if it fit."""
        fields = (self.body, self.subtitles, self.captions)
        total = sum(len(p) for paragraphs in fields for p in paragraphs)
        if total <= limit:
            return 0
        room = limit
        for paragraphs in fields:
            kept: list[str] = []
            for paragraph in paragraphs:
                if room <= 0:
                    break
                kept.append(paragraph[:room])
                room -= len(paragraph) + 1  # the line break between paragraphs
            paragraphs[:] = kept
        return total

    def compute_hash(self) -> str:
        """Hash of everything that is indexed, so an unchanged article is never re-analysed."""
        # to_dict() without the volatile fields, built directly: dataclasses.asdict
        # deep-copies every list and was most of the cost of loading an article.
        payload = {
            "title": self.title, "url": self.url, "subtitles": self.subtitles, "press": self.press,
            "reporters": self.reporters, "email": self.email,
            "published": self.published.isoformat() if self.published else None,
            "body": self.body, "captions": self.captions, "related": [link.to_dict() for link in self.related],
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.blake2b(raw, digest_size=16).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["related"] = [link.to_dict() for link in self.related]
        return data

    @classmethod
    def create(cls, *, id_basis: Optional[str] = None, **fields: Any) -> "Article":
        """Build an article whose id is derived from its URL, else its file and
        content; what the record lacks is taken from the text first (a dateline's
        press and reporter, a title from the first sentence)."""
        article = cls(id="", **fields)
        complete_from_text(article)
        article.id = article_id(article.url, id_basis or article.source, article.content_hash)
        return article

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        published = data.get("published")
        if isinstance(published, str) and published:
            published = datetime.fromisoformat(published)
        return cls(
            id=data["id"],
            title=data.get("title") or "",
            url=data.get("url"),
            subtitles=list(data.get("subtitles") or []),
            press=data.get("press"),
            reporters=list(data.get("reporters") or []),
            email=data.get("email"),
            published=published or None,
            body=list(data.get("body") or []),
            captions=list(data.get("captions") or []),
            related=[RelatedLink.from_dict(r) for r in data.get("related") or []],
            source=data.get("source"),
            content_hash=data.get("content_hash") or "",
            title_derived=bool(data.get("title_derived")),
        )


def plausible_date(value: datetime) -> bool:
    """Whether a publication time can be real: not before the first Korean
    newspapers, not (beyond a clock-skew margin) in the future."""
    now = datetime.now(timezone.utc)
    return value.year >= EARLIEST_YEAR and value <= now + FUTURE_SLACK


def article_id(url: Optional[str], source: Optional[str], content_hash: str) -> str:
    """A stable id: from the URL when known, else from the file path and the content."""
    if url:
        basis = "url:" + url.strip()
    else:
        basis = f"src:{source}:{content_hash}"
    # surrogatepass: a file name that is not UTF-8 (surrogateescape) is a source too.
    return hashlib.blake2b(basis.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
