"""Progressive relaxation of a keyword query: the articles that miss some of
its words, for when those with every word fill less than a page.

Google shows such a hit with "Missing: word"; so do we (`missing`).  The
rules, in the order they apply:

- only the plain words a user typed relax (삼성전자 반도체); phrases, fields,
  exclusions (`-협력`) and filters (`기자:`, `언론사:`, `날짜:`) never do;
- a relaxed article holds at least half of the query's content words, where a
  digit-only or one-letter (non-Hangul) word is not content: an article that
  matches only the `1` of `<script>alert(1)</script>` is no answer;
- articles missing fewer words come first (one missing, then two, …), each
  tier ranked by the same scoring as the strict hits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from whoosh import query as Q

from search.query.bylines import byline_titles
from search.query.compile import constraint_of, read_against, reporter_words, word_query
from search.query.tree import ParsedQuery, plain_words
from search.query.words import QueryWords

_HANGUL_OR_HANJA = re.compile("[\uac00-\ud7a3\u4e00-\u9fff\u3131-\u318e]")


def is_content_word(text: str) -> bool:
    """A word that says what an article is about: not only digits and
    punctuation, and not a single Latin letter or other one-letter token
    (a single Hangul or Hanja syllable is a word: 쌀, 金)."""
    letters = re.sub(r"[\W_]+", "", text)
    if not letters or letters.isdigit():
        return False
    return len(letters) >= 2 or bool(_HANGUL_OR_HANJA.match(letters))


@dataclass
class Relaxation:
    """The relaxable words of a query and the articles that miss some of them."""

    labels: list[str]  # each relaxable word as typed
    word_docs: list[np.ndarray]  # sorted docnums holding each word
    docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # candidates, sorted
    missing_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def missing(self, docnum: int) -> list[str]:
        """The query words article `docnum` lacks."""
        out = []
        for label, docs in zip(self.labels, self.word_docs):
            i = int(docs.searchsorted(docnum))
            if i >= len(docs) or docs[i] != docnum:
                out.append(label)
        return out

    def tiers(self, allowed: np.ndarray) -> list[np.ndarray]:
        """The `allowed` candidates grouped by how many words they miss, fewest first."""
        keep = np.isin(self.docs, allowed)
        docs, counts = self.docs[keep], self.missing_count[keep]
        return [docs[counts == k] for k in sorted(set(counts.tolist()))]


def relax(analysis: QueryWords, vocabulary, parsed: ParsedQuery, size: int,
          docs_for: Callable[[Q.Query], np.ndarray]) -> Optional[Relaxation]:
    """The relaxation of a keyword query of two or more plain words, or None.

    `vocabulary` says which words are byline names (search.query.run's
    vocabulary_of: a generation's look-ups, which read the names once);
    `docs_for(query)` lists (sorted) the documents a query matches; `size` is
    the index's document count."""
    analysis = read_against(analysis, vocabulary)
    names = reporter_words(parsed, analysis, vocabulary)
    bylines = byline_titles(parsed.node, names)
    words = [w for w in plain_words(parsed.node) if id(w) not in bylines]
    if len(words) < 2:
        return None
    source = parsed.text
    labels: list[str] = []
    word_docs: list[np.ndarray] = []
    content: list[bool] = []
    for word in words:
        query = word_query(analysis, word, source, names)
        if query is None:
            continue  # a particle or punctuation alone: not a word to miss
        labels.append(word.text)
        word_docs.append(docs_for(query))
        content.append(is_content_word(word.text))
    relaxation = Relaxation(labels, word_docs)
    n_content = sum(content)
    if len(labels) < 2 or n_content == 0:
        return relaxation
    need = max(1, math.ceil(n_content / 2))
    held = np.zeros(size, dtype=np.int64)
    held_content = np.zeros(size, dtype=np.int64)
    for docs, is_content in zip(word_docs, content):
        held[docs] += 1
        if is_content:
            held_content[docs] += 1
    candidates = np.flatnonzero((held_content >= need) & (held < len(labels)))
    if len(candidates):
        # Whatever else the query says (phrases, exclusions, fields, filters)
        # still holds: the constraint without its plain words.
        rest = constraint_of(analysis, parsed.node, source, frozenset(id(w) for w in words) | bylines, names)
        if rest is not None:
            candidates = candidates[np.isin(candidates, docs_for(rest))]
    relaxation.docs = candidates.astype(np.int64)
    relaxation.missing_count = len(labels) - held[candidates]
    return relaxation
