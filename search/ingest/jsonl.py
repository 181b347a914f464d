"""JSONL exports: one article per line.

Field names follow the `Article` record, with the spellings exports commonly use
accepted too (`reporter` as a string or a list, `subtitle`, `date`, `body` as a
string or a list of paragraphs).  Every field is checked for its type: a
broken line is reported with its number and the field at fault, and the rest
of the file still loads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from search.ingest.dates import parse_date, parse_datetime
from search.ingest.errors import ArticleError, LoadFailure, LoadWarning, printable
from search.ingest.text import clean_line, clean_text, press_for
from search.model import Article, RelatedLink

MAX_LINE_CHARS = 5_000_000


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _text(value: Any, name: str) -> str:
    """A text field: a string, as it is (lone surrogates from `\\ud800`-style
    escapes, which no file can store, become U+FFFD)."""
    if not isinstance(value, str):
        raise ArticleError(f"{name}: expected text, got {_json_type(value)}")
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _texts(value: Any, name: str) -> list[str]:
    """A field that is text or an array of texts (null entries skipped)."""
    if isinstance(value, list):
        return [_text(v, f"{name}[{i}]") for i, v in enumerate(value) if v is not None]
    return [_text(value, name)]


def _strings(value: Any, name: str, split: Optional[str] = None) -> list[str]:
    if value is None:
        return []
    parts = _texts(value, name)
    if split and not isinstance(value, list):
        parts = re.split(split, parts[0])
    return [p for p in (clean_line(p) for p in parts) if p]


def _first(record: dict, *names: str) -> tuple[Optional[str], Any]:
    """(name, value) of the first of `names` the record fills, else (None, None)."""
    for name in names:
        if record.get(name) not in (None, "", []):
            return name, record[name]
    return None, None


def _optional_text(record: dict, *names: str) -> Optional[str]:
    name, value = _first(record, *names)
    return _text(value, name).strip() or None if name else None


def _related(value: Any, warnings: list[str]) -> list[RelatedLink]:
    """The article's own 관련기사 list.  An entry of the wrong shape (a title or
    URL that is not text, say) is dropped with a warning: the article stays."""
    if value is None:
        return []
    if not isinstance(value, list):
        warnings.append(f"related: expected an array, got {_json_type(value)}; ignored")
        return []
    links = []
    for i, item in enumerate(value):
        try:
            if isinstance(item, str):
                links.append(RelatedLink(clean_line(_text(item, f"related[{i}]"))))
                continue
            if not isinstance(item, dict):
                raise ArticleError(f"related[{i}]: expected text or an object, got {_json_type(item)}")
            title = item.get("title")
            if title in (None, ""):
                continue
            title = clean_line(_text(title, f"related[{i}].title"))
            url = item.get("url")
            url = _text(url, f"related[{i}].url").strip() or None if url not in (None, "") else None
            _, when = _first(item, "published", "date")
            when = _text(when, f"related[{i}].published") if when is not None else ""
            links.append(RelatedLink(title, parse_date(when), url))
        except ArticleError as exc:
            warnings.append(f"{exc.reason}; entry dropped")
    return links


# What makes an id unusable as the one path segment of /articles/<id>: a slash
# at either end or two in a row (the router reads them as empty segments),
# control characters (CR/LF would split a header or a log line), and lone
# surrogates (not text).  Other characters, slashes inside included, are fine:
# ids are percent-encoded into URLs.
_BAD_ID = re.compile("^/|/$|//|[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MAX_ID_CHARS = 512


def _article_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ArticleError(f"id: expected text or an integer, got {_json_type(value)}")
    text = str(value).strip()
    if len(text) > MAX_ID_CHARS:
        raise ArticleError(f"id: longer than {MAX_ID_CHARS} characters")
    bad = _BAD_ID.search(text)
    if bad:
        what = "a slash at its start or end, or two in a row" if "/" in bad.group(0) else \
            f"the control character U+{ord(bad.group(0)):04X}"
        raise ArticleError(f"id: {printable(text[:60])!s} cannot be opened at /articles/<id>: it has {what}")
    return text


def article_from_record(record: Any, source: str, id_basis: str, warnings: Optional[list[str]] = None) -> Article:
    """The article of one parsed JSONL record.  Every field is checked for its
    type: a wrong one is an ArticleError naming the field (`url: expected text,
    got an object`), never a Python repr in the index or a crash."""
    if not isinstance(record, dict):
        raise ArticleError(f"expected a JSON object, got {_json_type(record)}")
    warnings = warnings if warnings is not None else []
    url = _optional_text(record, "url", "link")
    email = _optional_text(record, "email")
    date_name, published_raw = _first(record, "published", "date", "datetime", "published_at")
    published = None
    if date_name:
        published_text = _text(published_raw, date_name)
        published = parse_datetime(published_text)
        if published is None:
            raise ArticleError(f"{date_name}: unreadable date {published_text[:40]!r}")
    title_name, title_value = _first(record, "title", "headline")
    # A title given as an array of parts (some exports split headline and kicker) reads as one line.
    title = " ".join(_strings(title_value, title_name)) if title_name else ""
    body_name, body_value = _first(record, "body", "text", "content")
    press_value = record.get("press")
    press = clean_line(_text(press_value, "press")) if press_value not in (None, "") else None
    article = Article.create(
        id_basis=id_basis,
        title=title,
        url=url,
        subtitles=_strings(*_named(record, "subtitles", "subtitle"), split=r"\n"),
        press=press or press_for(url, email),
        reporters=_strings(*_named(record, "reporters", "reporter", "authors", "author"), split=r"\s*[,·]\s*"),
        email=email,
        published=published,
        body=_strings(clean_text(body_value) if isinstance(body_value, str) else body_value, body_name or "body",
                      split=r"\n+"),
        captions=_strings(*_named(record, "captions", "caption"), split=r"\n"),
        related=_related(record.get("related"), warnings),
        source=source,
    )
    given_id = record.get("id")
    if given_id not in (None, ""):
        # An export's own ids are what its users (and relevance judgments) refer to.
        article.id = _article_id(given_id)
    return article


def _named(record: dict, *names: str) -> tuple[Any, str]:
    """(value, name) of the first of `names` the record fills, for _strings."""
    name, value = _first(record, *names)
    return value, name or names[0]


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
        warnings: list[str] = []
        try:
            record = json.loads(line)
            article = article_from_record(record, str(path), f"{id_basis}#{number}", warnings)
        except json.JSONDecodeError as exc:
            yield LoadFailure(str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", number)
            continue
        except RecursionError:
            yield LoadFailure(str(path), "JSON nested too deeply to read (arrays or objects inside each other "
                                         "thousands of levels deep)", number)
            continue
        except ArticleError as exc:
            yield LoadFailure(str(path), exc.reason, number)
            continue
        except (ValueError, TypeError) as exc:
            yield LoadFailure(str(path), str(exc), number)
            continue
        yield article
        for message in warnings:
            yield LoadWarning(str(path), message, number)
