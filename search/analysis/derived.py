"""Analyzers for the index fields derived from an article's text, used for ranking
and Korean conveniences rather than shown to users:

    BigramAnalyzer    overlapping character bigrams of Hangul/Hanja runs (as
                      Lucene's CJK analyzer makes them), words for Latin and digits:
                      a second view of the text that does not depend on the
                      morphological analyser getting an unknown name right
                      (멜라놉신 → 멜라 라놉 놉신, where mecab guesses 멜라/놉/신)
    InitialsAnalyzer  the 초성 of every word and compound (삼성전자 → ㅅㅅㅈㅈ), for
                      initial-consonant search

Both are cheap (no dictionary); the initials come from the morpheme tokens, so
that a word and its compound parts are known.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Iterator, Optional

from whoosh.analysis import Analyzer, Token

from search.analysis.normalize import needs_normalizing, normalize_text, normalize_with_offsets
from search.korean import initials_of, is_hangul_word

_CJK_RANGES = "\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_CJK_RANGES}]+|[^\\W_{_CJK_RANGES}]+")
_CJK = re.compile(r"[\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def bigrams(text: str) -> Iterator[tuple[str, int, int]]:
    """(gram, startchar, endchar): Hangul/Hanja runs as overlapping bigrams (a
    one-character run as itself), other letters and digits as lower-cased words.
    The grams are of the normalised text (as the Korean analyzer's terms are),
    the offsets of `text` itself."""
    normalized, offsets = normalize_with_offsets(text)
    for gram, start, end in _bigrams(normalized):
        if offsets is not None:
            start, end = offsets.span(start, end)
        yield gram, start, end


def _bigrams(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _RUN.finditer(text):
        run, start = match.group(), match.start()
        if _CJK.match(run):
            if len(run) == 1:
                yield run, start, start + 1
            for i in range(len(run) - 1):
                yield run[i:i + 2], start + i, start + i + 2
        else:
            yield run.lower(), start, match.end()


def bigram_terms(text: str) -> list[str]:
    """The grams of `bigrams(text)` without their offsets (for indexing)."""
    out: list[str] = []
    for run in _RUN.findall(normalize_text(text)):
        if _CJK.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend([run[i:i + 2] for i in range(len(run) - 1)])
        else:
            out.append(run.lower())
    return out


# Every two adjacent Hangul/Hanja characters (overlapping: a look-ahead
# group), a Hangul/Hanja character with none on either side, and the runs of
# other letters and digits: the grams of `bigram_terms`, found by three scans
# in C instead of a slice per gram in Python.
_PAIR = re.compile(f"(?=([{_CJK_RANGES}][{_CJK_RANGES}]))")
_LONE = re.compile(f"(?<![{_CJK_RANGES}])[{_CJK_RANGES}](?![{_CJK_RANGES}])")
_WORD = re.compile(f"[^\\W_{_CJK_RANGES}]+")


def bigram_counts(text: str) -> Counter:
    """How often each gram of `bigram_terms(text)` occurs (for indexing, where
    their order does not matter).  Pairs, lone characters and words are
    disjoint sets of strings, so one count over them all is the same count."""
    normalized = normalize_text(text)
    words = _WORD.findall(normalized)
    # Each word lower-cased on its own (as bigram_terms does): a whole-text
    # lower() could change where words end (İ lower-cases to i + a combining dot).
    lowered = " ".join(words).lower().split(" ") if words else []
    return Counter(_PAIR.findall(normalized) + _LONE.findall(normalized) + lowered)


class _SimpleAnalyzer(Analyzer):
    """An analyzer with no settings, equal to any other of its class."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self).__name__)

    def _tokens(self, items: Iterable[tuple[str, int, int]], positions, chars, kwargs) -> Iterator[Token]:
        token = Token(positions, chars, **{k: v for k, v in kwargs.items() if k in ("removestops", "mode")})
        token.boost = 1.0
        token.stopped = False
        for pos, (text, start, end) in enumerate(items):
            token.text = text
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start, end
            yield token


class BigramAnalyzer(_SimpleAnalyzer):
    def __call__(self, value, positions=False, chars=False, **kwargs) -> Iterator[Token]:
        return self._tokens(bigrams(value), positions, chars, kwargs)


def initials_from_tokens(text: str, tokens: Iterable[tuple[str, int, int, int]]) -> list[str]:
    """초성 keys of the words in `text` (see `words_from_tokens`): 삼성전자 → ㅅㅅㅈㅈ."""
    return list(dict.fromkeys(initials_of(word) for word in words_from_tokens(text, tokens)))


def words_from_tokens(text: str, tokens: Iterable[tuple[str, int, int, int]]) -> list[str]:
    """The Hangul words of `text`, given its morpheme tokens (term, pos, start,
    end): each noun-like morpheme (indexed as written; verbs are indexed as their
    lemma) of two or more syllables, and each run of them written together
    without its particle (삼성+전자 in 삼성전자는 → 삼성전자)."""
    keys: list[str] = []
    append = keys.append
    # A text with nothing to normalise has no slice to normalise either (the
    # common case): its slices are taken as they are, one scan for them all.
    plain = not needs_normalizing(text)
    seen_spans: set[tuple[int, int]] = set()
    # The current run of noun-like morphemes written together.  A run of one
    # morpheme is that morpheme's own key, already kept: only longer runs are
    # keys of their own.
    run_start, run_end, run_length = 0, -1, 0

    def close_run() -> None:
        surface = text[run_start:run_end] if plain else normalize_text(text[run_start:run_end])
        if len(surface) >= 2 and is_hangul_word(surface):
            append(surface)

    for term, _, start, end in tokens:
        if end <= start:
            continue
        span = (start, end)
        if span in seen_spans:
            continue  # a Hanja reading sharing its word's span
        seen_spans.add(span)
        surface = text[start:end] if plain else normalize_text(text[start:end])
        if term != surface:
            # A verb or adjective (indexed as its lemma, 움직이다 for 움직이):
            # not a name, and not part of one.
            if run_length > 1:
                close_run()
            run_length = 0
            continue
        if run_length and start == run_end:
            run_end = end
            run_length += 1
        else:
            if run_length > 1:
                close_run()
            run_start, run_end, run_length = start, end, 1
        if len(surface) >= 2 and is_hangul_word(surface):
            append(surface)
    if run_length > 1:
        close_run()
    return list(dict.fromkeys(keys))


class KeyedText(str):
    """Text whose derived keys (초성 or words) were computed from tokens at hand."""

    __slots__ = ("keys",)

    def __new__(cls, text: str, keys: list[str]):
        obj = super().__new__(cls, text)
        obj.keys = keys
        return obj

    def __reduce__(self):
        return (KeyedText, (str(self), self.keys))


class WordKeysAnalyzer(_SimpleAnalyzer):
    """The Hangul words of a text (`initials=False`, the vocabulary for
    did-you-mean) or their 초성 (`initials=True`): precomputed (`KeyedText`), else
    from the Korean analyzer's tokens (so they follow the index's own morphology)."""

    def __init__(self, backend: str = "mecab", initials: bool = False):
        self.backend = backend
        self.initials = initials

    def __eq__(self, other):
        return type(other) is type(self) and other.__getstate__() == self.__getstate__()

    def __hash__(self):
        return hash((type(self).__name__, self.backend, self.initials))

    def __getstate__(self):
        return {"backend": self.backend, "initials": self.initials}

    def __setstate__(self, state):
        self.backend = state.get("backend", "mecab")
        self.initials = state.get("initials", False)

    def __call__(self, value, positions=False, chars=False, **kwargs) -> Iterator[Token]:
        if isinstance(value, KeyedText):
            keys = value.keys
        else:
            from search.analysis.analyzer import KoreanAnalyzer

            tokens = KoreanAnalyzer(self.backend).token_tuples(value)
            keys = (initials_from_tokens if self.initials else words_from_tokens)(value, tokens)
        return self._tokens(((key, 0, 0) for key in keys), positions, chars, kwargs)
