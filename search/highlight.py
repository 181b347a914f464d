"""Snippets with the matched morphemes marked, cut from stored text at the
character offsets the index recorded, so nothing is analysed again at query
time and inflected forms are marked where they stand (협력 marks 협력에's 협력).
The offsets come from `content`, which indexes all text fields as one; they
are mapped back to each field's text by where the field starts in it.

Output is HTML: every character of the text is escaped and only `<mark>` is added.
"""

from __future__ import annotations

from html import escape
from typing import Iterable

from whoosh.reading import TermNotFound

from search.index import joined_text, postings_at

SNIPPET_CHARS = 160


def term_spans(reader, fieldname: str, terms: Iterable[str], docnum: int) -> list[tuple[int, int]]:
    """Character spans of `terms` in one document's field, from the postings."""
    return spans_by_doc(reader, fieldname, terms, [docnum]).get(docnum, [])


def spans_by_doc(reader, fieldname: str, terms: Iterable[str], docnums: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
    """Character spans of `terms` in each of `docnums`' field, from the
    postings: each term's postings are opened once and walked forward through
    the documents in order, instead of opened and skipped once per document."""
    wanted = sorted(set(docnums))
    found: dict[int, list[tuple[int, int]]] = {}
    for term in terms:
        try:
            matcher = reader.postings(fieldname, term)
        except (TermNotFound, KeyError):
            continue
        try:
            for docnum in postings_at(matcher, wanted):
                found.setdefault(docnum, []).extend((start, end) for _, start, end in matcher.value_as("characters"))
        except Exception:  # a field indexed without offsets: no marks, no failure
            continue
    return {docnum: merge_spans(spans) for docnum, spans in found.items()}


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


def best_window(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> tuple[int, int]:
    """The window of about `width` characters holding the most distinct matches,
    widened to word boundaries."""
    if not spans:
        return 0, min(len(text), width)
    best_start, best_score = spans[0][0], -1
    for i, (s, _) in enumerate(spans):
        seen = set()
        for s2, e2 in spans[i:]:
            if e2 - s > width:
                break
            seen.add(text[s2:e2])
        score = len(seen) * 10 + sum(1 for s2, e2 in spans[i:] if e2 - s <= width)
        if score > best_score:
            best_start, best_score = s, score
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


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """One highlighted excerpt of `text`, with … where it was cut."""
    if not text:
        return ""
    start, end = best_window(text, spans, width)
    html = mark(text, spans, start, end).replace("\n", " ")
    return ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
