"""A word found by its spelling where its morphemes find nothing.

mecab-ko reads some words otherwise alone than in an article's sentence, and
no other reading of the query (search.analysis.analyzer: `_read_again`) finds
the article's: a lone 품고 is a noun where the article's 품고 있는 is 품다 + 고;
a lone 스텐트, 합조단 or 전시관이다 splits elsewhere than in the text.  Such a
word still matches the articles that spell it: every character bigram of the
word in the `bigrams` field (which has no positions), then each candidate's
stored text checked for the word itself, so that 만이다 does not match an
article that only holds 만이 and 이다 apart.

`SpelledWord` is the constraint clause (compiled by search.query.compile);
the columnar executor evaluates it with `spelled_among`, Whoosh through its
matcher.  `spelled_spans` marks the word in a hit's text.
"""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
from whoosh import matching
from whoosh import query as Q

from search import stored as stored_fields
from search.analysis.normalize import normalize_text, normalize_with_offsets
from search.limits import deadline_passed

# Candidates (articles holding every bigram of the word) whose text is read
# to check the spelling.  Past this many, or once the search is out of time
# (search.limits), the rest are kept unchecked: a word whose every bigram is
# that common is rare, and reading a stored text costs ~60 µs (947
# candidates of 만이다 in 56 ms at 100,000 articles).
CHECKED_CANDIDATES = 20_000
# Candidates checked between two looks at the search's deadline.
CHECK_BATCH = 256


class SpelledWord(Q.WrappingQuery):
    """Articles whose text holds `text` as written: the child query (all of
    the word's bigrams) narrowed to the articles that spell the word in
    their `part` (PARTS)."""

    def __init__(self, text: str, child: Q.Query, reading: tuple[str, ...] = (), part: str = "all"):
        super().__init__(child)
        self.text = text
        self.part = part
        # The word's terms as the query read them, which the index does not
        # hold in a row: not marked in the hits (a lone 합조단's 단 would
        # mark every 단 of 조사단).
        self.reading = reading

    def __repr__(self):
        return f"{self.__class__.__name__}({self.text!r}, {self.child!r}, part={self.part!r})"

    def __eq__(self, other):
        return (type(other) is type(self) and other.text == self.text and other.part == self.part
                and other.child == self.child)

    def __hash__(self):
        return hash((self.__class__.__name__, self.text, self.part, self.child))

    def _rewrap(self, child: Q.Query) -> "SpelledWord":
        return self.__class__(self.text, child, self.reading, self.part)

    def matcher(self, searcher, context=None):
        found = self.child.matcher(searcher, context)
        docs = []
        while found.is_active():
            docs.append(found.id())
            found.next()
        kept = spelled_among(searcher, np.array(docs, dtype=np.int64), self.text, self.part)
        if not len(kept):
            return matching.NullMatcher()
        return matching.ListMatcher(kept.tolist())


# Which of an article's text fields a spelling is looked for in: all of them,
# the title (제목:), or everything but the title (본문:, as
# search.query.compile's field queries read it).
PART_FIELDS = {"all": ("title", "subtitles", "body", "captions"), "title": ("title",),
               "body": ("subtitles", "body", "captions")}
PARTS = tuple(PART_FIELDS)


def article_text(stored: dict, part: str = "all") -> str:
    """An article's text fields of `part` (PARTS) as one normalised text,
    lines apart (a word never spans two fields)."""
    fields = stored_fields.text_fields(stored, stored_fields.meta(stored))
    return normalize_text("\n".join(fields[name] for name in PART_FIELDS[part]))


def spelled_among(searcher, docs: np.ndarray, text: str, part: str = "all") -> np.ndarray:
    """The documents of `docs` whose text (of `part`, PARTS) holds `text`
    (normalised as the index normalises); past CHECKED_CANDIDATES, or once
    the search is out of time, the rest kept unchecked."""
    word = normalize_text(text).strip()
    if not word or not len(docs):
        return docs
    keep = np.ones(len(docs), dtype=bool)
    for low in range(0, min(len(docs), CHECKED_CANDIDATES), CHECK_BATCH):
        if low and deadline_passed():
            break
        batch = docs[low:min(low + CHECK_BATCH, CHECKED_CANDIDATES)].tolist()
        keep[low:low + len(batch)] = [word in article_text(searcher.stored_fields(int(d)), part) for d in batch]
    return docs[keep]


def spelled_clauses(query: Optional[Q.Query]) -> list[SpelledWord]:
    """`query`'s SpelledWord clauses, in query order."""
    return list(_walk(query)) if query is not None else []


def _walk(query: Q.Query) -> Iterator[SpelledWord]:
    if isinstance(query, SpelledWord):
        yield query
        return
    for child in query.children():
        yield from _walk(child)


def spelled_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where each of `words` stands in `text` (offsets into `text`, matched
    as normalised: a full-width or decomposed spelling finds the plain one)."""
    if not words or not text:
        return []
    normalized, offsets = normalize_with_offsets(text)
    spans = []
    for word in words:
        needle = normalize_text(word).strip()
        if not needle:
            continue
        at = normalized.find(needle)
        while at >= 0:
            end = at + len(needle)
            spans.append(offsets.span(at, end) if offsets is not None else (at, end))
            at = normalized.find(needle, end)
    return spans
