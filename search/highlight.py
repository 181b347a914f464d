"""Snippets with the matched morphemes marked, cut from stored text at the
character offsets the index recorded, so nothing is analysed again at query
time and inflected forms are marked where they stand (협력 marks 협력에's 협력).
The offsets come from `content`, which indexes all text fields as one; they
are mapped back to each field's text by where the field starts in it.

A search reads them from the columnar files' character spans
(search.query.hits.columnar_spans); `spans_by_doc` reads them from Whoosh's
`Characters` postings, where an index of schema 5 keeps them.

Output is HTML: every character of the text is escaped and only `<mark>` is added.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Iterable, Optional, Sequence

from whoosh.reading import TermNotFound

from search.index import joined_text, postings_at

SNIPPET_CHARS = 160
# A snippet is chosen among an article's first this-many matches: enough for
# any real article, and a bound on the work for one that repeats a word
# hundreds of thousands of times.
MAX_SNIPPET_SPANS = 2_000


def spans_by_doc(reader, fieldname: str, terms: Iterable[str], docnums: Iterable[int],
                 holders: Optional[Callable[[str, list[int]], list[int]]] = None) -> dict[int, list[tuple[int, int]]]:
    """Character spans of `terms` in each of `docnums`' field, from the
    postings: each term's postings are opened once and walked forward through
    the documents in order, instead of opened and skipped once per document.

    `holders(term, docnums)`, where known (the columnar positions), names the
    documents among `docnums` that hold the term: the postings are then opened
    only in the segments of those documents and skipped to those only (a
    page's terms are mostly absent from most of its articles, and opening a
    term over every segment was the larger part of a snippet's cost)."""
    wanted = sorted(set(docnums))
    found: dict[int, list[tuple[int, int]]] = {}
    leaves = list(reader.leaf_readers()) if holders is not None else None
    for term in terms:
        if holders is None:
            walks = [(reader, 0, wanted)]
        else:
            held = holders(term, wanted)
            if not held:
                continue
            walks = []
            for number, (leaf, offset) in enumerate(leaves):
                end = leaves[number + 1][1] if number + 1 < len(leaves) else None
                local = [d - offset for d in held if d >= offset and (end is None or d < end)]
                if local:
                    walks.append((leaf, offset, local))
        for source, offset, local in walks:
            try:
                matcher = source.postings(fieldname, term) if holders is None else _live_postings(source, fieldname, term)
            except (TermNotFound, KeyError):
                continue
            try:
                for docnum in postings_at(matcher, local):
                    found.setdefault(docnum + offset, []).extend(
                        (start, end) for _, start, end in matcher.value_as("characters"))
            except Exception:  # a field indexed without offsets: no marks, no failure
                continue
    return {docnum: merge_spans(spans) for docnum, spans in found.items()}


def _live_postings(leaf, fieldname: str, term: str):
    """A segment's postings of `term`, read for documents known to be live:
    without the deleted-documents filter Whoosh 2.7.4's `SegmentReader.postings`
    wraps them in (it builds a set of all the segment's deletions at each
    opening, the larger part of opening a term in an index with deletions).
    Whoosh is pinned to 2.7.4 (pyproject.toml); any other reader gets `postings`."""
    terms = getattr(leaf, "_terms", None)
    if terms is None or fieldname not in leaf.schema:
        return leaf.postings(fieldname, term)
    field = leaf.schema[fieldname]
    return terms.matcher(fieldname, field.to_bytes(term), field.format)


def spans_by_field(spans: list[tuple[int, int]], texts: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """Spans found in `content` (offsets into the fields' joined text, see
    `search.index.joined_text`) as offsets into each field's own text."""
    _, starts = joined_text(texts.get("title", ""), texts.get("subtitles", ""), texts.get("body", ""),
                            texts.get("captions", ""))
    bounds = [(name, start, start + len(texts[name])) for name, start in starts.items()]
    local: dict[str, list[tuple[int, int]]] = {}
    for s, e in spans:
        for name, low, high in bounds:
            if low <= s and e <= high:
                local.setdefault(name, []).append((s - low, e - low))
                break
    return local


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """text[start:end] as HTML with `spans` wrapped in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[cursor:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    return "".join(out)


def best_window(text: str, spans: Sequence[tuple[int, int]], width: int = SNIPPET_CHARS) -> tuple[int, int]:
    """The window of about `width` characters holding the most distinct matches
    (then the most matches), widened to word boundaries."""
    if not spans:
        return 0, min(len(text), width)
    best_start = densest_start(text, spans, width)
    # Start a little before the first match, at a word boundary.
    start = max(0, best_start - width // 4)
    if start > 0:
        space = text.rfind(" ", max(0, start - 20), best_start)
        newline = text.rfind("\n", start, best_start)
        start = (newline + 1) if newline >= 0 else (space + 1 if space >= 0 else start)
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end, end + 20)
        end = space if space >= 0 else end
    return start, end


def densest_start(text: str, spans: Sequence[tuple[int, int]], width: int = SNIPPET_CHARS) -> int:
    """Where the densest window starts: the match whose window (the matches
    that end within `width` characters of its start) holds the most distinct
    matched texts, then the most matches; the first such.

    One pass with two pointers: the window of match i ends before the first
    match that does not fit, and that end only moves forward, so the work is
    linear in the number of matches (it was quadratic: 16 s for `경제` over
    five 950 KB articles).  Only the first `MAX_SNIPPET_SPANS` are looked at."""
    spans = spans[:MAX_SNIPPET_SPANS]
    count = len(spans)
    best_start, best_score = spans[0][0], -1
    inside: dict[str, int] = {}  # matched text -> how often in the window
    end = 0  # the window of match i holds spans[i:end]
    for i in range(count):
        s, e = spans[i]
        if end <= i:
            end = i  # the previous match was wider than the window: nothing carried over
        while end < count and spans[end][1] - s <= width:
            a, b = spans[end]
            word = text[a:b]
            inside[word] = inside.get(word, 0) + 1
            end += 1
        score = len(inside) * 10 + max(0, end - i)
        if score > best_score:
            best_start, best_score = s, score
        if end > i:
            word = text[s:e]
            left = inside[word] - 1
            if left:
                inside[word] = left
            else:
                del inside[word]
    return best_start


def marked_paragraphs(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The non-empty lines of `text` as HTML with `spans` (sorted, merged)
    marked: one walk through the lines and the spans together, linear in both
    (one pass over every span per line was quadratic on a long article)."""
    paragraphs: list[str] = []
    cursor = 0
    first = 0  # the first span not wholly before the current line
    for paragraph in text.split("\n"):
        end = cursor + len(paragraph)
        while first < len(spans) and spans[first][0] < cursor:
            first += 1
        last = first
        while last < len(spans) and spans[last][1] <= end:
            last += 1
        if paragraph:
            paragraphs.append(mark(paragraph, [(s - cursor, e - cursor) for s, e in spans[first:last]]))
        first = last
        cursor = end + 1
    return paragraphs


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """One highlighted excerpt of `text`, with … where it was cut."""
    if not text:
        return ""
    start, end = best_window(text, spans, width)
    html = mark(text, spans, start, end).replace("\n", " ")
    return ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
