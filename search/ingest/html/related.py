"""The 관련기사 box: found by its heading or class words, read into `RelatedLink`s,
and removed from the tree so its headlines never join the body."""

from __future__ import annotations

from typing import Optional

from bs4 import Tag

from search.ingest.dates import parse_date
from search.ingest.html.dom import (
    _absolute, _attr, _is_text, _letters, _link_share, _links, _tags, _usable_anchor, _words,
)
from search.ingest.html.vocabulary import _BLOCK_TAGS, _DATE_IN_PARENS, _RELATED_HEADING
from search.ingest.text import clean_line
from search.model import RelatedLink


def _related_boxes(root: Tag, total_letters: int) -> list[list[Tag]]:
    boxes: list[list[Tag]] = []
    tags = _tags(root)
    for el in tags:
        words = _words(el)
        if any(w.startswith("relat") and not w.startswith("relativ") for w in words):
            size = _letters(el.get_text(" "))
            if size <= 0.4 * max(total_letters, 1) and (size == 0 or _link_share([el]) >= 0.3):
                boxes.append([el])
    headings = [
        node for node in root.descendants
        if _is_text(node) and len(node) <= 60 and _RELATED_HEADING.match(str(node))
    ]
    for string in headings:
        heading_letters = _letters(str(string))
        el = string.parent
        box = None
        for _ in range(6):
            if el is None or el.name in ("body", "html", "[document]"):
                break
            anchors = [a for a in _links(el) if _usable_anchor(a)]
            if anchors:
                size = _letters(el.get_text(" "))
                if size <= 3000 and _link_share([el], heading_letters) >= 0.5:
                    box = [el]
                break
            el = el.parent
        if box is None:
            # `<h3>관련기사</h3><ul>…</ul>` inside the body: the heading's block and
            # the link list right after it.
            block = string.parent
            while block is not None and block.name not in _BLOCK_TAGS:
                block = block.parent
            following = block.find_next_sibling() if block is not None else None
            if (
                block is not None
                and following is not None
                and any(_usable_anchor(a) for a in _links(following))
                and _link_share([following]) >= 0.5
            ):
                box = [block, following]
        if box:
            boxes.append(box)
    # Keep the outermost boxes only, once each.
    chosen: list[list[Tag]] = []
    members: set[int] = set()
    for box in boxes:
        if any(id(p) in members for el in box for p in [el, *el.parents]):
            continue
        chosen.append(box)
        members.update(id(el) for el in box)
    return chosen


def _related_links(boxes: list[list[Tag]], base: Optional[str]) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    seen: set[str] = set()
    for box in boxes:
        for el in box:
            for a in _links(el):
                if not _usable_anchor(a):
                    continue
                url = _absolute(_attr(a, "href"), base)
                title = clean_line(a.get_text(" "))
                published = None
                match = _DATE_IN_PARENS.search(title)
                if match:
                    published = parse_date(match.group(1))
                    title = title[: match.start()].strip()
                if published is None:
                    item = a.parent
                    while item is not None and item is not el and item.name not in ("li", "dd", "dt", "tr", "p", "div"):
                        item = item.parent
                    if item is not None and len(_links(item)) <= 2:
                        rest = clean_line(item.get_text(" ")).replace(title, " ")
                        published = parse_date(rest)
                key = url or title
                if not title or key in seen:
                    continue
                seen.add(key)
                links.append(RelatedLink(title=title, published=published, url=url))
    return links
