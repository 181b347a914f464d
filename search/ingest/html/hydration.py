"""Pages that render with JavaScript: the article kept as data in the JSON state a
framework hydrates from, used only when its title matches the page's own."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Optional

from search.ingest.dates import parse_datetime
from search.ingest.html.dom import _letters, _squeeze, _unescape
from search.ingest.html.metadata import _Found, _Page, _loads, _names_from_value, _plausible, _walk_json
from search.ingest.html.vocabulary import _EMAIL
from search.ingest.bylines import reporters_in


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
