"""Autocomplete: what the search box offers while a reader types.

Completions come from one index generation: the words and two-word phrases of
the titles, the reporters and the presses, each with its document frequency
and its latest publication day.  They are found three ways:

- by prefix, compared at the level of keystrokes (jamo), so the half-typed
  syllables an IME shows while composing (`사`, `삼ㅅ`, `삼서`) already find
  삼성;
- by 초성 prefix: `ㅅㅅㅈ` finds 삼성전자 (a query made only of consonants);
- by the keyboard-layout rewrite: Latin keys typed with the Korean layout off
  (`tkatjd`) are read as the jamo they type on a 두벌식 keyboard, when the Latin
  text itself completes nothing.

The table is built once per generation (`for_generation`): two sorted lists of
keys (jamo, 초성) pointing at entries, searched with `bisect`; the entries of a
key range are ranked by one precomputed rank (more documents first, then the
more recent, then the text), so a lookup is two bisections and a partial sort
of the range with numpy, whatever the size of the index.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from search import stored as stored_fields
from search.index import WORDS_FIELD
from search.mapped import open_index
from search.korean import INITIALS, initials_of, jamo, keys_to_hangul

LIMIT = 10
# Two-word title phrases are offered only when this many titles share them:
# a phrase seen once is just that one headline.
PHRASE_MIN_DOCS = 2
MAX_QUERY = 100  # characters looked at; a completion is never longer than a headline's words

# A title word: letters and digits (Hangul, Latin, numbers such as 3분기), with
# inner dots/ampersands kept for names like S&P.
_TITLE_WORD = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+(?:[&.][0-9A-Za-z\uac00-\ud7a3]+)*")
_HANGUL_TAIL = re.compile(r"[\uac00-\ud7a3]+$")
_LATIN_KEYS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
# Particles a title word may end in; stripped only when the index's own word
# list (the `words` field: Hangul words as written, particles removed) agrees.
_PARTICLES = ("에서", "에게", "까지", "부터", "으로", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만")
_COMPOUND_JAMO = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
                  "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
                  "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
_SPLIT_COMPOUND = str.maketrans(_COMPOUND_JAMO)

KINDS = ("term", "phrase", "reporter", "press")


@dataclass(frozen=True)
class Suggestion:
    text: str    # what the list shows
    query: str   # what goes into the search box when it is chosen
    kind: str    # term | phrase | reporter | press
    count: int   # articles (titles, for terms and phrases)


def _fold(text: str) -> str:
    """NFC, lower case, one space between words.  Not NFKC: it would turn the
    compatibility jamo of a 초성 query (ㅅ) into conjoining ones."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def keystrokes(text: str) -> str:
    """The jamo a keyboard types for `text` (compound vowels and final clusters
    as their two keys), the form prefixes are compared in."""
    return jamo(_fold(text)).translate(_SPLIT_COMPOUND)


def _initials_key(text: str) -> str:
    return initials_of(_fold(text)).replace(" ", "")


def _is_initials(text: str) -> bool:
    compact = text.replace(" ", "")
    return len(compact) >= 2 and all(ch in INITIALS for ch in compact)


def _layout_keys(text: str) -> Optional[str]:
    """`tkatjd` → the keystrokes of 삼성; None unless the text is Latin letters only."""
    if not _LATIN_KEYS.fullmatch(text):
        return None
    words = []
    for word in text.split(" "):
        hangul = keys_to_hangul(word)
        if hangul is None:
            return None
        words.append(hangul)
    return keystrokes(" ".join(words))


class Completions:
    """The completion table of one index generation."""

    def __init__(self, entries: list[tuple[str, str, str, int, int]]):
        """`entries`: (text, query, kind, documents, latest day ordinal)."""
        # One entry per shown text: the most frequent kind wins (a reporter who
        # is also a title word is offered once).
        best: dict[str, tuple[str, str, str, int, int]] = {}
        for entry in entries:
            kept = best.get(entry[0])
            if kept is None or (entry[3], entry[4]) > (kept[3], kept[4]):
                best[entry[0]] = entry
        ordered = sorted(best.values(), key=lambda e: (-e[3], -e[4], e[0]))
        self.entries = [Suggestion(text, query, kind, count) for text, query, kind, count, _ in ordered]
        # Entry i has rank i, so ranking a key range is sorting entry numbers.
        by_keys = sorted((keystrokes(s.text), i) for i, s in enumerate(self.entries))
        self._keys = [k for k, _ in by_keys]
        self._key_entries = np.array([i for _, i in by_keys], dtype=np.int64)
        by_initials = sorted((_initials_key(s.text), i) for i, s in enumerate(self.entries)
                             if any("\uac00" <= ch <= "\ud7a3" for ch in s.text))
        self._initials = [k for k, _ in by_initials]
        self._initial_entries = np.array([i for _, i in by_initials], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.entries)

    def suggest(self, q: str, limit: int = LIMIT) -> list[Suggestion]:
        text = _fold(q[:MAX_QUERY])
        if not text or limit <= 0:
            return []
        if _is_initials(text):
            return self._best(self._initials, self._initial_entries, text.replace(" ", ""), limit)
        found = self._best(self._keys, self._key_entries, keystrokes(text), limit)
        if not found and len(text) >= 2:
            layout = _layout_keys(text)
            if layout:
                found = self._best(self._keys, self._key_entries, layout, limit)
        return found

    def _best(self, keys: list[str], entries: np.ndarray, prefix: str, limit: int) -> list[Suggestion]:
        low = bisect_left(keys, prefix)
        high = bisect_left(keys, prefix + "\U0010ffff", low)
        if low >= high:
            return []
        matched = entries[low:high]
        if len(matched) > limit:
            matched = np.partition(matched, limit - 1)[:limit]
        return [self.entries[i] for i in np.sort(matched)]


def _title_words(title: str, is_word) -> list[str]:
    """The words of a title as a reader would type them: particles dropped
    (삼성전자가 → 삼성전자, SK하이닉스가 → SK하이닉스) and verbs left out, both
    by the index's own word list (`is_word`: the `words` field, noun-like runs
    as written), single syllables left out."""
    out = []
    for token in _TITLE_WORD.findall(unicodedata.normalize("NFC", title)):
        for candidate in (token,) + tuple(token[: -len(p)] for p in _PARTICLES if token.endswith(p)):
            if len(candidate) < 2:
                continue
            tail = _HANGUL_TAIL.search(candidate)
            if tail is None or is_word(candidate) or (tail.start() > 0 and is_word(tail.group())):
                out.append(candidate)
                break
    return out


def _quoted(field: str, value: str) -> str:
    return f'{field}:"{value}"' if re.search(r"\s", value) else f"{field}:{value}"


def build(reader) -> Completions:
    """The completion table of the index `reader` reads: one pass over the
    stored fields of its live articles."""
    known: dict[str, bool] = {}
    has_words = WORDS_FIELD in reader.schema

    def is_word(word: str) -> bool:
        if word not in known:
            known[word] = bool(has_words and reader.doc_frequency(WORDS_FIELD, word))
        return known[word]

    def articles():
        for docnum in reader.all_doc_ids():
            stored = reader.stored_fields(docnum)
            meta = stored_fields.meta(stored)
            published = stored_fields.iso_datetime(meta.get("published"))
            yield (stored_fields.text(stored.get("title")) or "", stored_fields.texts(meta.get("reporters")),
                   stored_fields.text(stored.get("press")) or "", published.date().toordinal() if published else 0)

    return from_articles(articles(), is_word)


def from_articles(articles, is_word) -> Completions:
    """The table of `articles`, each (title, reporters, press, day ordinal or 0);
    `is_word(word)` says whether a Hangul word is a noun-like word of the index."""
    counts: Counter[tuple[str, str]] = Counter()
    latest: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], str] = {}

    def add(kind: str, text: str, day: int) -> None:
        key = (kind, text.lower())
        counts[key] += 1
        shown.setdefault(key, text)
        if latest.get(key, -1) < day:
            latest[key] = day

    for title, reporters, press, day in articles:
        words = list(dict.fromkeys(_title_words(title, is_word)))
        for word in words:
            add("term", word, day)
        for phrase in dict.fromkeys(f"{a} {b}" for a, b in zip(words, words[1:])):
            add("phrase", phrase, day)
        for name in dict.fromkeys(name.strip() for name in reporters):
            if name:
                add("reporter", name, day)
        if press.strip():
            add("press", press.strip(), day)

    entries = []
    for key, count in counts.items():
        kind, text = key[0], shown[key]
        if kind == "phrase" and count < PHRASE_MIN_DOCS:
            continue
        query = text if kind in ("term", "phrase") else _quoted("기자" if kind == "reporter" else "언론사", text)
        entries.append((text, query, kind, count, latest[key]))
    return Completions(entries)


# A request waits this long for its generation's table; past that it gets no
# completions while the build goes on (about 25 s at 100,000 articles), so a
# server's threads are never all held by a build.
BUILD_WAIT = 2.0

_tables: dict[str, Completions] = {}
_building: dict[str, threading.Event] = {}
_lock = threading.Lock()


def for_generation(path: Path, wait: Optional[float] = BUILD_WAIT) -> Optional[Completions]:
    """The table of the index generation at `path`; its build starts (in a
    thread of its own, with a reader of its own, so searches never wait for
    it) on first use.  None when it is not ready within `wait` seconds (None:
    wait for it).  A new generation, after a reindex, gets a new table and the
    old one is let go."""
    key = str(path)
    with _lock:
        table = _tables.get(key)
        if table is not None:
            return table
        done = _building.get(key)
        if done is None:
            done = _building[key] = threading.Event()
            threading.Thread(target=_build_table, args=(key, done), name="autocomplete-build", daemon=True).start()
    done.wait(wait)
    return _tables.get(key)


def _build_table(key: str, done: threading.Event) -> None:
    try:
        index = open_index(key)  # read in place, not copied (search.mapped)
        try:
            with index.reader() as reader:
                fresh = build(reader)
        finally:
            index.close()
        with _lock:
            _tables.clear()  # one generation is current at a time
            _tables[key] = fresh
    except Exception:  # noqa: BLE001 -- a generation swept away mid-build: the next request tries again
        pass
    finally:
        with _lock:
            _building.pop(key, None)
        done.set()
