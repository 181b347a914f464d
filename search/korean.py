"""Hangul arithmetic: syllables ↔ jamo, 초성 (initial consonants), the 두벌식
keyboard layout and a jamo-level edit distance.

A precomposed syllable (가–힣) is 0xAC00 + (initial × 21 + medial) × 28 + final,
so everything here is table lookups on that formula; nothing depends on a library.
"""

from __future__ import annotations

import re
from typing import Optional

SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3

# Compatibility jamo (what a keyboard types and what 초성 queries are written in).
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]

# Compound vowels and final clusters as the two keys that type them.
_VOWEL_PAIRS = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ"}
_FINAL_PAIRS = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
                "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
_VOWEL_JOIN = {v: k for k, v in _VOWEL_PAIRS.items()}
_FINAL_JOIN = {v: k for k, v in _FINAL_PAIRS.items()}

# 두벌식 (the standard Korean keyboard): Latin key → jamo; shifted keys give the
# tense consonants and ㅒ ㅖ.
_KEYS = {
    "q": "ㅂ", "w": "ㅈ", "e": "ㄷ", "r": "ㄱ", "t": "ㅅ", "y": "ㅛ", "u": "ㅕ", "i": "ㅑ", "o": "ㅐ", "p": "ㅔ",
    "a": "ㅁ", "s": "ㄴ", "d": "ㅇ", "f": "ㄹ", "g": "ㅎ", "h": "ㅗ", "j": "ㅓ", "k": "ㅏ", "l": "ㅣ",
    "z": "ㅋ", "x": "ㅌ", "c": "ㅊ", "v": "ㅍ", "b": "ㅠ", "n": "ㅜ", "m": "ㅡ",
    "Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ",
}
for _lower in "yuiasdfghjklzxcvbnm":
    _KEYS.setdefault(_lower.upper(), _KEYS[_lower])  # Shift on these keys types the same jamo


def is_syllable(ch: str) -> bool:
    return SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


_HANGUL_WORD = re.compile("[\uac00-\ud7a3]+")


def is_hangul_word(text: str) -> bool:
    return _HANGUL_WORD.fullmatch(text) is not None


def split_syllable(ch: str) -> tuple[str, str, str]:
    """'각' → ('ㄱ', 'ㅏ', 'ㄱ'); a non-syllable comes back as (ch, '', '')."""
    if not is_syllable(ch):
        return ch, "", ""
    index = ord(ch) - SYLLABLE_FIRST
    return INITIALS[index // 588], MEDIALS[(index % 588) // 28], FINALS[index % 28]


def join_syllable(initial: str, medial: str, final: str = "") -> str:
    return chr(SYLLABLE_FIRST + (INITIALS.index(initial) * 21 + MEDIALS.index(medial)) * 28 + FINALS.index(final))


# Every syllable → its initial consonant, for str.translate (indexing computes
# the 초성 of every word of every article).
_INITIAL_OF = {code: INITIALS[(code - SYLLABLE_FIRST) // 588] for code in range(SYLLABLE_FIRST, SYLLABLE_LAST + 1)}


def initials_of(text: str) -> str:
    """초성: '삼성전자' → 'ㅅㅅㅈㅈ'.  Characters that are not syllables are kept."""
    return text.translate(_INITIAL_OF)


def is_initials_query(text: str) -> bool:
    """Two or more compatibility consonants and nothing else: a 초성 search."""
    return len(text) >= 2 and all(ch in INITIALS for ch in text)


def jamo(text: str) -> str:
    """The keystroke-level jamo of `text` (compound vowels and final clusters split):
    '왕' → 'ㅇㅗㅏㅇ'.  Used for edit distances that see 젼/전 as one key apart."""
    out: list[str] = []
    for ch in text:
        if is_syllable(ch):
            initial, medial, final = split_syllable(ch)
            out.append(initial)
            out.append(_VOWEL_PAIRS.get(medial, medial))
            out.append(_FINAL_PAIRS.get(final, final))
        else:
            out.append(ch)
    return "".join(out)


# ------------------------------------------------------------------ keyboard layout

_CONSONANTS = set(INITIALS) | {f for f in FINALS if f}
_VOWELS = set(MEDIALS)


def keys_to_hangul(keys: str) -> Optional[str]:
    """Latin keystrokes typed with the Korean layout switched off, as the Hangul the
    user meant: 'tkatjdwjswk' → '삼성전자'.  None when a character is not a 두벌식
    key.  Automaton as an IME runs it: a consonant after a vowel closes the
    syllable unless the next key is a vowel (then it starts the next syllable)."""
    letters = []
    for ch in keys:
        if ch not in _KEYS:
            return None
        letters.append(_KEYS[ch])
    out: list[str] = []
    i, n = 0, len(letters)
    while i < n:
        ch = letters[i]
        if ch in _VOWELS:
            # A vowel with no initial consonant: written as a bare jamo.
            vowel, i = _take_vowel(letters, i)
            out.append(vowel)
            continue
        if i + 1 >= n or letters[i + 1] not in _VOWELS:
            out.append(ch)
            i += 1
            continue
        initial = ch
        vowel, i = _take_vowel(letters, i + 1)
        final = ""
        # The final consonant(s): taken unless the next key starts a new syllable.
        if i < n and letters[i] in _CONSONANTS and letters[i] in FINALS:
            if i + 1 >= n or letters[i + 1] not in _VOWELS:
                final = letters[i]
                i += 1
                if i < n and final + letters[i] in _FINAL_JOIN and (i + 1 >= n or letters[i + 1] not in _VOWELS):
                    final = _FINAL_JOIN[final + letters[i]]
                    i += 1
        out.append(join_syllable(initial, vowel, final))
    return "".join(out)


def _take_vowel(letters: list[str], i: int) -> tuple[str, int]:
    vowel = letters[i]
    if i + 1 < len(letters) and vowel + letters[i + 1] in _VOWEL_JOIN:
        return _VOWEL_JOIN[vowel + letters[i + 1]], i + 2
    return vowel, i + 1


def hangul_to_keys(text: str) -> str:
    """The Latin keys that type `text` on a 두벌식 keyboard ('삼성' → 'tkatjd')."""
    return "".join(_JAMO_KEYS.get(j, j) for j in jamo(text))


_JAMO_KEYS = {v: k for k, v in _KEYS.items() if k.islower()}
_JAMO_KEYS.update({_KEYS[k]: k for k in "QWERTOP"})


# ------------------------------------------------------------------ edit distance


def edit_distance(a: str, b: str, limit: Optional[int] = None) -> int:
    """Levenshtein distance; with `limit`, any value above it is reported as limit + 1
    (and the computation stops early)."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        best = i
        for j, cb in enumerate(b, start=1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if limit is not None and best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def jamo_distance(a: str, b: str, limit: Optional[int] = None) -> int:
    """Edit distance between the keystroke jamo of two words: 삼성젼자/삼성전자 is 1
    (ㅕ for ㅓ), where a syllable-level distance cannot tell a near miss from a
    different syllable."""
    return edit_distance(jamo(a), jamo(b), limit)
