"""The parsed tree, read and cleaned: small helpers over bs4 tags, the page as
lines of text, and the removal of chrome (navigation, ads, comments, share
buttons, bylines) and photo captions before the body is looked for."""

from __future__ import annotations

import html as html_lib
import re
import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from search.ingest.bylines import reporters_in
from search.ingest.html.vocabulary import (
    _BLANK_LINE, _BLOCK_TAGS, _BYLINE_END, _CAPTION_OBJECTS, _CAPTION_TEXTS, _CAPTION_WORDS, _EMAIL,
    _ENTITY, _EXTRA_CHROME, _FOREIGN_WORDS, _JUNK_JOINED, _JUNK_PREFIXES, _JUNK_ROLES, _JUNK_WORDS,
    _LABELLED_DATE, _NON_WORD, _PLACEHOLDER, _RELATED_HEADING, _STRUCTURAL_JUNK, _SUBTITLE_WORDS,
    _SUB_PAIRS,
)
from search.ingest.text import clean_line, press_for
from search.ingest.textscrape import CHROME


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
