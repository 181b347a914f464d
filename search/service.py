"""The one library entry point for searching: the CLI, the web app and the
evaluation all call `SearchService.search`.

It keeps one Whoosh index open per generation (and one searcher per thread),
notices a reindex swap with one `readlink` per request, counts facets with
numpy over per-document arrays built once per generation instead of Whoosh's
facet machinery (measured ~100x cheaper for months), sorts by date from the same
arrays, marks snippets from stored character offsets for the page's hits only,
and keeps finished results per (request, generation).  Matching and scoring go
through the columnar executor (search.execute) where the generation has
columnar postings and the executor covers the query, through Whoosh otherwise.
"""

from __future__ import annotations

import copy
import heapq
import os
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Union

import numpy as np
from whoosh import index as whoosh_index
from whoosh import collectors
from whoosh import query as Q
from whoosh import scoring
from whoosh.query.compound import DefaultOr

from search.highlight import mark, marked_paragraphs, snippet, spans_by_doc, spans_by_field, term_spans
from search.index import CONTENT_FIELD, IndexLayout, article_from_stored
from search.limits import TIMEOUT_NOTICE, guard, search_deadline
from search import autocomplete
from search import collapse
from search import stored as stored_fields
from search.model import Article
from search.conjunction import CheckedPhrases, SkippingAnd
from search.query import (AllOf, ParsedQuery, QueryError, QueryParser, highlight_terms, parse_date_bound,
                          plain_words, quoted_phrases, unquoted)
from search.headline import rerank_by_title
from search.relax import Relaxation, relax
from search.ranking import RERANK_DEPTH, ranked_search, rerank
from search.columnar import ColumnarIndex
from search import execute
from search.suggest import SUGGEST_BELOW, did_you_mean, keyboard_rewrite

SORTS = ("relevance", "newest", "oldest")
EXACT_VALUES = ("", "0", "1", "true", "false", "yes", "no", "on", "off")
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
FACET_LIMIT = 20


@dataclass
class SearchRequest:
    q: str = ""
    reporters: list[str] = field(default_factory=list)
    presses: list[str] = field(default_factory=list)
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    # Search the query as typed: no keyboard-layout rewrite (the "원래 검색어로
    # 검색" link after 삼성전자(으)로 검색한 결과입니다).
    exact: bool = False
    # How many values of the reporter and press facets to list (the web UI's
    # 더보기 page asks for all of them).
    facet_limit: int = FACET_LIMIT
    # Same-event clusters shown once (search.collapse); `group`: one cluster alone.
    collapse: bool = False
    group: str = ""

    @classmethod
    def from_params(
        cls,
        q: Optional[str] = None,
        reporter: Iterable[str] = (),
        press: Iterable[str] = (),
        date_from: Optional[str] = None,
        date_to: Optional[str] = None,
        sort: Optional[str] = None,
        page: Union[str, int, None] = None,
        size: Union[str, int, None] = None,
        exact: Union[str, bool, None] = None,
    ) -> "SearchRequest":
        """A validated request from untrusted strings; a bad value raises
        `QueryError` naming the parameter."""
        request = cls(q=(q or "").strip())
        request.reporters = [r.strip() for r in reporter if r and r.strip()]
        request.presses = [p.strip() for p in press if p and p.strip()]
        request.page = _int_param(page, "page", 1, 1, MAX_PAGE)
        request.size = _int_param(size, "size", 10, 1, MAX_PAGE_SIZE)
        if isinstance(exact, str):
            if exact not in EXACT_VALUES:
                raise QueryError(f"exact: '{exact[:40]}' is not one of 1, 0, true, false, yes, no, on, off", "exact")
            exact = exact in ("1", "true", "yes", "on")
        request.exact = bool(exact)
        request.sort = sort or "relevance"  # exactly one of SORTS; empty (a blank form field) means relevance
        if request.sort not in SORTS:
            raise QueryError(f"sort: '{sort}' is not one of {', '.join(SORTS)}", "sort")
        if date_from and date_from.strip():
            request.date_from = parse_date_bound(date_from, upper=False, param="from")
        if date_to and date_to.strip():
            request.date_to = parse_date_bound(date_to, upper=True, param="to")
        if request.date_from and request.date_to and request.date_from > request.date_to:
            raise QueryError(f"from: {request.date_from} is after to: {request.date_to}", "from")
        return request


def _int_param(value: Union[str, int, None], name: str, default: int, low: int, high: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name}: '{value}' is not a whole number", name) from None
    if not low <= number <= high:
        raise QueryError(f"{name}: {number} is out of range ({low}–{high:,})", name)
    return number


@dataclass
class Hit:
    id: str
    title: str
    url: Optional[str]
    press: Optional[str]
    reporters: list[str]
    published: Optional[str]
    score: Optional[float]
    snippet: str  # HTML: escaped text with <mark> around matched morphemes
    title_html: str  # the title, escaped, with <mark>s
    # The query words this article lacks: set on the hits that complete a short
    # page when too few articles hold every word (search.relax).
    missing: list[str] = field(default_factory=list)
    group: Optional[dict] = None  # its same-event cluster: {id, size, members?} (search.collapse)


@dataclass
class RecentArticle:
    id: str
    title: str
    published: Optional[str]


@dataclass
class ReporterCard:
    """Shown for a query that is only a reporter's name (강경희)."""

    name: str
    count: int
    recent: list[RecentArticle]
    query: str  # the search for the reporter's bylines: 기자:강경희


@dataclass
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: Optional[str] = None
    notices: list[str] = field(default_factory=list)
    date_granularity: str = "month"
    highlight_terms: list[str] = field(default_factory=list)
    request: Optional[SearchRequest] = None
    # The query as typed when it was searched as something else: Korean typed
    # on the Latin layout (searched as Hangul), or a misspelling that found
    # nothing (searched as its correction); `query` holds what was searched.
    rewritten_from: Optional[str] = None
    # Served from the result cache: took_ms is then the lookup, not the search.
    cached: bool = False
    # Articles that miss some of the query's words, listed after the `total`
    # articles that hold them all (search.relax).
    relaxed_total: int = 0
    # What the facets count: "strict" (the `total` articles) or "relaxed" (the
    # relaxed ones, when no article holds every word).
    facets_scope: str = "strict"
    reporter_card: Optional[ReporterCard] = None
    grouping: Optional[collapse.Grouping] = None  # what `total` counts, how clusters were collapsed

    @property
    def listed(self) -> int:
        return self.total + self.relaxed_total

    @property
    def pages(self) -> int:
        return max(1, -(-self.listed // self.size))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 2),
            "hits": [asdict(h) for h in self.hits],
            "facets": {k: [asdict(v) for v in vs] for k, vs in self.facets.items()},
            "suggestion": self.suggestion,
            "rewritten_from": self.rewritten_from,
            "notices": self.notices,
            "relaxed_total": self.relaxed_total,
            "facets_scope": self.facets_scope,
            "reporter_card": asdict(self.reporter_card) if self.reporter_card else None,
        }


@dataclass(frozen=True)
class IndexOverview:
    articles: int
    first_day: Optional[date]
    last_day: Optional[date]  # the newest article's day: "today" for period presets
    presses: int
    reporters: int


class _FacetTable:
    """Per-document facet values and sort keys of one index generation as numpy
    arrays, read once from the postings of three small fields and one column.

    Counting facets for a result set is then a few array operations over the
    matching document numbers (`numpy.bincount`), not a Python loop over every
    match; at 100,000 articles a common term matches tens of thousands."""

    def __init__(self, reader):
        size = reader.doc_count_all()
        self.size = size
        self.press_names, self.press = self._single_valued(reader, "press", size)
        day_names, day_ids = self._single_valued(reader, "day", size)
        # Days → ordinals for range filters, and → month numbers for counting.
        ordinals = np.array([date.fromisoformat(d).toordinal() for d in day_names] + [-1], dtype=np.int64)
        self.day_ordinal = ordinals[day_ids]  # -1 (the appended entry) for undated articles
        months = sorted({d[:7] for d in day_names})
        month_of_day = np.array([months.index(d[:7]) for d in day_names] + [-1], dtype=np.int32) if months else np.array([-1], dtype=np.int32)
        self.month_names = months
        self.month = month_of_day[day_ids]
        # Reporters are multi-valued: parallel arrays of (document, reporter) pairs.
        self.reporter_names: list[str] = []
        pair_docs, pair_names = [], []
        if "reporter" in reader.schema:
            for term in reader.lexicon("reporter"):
                ids = np.fromiter(reader.postings("reporter", term).all_ids(), dtype=np.int64)
                pair_docs.append(ids)
                pair_names.append(np.full(len(ids), len(self.reporter_names), dtype=np.int32))
                self.reporter_names.append(term.decode("utf-8"))
        self.pair_doc = np.concatenate(pair_docs) if pair_docs else np.zeros(0, dtype=np.int64)
        self.pair_reporter = np.concatenate(pair_names) if pair_names else np.zeros(0, dtype=np.int32)
        self.reporter_ids = {name: i for i, name in enumerate(self.reporter_names)}
        self.press_ids = {name: i for i, name in enumerate(self.press_names)}
        if reader.has_deletions():
            self.live = np.array([d for d in range(size) if not reader.is_deleted(d)], dtype=np.int64)
        else:
            self.live = np.arange(size, dtype=np.int64)
        # Sort key for newest/oldest: dated articles by time, undated ones last.
        published = np.zeros(size, dtype=np.int64)
        if reader.has_column("published"):
            # Whoosh stores sortable numbers biased by 2**63 (unsigned); flipping the
            # top bit gives back signed values in the same order.  Read per segment:
            # a segment whose articles are all undated has no column at all, and
            # reading it through the index-wide column raised struct.error.
            raw = np.full(size, 1 << 63, dtype=np.uint64)
            for leaf, offset in _leaf_readers(reader):
                if leaf.has_column("published"):
                    values = np.fromiter(iter(leaf.column_reader("published", translate=False)), dtype=np.uint64)
                    raw[offset:offset + len(values)] = values
            published = (raw ^ np.uint64(1 << 63)).view(np.int64)
        self.undated = self.day_ordinal < 0
        self.published = published

    @staticmethod
    def _single_valued(reader, fieldname: str, size: int) -> tuple[list[str], np.ndarray]:
        names: list[str] = []
        ids = np.full(size, -1, dtype=np.int32)
        if fieldname in reader.schema:
            for term in reader.lexicon(fieldname):
                docs = np.fromiter(reader.postings(fieldname, term).all_ids(), dtype=np.int64)
                ids[docs] = len(names)
                names.append(term.decode("utf-8"))
        return names, ids


def _leaf_readers(reader):
    """(segment reader, first document number) of each segment of `reader`."""
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


class _Generation:
    """One opened index generation: the Whoosh index, its searcher and the
    facet table.

    One searcher serves every thread (SearchService serialises its use): each
    Whoosh searcher maps the index's segment files into memory, and with one
    searcher per server thread the resident size grew with the thread count
    (measured 4.3 GB for 8 threads at 100,000 articles).  Python runs one
    thread at a time anyway, so a second searcher would buy little."""

    def __init__(self, path: Path):
        self.path = path
        self.target = path.name
        self.index = whoosh_index.open_dir(str(path))
        self._lock = threading.Lock()
        self._facets: Optional[_FacetTable] = None
        self._searcher = None
        self._columnar: Optional[ColumnarIndex] = None
        self._columnar_read = False

    def searcher(self):
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = self.index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
        return self._searcher

    def facets(self) -> _FacetTable:
        if self._facets is None:
            reader = self.searcher().reader()  # outside the lock: searcher() takes it too
            with self._lock:
                if self._facets is None:
                    self._facets = _FacetTable(reader)
        return self._facets

    def columnar(self) -> Optional[ColumnarIndex]:
        """The generation's columnar postings (search.columnar), memory-mapped
        once; None for an index written without them."""
        if not self._columnar_read:
            reader = self.searcher().reader()  # outside the lock: searcher() takes it too
            with self._lock:
                if not self._columnar_read:
                    self._columnar = ColumnarIndex.open(self.path, reader)
                    self._columnar_read = True
        return self._columnar

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                try:
                    self._searcher.close()
                except Exception:
                    pass
                self._searcher = None


def _texts(stored: dict[str, Any], meta: dict[str, Any]) -> dict[str, str]:
    """An article's text fields as `content` indexed them (search.index.article_texts),
    from its stored fields: subtitles and captions are kept in `meta` only."""
    return {
        "title": stored.get("title") or "",
        "subtitles": "\n".join(stored_fields.texts(meta.get("subtitles"))),
        "body": stored.get("body") or "",
        "captions": "\n".join(stored_fields.texts(meta.get("captions"))),
    }


DETAIL_DAYS = 62  # a chosen range this short is drawn by day, a longer one by month
DETAIL_MONTHS = 36  # longer than this and months are too many bars: by year


def _date_detail(days: np.ndarray) -> list[FacetCount]:
    """Counts inside a chosen date range one step finer than the whole result's
    chart (the web UI's drill-down: year → month → day): by day for a range of up
    to DETAIL_DAYS, else by month up to DETAIL_MONTHS, else by year.  `days` are
    the ordinals of the matching documents (-1 for undated ones)."""
    days = days[days >= 0]
    if not len(days):
        return []
    first, last = date.fromordinal(int(days.min())), date.fromordinal(int(days.max()))
    if (last - first).days < DETAIL_DAYS:
        counts = np.bincount(days - days.min())
        return [FacetCount(date.fromordinal(int(days.min()) + i).isoformat(), int(c)) for i, c in enumerate(counts) if c]
    months: Counter = Counter()
    unique, counts = np.unique(days, return_counts=True)
    for ordinal, count in zip(unique.tolist(), counts.tolist()):
        months[date.fromordinal(ordinal).isoformat()[:7]] += count
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span <= DETAIL_MONTHS:
        return [FacetCount(month, count) for month, count in sorted(months.items())]
    years: Counter = Counter()
    for month, count in months.items():
        years[month[:4]] += count
    return [FacetCount(year, count) for year, count in sorted(years.items())]


NOTICE_PHRASE_CHARS = 40  # a quoted phrase is named in a notice up to this length


def _shown_phrase(quoted: str) -> str:
    """A quoted phrase as a notice names it: a long one cut, its closing quote kept."""
    if len(quoted) <= NOTICE_PHRASE_CHARS:
        return quoted
    return quoted[:NOTICE_PHRASE_CHARS - 2] + "…" + quoted[-1]


def _docs_for(searcher, query: Q.Query) -> np.ndarray:
    """The (sorted) documents `query` matches, as an array."""
    query = _prune(_streaming_unions(query), searcher.reader())
    if query is Q.NullQuery:
        return np.zeros(0, dtype=np.int64)
    return np.array(sorted(searcher.docs_for_query(query)), dtype=np.int64)


def _filters(request: SearchRequest) -> bool:
    return bool(request.reporters or request.presses or request.date_from or request.date_to)


def _streaming_unions(query: Q.Query) -> Q.Query:
    """The same query with every `Or` matched as a streaming union.

    Whoosh picks, per segment, an `Or` that first loads *all* matches of its
    clauses into arrays when the segment holds at most 5,000 documents; our
    queries OR each word over four fields, and for a top-10 search that preload
    was the largest cost (measured: 45% of search time at 10,000 articles in
    two segments).  The streaming union lets top-k skip blocks instead."""
    if type(query) is Q.Or:
        if query.matcher_type != Q.Or.AUTO_MATCHER:
            # A union whose matcher was chosen on purpose: the ranking query scores
            # every match of its many terms, where the array union is 3-4x faster.
            return query
        query = DefaultOr(query.subqueries, boost=query.boost, minmatch=query.minmatch, scale=query.scale)
    return query.apply(_streaming_unions)


def _prune(query: Q.Query, reader) -> Q.Query:
    """The query without the parts that cannot match in this index: a term
    (or a phrase word) no document has.  Each word is searched in four fields
    and most words are absent from most of them (few articles have captions);
    building, sizing and advancing matchers for those was a large share of a
    search.  Matches and scores are unchanged: an absent term adds nothing to
    an OR and empties an AND."""
    if isinstance(query, Q.Term):
        return query if (query.fieldname, query.text) in reader else Q.NullQuery
    if isinstance(query, Q.Phrase):
        return query if all((query.fieldname, word) in reader for word in query.words) else Q.NullQuery
    if isinstance(query, CheckedPhrases):
        if not all((fieldname, word) in reader for fieldname, words in query.phrases for word in words):
            return Q.NullQuery
        required = [_prune(sub, reader) for sub in query.required]
        if any(sub is Q.NullQuery for sub in required):
            return Q.NullQuery
        return CheckedPhrases(query.phrases, required, query.boost)
    if isinstance(query, Q.AndNot):
        positive = _prune(query.a, reader)
        if positive is Q.NullQuery:
            return Q.NullQuery
        negative = _prune(query.b, reader)
        return positive if negative is Q.NullQuery else type(query)(positive, negative)
    if isinstance(query, (Q.And, Q.Or)) and type(query) in (Q.And, SkippingAnd, Q.Or, DefaultOr):
        parts = [_prune(sub, reader) for sub in query.subqueries]
        kept = [sub for sub in parts if sub is not Q.NullQuery]
        if not kept or (isinstance(query, Q.And) and len(kept) < len(parts)):
            return Q.NullQuery
        if len(kept) == len(parts) and all(a is b for a, b in zip(kept, query.subqueries)):
            return query
        pruned = copy.copy(query)
        pruned.subqueries = kept
        return pruned
    return query


class _TopAndAll(collectors.TopCollector):
    """The top `limit` documents by score and, in the same pass, every matching
    document (for the facets).  Block skipping and matcher replacement are off:
    they would skip documents that cannot reach the top but still count."""

    def __init__(self, limit: int):
        super().__init__(limit=limit, usequality=False, replace=0)
        self.matched: list[int] = []

    def collect(self, sub_docnum):
        self.matched.append(self.offset + sub_docnum)
        return super().collect(sub_docnum)


def _scores_every_match(query: Q.Query) -> bool:
    """Whether Whoosh's top-k must score every match anyway: phrases and ANDs
    offer no block skipping, so listing the matches for the facets in a
    separate pass would do the whole matching twice."""
    if isinstance(query, (Q.Phrase, Q.And, Q.AndNot, CheckedPhrases)):
        return True
    return any(_scores_every_match(sub) for sub in query.children())


PARTIAL_RESULT_SECONDS = 300.0


class _ResultCache:
    """Finished results per (index generation, request): a repeated search (the
    next visitor, the back button, a refreshed page) costs a dictionary look-up.
    A reindex starts a new generation, so stale entries are never served."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if not self.size:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and time.monotonic() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key, value, seconds: Optional[float] = None) -> None:
        """Keeps `value` until evicted, or for `seconds` at most."""
        if not self.size:
            return
        with self._lock:
            self._entries[key] = (value, None if seconds is None else time.monotonic() + seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SearchService:
    """Search, facets and article lookup over one index folder.

    `cache_size` results are kept per index generation (0 turns the cache off,
    as the benchmark does to time the work itself)."""

    def __init__(self, index_dir: Union[str, Path] = "index", backend: Optional[str] = None,
                 cache_size: int = 512):
        self.layout = IndexLayout(Path(index_dir))
        self._lock = threading.Lock()
        self._generation: Optional[_Generation] = None
        self._retired: list[_Generation] = []
        self._cache = _ResultCache(cache_size)
        # Whoosh searchers are not safe to share between threads: every use of
        # the (one) searcher of a generation happens under this lock.
        self._engine = threading.RLock()
        manifest = self.layout.read_manifest()
        from search.analysis.analyzer import KoreanAnalyzer

        self.backend = backend or manifest.get("backend", "mecab")
        self.parser = QueryParser(KoreanAnalyzer(self.backend))

    # -- index generations

    def generation(self) -> _Generation:
        """The current generation, reopened when a reindex has swapped in a new one."""
        current = self._generation
        if current is not None:
            # One readlink per request; the full check only when the link moved.
            try:
                if os.readlink(self.layout.current_link) == current.target:
                    return current
            except OSError:
                pass
        path = self.layout.require_current()
        if current is not None and current.path == path:
            return current
        with self._lock:
            path = self.layout.require_current()  # again: one read before a swap must not switch back
            current = self._generation
            if current is None or current.path != path:
                fresh = _Generation(path)
                if current is not None:
                    # Searches in flight keep the old generation until they finish;
                    # close it on the swap after next.
                    for old in self._retired:
                        old.close()
                    self._retired = [current]
                    self._cache.clear()
                self._generation = fresh
            return self._generation

    def warm(self) -> None:
        """Does the one-time work of a generation now rather than in the first
        request: opens the index and a searcher, reads the facet table, loads
        the morphological analyser (a server calls this before listening)."""
        with self._engine:
            self.generation().facets()
        self.parser.compile(self.parser.parse("검색"))

    @property
    def generation_name(self) -> str:
        return self.generation().path.name

    def count(self) -> int:
        with self._engine:
            return self.generation().searcher().doc_count()

    def overview(self) -> "IndexOverview":
        """What the index holds, for the home page: article count, first and last
        publication day, and how many presses and reporters."""
        with self._engine:
            generation = self.generation()
            count = generation.searcher().doc_count()
            table = generation.facets()
        live_days = table.day_ordinal[table.live]
        dated = live_days[live_days >= 0]
        first = date.fromordinal(int(dated.min())) if len(dated) else None
        last = date.fromordinal(int(dated.max())) if len(dated) else None
        presses = len(np.unique(table.press[table.live][table.press[table.live] >= 0]))
        live = np.zeros(table.size, dtype=bool)
        live[table.live] = True
        reporters = len(np.unique(table.pair_reporter[live[table.pair_doc]]))
        return IndexOverview(count, first, last, presses, reporters)

    def initials_words(self, initials: str, limit: int = 5) -> list[str]:
        """The index's words whose 초성 are `initials` (ㅅㅅㅈㅈ → 삼성전자), in the
        most articles first: what a 초성 search matched, for the page to say and
        mark.  One scan of the words starting with the first consonant's syllables."""
        from search.index import WORDS_FIELD
        from search.korean import INITIALS, SYLLABLE_FIRST, initials_of, is_initials_query

        if not is_initials_query(initials):
            return []
        first = SYLLABLE_FIRST + INITIALS.index(initials[0]) * 588  # 588 syllables per initial
        low, high = chr(first), chr(first + 588)
        found: list[tuple[int, str]] = []
        with self._engine:
            reader = self.generation().searcher().reader()
            if WORDS_FIELD not in reader.schema:
                return []
            for fieldname, text in reader.terms_from(WORDS_FIELD, low):
                word = text.decode("utf-8") if isinstance(text, bytes) else text
                if fieldname != WORDS_FIELD or word >= high:
                    break
                if len(word) == len(initials) and initials_of(word) == initials:
                    found.append((reader.doc_frequency(WORDS_FIELD, word), word))
        return [word for _, word in sorted(found, key=lambda fw: (-fw[0], fw[1]))[:limit]]

    def suggest(self, q: str, limit: int = 10) -> list:
        """Completions for the search box (search.autocomplete), from a table
        built once per index generation (with its own reader: searches do not
        wait for the build); none while a large table is still being built."""
        table = autocomplete.for_generation(self.generation().path)
        return table.suggest(q, limit) if table is not None else []

    # -- search

    def search_ids(self, q: str, limit: int = 10) -> list[str]:
        """The ids of the `limit` best matches of `q` and nothing else: no facets,
        no snippets, no cache (the engine's own cost; used by the benchmark).
        A keyword query whose matches fill less than `limit` takes the whole
        search path (relaxation, corrections) to list the same articles."""
        with self._engine:
            generation = self.generation()
            searcher = generation.searcher()
            parsed = self.parser.parse(q)
            keyword = parsed.node is not None and not self.parser.is_question(parsed)
            query = self.parser.compile(parsed, searcher=searcher)
            proximity = getattr(query, "proximity_terms", None)
            if query is not None:
                query = _prune(_streaming_unions(query), searcher.reader())
            ids: list[str] = []
            if query is not None and query is not Q.NullQuery:
                top = self._top(generation, query, proximity, limit)
                if proximity:
                    top = rerank_by_title(searcher, top, proximity)
                ids = [searcher.stored_fields(docnum)["id"] for _, docnum in top[:limit]]
            if keyword and len(ids) < limit:
                request = SearchRequest(q=q, size=limit)
                return [hit.id for hit in self._search(generation, request, time.perf_counter()).hits]
            return ids

    def search(self, request: Union[SearchRequest, str], **params: Any) -> SearchResult:
        if isinstance(request, str):
            request = SearchRequest(q=request, **params)
        started = time.perf_counter()
        generation = self.generation()
        key = (generation.target, request.q, tuple(request.reporters), tuple(request.presses),
               request.date_from, request.date_to, request.sort, request.page, request.size, request.exact,
               request.facet_limit, request.collapse, request.group)
        cached = self._cache.get(key)
        if cached is not None:
            return replace(cached, took_ms=(time.perf_counter() - started) * 1000, request=request,
                           hits=list(cached.hits), notices=list(cached.notices), cached=True)
        with self._engine, search_deadline() as deadline:
            result = self._search(generation, request, started)
        if deadline.expired and TIMEOUT_NOTICE not in result.notices:
            result.notices.append(TIMEOUT_NOTICE)  # a loop stopped at the deadline (search/limits.py)
        # A result cut short by the time budget is kept for a while, not for
        # good: running it again at once would most likely be cut short again
        # while adding to the load (at 100,000 articles, 8 clients: repeats
        # re-ran, queued behind each other, and some waited past 30 s).  After
        # PARTIAL_RESULT_SECONDS the search runs again, perhaps on a quieter server.
        self._cache.put(key, result, PARTIAL_RESULT_SECONDS if TIMEOUT_NOTICE in result.notices else None)
        return result

    @staticmethod
    def _top(generation: _Generation, query: Q.Query, proximity, limit: int,
             allowed: Optional[np.ndarray] = None) -> list[tuple[float, int]]:
        """The best `limit` matches of `query` (among `allowed`), proximity-reranked:
        scored by the columnar executor (search.execute) where it covers the
        query, through Whoosh otherwise."""
        searcher = generation.searcher()
        index = generation.columnar()
        if index is not None:
            try:
                return execute.ranked(searcher, index, query, proximity, limit, allowed)
            except execute.Unsupported:
                pass
        kwargs: dict[str, Any] = {"limit": limit}
        if allowed is not None:
            kwargs["filter"] = set(allowed.tolist())
        return list(ranked_search(searcher, query, proximity, **kwargs).top_n)

    def _known(self, searcher) -> Callable[[str], bool]:
        """Whether a word is no typo: a reporter's or a press's name, or a word
        whose morphemes the index holds even when that written form appears
        nowhere (did-you-mean leaves it alone)."""
        reader = searcher.reader()

        def known(word: str) -> bool:
            if searcher.doc_frequency("reporter", word) or searcher.doc_frequency("press", word):
                return True
            terms = [term for term, _, _, _ in self.parser.analyzer.token_tuples(word)]
            return bool(terms) and all((CONTENT_FIELD, term) in reader for term in terms)

        return known

    def _search(self, generation: _Generation, request: SearchRequest, started: float) -> SearchResult:
        searcher = generation.searcher()
        q, rewritten_from = request.q, None
        if q and not request.exact:
            rewritten = keyboard_rewrite(searcher, q)  # tkatjdwjswk → 삼성전자
            if rewritten:
                q, rewritten_from = rewritten, request.q
        result = self._run(generation, request, q)
        # No spelling correction on top of a keyboard-layout one: dkssud read as
        # 안녕 is a guess already, and 안경 would be a guess of a guess.
        if q and rewritten_from is None and result.total < SUGGEST_BELOW:
            result.suggestion = did_you_mean(searcher, q, self._known(searcher))
            if result.suggestion and not result.listed and not request.exact:
                # Naver's way: nothing for the query as typed, results for its
                # correction: show those, with a link back (exact=1).
                corrected = self._run(generation, request, result.suggestion)
                if corrected.listed:
                    result = corrected
                    rewritten_from = q
        result.rewritten_from = rewritten_from
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def _matches(self, generation: _Generation, table: "_FacetTable", parsed: ParsedQuery, request: SearchRequest,
                 sort: str, limit: int, notices: list[str], keyword: bool = False):
        """The articles a parsed query matches (with the top `limit` by score
        when they were found in the same pass) and its compiled query."""
        searcher = generation.searcher()
        query = self.parser.compile(parsed, searcher=searcher)
        proximity = getattr(query, "proximity_terms", None)
        if query is not None:
            query = _prune(_streaming_unions(query), searcher.reader())
        query = guard(query, parsed.text, notices)  # time budget; wildcard notice (search/limits.py)
        ranked = None  # (docnum, score) of the first `limit` hits, when found with the matches
        if not parsed.text:
            docs = table.live
        elif query is None or query is Q.NullQuery:
            docs = np.zeros(0, dtype=np.int64)
        elif (scored := self._scored(generation, query)) is not None:
            # The columnar executor lists and scores every match in one pass:
            # the matches (for the facets and filters) and, unfiltered, the top.
            docs = scored[0]
            if sort == "relevance" and not _filters(request):
                top = execute.ranked(searcher, generation.columnar(), query, proximity, limit, matched=scored)
                if proximity:
                    top = rerank_by_title(searcher, top, proximity)
                ranked = [(docnum, score) for score, docnum in top]
        elif sort == "relevance" and not _filters(request) and _scores_every_match(query):
            collector = _TopAndAll(max(limit, RERANK_DEPTH) if proximity else limit)
            searcher.search_with_collector(query, collector)
            docs = np.array(sorted(collector.matched), dtype=np.int64)
            results = collector.results()
            if proximity:
                rerank(searcher, results, proximity)
                results.top_n = rerank_by_title(searcher, results.top_n, proximity)
            ranked = [(docnum, score) for score, docnum in results.top_n]
        else:
            docs = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
        return query, proximity, docs, ranked

    @staticmethod
    def _scored(generation: _Generation, query: Q.Query):
        """Every match of `query` with its score from the columnar executor,
        or None where it does not cover the query (search.execute)."""
        index = generation.columnar()
        if index is None:
            return None
        try:
            return execute.scored_matches(generation.searcher(), index, query)
        except execute.Unsupported:
            return None

    def _run(self, generation: _Generation, request: SearchRequest, q: str) -> SearchResult:
        """One search of `q` (as typed or as rewritten) with the request's
        filters, sort and page."""
        searcher = generation.searcher()
        parsed = self.parser.parse(q)
        notices = list(parsed.notices)
        browse = not q
        table = generation.facets()
        sort = request.sort
        if browse and sort == "relevance":
            sort = "newest"  # nothing to rank by: show the latest first
        offset = (request.page - 1) * request.size
        limit = offset + request.size
        keyword = not browse and parsed.node is not None and not self.parser.is_question(parsed)

        query, proximity, docs, ranked = self._matches(generation, table, parsed, request, sort, limit, notices, keyword)
        allowed, facets, granularity = self._facet_and_filter(docs, request, table)
        if keyword and len(allowed) < limit:
            # Speech in a pasted headline is often paraphrased in the article:
            # a phrase never empties the page on its own.
            plain = unquoted(parsed)
            if plain is not None:
                quotes, found = ", ".join(map(_shown_phrase, quoted_phrases(parsed))), len(allowed)
                again = self._matches(generation, table, plain, request, sort, limit, notices, keyword)
                filtered = self._facet_and_filter(again[2], request, table)
                # Kept when it finds more (the phrase's articles are among them).
                if not found or len(filtered[0]) > found:
                    parsed = plain
                    query, proximity, docs, ranked = again
                    allowed, facets, granularity = filtered
                    if not found:
                        notices.append(f"{quotes}이(가) 그대로 들어간 기사가 없어 따옴표 없이 찾았습니다.")
                    else:
                        notices.append(f"{quotes}이(가) 그대로 들어간 기사가 {found:,}건뿐이어서 따옴표 없이도 찾았습니다.")
        allowed, ranked, grouping = collapse.apply(generation.path, table.size, allowed, ranked, request, sort,
                                                   table.published, table.undated, (lambda d: self._top(
                                                       generation, query, proximity, len(d), d)) if query is not None else None,
                                                   notices)
        terms = highlight_terms(self.parser, parsed)
        if query is None and not browse:
            notices.append("검색어에서 찾을 수 있는 단어가 없습니다 (조사·어미만으로는 검색되지 않습니다).")
        total = len(allowed)

        relaxation: Optional[Relaxation] = None
        relaxed_allowed = np.zeros(0, dtype=np.int64)
        facets_scope = "strict"
        # Not after a search cut short by the time budget: it would be cut short again.
        if keyword and total < limit and TIMEOUT_NOTICE not in notices and not request.group:
            relaxation = relax(self.parser, searcher, parsed, table.size, lambda qq: _docs_for(searcher, qq))
            if relaxation is not None and len(relaxation.docs):
                relaxed_allowed, relaxed_facets, relaxed_granularity = self._facet_and_filter(relaxation.docs, request, table)
                if not total and len(relaxed_allowed):
                    facets, granularity, facets_scope = relaxed_facets, relaxed_granularity, "relaxed"
        relaxed_total = len(relaxed_allowed)

        hits: list[Hit] = []
        reader = searcher.reader()
        if total and offset < total:
            strict_limit = min(limit, total)
            if ranked is not None:
                page = ranked[offset:strict_limit]
            elif sort == "relevance":
                top = self._top(generation, query, proximity, strict_limit,
                                allowed if len(allowed) != len(docs) else None)
                if proximity:
                    top = rerank_by_title(searcher, top, proximity)
                page = [(docnum, score) for score, docnum in top[offset:strict_limit]]
            else:
                page = [(int(d), None) for d in self._by_date(allowed, table, sort == "newest", offset, strict_limit)]
            hits = self._hits(searcher, reader, page, terms, sort == "relevance")
        if relaxed_total and limit > total:
            page = self._relaxed_page(generation, table, parsed, relaxation, relaxed_allowed, sort,
                                      max(0, offset - total), limit - total)
            relaxed_hits = self._hits(searcher, reader, page, terms, sort == "relevance")
            for hit, (docnum, _) in zip(relaxed_hits, page):
                hit.missing = relaxation.missing(docnum)
            hits += relaxed_hits
            if total:
                notices.append(f"모든 단어가 들어 있는 기사가 {total:,}건뿐이어서, 일부 단어가 빠진 기사를 이어서 보여 드립니다.")
            else:
                notices.append("모든 단어가 들어 있는 기사가 없어, 일부 단어가 빠진 기사를 보여 드립니다.")

        return SearchResult(
            query=q,
            total=total,
            page=request.page,
            size=request.size,
            took_ms=0.0,
            hits=hits,
            facets=facets,
            notices=list(dict.fromkeys(notices)),
            date_granularity=granularity,
            highlight_terms=sorted(terms),
            request=request,
            relaxed_total=relaxed_total,
            facets_scope=facets_scope,
            reporter_card=self._reporter_card(searcher, table, parsed) if keyword else None,
            grouping=grouping.annotate(hits, searcher),
        )

    def _relaxed_page(self, generation: _Generation, table: "_FacetTable", parsed: ParsedQuery, relaxation: Relaxation,
                      allowed: np.ndarray, sort: str, offset: int, limit: int) -> list[tuple[int, Optional[float]]]:
        """Relaxed articles offset..limit: those missing fewer words first, each
        tier by the strict hits' scoring (or by date)."""
        searcher = generation.searcher()
        page: list[tuple[int, Optional[float]]] = []
        ranking = None
        proximity = None
        if sort == "relevance":
            names = self.parser.reporter_words(parsed, searcher)
            ranking, proximity = self.parser.ranking(parsed, searcher, False, names)
            if ranking is not None:
                ranking = _prune(_streaming_unions(ranking), searcher.reader())
        for tier in relaxation.tiers(allowed):
            if limit <= 0:
                break
            if offset >= len(tier):
                offset, limit = offset - len(tier), limit - len(tier)
                continue
            want = min(limit, len(tier))
            if ranking is not None and ranking is not Q.NullQuery:
                top = self._top(generation, ranking, proximity, want, tier)
                if proximity:
                    top = rerank_by_title(searcher, top, proximity)
                ordered = [(docnum, score) for score, docnum in top[:want]]
                seen = {d for d, _ in ordered}
                # Tier articles the ranking query does not score (none expected) come last.
                ordered += [(int(d), 0.0) for d in tier if int(d) not in seen][:want - len(ordered)]
            else:
                ordered = [(int(d), None) for d in self._by_date(tier, table, sort != "oldest", 0, want)]
            page += ordered[offset:want]
            limit -= len(tier)
            offset = 0
        return page

    def _reporter_card(self, searcher, table: "_FacetTable", parsed: ParsedQuery) -> Optional[ReporterCard]:
        """The card of a query that is only a reporter's name."""
        words = plain_words(parsed.node)
        nodes = parsed.node.nodes if isinstance(parsed.node, AllOf) else [parsed.node]
        if len(words) != len(nodes) or [w.text for w in words[1:]] not in ([], ["기자"]):
            return None  # only a name (강경희, 강경희 기자)
        node = words[0]
        reporter = table.reporter_ids.get(node.text)
        if reporter is None:
            return None
        docs = np.unique(table.pair_doc[table.pair_reporter == reporter])
        docs = docs[np.isin(docs, table.live)]
        if not len(docs):
            return None
        recent = []
        for docnum in self._by_date(docs, table, True, 0, 3):
            stored = searcher.stored_fields(int(docnum))
            meta = stored_fields.meta(stored)  # read by type: an old index may hold anything
            recent.append(RecentArticle(stored["id"], stored_fields.text(stored.get("title")) or "",
                                        stored_fields.iso_text(meta.get("published"))))
        return ReporterCard(node.text, int(len(docs)), recent, f"기자:{node.text}")

    def related(self, article_id: str, limit: int = 5):
        """The article's related-article navigation (`search.related.RelatedArticles`),
        or None for an unknown id."""
        from search.related import find_related

        with self._engine:  # one searcher per generation, shared by all threads
            return find_related(self.generation().searcher(), article_id, similar=limit, per_reporter=limit)

    @staticmethod
    def _by_date(docs: np.ndarray, table: _FacetTable, newest: bool, offset: int, limit: int) -> np.ndarray:
        """Documents offset..limit of `docs` by publication time, undated last and
        ties in index order, sorting only the candidates for the first `limit`."""
        published = table.published[docs]
        key = np.where(table.undated[docs], np.iinfo(np.int64).max, -published if newest else published)
        if limit < len(docs):
            # Everything up to the limit-th key (ties included, so pages stay stable).
            kth = np.partition(key, limit - 1)[limit - 1]
            candidates = key <= kth
            docs, key = docs[candidates], key[candidates]
        order = np.lexsort((docs, key))
        return docs[order[offset:limit]]

    def _facet_and_filter(self, docs: np.ndarray, request: SearchRequest, table: _FacetTable):
        """Filters by the request's reporters, presses and dates and counts the
        facets.  Each facet is counted with the *other* facets' filters applied, so a
        user can widen a choice (OR within a facet) as well as narrow it."""
        want_reporters = set(request.reporters)
        want_presses = set(request.presses)
        low = request.date_from.toordinal() if request.date_from else None
        high = request.date_to.toordinal() if request.date_to else None

        everything = np.ones(len(docs), dtype=bool)
        ok_reporter = ok_press = ok_day = everything
        # A document's position in `docs` (or -1): reporter pairs map through it.
        position = np.full(table.size, -1, dtype=np.int64)
        position[docs] = np.arange(len(docs))
        pair_position = position[table.pair_doc]
        in_result = pair_position >= 0
        if want_reporters:
            wanted = [table.reporter_ids[r] for r in want_reporters if r in table.reporter_ids]
            hit_pairs = in_result & np.isin(table.pair_reporter, wanted)
            ok_reporter = np.zeros(len(docs), dtype=bool)
            ok_reporter[pair_position[hit_pairs]] = True
        press = table.press[docs]
        if want_presses:
            wanted = [table.press_ids[p] for p in want_presses if p in table.press_ids]
            ok_press = np.isin(press, wanted)
        day = table.day_ordinal[docs]
        if low is not None or high is not None:
            ok_day = day >= 0
            if low is not None:
                ok_day = ok_day & (day >= low)
            if high is not None:
                ok_day = ok_day & (day <= high)

        # Reporters, counted over documents that pass the press and date filters.
        counted = np.zeros(len(docs), dtype=bool)
        counted[ok_press & ok_day] = True
        reporter_pairs = in_result.copy()
        reporter_pairs[in_result] = counted[pair_position[in_result]]
        reporter_hist = np.bincount(table.pair_reporter[reporter_pairs], minlength=len(table.reporter_names))
        press_mask = ok_reporter & ok_day & (press >= 0)
        press_hist = np.bincount(press[press_mask], minlength=len(table.press_names))
        month = table.month[docs]
        month_mask = ok_reporter & ok_press & (month >= 0)
        month_hist = np.bincount(month[month_mask], minlength=len(table.month_names))
        allowed = docs[ok_reporter & ok_press & ok_day]

        reporter_counts = Counter({table.reporter_names[i]: int(reporter_hist[i]) for i in np.flatnonzero(reporter_hist)})
        press_counts = Counter({table.press_names[i]: int(press_hist[i]) for i in np.flatnonzero(press_hist)})
        day_counts = Counter({table.month_names[i]: int(month_hist[i]) for i in np.flatnonzero(month_hist)})

        granularity = "month"
        if day_counts:
            months = sorted(day_counts)
            first, last = months[0], months[-1]
            span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
            if span > 36:
                granularity = "year"
                by_year: Counter = Counter()
                for month_name, count in day_counts.items():
                    by_year[month_name[:4]] += count
                day_counts = by_year

        def top(counter: Counter, selected: set[str]) -> list[FacetCount]:
            ranked = heapq.nsmallest(request.facet_limit, counter.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = {value for value, _ in ranked}
            ranked += [(v, counter.get(v, 0)) for v in sorted(selected - shown)]
            return [FacetCount(v, c) for v, c in ranked]

        facets = {
            "reporter": top(reporter_counts, want_reporters),
            "press": top(press_counts, want_presses),
            "date": [FacetCount(period, count) for period, count in sorted(day_counts.items())],
        }
        if low is not None or high is not None:
            facets["date_detail"] = _date_detail(day[ok_reporter & ok_press & ok_day])
        return allowed, facets, granularity

    def _hits(self, searcher, reader, page: list[tuple[int, Optional[float]]], terms: set[str],
              scored: bool) -> list[Hit]:
        """The page's hits with snippets: one postings matcher per term walks the
        page's documents in order (instead of one per hit), reading the
        character offsets of `content`, which holds every text field."""
        docnums = [docnum for docnum, _ in page]
        spans = spans_by_doc(reader, CONTENT_FIELD, terms, docnums) if terms else {}
        hits = []
        for docnum, score in page:
            stored = searcher.stored_fields(docnum)
            meta = stored_fields.meta(stored)  # read by type: an old index may hold anything
            title = stored.get("title") or ""
            texts = _texts(stored, meta)
            found = spans_by_field(spans.get(docnum, []), texts)
            best_text, best_spans = texts["body"], []
            for fieldname in ("body", "subtitles", "captions"):
                text = texts[fieldname]
                if text and len(found.get(fieldname, [])) > len(best_spans):
                    best_text, best_spans = text, found[fieldname]
            hits.append(Hit(
                id=stored["id"],
                title=title,
                url=stored.get("url"),
                press=stored.get("press"),
                reporters=stored_fields.texts(meta.get("reporters")),
                published=stored_fields.iso_text(meta.get("published")),
                score=round(float(score), 4) if scored and score is not None else None,
                snippet=snippet(best_text, best_spans),
                title_html=mark(title, found.get("title", [])),
            ))
        return hits

    # -- articles

    def article(self, article_id: str) -> Optional[Article]:
        with self._engine:
            stored = self.generation().searcher().document(id=article_id)
        return article_from_stored(stored) if stored else None

    def highlighted_body(self, article_id: str, q: str) -> Optional[list[str]]:
        """The article's paragraphs as HTML with the query's morphemes marked."""
        terms = highlight_terms(self.parser, self.parser.parse(q)) if q else set()
        with self._engine:
            searcher = self.generation().searcher()
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            stored = searcher.stored_fields(docnum)
            spans = term_spans(searcher.reader(), CONTENT_FIELD, terms, docnum) if terms else []
        texts = _texts(stored, stored_fields.meta(stored))
        spans = spans_by_field(spans, texts).get("body", [])
        return marked_paragraphs(texts["body"], spans)  # linear in lines and marks (search/highlight.py)
