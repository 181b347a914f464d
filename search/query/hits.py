"""A page's hits: stored fields and snippets marked from the stored character
offsets of the page's documents only."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from search import stored as stored_fields
from search.highlight import mark, marked_paragraphs, snippet, spans_by_doc, spans_by_field, term_spans
from search.index import CONTENT_FIELD
from search.query.result import Hit


def texts_of(stored: dict[str, Any], meta: dict[str, Any]) -> dict[str, str]:
    """An article's text fields as `content` indexed them (search.index.article_texts),
    from its stored fields: subtitles and captions are kept in `meta` only."""
    return {
        "title": stored.get("title") or "",
        "subtitles": "\n".join(stored_fields.texts(meta.get("subtitles"))),
        "body": stored.get("body") or "",
        "captions": "\n".join(stored_fields.texts(meta.get("captions"))),
    }


def page_hits(searcher, reader, page: list[tuple[int, Optional[float]]], terms: set[str],
              scored: bool, snippets: bool = True, lookup=None) -> list[Hit]:
    """The page's hits with snippets: one postings matcher per term walks the
    page's documents in order (instead of one per hit), reading the
    character offsets of `content`, which holds every text field; with the
    generation's columnar `lookup` (search.query.lookup), only the documents
    that hold the term.  Without `snippets` (a caller that wants the ids), no
    text is marked or cut."""
    docnums = [docnum for docnum, _ in page]
    holders = None
    if lookup is not None and lookup.has_positions(CONTENT_FIELD):
        def holders(term: str, wanted: list[int]) -> list[int]:
            return np.unique(lookup.positions(CONTENT_FIELD, term, np.array(wanted, dtype=np.int64))[0]).tolist()
    spans = spans_by_doc(reader, CONTENT_FIELD, terms, docnums, holders) if terms and snippets else {}
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
        texts = texts_of(stored, meta)
        found = spans_by_field(spans.get(docnum, []), texts)
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


# -- articles


def highlighted_body(searcher, docnum: int, terms: set[str]) -> list[str]:
    """Article `docnum`'s paragraphs as HTML with `terms` marked."""
    stored = searcher.stored_fields(docnum)
    spans = term_spans(searcher.reader(), CONTENT_FIELD, terms, docnum) if terms else []
    texts = texts_of(stored, stored_fields.meta(stored))
    spans = spans_by_field(spans, texts).get("body", [])
    return marked_paragraphs(texts["body"], spans)  # linear in lines and marks (search/highlight.py)
