"""What the index holds, for the home page and the period presets, and example
searches computed from the index itself: words
frequent in the newest articles' titles, a pair of them that share a headline,
and the most prolific reporter and press.  Never a hard-coded word: on any
corpus every example finds something (each is checked before it is shown).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

from typing import Optional

from search import IndexOverview, SearchRequest, SearchService

RECENT_TITLES = 100  # the newest articles whose headlines are counted
MAX_WORDS = 3
HANGUL_WORD = re.compile(r"[가-힣]{2,}")


@dataclass(frozen=True)
class Example:
    label: str
    q: str = ""
    reporter: str = ""
    press: str = ""

    def url_args(self) -> dict[str, str]:
        return {k: v for k, v in (("q", self.q), ("reporter", self.reporter), ("press", self.press)) if v}


@dataclass(frozen=True)
class IndexFacts:
    overview: IndexOverview
    newest_published: Optional[str]  # ISO time of the newest article: the archive's "now"


_cache: dict[tuple[int, str, str], object] = {}
_lock = threading.Lock()


def _per_generation(service: SearchService, what: str, compute):
    """`compute(service)` once per index generation (a reindex swaps in new facts)."""
    generation = service.generation_name
    key = (id(service), generation, what)
    with _lock:
        if key not in _cache:
            for old in [k for k in _cache if k[0] == id(service) and k[1] != generation]:
                del _cache[old]
            _cache[key] = compute(service)
        return _cache[key]


def index_facts(service: SearchService) -> IndexFacts:
    return _per_generation(service, "facts", _facts)


def index_examples(service: SearchService) -> list[Example]:
    return _per_generation(service, "examples", _compute)


def _facts(service: SearchService) -> IndexFacts:
    newest = service.search(SearchRequest(sort="newest", size=1))
    published = newest.hits[0].published if newest.hits else None
    return IndexFacts(service.overview(), published)


def _is_hangul(text: str) -> bool:
    return bool(text) and all("가" <= ch <= "힣" for ch in text)


def _headline_words(service: SearchService, titles: list[str]) -> list[set[str]]:
    """Each title's Hangul words as written: runs of adjacent morphemes joined
    back (대한+민국 → 대한민국, 교과+서 → 교과서), leaving out verbs and
    adjectives (their term is a lemma such as 놓치다, not the text)."""
    analyzer = service.parser.analyzer
    found = []
    for title in titles:
        words, run, run_end, clean = set(), None, -1, True
        for term, _, start, end in analyzer.token_tuples(title) + [("", 0, -2, -2)]:
            surface = title[start:end] if start >= 0 else ""
            if run is not None and start == run_end and _is_hangul(surface) and term == surface:
                run_end = end
                continue
            if run is not None and clean:
                word = title[run:run_end]
                if HANGUL_WORD.fullmatch(word):
                    words.add(word)
            run, run_end = (start, end) if start >= 0 else (None, -1)
            clean = term == surface and _is_hangul(surface)
        found.append(words)
    return found


def _compute(service: SearchService) -> list[Example]:
    newest = service.search(SearchRequest(sort="newest", size=RECENT_TITLES))
    words_per_title = _headline_words(service, [hit.title for hit in newest.hits if hit.title])
    frequency = Counter(word for words in words_per_title for word in words)
    # A word in most headlines (a section name, a byline habit) says little.
    common = [w for w, n in frequency.most_common() if 2 <= n <= max(2, len(words_per_title) // 2)]
    candidates: list[Example] = [Example(word, q=word) for word in common[:MAX_WORDS]]
    if len(common) >= 2:
        top = common[: MAX_WORDS * 3]
        pair = next(
            ((a, b) for i, a in enumerate(top) for b in top[i + 1:] if any(a in ws and b in ws for ws in words_per_title)),
            None,
        )
        if pair:
            candidates.append(Example(f"{pair[0]} {pair[1]}", q=f"{pair[0]} {pair[1]}"))
    facets = newest.facets
    if facets.get("reporter"):
        name = facets["reporter"][0].value
        candidates.append(Example(f"{name} 기자의 기사", reporter=name))
    if facets.get("press"):
        name = facets["press"][0].value
        candidates.append(Example(f"{name} 기사", press=name))
    shown = []
    for example in candidates:
        request = SearchRequest(q=example.q, reporters=[example.reporter] if example.reporter else [],
                                presses=[example.press] if example.press else [], size=1)
        if service.search(request).total:
            shown.append(example)
    return shown
