"""A keyword query that is an article's headline finds that article first.

Readers paste headlines.  BM25 over the whole article can rank above it an
article that mentions every word of the headline in its body, or one whose
title merely contains the headline ([포토] …); search engines put the article
whose title *is* the query first.  So the best `RERANK_DEPTH` hits of a
keyword query are reordered with a bonus for how well the title and the
query cover each other:

    bonus = score × HEADLINE_WEIGHT × (query terms in the title / query terms)
                                     × (title tokens that are query terms / title tokens)

Both shares are 1 only when the title says what the query says and nothing
else; a title that holds two of five query words gets 0.4 × (its share) of it.
Questions are reordered the same way: a headline may end in `?`, and on the
KorQuAD dev set (titled passages) it raised MRR@10 from 0.9662 to 0.9678 and
R@1 from 0.9421 to 0.9450.
"""

from __future__ import annotations

from typing import Sequence

from search.index import postings_in
from search.ranking import RERANK_DEPTH

HEADLINE_WEIGHT = 1.0
TITLE_FIELD = "title"


def title_overlap(searcher, docnums: Sequence[int], terms: Sequence[str]) -> dict[int, float]:
    """For each (top-level) docnum, the product of the query's share found in
    its title and the title's share made of query terms (0 to 1)."""
    docs = sorted(set(docnums))
    distinct = list(dict.fromkeys(terms))
    if not docs or not distinct or TITLE_FIELD not in searcher.schema:
        return {}
    found: dict[int, int] = {d: 0 for d in docs}
    tokens: dict[int, float] = {d: 0.0 for d in docs}
    for term in distinct:
        for docnum, postings in postings_in(searcher, TITLE_FIELD, term, docs):
            found[docnum] += 1
            tokens[docnum] += postings.weight()
    reader = searcher.reader()
    overlap = {}
    for docnum in docs:
        if not found[docnum]:
            continue
        length = reader.doc_field_length(docnum, TITLE_FIELD, 0) or 1
        overlap[docnum] = (found[docnum] / len(distinct)) * min(1.0, tokens[docnum] / length)
    return overlap


def rerank_by_title(searcher, top_n: list, terms: Sequence[str], overlap_of=None) -> list:
    """`top_n` ((score, docnum), best first) with its first RERANK_DEPTH
    entries reordered by the title bonus; a new list.  `overlap_of(docnums,
    terms)` gives the overlaps (by default `title_overlap`, from Whoosh's
    title postings; the columnar executor reads them from positions)."""
    top = list(top_n[:RERANK_DEPTH])
    if len(top) < 2 or not terms:
        return list(top_n)
    docnums = [docnum for _, docnum in top]
    overlap = overlap_of(docnums, terms) if overlap_of is not None else title_overlap(searcher, docnums, terms)
    rescored = [(score * (1 + HEADLINE_WEIGHT * overlap.get(docnum, 0.0)), docnum) for score, docnum in top]
    rescored.sort(key=lambda item: -item[0])  # stable: ties keep the first-stage order
    return rescored + list(top_n[RERANK_DEPTH:])
