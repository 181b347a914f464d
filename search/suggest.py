"""Query corrections over the index's own vocabulary:

- `keyboard_rewrite`: a query typed with the Korean layout switched off
  (`tkatjdwjswk`) is recognised as the Hangul it spells (삼성전자) when the Latin
  words are unknown to the index and the Hangul ones are known.
- `did_you_mean`: a Hangul word the index does not know (삼성젼자, 나델러) is
  replaced by the indexed word nearest to it in jamo edit distance (삼성전자,
  나델라), preferring the more frequent word on ties.

The vocabulary is the `words` field (Hangul words as written, particles
removed), read once per index generation (`word_frequencies`: its terms and
document frequencies straight from each segment's term table, as Whoosh
counts them: per segment as written, deleted articles included).  Candidates come from a table keyed by
the word with one syllable masked (삼성*자), since a one- or two-jamo slip almost
always changes one syllable; so a lookup costs a few dictionary probes and a
handful of small edit distances, not a scan of the vocabulary.
"""

from __future__ import annotations

import re
import struct
from typing import Callable, Iterator, Optional

from search.index import BIGRAM_FIELD, CONTENT_FIELD, WORDS_FIELD, leaf_readers
from search.korean import is_hangul_word, jamo, jamo_distance, keys_to_hangul

# Suggestions are looked for when a search finds fewer articles than this.
SUGGEST_BELOW = 3
# Above this many articles, words seen in a single article are left out of the
# vocabulary: in a large archive they are mostly typos themselves.
RARE_WORD_CORPUS = 5000
_LATIN_QUERY = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+)*")


class Vocabulary:
    """Hangul words of one index generation with their document frequencies."""

    def __init__(self, reader):
        min_df = 2 if reader.doc_count_all() > RARE_WORD_CORPUS else 1
        self.frequency: dict[str, int] = {}
        self._masked: dict[str, list[str]] = {}
        if WORDS_FIELD not in reader.schema:
            return
        for raw, frequency in word_frequencies(reader, WORDS_FIELD).items():
            if frequency < min_df:
                continue
            word = raw.decode("utf-8")
            self.frequency[word] = frequency
            for key in _masks(word):
                self._masked.setdefault(key, []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def nearest(self, word: str) -> Optional[str]:
        """The known word closest to `word` in jamo edits (at most one edit per
        four jamo, at least one), most frequent first on equal distance."""
        limit = max(1, len(jamo(word)) // 4)
        best: Optional[tuple[int, int, str]] = None
        for key in _masks(word):
            for candidate in self._masked.get(key, ()):
                distance = jamo_distance(word, candidate, limit)
                if distance > limit or candidate == word:
                    continue
                rank = (distance, -self.frequency[candidate], candidate)
                if best is None or rank < best:
                    best = rank
        return best[2] if best else None


# Whoosh 2.7's term info (whoosh.codec.whoosh3.W3TermInfo): a flags byte, the
# total weight (float), then the document frequency (unsigned int), big-endian.
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5
_FIELD_NUMBER = struct.Struct("!H")


def word_frequencies(reader, fieldname: str) -> dict[bytes, int]:
    """Every term of `fieldname` with its document frequency summed over the
    segments, as `reader.iter_field` gives it (a segment's frequency counts
    its deleted documents too, as Whoosh's does), in the same term order.

    `iter_field` decodes each term's whole term info, unpickling the postings
    Whoosh inlines for rare terms, and on a multi-segment reader looks every
    term up again in each segment: 1.8 s for the 29,000 words of 100,000
    articles.  Reading the frequency's four bytes from each segment's term
    table takes 0.14 s.  A segment whose term table is not Whoosh 2.7's
    own is read through its public per-term look-up."""
    leaves = leaf_readers(reader)
    found: dict[bytes, int] = {}
    for leaf, _ in leaves:
        for term, frequency in _segment_frequencies(leaf, fieldname):
            found[term] = found.get(term, 0) + frequency
    return found if len(leaves) == 1 else dict(sorted(found.items()))  # Whoosh's order: by term bytes


def _segment_frequencies(leaf, fieldname: str) -> Iterator[tuple[bytes, int]]:
    terms = getattr(leaf, "_terms", None)
    table = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if table is None or not isinstance(fieldmap, dict) or not hasattr(table, "items_from"):
        for name, text in leaf.terms_from(fieldname, b""):
            if name != fieldname:
                return
            yield text, leaf.doc_frequency(fieldname, text)
        return
    if fieldname not in fieldmap:
        return
    prefix = _FIELD_NUMBER.pack(fieldmap[fieldname])  # a key is the field's number, then the term
    unpack = _DOC_FREQUENCY.unpack_from
    for key, value in table.items_from(prefix):
        if key[:2] != prefix:
            return
        yield key[2:], unpack(value, _DOC_FREQUENCY_AT)[0]


def _masks(word: str) -> list[str]:
    return [word[:i] + "*" + word[i + 1:] for i in range(len(word))] if len(word) >= 2 else []


def did_you_mean(vocab: Vocabulary, query: str, known: Optional[Callable[[str], bool]] = None) -> Optional[str]:
    """The query with each unknown Hangul word replaced by its nearest word of
    `vocab` (the generation's, search.query.generation), or None when nothing would change.  `known(word)` may vouch for a word the
    vocabulary of written forms lacks: an inflection whose morphemes the index
    has (만난 → 만나다, in an article that says 만나)."""
    if not vocab.frequency:
        return None
    changed = False
    out = []
    for token in re.split(r"(\s+)", query):
        fixed = None
        if len(token) >= 2 and is_hangul_word(token) and not (known is not None and known(token)):
            fixed = _correct_word(vocab, token)
        out.append(fixed or token)
        changed = changed or fixed is not None
    return "".join(out) if changed else None


# Particles a query word may end in (the vocabulary holds words without them).
_PARTICLES = ("에서", "에게", "까지", "부터", "으로", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만")


def _correct_word(vocab: Vocabulary, word: str) -> Optional[str]:
    if word in vocab:
        return None
    for particle in _PARTICLES:
        stem = word[: -len(particle)]
        if word.endswith(particle) and len(stem) >= 2:
            if stem in vocab:
                return None  # 삼성전자가: a known word and its particle
            nearest = vocab.nearest(stem)
            if nearest:
                return nearest + particle
    return vocab.nearest(word)


def keyboard_rewrite(searcher, query: str) -> Optional[str]:
    """The Hangul that `query` spells on a 두벌식 keyboard, if `query` looks like
    Korean typed with the wrong layout: Latin letters only, every word spelling
    whole syllables, none of them a word of the index and every Hangul word made
    of character pairs the index has."""
    text = query.strip()
    if not _LATIN_QUERY.fullmatch(text):
        return None
    words = text.split()
    converted = []
    for word in words:
        hangul = keys_to_hangul(word)
        if not hangul or not is_hangul_word(hangul):
            return None
        if searcher.doc_frequency(CONTENT_FIELD, word.lower()):
            return None  # a real Latin word of the index (ms, samsung)
        if len(hangul) >= 2 and not all(
            searcher.doc_frequency(BIGRAM_FIELD, hangul[i:i + 2]) for i in range(len(hangul) - 1)
        ):
            return None
        if len(hangul) == 1 and not searcher.doc_frequency(BIGRAM_FIELD, hangul):
            return None
        converted.append(hangul)
    return " ".join(converted)
