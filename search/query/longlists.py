"""What a generation computes once for its longest posting lists: a common
term's BM25 over all its postings (its impacts), and the documents of a
common compound (대한민국: 대한 and 민국 in a row).

The tail of the benchmark queries at 100,000 articles was common words: a
query of 대한민국 alone matches 39,000 articles, and every one of them is
scored by every ranking term (대한, 민국, their bigrams, the alias 한국),
each over 22,000-35,000 postings, after the compound's positions were
compared in 33,000 articles.  None of that depends on the query beyond the
term: a term's BM25 in a document is fixed by the generation (Lucene's idf
from its document count and the term's frequency, its average field
length), and so are the documents holding a run of terms.  Lucene keeps the
like for the same reason (precomputed impacts; LRUQueryCache for clauses
that come back).

Only lists of at least LONG_POSTINGS postings are kept (a short list is read
faster than it is looked up), least recently used first out past
KEPT_BYTES in all.  The service runs one search at a time per generation
(search.service), so no lock is taken here.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable

import numpy as np

# A list shorter than this is read again each time.
LONG_POSTINGS = 4096
# The most kept per generation (document numbers and scores of every kept list).
KEPT_BYTES = 48 * 2**20


class LongLists:
    """The kept answers of one generation, least recently used first out."""

    def __init__(self, budget: int = KEPT_BYTES):
        self.budget = budget
        self.used = 0
        self._kept: OrderedDict[Hashable, tuple] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], tuple]) -> tuple:
        """The kept answer for `key`, or `compute()`'s (a tuple of arrays),
        kept when its first array is long enough."""
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        found = compute()
        if len(found[0]) >= LONG_POSTINGS:
            self._keep(key, found)
        return found

    def peek(self, key: Hashable):
        """The kept answer for `key`, or None (nothing computed)."""
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def keep(self, key: Hashable, value: tuple) -> None:
        """Keeps `value` (a tuple of arrays) if its first array is long enough."""
        if len(value[0]) >= LONG_POSTINGS and key not in self._kept:
            self._keep(key, value)

    def _keep(self, key: Hashable, value: tuple) -> None:
        size = sum(array.nbytes for array in value)
        if size > self.budget:
            return
        for array in value:
            array.flags.writeable = False  # shared by every later search: never changed in place
        self._kept[key] = value
        self.used += size
        while self.used > self.budget:
            _, dropped = self._kept.popitem(last=False)
            self.used -= sum(array.nbytes for array in dropped)


def impacts(lists: LongLists, lookup, fieldname: str, term: str, idf: float, avgfl: float, k1: float,
            b: float, boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """TermLookup.bm25 of a term, its unboosted scores kept for a long list
    (the boost multiplies them afterwards, as bm25 does: the same bits)."""
    docs, scores = lists.get(("bm25", fieldname, term, idf, avgfl, k1, b),
                             lambda: lookup.bm25(fieldname, term, idf, avgfl, k1, b))
    return (docs, scores * boost) if boost != 1.0 else (docs, scores)
