"""The proximity bonuses and title overlaps of one search, each document's
computed once.

A search reorders its top articles several times over mostly the same
documents: the page's top 30 when the matches are listed, the top 30 of the
grouped matches when same-event clusters are collapsed (search.collapse), the
top 30 of what is left listed after collapsing, and a relaxed tier's.  A
document's proximity bonus (search.query.execute.proximity) and its title
overlap (search.query.execute.title_overlap) depend only on the document and
the terms measured, never on the other documents read with it, so each is
read from the positions once per search and the later reorders take it from
here (measured over the 200 benchmark queries at 100,000 articles: 48 % of the
densest-window computations were repeats within their search).

One `Bonuses` lives for one search (search.query.run): nothing is kept
between searches, so what a search costs never depends on the searches before it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from search.query import execute

class Bonuses:
    """Per-search memo of `execute.proximity` and `execute.title_overlap`
    over one generation's `searcher` and term look-ups (`lookup`)."""

    def __init__(self, searcher, lookup):
        self.searcher = searcher
        self.lookup = lookup
        self._proximity: dict[tuple[str, ...], dict[int, float]] = {}
        self._overlap: dict[tuple[str, ...], dict[int, float]] = {}

    def proximity(self, docnums: Sequence[int], terms: Sequence[str]) -> dict[int, float]:
        """execute.proximity of `docnums` (its default window)."""
        return self._read(self._proximity, docnums, terms,
                          lambda missing: execute.proximity(self.searcher, self.lookup, missing, terms))

    def title_overlap(self, docnums: Sequence[int], terms: Sequence[str]) -> dict[int, float]:
        """execute.title_overlap of `docnums`."""
        return self._read(self._overlap, docnums, terms,
                          lambda missing: execute.title_overlap(self.searcher, self.lookup, missing, terms))

    @staticmethod
    def _read(memo: dict, docnums: Sequence[int], terms: Sequence[str],
              compute: Callable[[list[int]], dict[int, float]]) -> dict[int, float]:
        # A document without a bonus (fewer than two of the terms; none in its
        # title) is kept as None and left out of what is handed back, as
        # `compute` leaves it out: the reorders read a missing one as 0.0.
        known = memo.setdefault(tuple(terms), {})
        wanted = [int(docnum) for docnum in docnums]
        missing = [docnum for docnum in dict.fromkeys(wanted) if docnum not in known]
        if missing:
            found = compute(missing)
            for docnum in missing:
                known[docnum] = found.get(docnum)
        return {docnum: value for docnum in wanted if (value := known[docnum]) is not None}
