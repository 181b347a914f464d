"""The body: blocks of running text scored (length, clauses, Hangul, minus link
text), the scores handed to their containers, the best container's lines kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from bs4 import Tag
from bs4.element import PreformattedString

from search.ingest.html.dom import (
    _Line, _attr, _byline_names, _is_chrome_line, _is_subtitle_element, _iter_lines, _letters, _links,
    _parse, _remove_junk, _squeeze, _tags, _take_captions, _words,
)
from search.ingest.html.vocabulary import (
    _CAPTION_LINE, _CLAUSE, _DROP_TAGS, _EMAIL, _FOOTER_LINE, _HANGUL, _HEADING_TAGS, _JUNK_PREFIXES,
    _JUNK_WORDS, _PARAGRAPH_TAGS, _POSITIVE_WORDS, _RELATED_HEADING, _SENTENCE_END,
)
from search.ingest.text import clean_line

# ---- how a line of running text scores
# Every line of prose counts, however short.
LINE_BASE_POINTS = 1.0
# A longer line is more likely prose; past ~240 characters length says no more.
CHARS_PER_POINT = 80.0
MAX_LENGTH_POINTS = 3.0
# Commas and sentence ends mark prose; menus and link lists have none.
MAX_CLAUSE_POINTS = 3
# On a Korean page, a line under 30% Hangul is code, URLs or figures...
MIN_HANGUL_SHARE = 0.3
# ...and counts for a little over half.
NON_HANGUL_LINE_FACTOR = 0.6
# Shorter than this is a label or a button, not a line of the article.
MIN_SCORED_LINE_CHARS = 10
# A line that is mostly link text is navigation.
MAX_LINE_LINK_SHARE = 0.5
# A paragraph's points go to its container in full and half to the one above
# (articles often wrap their paragraphs twice).
PARENT_SHARE, GRANDPARENT_SHARE = 1.0, 0.5

# ---- what the markup says of an element
# schema.org's own `itemprop=articleBody`: the page tells us outright.
ARTICLE_BODY_WEIGHT = 30
# An `<article>` element usually, but not always, wraps just the article.
ARTICLE_TAG_WEIGHT = 5
# Class/id words such as `article`, `content`, `view`.
POSITIVE_WORDS_WEIGHT = 10
# Class/id words of chrome (`comment`, `related`, `ad`) weigh more than positive
# ones: a `news_comment` box must lose to the article it follows.
JUNK_WORDS_WEIGHT = -25

# ---- choosing the container
# Below this, no element holds running text: a link page, not an article.
MIN_CONTAINER_SCORE = 3
# Siblings of the best container join it when they score this share of it...
SIBLING_SHARE = 0.2
# ...and at least this much (a caption box beside a short article must not).
MIN_SIBLING_SCORE = 10.0
# A sibling with this much link text is a related list, not more of the article.
MAX_SIBLING_LINK_SHARE = 0.25
# A bare `<p>` sibling this long is a paragraph the article's markup left out.
MIN_SIBLING_PARAGRAPH_CHARS = 80


@dataclass
class _Stat:
    el: Tag
    chars: int = 0
    link_chars: int = 0
    score: float = 0.0


def _line_points(line: _Line, korean_page: bool) -> float:
    points = (
        LINE_BASE_POINTS
        + min(line.chars / CHARS_PER_POINT, MAX_LENGTH_POINTS)
        + min(len(_CLAUSE.findall(line.text)), MAX_CLAUSE_POINTS)
    )
    if korean_page and len(_HANGUL.findall(line.text)) < MIN_HANGUL_SHARE * max(line.chars, 1):
        points *= NON_HANGUL_LINE_FACTOR
    return points


def _class_weight(el: Tag) -> float:
    weight = 0.0
    if _attr(el, "itemprop").lower() == "articlebody":
        weight += ARTICLE_BODY_WEIGHT
    if el.name == "article":
        weight += ARTICLE_TAG_WEIGHT
    words = _words(el)
    if any(w in _POSITIVE_WORDS for w in words):
        weight += POSITIVE_WORDS_WEIGHT
    if any(w in _JUNK_WORDS or w.startswith(_JUNK_PREFIXES) for w in words):
        weight += JUNK_WORDS_WEIGHT
    return weight


def _choose_containers(root: Tag, lines: list[_Line]) -> list[Tag]:
    stats: dict[int, _Stat] = {}
    korean_page = (
        sum(len(_HANGUL.findall(l.text)) for l in lines) >= MIN_HANGUL_SHARE * max(sum(l.chars for l in lines), 1)
    )
    for line in lines:
        el: Optional[Tag] = line.owner
        while el is not None:
            stat = stats.get(id(el))
            if stat is None:
                stat = stats[id(el)] = _Stat(el)
            stat.chars += line.chars
            stat.link_chars += line.link_chars
            if el is root:
                break
            el = el.parent
    for line in lines:
        if (line.chars < MIN_SCORED_LINE_CHARS or line.link_chars > MAX_LINE_LINK_SHARE * line.chars
                or line.owner.name in _HEADING_TAGS):
            continue  # headings and link lists are not running text
        points = _line_points(line, korean_page)
        owner = line.owner
        if owner.name in _PARAGRAPH_TAGS and owner is not root:
            targets = [owner.parent, owner.parent.parent if owner.parent is not None else None]
        else:
            targets = [owner, owner.parent]
        for target, share in zip(targets, (PARENT_SHARE, GRANDPARENT_SHARE)):
            if target is not None and id(target) in stats:
                stats[id(target)].score += points * share

    def final(stat: _Stat) -> float:
        density = stat.link_chars / stat.chars if stat.chars else 1.0
        return (stat.score + _class_weight(stat.el)) * (1.0 - density)

    scored = [s for s in stats.values() if s.score > 0]
    if not scored:
        return []
    best = max(scored, key=final)
    best_score = final(best)
    if best_score < MIN_CONTAINER_SCORE:
        return []
    top = best.el
    parent = top.parent
    if parent is None or top is root:
        return [top]
    threshold = max(MIN_SIBLING_SCORE, best_score * SIBLING_SHARE)
    chosen = []
    for sibling in parent.children:
        if sibling is top:
            chosen.append(top)
            continue
        if not isinstance(sibling, Tag):
            continue
        stat = stats.get(id(sibling))
        if stat is None or not stat.chars:
            continue
        density = stat.link_chars / stat.chars
        if density >= MAX_SIBLING_LINK_SHARE:
            continue
        if final(stat) >= threshold or (sibling.name == "p" and stat.chars >= MIN_SIBLING_PARAGRAPH_CHARS):
            chosen.append(sibling)
    return chosen


def _within(el: Tag, ids: set[int]) -> bool:
    node: Optional[Tag] = el
    while node is not None:
        if id(node) in ids:
            return True
        node = node.parent
    return False


@dataclass
class _BodyResult:
    body: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    email: Optional[str] = None

    @property
    def chars(self) -> int:
        return sum(_letters(line) for line in self.body)


def _subtitle_scope(el: Tag, container_ids: set[int], subtitle_ids: set[int]) -> bool:
    node: Optional[Tag] = el
    while node is not None and id(node) not in container_ids:
        if id(node) in subtitle_ids:
            return True
        node = node.parent
    return False


def _body_from_lines(
    lines: list[_Line],
    title: str,
    subtitle_ids: set[int],
    container_ids: set[int],
) -> _BodyResult:
    result = _BodyResult()
    squeezed_title = _squeeze(title) if title else ""
    leading = True
    total = sum(line.chars for line in lines) or 1
    seen_chars = 0
    for line in lines:
        text = line.text
        seen_chars += line.chars
        if not text or _is_chrome_line(text) or _RELATED_HEADING.match(text):
            continue
        if line.chars and line.link_chars >= 0.6 * line.chars:
            continue
        if line.owner.name == "h1" or (squeezed_title and _squeeze(text) == squeezed_title):
            continue  # the headline, repeated above the body
        caption = _CAPTION_LINE.match(text)
        if caption and text.count("▲") + text.count("△") == 1 and len(text) <= 200:
            result.captions.append(caption["text"].strip())
            continue
        names = _byline_names(text)
        if names:
            for name in names:
                if name not in result.reporters:
                    result.reporters.append(name)
            m = _EMAIL.search(text)
            if m and not result.email:
                result.email = m.group(0)
            continue
        if _FOOTER_LINE.search(text) and len(text) <= 160:
            if seen_chars >= 0.5 * total:
                break  # the copyright footer: what follows is page chrome
            continue
        if leading:
            in_subtitle = _subtitle_scope(line.owner, container_ids, subtitle_ids)
            heading = line.owner.name in _HEADING_TAGS and line.owner.name != "h1"
            bold = line.chars and line.bold_chars >= 0.9 * line.chars and len(text) <= 80
            if in_subtitle or heading or bold:
                result.subtitles.append(text)
                continue
            leading = False
        result.body.append(text)
    # A lone heading mistaken for the 부제 while the body holds nothing else.
    if not result.body and result.subtitles and not subtitle_ids:
        result.body, result.subtitles = result.subtitles, []
    # Trailing fragments of page chrome (`당신이 관심 있을 만한 이슈`) end no article.
    while result.body and len(result.body[-1]) < 30 and not _SENTENCE_END.search(result.body[-1]):
        result.body.pop()
    subtitle_set = {_squeeze(s) for s in result.subtitles}
    result.body = [b for b in result.body if _squeeze(b) not in subtitle_set]
    return result


def _list_like(containers: list[Tag], body: list[str]) -> bool:
    """A section front or search result: headline links, each with a one-line
    teaser, instead of paragraphs."""
    headline_links = sum(
        1 for c in containers for a in _links(c) if len(clean_line(a.get_text(" "))) >= 8
    )
    if headline_links < 3 or headline_links < 0.5 * len(body):
        return False
    lengths = sorted(len(line) for line in body)
    return not lengths or lengths[len(lengths) // 2] < 60


def _clean_tree(root: Tag) -> None:
    drop = set(_DROP_TAGS)
    doomed = [n for n in root.descendants if (isinstance(n, Tag) and n.name in drop) or isinstance(n, PreformattedString)]
    for node in doomed:
        node.extract()


def _fragment_body(markup: str, title: str) -> _BodyResult:
    """Body of an HTML (or plain-text) article body found in structured data."""
    if not re.search(r"<(?:p|br|div|span|strong|b|h\d)\b", markup, re.I):
        lines = [clean_line(part) for part in re.split(r"\n+", markup)]
        result = _BodyResult(body=[line for line in lines if line and not _is_chrome_line(line)])
        return result
    soup = _parse(markup)
    _clean_tree(soup)
    captions = _take_captions(soup)
    total = _letters(soup.get_text(" "))
    _remove_junk(soup, total)
    root = soup.body or soup
    subtitle_ids = {id(el) for el in _tags(root) if _is_subtitle_element(el)}
    result = _body_from_lines(_iter_lines(root), title, subtitle_ids, {id(root)})
    result.captions = [text for text, _ in captions] + result.captions
    return result
