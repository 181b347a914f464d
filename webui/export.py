"""결과 다운로드: the whole result list of a search (every page, up to
EXPORT_LIMIT hits) as a file — CSV in UTF-8 with a byte-order mark, so Excel
opens the Korean correctly, or JSON — named after the query and filters.

Served by the API as `/api/search?…&format=csv` (or `format=json`); the search
page links to both.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from html import unescape
from typing import Any
from urllib.parse import quote

from flask import Response

from search import MAX_PAGE_SIZE, Hit, QueryError, SearchRequest, SearchService
from webui.params import SearchParams

EXPORT_LIMIT = 1000
FORMATS = ("", "json", "csv")
COLUMNS = ("rank", "id", "title", "press", "reporters", "published", "url", "snippet")
_TAGS = re.compile(r"<[^>]+>")
# Characters a file name may not hold on Windows, macOS or Linux, and controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def export_format(value: str) -> str:
    if value not in FORMATS:
        raise QueryError(f"format: '{value[:20]}' is not one of json, csv", "format")
    return value


def all_hits(service: SearchService, request: SearchRequest, page_size: int = MAX_PAGE_SIZE) -> tuple[Any, list[Hit]]:
    """The first EXPORT_LIMIT hits of `request`, page by page (the engine's
    largest page); the first page's result carries the total and the query."""
    hits: list[Hit] = []
    first = None
    page = 1
    while len(hits) < EXPORT_LIMIT:
        size = min(page_size, EXPORT_LIMIT - len(hits))
        result = service.search(replace(request, page=page, size=page_size))
        first = first or result
        hits += result.hits[:size]
        if page * page_size >= result.total or not result.hits:
            break
        page += 1
    return first, hits


def file_name(params: SearchParams, extension: str) -> str:
    """`뉴스검색_전기차_언론사-KBS_2021-03~2021-03.csv`: the query and filters, made safe."""
    parts = ["뉴스검색"]
    if params.q:
        parts.append(params.q)
    parts += [f"기자-{r}" for r in params.reporters] + [f"언론사-{p}" for p in params.presses]
    if params.date_from or params.date_to:
        parts.append(f"{params.date_from}~{params.date_to}")
    name = _UNSAFE.sub("_", "_".join(parts)).strip(" ._")
    name = re.sub(r"\s+", " ", name)[:80].rstrip(" ._")
    return f"{name or '뉴스검색'}.{extension}"


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "news-search"
    response = Response(body, mimetype=mimetype)
    # RFC 6266 / 5987: an ASCII fallback, then the UTF-8 name every current browser uses.
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


def _plain(html: str) -> str:
    return unescape(_TAGS.sub("", html or ""))


def _cell(value: str) -> str:
    """A cell Excel will not run as a formula (`=HYPERLINK(…)` in a hostile title)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows(hits: list[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "rank": rank, "id": hit.id, "title": hit.title, "press": hit.press, "reporters": list(hit.reporters),
            "published": hit.published, "url": hit.url, "snippet": _plain(hit.snippet),
        }
        for rank, hit in enumerate(hits, 1)
    ]


def csv_response(params: SearchParams, hits: list[Hit]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(hits):
        row["reporters"] = "·".join(row["reporters"])
        writer.writerow([_cell(str(row[c])) if row[c] is not None else "" for c in COLUMNS])
    return _attachment(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv", file_name(params, "csv"))


def json_response(params: SearchParams, first, hits: list[Hit]) -> Response:
    document = {
        "query": first.query,
        "filters": {"reporter": list(params.reporters), "press": list(params.presses),
                    "from": params.date_from or None, "to": params.date_to or None},
        "sort": first.request.sort if first.request else params.sort,
        "total": first.total,
        "exported": len(hits),
        "limit": EXPORT_LIMIT,
        "hits": rows(hits),
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    # As the API's other JSON: no markup characters in the body, values unchanged.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _attachment(text.encode("utf-8"), "application/json", file_name(params, "json"))
