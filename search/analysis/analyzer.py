"""The Korean analyzer: Unicode normalisation, a morpheme tokenizer followed by
small filters, each with one job, composed into one Whoosh analyzer used at
index and at query time.

    normalize_with_offsets      NFC Hangul, full-width folded, odd spaces and
                                zero-width characters (search.analysis.normalize);
                                offsets are mapped back to the original text
    MorphemeTokenizer           text → morphemes with exact character offsets
    | PartOfSpeechFilter        keep content morphemes, drop particles/endings/suffixes
    | LemmaFilter               verbs and adjectives → dictionary form (나섰다 → 나서다)
    | NumberUnitFilter          180조원 → 180 조 원, as 180조 원 is read
    | CompoundSplitFilter       compound nouns → their parts (성장산업 → 성장 + 산업)
    | HanjaReadingFilter        Hanja also indexed by its Hangul reading (文 → 문)
    | LowercaseFilter           Latin letters lower-cased (MS → ms)
    | PositionFilter            consecutive positions, so phrases match across dropped particles

Why one module of over 400 lines: the tokenizer and its filters are small
classes that only make sense as one chain, in this order; each is short and
named for its one job.  The query's reading of a lone word (query_token_tuples:
in a carrier sentence, then again without its particle where the index lacks
the first reading) is here too, because it must run this same chain and its
private fused form, term for term.

The analyzer pickles as its configuration only: Whoosh stores the schema in the
index, and the morphological backend (a C library handle) is created lazily once
per process by `get_backend`.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, Optional

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer
from whoosh.analysis.filters import LowercaseFilter

from search.analysis.hanja import hanja_reading
from search.analysis.morphology import Morpheme, get_backend
from search.analysis.normalize import OffsetMap, normalize_with_offsets
from search.analysis.numbers import NumberUnitFilter, split_amount
from search.analysis.particles import particle_stems

# What becomes an index term (mecab-ko-dic / Sejong tags).  Adverbs (MAG, MAJ) and
# determiners (MM) stay: dropping them measurably hurt retrieval.
CONTENT_TAGS = frozenset(
    {
        "NNG", "NNP", "NNB", "NNBC", "NR", "NP",  # nouns, numerals, pronouns
        "VV", "VA",  # verbs and adjectives (as lemmas)
        "XR",  # roots (깨끗 of 깨끗하다)
        "MAG", "MAJ", "MM",  # adverbs, determiners
        "SL", "SH", "SN",  # Latin words, Hanja, numbers
        "UNKNOWN", "UNA", "NA", "NF", "NV",  # words the dictionary does not know
    }
)
PREDICATE_TAGS = frozenset({"VV", "VA"})


_HANJA = re.compile("[\u4e00-\u9fff\uf900-\ufaff]")


def _is_hanja(text: str) -> bool:
    """Whether `text` holds a CJK ideograph (or a compatibility one)."""
    return _HANJA.search(text) is not None


def _is_hangul(text: str) -> bool:
    return bool(text) and all("\uac00" <= ch <= "\ud7a3" for ch in text)


class MorphemeTokenizer(Tokenizer):
    """Yields one Whoosh token per morpheme; the morpheme rides along on the token
    (`token.morpheme`) for the filters."""

    def __init__(self, backend: str = "mecab"):
        self.backend = backend

    def __eq__(self, other):
        return type(other) is type(self) and other.backend == self.backend

    def __getstate__(self):
        return {"backend": self.backend}

    def __setstate__(self, state):
        self.backend = state.get("backend", "mecab")

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:
        if not tokenize:
            token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
            token.text = token.original = value
            token.boost = 1.0
            token.stopped = False
            token.morpheme = Morpheme(value, "NNG", 0, len(value), value)
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for morpheme in get_backend(self.backend).analyze(value):
            token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
            token.text = morpheme.surface
            token.boost = 1.0
            token.stopped = False
            token.posinc = 1
            token.morpheme = morpheme
            if keeporiginal:
                token.original = morpheme.surface
            if chars:
                token.startchar = start_char + morpheme.start
                token.endchar = start_char + morpheme.end
            yield token


class _MorphemeFilter(Filter):
    """A filter with no settings: equal to any other of its class, pickles empty."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self).__name__)


class PartOfSpeechFilter(_MorphemeFilter):
    """Drops particles, endings, suffixes, the copula and punctuation."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.morpheme.tag in CONTENT_TAGS:
                yield token


class LemmaFilter(_MorphemeFilter):
    """Verbs and adjectives become their dictionary form (stem + 다), so 나섰다,
    나서는 and 나설 are one term; nouns take mecab's base form (뭘 → 무엇)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            morpheme = token.morpheme
            if morpheme.tag in PREDICATE_TAGS:
                token.text = morpheme.lemma + "다"
            elif morpheme.lemma != morpheme.surface and not morpheme.parts:
                token.text = morpheme.lemma
            yield token


class CompoundSplitFilter(_MorphemeFilter):
    """Compound nouns are indexed as their parts only (Nori's default), so a
    compound and its spaced-out spelling are the same terms.  Each part points at
    its own characters when the parts spell the surface, else at the whole word."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            parts = token.morpheme.parts
            if len(parts) < 2:
                yield token
                continue
            surface = token.morpheme.surface
            exact = "".join(parts) == surface
            cursor = 0
            start = getattr(token, "startchar", None)
            for part in parts:
                piece = token.copy()
                piece.text = part
                piece.posinc = 1
                if start is not None:
                    if exact:
                        piece.startchar = start + cursor
                        piece.endchar = start + cursor + len(part)
                    else:
                        piece.startchar = start
                        piece.endchar = start + len(surface)
                cursor += len(part)
                yield piece


class HanjaReadingFilter(_MorphemeFilter):
    """Hanja (common in headlines: 文 대통령, 對中 수출, 삼성電) is also indexed by
    its Hangul reading at the same position, so 문 대통령 finds 文 대통령.  The
    reading is mecab-ko-dic's for the Hanja words it knows, else read character
    by character from the headline Hanja table (`search.analysis.hanja`)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            yield token
            text = token.morpheme.surface
            reading = token.morpheme.reading
            if not reading and _is_hanja(text) and token.text == text:
                reading = hanja_reading(text)
            if reading and _is_hanja(text) and _is_hangul(reading):
                alias = token.copy()
                alias.text = reading
                alias.posinc = 0
                yield alias


class PositionFilter(_MorphemeFilter):
    """Numbers the surviving tokens 0, 1, 2, … (a reading shares its word's
    position).  Dropped particles leave no gaps, so the phrase "기술 협력" matches
    기술 협력 and 기술의 협력 alike."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        position = -1
        for token in tokens:
            if getattr(token, "posinc", 1) or position < 0:
                position += 1
            if token.positions:
                token.pos = position
            yield token


class PreTokenized(str):
    """Text whose tokens were already computed (in a worker process during a
    reindex): the analyzer replays them instead of analysing again."""

    __slots__ = ("tokens",)

    def __new__(cls, text: str, tokens: list[tuple[str, int, int, int]]):
        obj = super().__new__(cls, text)
        obj.tokens = tokens
        return obj

    def __reduce__(self):
        return (PreTokenized, (str(self), self.tokens))


class KoreanAnalyzer(CompositeAnalyzer):
    """The analyzer for Korean text fields; `backend` is `mecab` (default) or `kiwi`.

    The filter chain above defines what becomes a term.  Run as Whoosh composes
    it, every morpheme passes through seven generators and up to three token
    copies, which together cost more than mecab's own parse.  So while the chain
    is exactly the default one, the analyzer runs `_fused_terms` instead: the
    same steps in one loop over plain tuples.  `tests/test_perf_analysis.py`
    holds the two to identical output on real text; any other chain (or a
    request the fused loop does not cover) runs the filters themselves.
    """

    def __init__(self, backend: str = "mecab"):
        super().__init__(
            MorphemeTokenizer(backend),
            PartOfSpeechFilter(),
            LemmaFilter(),
            NumberUnitFilter(),
            CompoundSplitFilter(),
            HanjaReadingFilter(),
            LowercaseFilter(),
            PositionFilter(),
        )
        self.backend = backend

    def _fusable(self, kwargs) -> bool:
        return (
            tuple(type(item) for item in self.items) == _DEFAULT_CHAIN
            and kwargs.get("tokenize", True)
            and not kwargs.get("keeporiginal")
            and not kwargs.get("no_morph")
        )

    def __call__(self, value, positions=False, chars=False, **kwargs):
        if isinstance(value, PreTokenized):
            return _replay(value.tokens, positions, chars, kwargs, reuse=True)
        if self._fusable(kwargs):
            tuples = self._terms(value, kwargs.get("start_char", 0))
            # Whoosh's indexing formats read each token before asking for the next,
            # so one token object can be reused there; other callers may keep the
            # tokens (list(analyzer(text))) and get one object each.
            return _replay(tuples, positions, chars, kwargs, reuse=kwargs.get("mode") == "index")
        normalized, offsets = normalize_with_offsets(value)
        tokens = super().__call__(normalized, positions=positions, chars=chars, **kwargs)
        if offsets is None or not chars:
            return tokens
        return _mapped_tokens(tokens, offsets, kwargs.get("start_char", 0))

    def _terms(self, text: str, start_char: int = 0) -> list[tuple[str, int, int, int]]:
        """The fused chain over the normalised text, offsets into `text`."""
        normalized, offsets = normalize_with_offsets(text)
        if offsets is None:
            return _fused_terms(self.items[0].backend, text, start_char)
        out = []
        for term, pos, start, end in _fused_terms(self.items[0].backend, normalized):
            start, end = offsets.span(start, end)
            out.append((term, pos, start + start_char, end + start_char))
        return out

    def token_tuples(self, text: str) -> list[tuple[str, int, int, int]]:
        """(term, position, startchar, endchar) for every token of `text`."""
        if self._fusable({}):
            return self._terms(text)
        return [(t.text, t.pos, t.startchar, t.endchar) for t in self(text, positions=True, chars=True)]

    def query_token_tuples(self, text: str, known: Optional[Callable[[tuple[str, ...]], bool]] = None
                           ) -> list[tuple[str, int, int, int]]:
        """`token_tuples` of query text, analysed as it would be inside a sentence.

        mecab-ko weighs each reading by its context, and a query has none: a
        lone 미국의 reads 미 + 국의 (a genitive at the very end of a text is
        improbable to its model) where every article has 미국 + 의.  So the
        query is analysed followed by QUERY_CARRIER (an object and a
        predicate: after it, a particle is as plausible as in running text),
        and only the tokens inside the query's own characters are kept
        (positions renumbered from 0, offsets into `text`).  Measured on the
        words of the shared real corpora (13,000 noun + particle forms): the
        lone form gets its in-sentence terms 90% of the time, in the carrier
        99.1%; over all words, 92% → 96.5%.  What is left is mostly ambiguity
        only the article's sentence resolves (길은: road or long; 강도: robbery
        or 강 + 도).  Measured and not kept: a subject before the query (그는 …)
        scored 99.1% / 96.9% but split names (신용재를 → 신 + 용재); an adverb
        and verb after it (… 모두 말했다.) 99.2% / 95.0%, and more two-noun
        queries without results on benchmarks/query_forms.py.

        `known(terms)` says whether the index holds these terms one after
        another (a single term: anywhere).  With it, a word whose terms the
        index does not hold so is read again (`_read_again`), mostly without
        its particle: 토포스로 in the carrier is 토포 + 스로 where the
        article's 토포스가 is 토 + 포스; 마산만 is the bay where the article
        says 마산; 이석기에서 is 이 + 석기, two words the index has, but never
        together; 하단부 is 하 (an interjection) + 단부.  Without `known` the
        analysis is the carrier's alone: reading every bare stem instead
        agrees with the text less often (97.0% on the measurement above:
        속도를 is 속도 in a sentence, a bare 속도 before 문제를 reads 속 + 도),
        so a stem is read only where the index shows the word cannot match.
        """
        if not text.strip():
            return []
        prefix, suffix = QUERY_CARRIER
        low, high = len(prefix), len(prefix) + len(text)
        in_carrier = [(term, pos, start - low, min(end, high) - low)
                      for term, pos, start, end in self.token_tuples(prefix + text + suffix) if low <= start < high]
        alone: Optional[list[tuple[str, int, int, int]]] = None
        morphemes: Optional[list[tuple[str, int, int]]] = None
        chosen: list[tuple[str, int, int, int]] = []
        for word in _WORD.finditer(text):
            tokens = [t for t in in_carrier if word.start() <= t[2] < word.end()]
            if not tokens:
                # The carrier can make a word a part of speech that holds no
                # term (안녕 read as an interjection before 문제를): then the
                # word keeps its terms as analysed alone.
                if alone is None:
                    alone = self.token_tuples(text)
                tokens = [t for t in alone if word.start() <= t[2] < word.end()]
            if known is not None and tokens:
                if morphemes is None:  # once per query: the particles mecab sees at a word's end
                    morphemes = self._carrier_morphemes(text)
                tokens = self._read_again(text, word.start(), word.end(), tokens, known,
                                                       morphemes) or tokens
            chosen.extend(tokens)
        return _renumbered(chosen)

    def _carrier_morphemes(self, text: str) -> list[tuple[str, int, int]]:
        """(tag, start, end) of the morphemes of query `text` in the carrier,
        analysed as normalised and placed in `text`."""
        prefix, suffix = QUERY_CARRIER
        normalized, offsets = normalize_with_offsets(prefix + text + suffix)
        out = []
        for _, tag, start, end, *_ in get_backend(self.items[0].backend).analyze_tuples(normalized):
            if offsets is not None:
                start, end = offsets.span(start, end)
            out.append((tag, start - len(prefix), end - len(prefix)))
        return out

    def _read_again(self, text: str, start: int, end: int, tokens: list[tuple[str, int, int, int]],
                                 known: Callable[[tuple[str, ...]], bool], morphemes: list[tuple[str, int, int]]
                                 ) -> Optional[list[tuple[str, int, int, int]]]:
        """The terms of the word `text[start:end]` read otherwise, when the
        index does not hold the word's `tokens` but holds those (`known`);
        else None.  `morphemes`: (tag, start, end) of the query's morphemes in
        the carrier.

        The readings tried, in order: the word without the particles mecab
        itself sees at its end in the carrier (안중근으로 → 안 + 중근 + 으로:
        안중근), then without each particle the stem's last syllable allows
        (토포스로 → 토포스, 마산만 → 마산; `search.analysis.particles`), each
        stem read in the carrier, then alone (a title's [과학기술자상] is 과학 +
        기술 + 자상, the carrier reads 과학 + 기술자 + a suffix); then each stem
        and the word itself after a determiner (`_after_determiner`).  The
        index is asked whether it holds the word's terms in a row only when a
        reading differs from the word's (미국의 and 미국 are both 미국).  A
        typo keeps its terms (no
        reading of 삼성젼자 or 삼성젼자가 is in the index), so did-you-mean
        still sees it."""
        normalized, offsets = normalize_with_offsets(text[start:end])
        # Stems as the written text (a decomposed or zero-width-split word's
        # stem keeps its own characters, so offsets stay in the query).
        stems = [text[start:start + (offsets.span(0, len(stem))[1] if offsets else len(stem))]
                 for stem in particle_stems(normalized)]
        inside = [m for m in morphemes if start <= m[1] and m[2] <= end]
        cut = len(inside)
        while cut > 0 and inside[cut - 1][0].startswith("J"):
            cut -= 1
        if 0 < cut < len(inside) and inside[-1][2] == end:
            stem = text[start:inside[cut][1]]
            stems = [stem] + [s for s in stems if s != stem]
        # One term the index has: nothing to read again (the cheap check first,
        # before any analysis).
        terms_known = all(known((t[0],)) for t in tokens)
        if terms_known and len({t[1] for t in tokens}) < 2:
            return None
        word = text[start:end]
        candidates = [(stem, reading) for stem in stems
                      for reading in (self.query_token_tuples(stem), self.token_tuples(stem))]
        # After a determiner: a word's first syllable is no longer read as an
        # interjection of its own (하단부 alone is 하 + 단부, in 나로호 하단부
        # and after 그 it is 하단 + 부); the whole word too, particle or not.
        candidates += [(piece, self._after_determiner(piece)) for piece in stems + [word]]
        readings: list[list[tuple[str, int, int, int]]] = []
        seen = {tuple(t[0] for t in tokens)}
        for piece, reading in candidates:
            terms = tuple(t[0] for t in reading)
            # A reading of the whole stem: one that leaves a syllable at either
            # end unread (그 고연정 → 연정) would search for another word.
            if terms and terms not in seen and reading[0][2] == 0 and reading[-1][3] == len(piece):
                seen.add(terms)
                readings.append(reading)
        if not readings or (terms_known and _held(tokens, known)):
            return None
        for reading in readings:
            if _held(reading, known):
                return [(term, pos, s + start, e + start) for term, pos, s, e in reading]
        return None


    def _after_determiner(self, piece: str) -> list[tuple[str, int, int, int]]:
        """`token_tuples` of `piece` read between REREAD_DETERMINER and the
        carrier's end, offsets into `piece`."""
        prefix, suffix = REREAD_DETERMINER, QUERY_CARRIER[1]
        low, high = len(prefix), len(prefix) + len(piece)
        return _renumbered([(term, pos, s - low, min(e, high) - low)
                            for term, pos, s, e in self.token_tuples(prefix + piece + suffix) if low <= s < high])


def _held(tokens: list[tuple[str, int, int, int]], known: Callable[[tuple[str, ...]], bool]) -> bool:
    """Whether the index holds every term of `tokens` and, for more than one
    position, the first term of each position one after another."""
    if not all(known((t[0],)) for t in tokens):
        return False
    firsts: dict[int, str] = {}
    for term, pos, _, _ in tokens:
        firsts.setdefault(pos, term)
    return len(firsts) < 2 or known(tuple(firsts[p] for p in sorted(firsts)))


_WORD = re.compile(r"\S+")


def _renumbered(tokens: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """Positions 0, 1, 2, … in order, tokens that shared a position (a Hanja word
    and its reading) still sharing one."""
    out: list[tuple[str, int, int, int]] = []
    previous, position = None, -1
    for term, pos, start, end in tokens:
        if (pos, start) != previous:
            position += 1
            previous = (pos, start)
        out.append((term, position, start, end))
    return out


# Words before and after a query (see `KoreanAnalyzer.query_token_tuples`).
# Content words of their own, but their tokens never reach the query.
QUERY_CARRIER = ("", " 문제를 말했다.")
# Before a word read again (`KoreanAnalyzer._read_again`): a determiner,
# after which a noun is expected.
REREAD_DETERMINER = "그 "


def _mapped_tokens(tokens: Iterable[Token], offsets: OffsetMap, start_char: int) -> Iterator[Token]:
    for token in tokens:
        start, end = offsets.span(token.startchar - start_char, token.endchar - start_char)
        token.startchar, token.endchar = start + start_char, end + start_char
        yield token


_DEFAULT_CHAIN = (
    MorphemeTokenizer, PartOfSpeechFilter, LemmaFilter, NumberUnitFilter, CompoundSplitFilter,
    HanjaReadingFilter, LowercaseFilter, PositionFilter,
)


def _fused_terms(backend: str, text: str, start_char: int = 0) -> list[tuple[str, int, int, int]]:
    """The default chain in one loop: (term, position, startchar, endchar) per
    token, exactly as MorphemeTokenizer | … | PositionFilter yield them."""
    out: list[tuple[str, int, int, int]] = []
    append = out.append
    content, predicates = CONTENT_TAGS, PREDICATE_TAGS
    position = -1
    previous_number_end = None  # NumberUnitFilter: where the last kept token, a number, ended
    # Every surface is a piece of `text`: a text without Hanja spares the
    # HanjaReadingFilter's look at each of its morphemes (nearly all news).
    hanja = _is_hanja(text)
    for surface, tag, start, end, lemma, parts, reading in get_backend(backend).analyze_tuples(text):
        if tag not in content:  # PartOfSpeechFilter
            continue
        glued = previous_number_end == start
        previous_number_end = end if tag == "SN" else None
        start += start_char
        end += start_char
        if len(parts) >= 2:  # CompoundSplitFilter
            # HanjaReadingFilter: a part is read only with the dictionary's reading.
            alias = reading.lower() if hanja and reading and _is_hanja(surface) and _is_hangul(reading) else None
            exact = "".join(parts) == surface
            cursor = 0
            for part in parts:
                position += 1
                if exact:
                    span = (start + cursor, start + cursor + len(part))
                else:
                    span = (start, start + len(surface))
                cursor += len(part)
                append((part.lower(), position) + span)
                if alias is not None:
                    append((alias, position) + span)
            continue
        if tag in predicates:  # LemmaFilter
            term = lemma + "다"
        elif lemma != surface and not parts:
            term = lemma
        else:
            term = surface
        pieces = split_amount(term) if glued and not parts else []  # NumberUnitFilter
        if pieces:
            cursor = start
            for piece in pieces:
                position += 1
                append((piece, position, cursor, cursor + len(piece)))
                cursor += len(piece)
            continue
        # HanjaReadingFilter: the dictionary's reading, else the headline table's.
        if hanja and not reading and term == surface and _is_hanja(surface):
            reading = hanja_reading(surface)
        alias = reading.lower() if hanja and reading and _is_hanja(surface) and _is_hangul(reading) else None
        position += 1  # PositionFilter
        append((term.lower(), position, start, end))  # LowercaseFilter
        if alias is not None:
            append((alias, position, start, end))
    return out


def _replay(tokens, positions, chars, kwargs, reuse: bool = True) -> Iterator[Token]:
    options = {k: v for k, v in kwargs.items() if k in ("removestops", "mode")}
    token = Token(positions, chars, **options)
    token.boost = 1.0
    token.stopped = False
    for text, pos, startchar, endchar in tokens:
        if not reuse:
            token = Token(positions, chars, **options)
            token.boost = 1.0
            token.stopped = False
        token.text = text
        if positions:
            token.pos = pos
        if chars:
            token.startchar, token.endchar = startchar, endchar
        yield token


def analyze_terms(text: str, backend: str = "mecab") -> list[str]:
    """The index terms of `text`, in order (for queries, tests and debugging)."""
    return [token.text for token in KoreanAnalyzer(backend)(text)]
