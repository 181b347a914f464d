"""What the page declares about its article: JSON-LD (`NewsArticle`), OpenGraph and
`article:*` meta tags, the site name to strip from a title, bylines and dates."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from bs4 import BeautifulSoup

from search.ingest.bylines import is_bare_name, reporters_in
from search.ingest.dates import parse_datetime
from search.ingest.html.dom import _attr, _press_for, _squeeze, _tags, _unescape
from search.ingest.html.vocabulary import (
    _EMAIL, _LABELLED_DATE, _SECTION_WORDS, _TITLE_SEPARATOR,
)
from search.ingest.text import clean_line
from search.model import plausible_date


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
    if is_bare_name(bare):
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
