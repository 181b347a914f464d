"""JSONL exports: one article per line.

Field names follow the `Article` record, with the spellings exports commonly use
accepted too (`reporter` as a string or a list, `subtitle`, `date`, `body` as a
string or a list of paragraphs).  A broken line is reported with its number and
the rest of the file still loads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from search.ingest.dates import parse_date, parse_datetime
from search.ingest.errors import ArticleError, LoadFailure
from search.ingest.text import clean_line, clean_text, press_for
from search.model import Article, RelatedLink

MAX_LINE_CHARS = 5_000_000


def _strings(value: Any, split: Optional[str] = None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(split, value) if split else [value]
    elif isinstance(value, (list, tuple)):
        parts = [str(v) for v in value if v is not None]
    else:
        raise ArticleError(f"expected text or a list of texts, got {type(value).__name__}")
    return [p for p in (clean_line(p) for p in parts) if p]


def _first(record: dict, *names: str) -> Any:
    for name in names:
        if record.get(name) not in (None, "", []):
            return record[name]
    return None


def _related(value: Any) -> list[RelatedLink]:
    links = []
    for item in value or []:
        if isinstance(item, str):
            links.append(RelatedLink(clean_line(item)))
        elif isinstance(item, dict) and item.get("title"):
            links.append(
                RelatedLink(
                    clean_line(str(item["title"])),
                    parse_date(str(item.get("published") or item.get("date") or "")),
                    item.get("url") or None,
                )
            )
    return links


def article_from_record(record: Any, source: str, id_basis: str) -> Article:
    if not isinstance(record, dict):
        raise ArticleError(f"expected a JSON object, got {type(record).__name__}")
    url = _first(record, "url", "link")
    email = _first(record, "email")
    published_raw = _first(record, "published", "date", "datetime", "published_at")
    published = parse_datetime(str(published_raw)) if published_raw is not None else None
    if published_raw is not None and published is None:
        raise ArticleError(f"unreadable date {str(published_raw)[:40]!r}")
    body_value = _first(record, "body", "text", "content")
    article = Article.create(
        id_basis=id_basis,
        title=clean_line(str(_first(record, "title", "headline") or "")),
        url=str(url).strip() if url else None,
        subtitles=_strings(_first(record, "subtitles", "subtitle"), split=r"\n"),
        press=clean_line(str(record["press"])) if record.get("press") else press_for(url, email),
        reporters=_strings(_first(record, "reporters", "reporter", "authors", "author"), split=r"\s*[,·]\s*"),
        email=str(email).strip() if email else None,
        published=published,
        body=_strings(clean_text(body_value) if isinstance(body_value, str) else body_value, split=r"\n+"),
        captions=_strings(_first(record, "captions", "caption"), split=r"\n"),
        related=_related(record.get("related")),
        source=source,
    )
    given_id = record.get("id")
    if given_id not in (None, ""):
        # An export's own ids are what its users (and relevance judgments) refer to.
        article.id = str(given_id)
    return article


def load_jsonl_lines(
    path: Path, lines: Iterable[Union[str, bytes]], id_basis: str, first_line: int = 1
) -> Iterator[Union[Article, LoadFailure]]:
    """Articles of JSONL `lines`; `first_line` is the file line number of the first one."""
    for number, line in enumerate(lines, start=first_line):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield LoadFailure(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start})", number)
                continue
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield LoadFailure(str(path), f"line longer than {MAX_LINE_CHARS:,} characters", number)
            continue
        try:
            record = json.loads(line)
            yield article_from_record(record, str(path), f"{id_basis}#{number}")
        except json.JSONDecodeError as exc:
            yield LoadFailure(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", number)
        except (ArticleError, ValueError, TypeError) as exc:
            yield LoadFailure(str(path), str(exc), number)
