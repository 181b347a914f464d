"""Unicode normalisation of text before analysis, the same at index and at query
time, with a map from the normalised text's offsets back to the original's.

What changes (each a way the same word reaches us in different code points):

- decomposed Hangul (conjoining jamo, as macOS pastes file names and some
  editors save text: 삼성 as ᄉ ᅡ ᆷ ᄉ ᅥ ᆼ) and Latin letters followed by
  combining accents are composed (NFC);
- full-width Latin letters, digits and punctuation (ＡＩ, ２０１５, ＂) and the
  full-width currency signs (￦) fold to their ordinary forms (NFKC, for those
  characters only: NFKC everywhere would also rewrite ㈜, ①, ㎞ and the Hangul
  compatibility jamo of ㅋㅋ);
- NBSP, the ideographic space and the other typographic spaces become a space;
- zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) and the soft
  hyphen are removed: they split a word for the analyser but not for a reader.

Nothing else changes: line breaks, tabs and other text are kept as they are.
The stored article text is the original; tokens carry offsets into it, which
is what `OffsetMap.span` gives back, so highlights land on the characters the
reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import Optional

_JAMO = "\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff"  # conjoining jamo (incl. extended A/B)
_COMBINING = "\u0300-\u036f"  # combining accents (é typed as e + ◌́)
_FULLWIDTH = "\uff01-\uff5e\uffe0-\uffe2\uffe4-\uffe6"
_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# A letter or syllable before jamo or a combining mark may compose with them
# (가 + ᆨ → 각, e + ◌́ → é): the run starts there.
_WORK = re.compile(f"[A-Za-z\u00c0-\u024f\uac00-\ud7a3]?[{_JAMO}{_COMBINING}]+|[{_FULLWIDTH}{_SPACES}{_INVISIBLE}]+")
_NEEDS_WORK = re.compile(f"[{_JAMO}{_COMBINING}{_FULLWIDTH}{_SPACES}{_INVISIBLE}]")
_SPACE_SET = frozenset(chr(c) for c in [0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000])
_INVISIBLE_SET = frozenset(_INVISIBLE)


class OffsetMap:
    """Where the pieces of a normalised text came from: piece k of the
    normalised text starts at `norm[k]` and came from `orig[k]`, up to the next
    piece.  Characters inside a piece map one to one; a composed character maps
    to all of the characters it was composed from."""

    __slots__ = ("norm", "orig", "orig_end", "length")

    def __init__(self, norm: list[int], orig: list[int], orig_end: list[int], length: int):
        self.norm, self.orig, self.orig_end, self.length = norm, orig, orig_end, length

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters of normalised characters start…end."""
        k = bisect_right(self.norm, start) - 1
        new_start = self.orig[k] + (start - self.norm[k]) if self.orig_end[k] < 0 else self.orig[k]
        if end <= start:
            return new_start, new_start
        k = bisect_right(self.norm, end - 1) - 1
        if self.orig_end[k] < 0:
            new_end = self.orig[k] + (end - self.norm[k])
        else:
            new_end = self.orig_end[k]
        return new_start, new_end


def needs_normalizing(text: str) -> bool:
    """Whether `normalize_text` would change `text` (or any slice of it)."""
    return _NEEDS_WORK.search(text) is not None


def normalize_text(text: str) -> str:
    """`text` normalised for analysis (see the module documentation)."""
    return normalize_with_offsets(text)[0]


def normalize_with_offsets(text: str) -> tuple[str, Optional[OffsetMap]]:
    """The normalised text and the map of its offsets to `text`'s; the map is
    None when nothing changed (the common case, checked with one regex scan)."""
    if not _NEEDS_WORK.search(text):
        return text, None
    out: list[str] = []
    # Pieces: (normalised start, original start, original end or -1 for a
    # one-to-one stretch).
    norm: list[int] = []
    orig: list[int] = []
    orig_end: list[int] = []
    length = 0
    cursor = 0

    def copy(until: int) -> None:
        nonlocal length
        if until > cursor:
            norm.append(length)
            orig.append(cursor)
            orig_end.append(-1)
            out.append(text[cursor:until])
            length += until - cursor

    def piece(value: str, start: int, end: int) -> None:
        nonlocal length
        if not value:
            return
        for i, ch in enumerate(value):
            # Each output character of a folded piece maps to the whole piece
            # (a composed syllable to all of its jamo).
            norm.append(length + i)
            orig.append(start)
            orig_end.append(end)
        out.append(value)
        length += len(value)

    for match in _WORK.finditer(text):
        start, end = match.span()
        copy(start)
        run = match.group()
        if run[-1] in _SPACE_SET or run[-1] in _INVISIBLE_SET or "\uff01" <= run[-1] <= "\uffe6":
            for offset, ch in enumerate(run):
                at = start + offset
                if ch in _INVISIBLE_SET:
                    continue
                piece(" " if ch in _SPACE_SET else unicodedata.normalize("NFKC", ch), at, at + 1)
        else:
            _compose(run, start, piece)
        cursor = end
    copy(len(text))
    if not norm:  # everything removed
        norm, orig, orig_end = [0], [len(text)], [len(text)]
    return "".join(out), OffsetMap(norm, orig, orig_end, length)


def _compose(run: str, start: int, piece) -> None:
    """NFC of a run of jamo/combining marks, one composed character at a time
    so that each maps to the characters it came from."""
    i = 0
    while i < len(run):
        # The longest stretch from i that composes into one character (a
        # syllable is at most three jamo; an accented letter a few marks).
        best = i + 1
        for j in range(min(len(run), i + 4), i + 1, -1):
            if len(unicodedata.normalize("NFC", run[i:j])) == 1:
                best = j
                break
        piece(unicodedata.normalize("NFC", run[i:best]), start + i, start + best)
        i = best
