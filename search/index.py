"""The Whoosh index: its schema, its on-disk layout and the mapping between
`Article` records and index documents.

Layout of an index folder (default `index/`)::

    index/
      current -> gen-20261129T101500-1234   the generation readers use (a symlink)
      gen-20261129T101500-1234/             a complete Whoosh index + manifest.json
      gen-….building/                       a reindex in progress (never read)
      .lock                                 held (flock) by the one running reindex

A reindex always writes a new generation and then replaces the `current` link
with one atomic rename, so a reader sees the old index or the new one, never a
half-written one, and a killed reindex leaves the old one untouched.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

import orjson
from whoosh import index as whoosh_index
from whoosh import formats
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.reading import TermNotFound

from search.analysis.analyzer import KoreanAnalyzer, PreTokenized
from search.analysis.derived import BigramAnalyzer, KeyedText, WordKeysAnalyzer, words_from_tokens
from search.collector import collector_paused
from search.korean import initials_of, is_hangul_word
from search import stored as stored_fields
from search.model import SEOUL, Article

# 6: `content`'s Whoosh postings hold positions only, its character spans live
# in the columnar files (search.columnar, version 2; an index of schema 5 keeps
# them in Whoosh's postings and is still searched, its snippets read there,
# until `reindex` rebuilds it in full: an incremental reindex refuses it);
# 5: columnar postings beside each segment (search.columnar; an index of schema 4
# is still searched, through Whoosh alone, until `reindex` rebuilds it in full);
SCHEMA_VERSION = 6  # 4: text Unicode-normalised before analysis (search.analysis.normalize); 3: body, subtitles, captions only inside content
TEXT_FIELDS = ("title", "subtitles", "body", "captions")
# Indexed fields: `title` (for 제목: searches, title marks and related articles)
# and the derived ones below.  The text of subtitles, body and captions is
# indexed only inside `content`: indexing it a second time per field doubled
# the postings written (README, Performance).  Derived fields, never shown:
# all text fields as one (`content`, morphemes with positions, their character
# offsets in the columnar files: one BM25 field ranks measurably better than a
# sum over four, proximity is measured on it and snippets are cut at its offsets), its
# character bigrams (`bigrams`), its Hangul words as written (`words`: the
# vocabulary for did-you-mean) and their 초성 and the reporters' (`initials`).
CONTENT_FIELD, BIGRAM_FIELD, INITIALS_FIELD, WORDS_FIELD = "content", "bigrams", "initials", "words"
# Positions left empty between fields in `content`, so phrases and proximity
# windows do not run from a title into the body.
FIELD_GAP = 8
# In `content` the title ends just before this position (FIELD_GAP left empty)
# and the other fields start here, whatever the title's length: so "not in the
# title" (본문:) is a constant position bound (`search.query.compile.SpanFrom`).  Titles
# are capped at 300 characters (search.ingest), far below it.
BODY_POSITION = 4096
CURRENT = "current"
MANIFEST = "manifest.json"
LOCK = ".lock"


class SortDate(DATETIME):
    """Publication time as a stored value and a sortable column only: nothing
    searches its terms (date filters use the day key), and DATETIME would index
    eight trie terms per article."""

    indexed = False


class SortNumber(NUMERIC):
    """A number kept as a sortable column only (see SortDate)."""

    indexed = False


class KeysField(FieldType):
    """A field of keys (words, 초성) that only records which documents hold
    each key: every key occurs once per document, so frequencies and positions
    would be bytes written for nothing."""

    def __init__(self, analyzer, scorable: bool = False):
        super().__init__(formats.Existence(), analyzer, scorable=scorable)


def build_schema(backend: str = "mecab") -> Schema:
    analyzer = KoreanAnalyzer(backend)
    # Snippets are cut from the stored text at `content`'s character offsets
    # instead of re-analysing it; the offsets are kept in the columnar files
    # (search.columnar), not in Whoosh's postings, which no search reads for
    # them (chars=False: ~1/3 fewer bytes per posting value to pickle).  No
    # reader asks for `title`'s offsets either (its marks come from `content`).
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, phrase=True, stored=True),
        body=STORED,
        content=TEXT(analyzer=analyzer, phrase=True),
        bigrams=TEXT(analyzer=BigramAnalyzer(), phrase=False),
        initials=KeysField(WordKeysAnalyzer(backend, initials=True), scorable=True),
        words=KeysField(WordKeysAnalyzer(backend)),
        reporter=KEYWORD(stored=True, commas=True, scorable=False),
        press=ID(stored=True),
        published=SortDate(stored=True, sortable=True),
        # 1 for articles without a date, so date sorts can put them last either way.
        undated=SortNumber(sortable=True, bits=8),
        # The precomputed day key: date filters are term ranges over it, and
        # month and year facets are counted from it (search.service), ~100x
        # cheaper than DateRangeFacet over a result set.
        day=ID(),
        url=ID(stored=True),
        title_key=ID(),
        source=STORED,
        content_hash=STORED,
        meta=STORED,
    )


def normalise_title(title: str) -> str:
    """A title reduced to letters and digits, for matching 관련기사 entries to articles
    whatever quotes, brackets or spacing each side used."""
    title = unicodedata.normalize("NFKC", title).lower()
    return re.sub(r"[^\w]+|_", "", title)


def title_key(title: str, published: Optional[date]) -> str:
    return f"{normalise_title(title)}|{published.isoformat() if published else ''}"


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def article_texts(article: Article) -> dict[str, str]:
    """The article's text fields as indexed, in their order inside `content`."""
    return {
        "title": article.title,
        "subtitles": "\n".join(article.subtitles),
        "body": article.body_text,
        "captions": "\n".join(article.captions),
    }


def analyse_texts(texts: dict[str, str], backend: str = "mecab") -> dict[str, list]:
    """(term, position, startchar, endchar) tokens of each non-empty text field."""
    analyzer = KoreanAnalyzer(backend)
    return {name: analyzer.token_tuples(text) for name, text in texts.items() if text}


def document_for(article: Article, tokens: Optional[dict[str, list]] = None, backend: str = "mecab") -> dict[str, Any]:
    """The Whoosh document of an article.  `tokens` holds its analysed text
    fields (`analyse_texts`, run in a worker process during a reindex); they
    are replayed, not analysed again, and the derived fields are assembled
    from them."""
    texts = article_texts(article)
    if tokens is None or any(name not in tokens for name, value in texts.items() if value):
        tokens = analyse_texts(texts, backend)
    doc: dict[str, Any] = {"id": article.id, "content_hash": article.content_hash}
    doc["title"] = PreTokenized(texts["title"], tokens.get("title", []))
    doc["_stored_title"] = texts["title"]
    doc["body"] = texts["body"]
    doc.update(_derived_fields(texts, tokens, article.reporters))
    if article.reporters:
        doc["reporter"] = ",".join(r.replace(",", " ") for r in article.reporters)
    if article.press:
        doc["press"] = article.press
    doc["undated"] = 0 if article.published else 1
    if article.published:
        local = article.published.astimezone(SEOUL)
        doc["published"] = _naive_utc(article.published)
        doc["day"] = local.strftime("%Y-%m-%d")
    if article.url:
        doc["url"] = article.url
    if article.source:
        doc["source"] = article.source
    doc["title_key"] = title_key(
        article.title, article.published.astimezone(SEOUL).date() if article.published else None
    )
    doc["meta"] = json.dumps(
        {
            "subtitles": article.subtitles,
            "reporters": article.reporters,
            "email": article.email,
            "captions": article.captions,
            "published": article.published.isoformat() if article.published else None,
            "related": [link.to_dict() for link in article.related],
            **({"title_derived": True} if article.title_derived else {}),
        },
        ensure_ascii=False,
    )
    return doc


def _derived_fields(texts: dict[str, str], tokens: dict[str, list], reporters: list[str]) -> dict[str, Any]:
    """`content`, `bigrams`, `words` and `initials`, assembled from the text
    fields' tokens (no second analysis).

    `content` holds the fields in `TEXT_FIELDS` order, as `joined_text` joins
    them: character offsets point into that text, and positions leave
    FIELD_GAP empty between fields, with the title ending just before
    BODY_POSITION and everything else after it."""
    present = [(name, value) for name, value in texts.items() if value]
    joined = "\n".join(value for _, value in present)
    reporter_keys = [initials_of(name.replace(" ", "")) for name in reporters if is_hangul_word(name.replace(" ", ""))]
    content: list[tuple[str, int, int, int]] = []
    words: list[str] = []
    offset, char_offset = BODY_POSITION, 0
    for name, value in present:
        field_tokens = tokens[name]
        if name == "title" and field_tokens:
            last = BODY_POSITION - 1 - FIELD_GAP
            shift = last - max(map(_POSITION, field_tokens))
            if shift < 0:  # a title of thousands of words: its end is left out of content
                field_tokens = [t for t in field_tokens if t[1] <= last]
                shift = 0
            content += [(term, pos + shift, start, end) for term, pos, start, end in field_tokens]
        else:
            content += [(term, pos + offset, start + char_offset, end + char_offset)
                        for term, pos, start, end in field_tokens]
            if field_tokens:
                offset += max(map(_POSITION, field_tokens)) + 1 + FIELD_GAP
        char_offset += len(value) + 1
        words.extend(words_from_tokens(value, tokens[name]))
    words = list(dict.fromkeys(words))
    # Every word's 초성 in one translation: the words are Hangul syllables
    # only (words_from_tokens), so a line break stays between them.
    initials = initials_of("\n".join(words)).split("\n") if words else []
    return {
        CONTENT_FIELD: PreTokenized(joined, content),
        BIGRAM_FIELD: joined,
        WORDS_FIELD: KeyedText(joined, words),
        INITIALS_FIELD: KeyedText(joined, list(dict.fromkeys(initials + reporter_keys))),
    }


_POSITION = itemgetter(1)


def postings_at(matcher, docnums: Iterable[int]) -> Iterator[int]:
    """The ones of `docnums` (in increasing order) that a postings `matcher`
    holds, with the matcher positioned on each when it is yielded: one forward
    walk through the postings for many documents, instead of a fresh matcher
    skipped from the start for each.

    Posting blocks that end before a wanted document are passed by their
    headers alone where the matcher can (Whoosh 2.7.4's block matcher):
    its `skip_to` first reads the current posting's id, which decompresses and
    unpickles the whole current block (the term's first, for a fresh matcher)
    even when the target lies blocks further on."""
    skip_blocks = getattr(matcher, "_skip_to_block", None) if hasattr(matcher, "block_max_id") else None
    for docnum in docnums:
        if not matcher.is_active():
            return
        if skip_blocks is not None and docnum > matcher.block_max_id():
            skip_blocks(lambda: docnum > matcher.block_max_id())
            if not matcher.is_active():
                return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


def postings_in(searcher, fieldname: str, term: str, docnums: Sequence[int]) -> Iterator[tuple[int, Any]]:
    """(docnum, postings positioned on it) for each of `docnums` (index-wide
    numbers, in increasing order) that holds `term`: one `postings_at` walk
    per segment."""
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        local = [d - offset for d in docnums if offset <= d < offset + reader.doc_count_all()]
        if not local:
            continue
        try:
            postings = reader.postings(fieldname, term)
        except (TermNotFound, KeyError):
            continue
        for docnum in postings_at(postings, local):
            yield docnum + offset, postings


def joined_text(title: str, subtitles: str, body: str, captions: str) -> tuple[str, dict[str, int]]:
    """The text `content` was indexed from and where each field starts in it
    (fields that are empty are absent, as they were at indexing)."""
    starts: dict[str, int] = {}
    parts: list[str] = []
    cursor = 0
    for name, value in (("title", title), ("subtitles", subtitles), ("body", body), ("captions", captions)):
        if value:
            starts[name] = cursor
            parts.append(value)
            cursor += len(value) + 1
    return "\n".join(parts), starts


def article_from_stored(stored: dict[str, Any]) -> Article:
    # Every stored value read by its type (search.stored): an old index may hold anything.
    meta = stored_fields.meta(stored)
    return Article(
        id=stored["id"],
        title=stored_fields.text(stored.get("title")) or "",
        url=stored_fields.string(stored.get("url")),
        subtitles=stored_fields.texts(meta.get("subtitles")),
        press=stored_fields.text(stored.get("press")),
        reporters=stored_fields.texts(meta.get("reporters")),
        email=stored_fields.text(meta.get("email")),
        published=stored_fields.iso_datetime(meta.get("published")),
        body=[p for p in (stored_fields.text(stored.get("body")) or "").split("\n") if p],
        captions=stored_fields.texts(meta.get("captions")),
        related=stored_fields.related_links(meta.get("related")),
        source=stored.get("source"),
        content_hash=stored.get("content_hash", ""),
        title_derived=bool(meta.get("title_derived")),
    )


class IndexNotFound(FileNotFoundError):
    """There is no built index at the given folder."""


@dataclass
class IndexLayout:
    """Where the generations of one index live, and which one is current."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK

    @property
    def current_link(self) -> Path:
        return self.root / CURRENT

    def current(self) -> Optional[Path]:
        """The generation folder readers should open, or None before the first build."""
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        path = self.root / target
        return path if whoosh_index.exists_in(str(path)) else None

    def require_current(self) -> Path:
        path = self.current()
        if path is None:
            raise IndexNotFound(
                f"no index at {self.root}: build it first with `news-search reindex --index {self.root}`"
            )
        return path

    def generations(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and p.name.startswith("gen-") and not p.name.endswith(".building"))

    def read_manifest(self, generation: Optional[Path] = None) -> dict[str, Any]:
        generation = generation or self.current()
        if generation is None:
            return {}
        try:
            return parse_manifest((generation / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return {}


def parse_manifest(data: bytes) -> dict[str, Any]:
    """A manifest's JSON (search/layout.py's manifest_bytes).  orjson reads the
    22 MB manifest of 100,000 articles in ~0.2 s, json.loads in ~0.3-0.35 s
    (every incremental run reads it first); orjson refuses the escaped lone
    surrogates that carry a file name that is not UTF-8, which json.loads
    reads as they were written.  The cyclic garbage collector is paused
    meanwhile: a tree parsed from JSON holds no cycle, and its collections,
    triggered by the new containers and walking every one made so far, were
    a third of the parse."""
    with collector_paused():
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data.decode("utf-8"))


def leaf_readers(reader) -> list:
    """(segment reader, first document number) of each segment of `reader`
    (itself, at 0, when it is a single segment's)."""
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


def article_ids(reader) -> list:
    """Document number → article id from the postings of the `id` field: a
    term found in one document carries that document's number in its term
    information (no postings read); the postings of the others are read."""
    ids: list = [None] * reader.doc_count_all()
    if "id" not in reader.schema:
        return ids
    for leaf, offset in leaf_readers(reader):
        for text, info in leaf.iter_field("id"):
            article = text.decode("utf-8") if isinstance(text, bytes) else text
            if info.doc_frequency() == 1:
                ids[offset + info.min_id()] = article
            else:
                for docnum in leaf.postings("id", text).all_ids():
                    ids[offset + docnum] = article
    return ids
