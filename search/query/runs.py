"""Runs of terms (a quoted phrase, the morphemes of a split compound) found
from the columnar positions: which candidate documents hold the words one
after another, and whether any document of a generation does.

The second question is asked while a query is analysed: a word the index
does not hold as read is read again (search.analysis, `known`), and each
reading of two or more morphemes asks whether some article holds them in a
row.  Asked through Whoosh (a `Phrase` search with limit 1), a reading of
common morphemes walked their postings in Python: 한 + 반도 or 하다 + 양부
took 0.1–0.8 s at 100,000 articles, the three slowest of the 200 benchmark
queries.  Here the documents holding every word are intersected rarest
first, each further word read only at the survivors
(search.query.restricted), and the positions compared a batch of documents
at a time until one holds the run.

Both work on a generation's term look-ups (search.query.lookup.TermLookup)
and agree with Whoosh's `Phrase` (tests/test_runs.py).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from search.index import CONTENT_FIELD
from search.query.restricted import holding, positions_at

# Candidates whose positions are compared at once when only one is wanted:
# the first batch is small (most runs that exist are found there), then larger.
FIRST_BATCH = 64
BATCH_GROWTH = 8


def docs_with_all(lookup, fieldname: str, words: Sequence[str], within: Optional[np.ndarray] = None) -> np.ndarray:
    """The sorted documents (among `within` if given) holding every word,
    the rarest word read whole and each other only at the survivors."""
    order = sorted(set(words), key=lambda word: lookup.doc_frequency(fieldname, word))
    if within is None:
        docs = lookup.docs(fieldname, order[0])
        order = order[1:]
    else:
        docs = within
    for word in order:
        if not len(docs):
            break
        docs = docs[holding(lookup, fieldname, word, docs)]
    return docs


def in_a_row(lookup, fieldname: str, words: Sequence[str], docs: np.ndarray) -> np.ndarray:
    """The sorted documents among `docs` (each holding every word) where the
    words stand at consecutive positions.  Word i at position p gives the key
    (document, p - i); a document holds the run where every word gives one
    same key.  The rarest word's keys come first, and each later word is read
    only in the documents still in the running."""
    if len(words) < 2 or not len(docs):
        return docs
    order = sorted(range(len(words)), key=lambda i: lookup.doc_frequency(fieldname, words[i]))
    keys = None
    for offset in order:
        held, positions = positions_at(lookup, fieldname, words[offset], docs)
        keys = _sorted_keys(held * (1 << 32) + (positions - offset), keys)
        docs = _docs_of(keys)
        if not len(docs):
            break
    return docs


def holds_run(lookup, terms: Sequence[str], fieldname: str = CONTENT_FIELD) -> bool:
    """Whether some live document holds `terms` one after another (one term:
    anywhere), as search.query.lookup.holds_in answers through Whoosh."""
    if not all(lookup.doc_frequency(fieldname, term) for term in terms):
        return False
    if len(terms) == 1:
        return True
    rarest = min(terms, key=lambda term: lookup.doc_frequency(fieldname, term))
    candidates = lookup.docs(fieldname, rarest)
    start, batch = 0, FIRST_BATCH
    while start < len(candidates):
        within = docs_with_all(lookup, fieldname, terms, candidates[start:start + batch])
        if len(in_a_row(lookup, fieldname, terms, within)):
            return True
        start, batch = start + batch, batch * BATCH_GROWTH
    return False


def _docs_of(keys: np.ndarray) -> np.ndarray:
    """The distinct documents of sorted (document, position - offset) keys
    (an offset can make the low half negative: rounded back to its document)."""
    docs = (keys + (1 << 31)) >> 32
    return docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs


def _sorted_keys(found: np.ndarray, keys: Optional[np.ndarray]) -> np.ndarray:
    """The run keys of one word, kept where the previous words' `keys` have
    them too.  A term's positions come in document and position order, so
    the keys are sorted and distinct already: no sort or hash, only a binary
    search of one array in the other."""
    if len(found) > 1 and not (found[1:] > found[:-1]).all():
        found = np.unique(found)  # not expected: the files' positions are in order
    if keys is None:
        return found
    if not len(keys) or not len(found):
        return keys[:0]
    at = found.searchsorted(keys)
    at[at == len(found)] = 0
    return keys[found[at] == keys]
