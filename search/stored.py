"""Stored article fields read back for display, whatever JSON type they hold.

Ingest validates every field's type, but an index written by an older version
(or by hand) may hold a number, a list or an object where a string is expected:
a `related[].url` of `12345` once made the article page and its related list a
500.  The view side therefore never trusts a stored type: these readers turn any
JSON value into the shape `Article` and the related lists promise, and drop what
cannot be read (a URL that is not a string is no URL at all).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Optional

from search.model import RelatedLink


def meta(stored: dict[str, Any]) -> dict[str, Any]:
    """The `meta` JSON object of a stored document (empty if it is not one)."""
    try:
        value = json.loads(stored.get("meta") or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def text_fields(stored: dict[str, Any], meta: dict[str, Any]) -> dict[str, str]:
    """An article's text fields as `content` indexed them (search.index.article_texts),
    from its stored fields and their `meta`: subtitles and captions are kept in `meta` only."""
    return {
        "title": stored.get("title") or "",
        "subtitles": "\n".join(texts(meta.get("subtitles"))),
        "body": stored.get("body") or "",
        "captions": "\n".join(texts(meta.get("captions"))),
    }


def text(value: Any) -> Optional[str]:
    """A string as is; a number as its digits; anything else (null, true, a list, an object) None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def string(value: Any) -> Optional[str]:
    """Only a non-blank string (for URLs and ids: the digits of a number locate nothing)."""
    return value if isinstance(value, str) and value.strip() else None


def texts(value: Any) -> list[str]:
    """A list of strings: a list's readable items (a well-formed list comes back
    unchanged, so joined text keeps the offsets it was indexed with), a lone string
    or number as one item, else nothing."""
    items = value if isinstance(value, list) else [value]
    return [t for t in (text(item) for item in items) if t is not None]


def iso_datetime(value: Any) -> Optional[datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def iso_text(value: Any) -> Optional[str]:
    """A stored ISO time as its text, if it is one."""
    return value if iso_datetime(value) else None


def iso_date(value: Any) -> Optional[date]:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def related_links(value: Any) -> list[RelatedLink]:
    """A stored 관련기사 list: entries with a title or a URL, each field read by its type."""
    links: list[RelatedLink] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            title, url = text(item.get("title")) or "", string(item.get("url"))
            published = iso_date(item.get("published"))
        else:
            title, url, published = text(item) or "", None, None
        if title.strip() or url:
            links.append(RelatedLink(title=title, published=published, url=url))
    return links
