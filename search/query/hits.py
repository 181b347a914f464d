"""A page's hits: stored fields and snippets marked from the stored character
offsets of the page's documents only (the generation's columnar spans, or
Whoosh's postings in an index whose columnar files have none)."""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import numpy as np

from search import stored as stored_fields
from search.highlight import mark, marked_paragraphs, merge_spans, snippet, spans_by_doc, spans_by_field
from search.index import CONTENT_FIELD
from search.query.restricted import found_in, posting_spans
from search.query.result import Hit
from search.query.spelled import spelled_spans


def page_hits(searcher, reader, page: list[tuple[int, Optional[float]]], terms: set[str],
              scored: bool, snippets: bool = True, lookup=None, spelled: Sequence[str] = ()) -> list[Hit]:
    """The page's hits with snippets: the character spans of `content`,
    which holds every text field, read for the page's documents only, from the
    generation's columnar files (`lookup`, search.query.lookup) where they
    have them, else by one postings matcher per term walking the page's
    documents in order (with `lookup`'s positions naming the documents that
    hold the term).  Without `snippets` (a caller that wants the ids), no
    text is marked or cut.  The words matched by their spelling
    (search.query.spelled) are marked where they stand."""
    docnums = [docnum for docnum, _ in page]
    spans = content_spans(reader, terms, docnums, lookup) if terms and snippets else {}
    hits = []
    for docnum, score in page:
        stored = searcher.stored_fields(docnum)
        meta = stored_fields.meta(stored)  # read by type: an old index may hold anything
        title = stored.get("title") or ""
        if not snippets:
            hits.append(Hit(stored["id"], title, stored.get("url"), stored.get("press"),
                            stored_fields.texts(meta.get("reporters")), stored_fields.iso_text(meta.get("published")),
                            round(float(score), 4) if scored and score is not None else None, "", ""))
            continue
        texts = stored_fields.text_fields(stored, meta)
        found = spans_by_field(spans.get(docnum, []), texts)
        for fieldname, text in texts.items() if spelled else ():
            literal = spelled_spans(text, list(spelled))
            if literal:
                found[fieldname] = merge_spans(found.get(fieldname, []) + literal)
        best_text, best_spans = texts["body"], []
        for fieldname in ("body", "subtitles", "captions"):
            text = texts[fieldname]
            if text and len(found.get(fieldname, [])) > len(best_spans):
                best_text, best_spans = text, found[fieldname]
        hits.append(Hit(
            id=stored["id"],
            title=title,
            url=stored.get("url"),
            press=stored.get("press"),
            reporters=stored_fields.texts(meta.get("reporters")),
            published=stored_fields.iso_text(meta.get("published")),
            score=round(float(score), 4) if scored and score is not None else None,
            snippet=snippet(best_text, best_spans),
            title_html=mark(title, found.get("title", [])),
        ))
    return hits


# -- character spans


def columnar_spans(lookup, fieldname: str, terms: Iterable[str], docnums: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
    """Character spans of `terms` in each of `docnums`' field, read from the
    generation's columnar files (`lookup`: search.query.lookup.TermLookup,
    whose index `has_spans(fieldname)`), each term found per segment by the
    binary search its positions are read with: what
    search.highlight.spans_by_doc reads from Whoosh's `Characters` postings,
    without decoding a posting block.  Deleted documents have none."""
    among = np.array(sorted(set(docnums)), dtype=np.int64)
    found: dict[int, list[tuple[int, int]]] = {}
    if not len(among):
        return found
    for term in terms:
        for segment, at, postings, _ in found_in(lookup, fieldname, term, among):
            starts, ends, counts = posting_spans(segment, fieldname, postings)
            owners = np.repeat(among[at], counts).tolist()
            for docnum, start, end in zip(owners, starts.tolist(), ends.tolist()):
                found.setdefault(docnum, []).append((start, end))
    return {docnum: merge_spans(spans) for docnum, spans in found.items()}


def content_spans(reader, terms, docnums: list[int], lookup=None) -> dict[int, list[tuple[int, int]]]:
    """The merged character spans of `terms` in `content` per document of
    `docnums`: from the columnar files where `lookup`'s have spans, else from
    Whoosh's postings (an index of schema 5)."""
    if lookup is not None and lookup.index.has_spans(CONTENT_FIELD):
        return columnar_spans(lookup, CONTENT_FIELD, terms, docnums)
    holders = None
    if lookup is not None and lookup.has_positions(CONTENT_FIELD):
        def holders(term: str, wanted: list[int]) -> list[int]:
            return np.unique(lookup.positions(CONTENT_FIELD, term, np.array(wanted, dtype=np.int64))[0]).tolist()
    return spans_by_doc(reader, CONTENT_FIELD, terms, docnums, holders)


# -- articles


def highlighted_body(searcher, docnum: int, terms: set[str], lookup=None, spelled: Sequence[str] = ()) -> list[str]:
    """Article `docnum`'s paragraphs as HTML with `terms` and the `spelled`
    words marked (`lookup`: the generation's columnar look-ups, where the
    spans are read)."""
    stored = searcher.stored_fields(docnum)
    spans = content_spans(searcher.reader(), terms, [docnum], lookup).get(docnum, []) if terms else []
    texts = stored_fields.text_fields(stored, stored_fields.meta(stored))
    spans = merge_spans(spans_by_field(spans, texts).get("body", []) + spelled_spans(texts["body"], list(spelled)))
    return marked_paragraphs(texts["body"], spans)  # linear in lines and marks (search/highlight.py)
