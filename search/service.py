"""The one library entry point for searching: the CLI, the web app and the
evaluation all call `SearchService.search`.

It keeps one Whoosh index open per generation (and one searcher per thread),
notices a reindex swap with one `readlink` per request, and counts facets from
per-document arrays built once per generation instead of Whoosh's facet
machinery (measured ~100x cheaper for months).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring, sorting

from search.highlight import mark, snippet, term_spans
from search.index import IndexLayout, article_from_stored
from search.model import Article
from search.query import QueryError, QueryParser, highlight_terms, parse_date_bound
from search.ranking import ranked_search
from search.suggest import SUGGEST_BELOW, did_you_mean, keyboard_rewrite

SORTS = ("relevance", "newest", "oldest")
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
        request.exact = exact is True or (isinstance(exact, str) and exact.strip().lower() in ("1", "true", "yes", "on"))
        request.sort = (sort or "relevance").strip().lower()
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
    # The query as typed when it was recognised as Korean typed on the Latin
    # layout and searched as Hangul (`query` then holds the Hangul).
    rewritten_from: Optional[str] = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

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
        }


class _FacetTable:
    """Per-document facet values of one index generation, read once from the
    term postings (cheap: one pass over three small fields)."""

    def __init__(self, reader):
        size = reader.doc_count_all()
        self.reporters: list[tuple[str, ...]] = [()] * size
        self.press: list[Optional[str]] = [None] * size
        self.day: list[Optional[str]] = [None] * size
        reporters: dict[int, list[str]] = {}
        for fieldname, target in (("reporter", None), ("press", self.press), ("day", self.day)):
            if fieldname not in reader.schema:
                continue
            for term in reader.lexicon(fieldname):
                value = term.decode("utf-8")
                for docnum in reader.postings(fieldname, term).all_ids():
                    if target is None:
                        reporters.setdefault(docnum, []).append(value)
                    else:
                        target[docnum] = value
        for docnum, names in reporters.items():
            self.reporters[docnum] = tuple(names)
        self.live = [d for d in range(size) if not reader.is_deleted(d)] if reader.has_deletions() else list(range(size))


class _Generation:
    """One opened index generation: the Whoosh index, per-thread searchers and
    the facet table."""

    def __init__(self, path: Path):
        self.path = path
        self.index = whoosh_index.open_dir(str(path))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._facets: Optional[_FacetTable] = None
        self._searchers: list = []

    def searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
            self._local.searcher = searcher
            with self._lock:
                self._searchers.append(searcher)
        return searcher

    def facets(self) -> _FacetTable:
        if self._facets is None:
            with self._lock:
                if self._facets is None:
                    self._facets = _FacetTable(self.searcher().reader())
        return self._facets

    def close(self) -> None:
        with self._lock:
            for searcher in self._searchers:
                try:
                    searcher.close()
                except Exception:
                    pass
            self._searchers.clear()


class SearchService:
    """Search, facets and article lookup over one index folder."""

    def __init__(self, index_dir: Union[str, Path] = "index", backend: Optional[str] = None):
        self.layout = IndexLayout(Path(index_dir))
        self._lock = threading.Lock()
        self._generation: Optional[_Generation] = None
        self._retired: list[_Generation] = []
        manifest = self.layout.read_manifest()
        from search.analysis.analyzer import KoreanAnalyzer

        self.backend = backend or manifest.get("backend", "mecab")
        self.parser = QueryParser(KoreanAnalyzer(self.backend))

    # -- index generations

    def generation(self) -> _Generation:
        """The current generation, reopened when a reindex has swapped in a new one."""
        path = self.layout.require_current()
        current = self._generation
        if current is not None and current.path == path:
            return current
        with self._lock:
            current = self._generation
            if current is None or current.path != path:
                fresh = _Generation(path)
                if current is not None:
                    # Searches in flight keep the old generation until they finish;
                    # close it on the swap after next.
                    for old in self._retired:
                        old.close()
                    self._retired = [current]
                self._generation = fresh
            return self._generation

    @property
    def generation_name(self) -> str:
        return self.generation().path.name

    def count(self) -> int:
        return self.generation().searcher().doc_count()

    # -- search

    def search(self, request: Union[SearchRequest, str], **params: Any) -> SearchResult:
        if isinstance(request, str):
            request = SearchRequest(q=request, **params)
        started = time.perf_counter()
        generation = self.generation()
        searcher = generation.searcher()
        q, rewritten_from = request.q, None
        if q and not request.exact:
            rewritten = keyboard_rewrite(searcher, q)  # tkatjdwjswk → 삼성전자
            if rewritten:
                q, rewritten_from = rewritten, request.q
        parsed = self.parser.parse(q)
        query = self.parser.compile(parsed, searcher=searcher)  # the searcher: AND-then-relaxed
        notices = list(parsed.notices)
        terms = highlight_terms(self.parser, parsed)
        browse = not request.q
        if query is None and not browse:
            notices.append("검색어에서 찾을 수 있는 단어가 없습니다 (조사·어미만으로는 검색되지 않습니다).")

        table = generation.facets()
        if browse:
            docs = table.live
        elif query is None:
            docs = []
        else:
            docs = list(searcher.docs_for_query(query))

        allowed, facets, granularity = self._facet_and_filter(docs, request, table)
        total = len(allowed)
        sort = request.sort
        if browse and sort == "relevance":
            sort = "newest"  # nothing to rank by: show the latest first

        hits: list[Hit] = []
        offset = (request.page - 1) * request.size
        if total and offset < total:
            limit = min(offset + request.size, total)
            search_query = query if query is not None else Q.Every()
            kwargs: dict[str, Any] = {"limit": limit}
            if len(allowed) != len(docs):
                kwargs["filter"] = allowed
            if sort != "relevance":
                kwargs["sortedby"] = [
                    sorting.FieldFacet("undated"),
                    sorting.FieldFacet("published", reverse=sort == "newest"),
                ]
            results = ranked_search(searcher, search_query, sort == "relevance", **kwargs)
            reader = searcher.reader()
            for rank in range(offset, min(limit, len(results))):
                hits.append(self._hit(results[rank], reader, terms, sort == "relevance"))

        suggestion = did_you_mean(searcher, q) if q and total < SUGGEST_BELOW else None
        return SearchResult(
            query=q,
            total=total,
            page=request.page,
            size=request.size,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            rewritten_from=rewritten_from,
            notices=notices,
            date_granularity=granularity,
            highlight_terms=sorted(terms),
            request=request,
        )

    def _facet_and_filter(self, docs: list[int], request: SearchRequest, table: _FacetTable):
        """Filters by the request's reporters, presses and dates and counts the
        facets.  Each facet is counted with the *other* facets' filters applied, so a
        user can widen a choice (OR within a facet) as well as narrow it."""
        want_reporters = set(request.reporters)
        want_presses = set(request.presses)
        low = request.date_from.isoformat() if request.date_from else None
        high = request.date_to.isoformat() if request.date_to else None
        reporter_counts: Counter = Counter()
        press_counts: Counter = Counter()
        day_counts: Counter = Counter()
        allowed: set[int] = set()
        reporters_of, press_of, day_of = table.reporters, table.press, table.day
        for docnum in docs:
            names = reporters_of[docnum]
            press = press_of[docnum]
            day = day_of[docnum]
            ok_reporter = not want_reporters or not want_reporters.isdisjoint(names)
            ok_press = not want_presses or press in want_presses
            ok_day = (low is None and high is None) or (
                day is not None and (low is None or day >= low) and (high is None or day <= high)
            )
            if ok_press and ok_day:
                reporter_counts.update(names)
            if ok_reporter and ok_day and press:
                press_counts[press] += 1
            if ok_reporter and ok_press and day:
                day_counts[day[:7]] += 1
            if ok_reporter and ok_press and ok_day:
                allowed.add(docnum)

        granularity = "month"
        if day_counts:
            months = sorted(day_counts)
            first, last = months[0], months[-1]
            span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
            if span > 36:
                granularity = "year"
                by_year: Counter = Counter()
                for month, count in day_counts.items():
                    by_year[month[:4]] += count
                day_counts = by_year

        def top(counter: Counter, selected: set[str]) -> list[FacetCount]:
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            chosen = ranked[:FACET_LIMIT]
            shown = {value for value, _ in chosen}
            chosen += [(v, counter.get(v, 0)) for v in sorted(selected - shown)]
            return [FacetCount(v, c) for v, c in chosen]

        facets = {
            "reporter": top(reporter_counts, want_reporters),
            "press": top(press_counts, want_presses),
            "date": [FacetCount(period, count) for period, count in sorted(day_counts.items())],
        }
        return allowed, facets, granularity

    def _hit(self, hit, reader, terms: set[str], scored: bool) -> Hit:
        stored = hit.fields()
        docnum = hit.docnum
        import json

        meta = json.loads(stored.get("meta") or "{}")
        best_text, best_spans = stored.get("body") or "", []
        if terms:
            for fieldname in ("body", "subtitles", "captions"):
                text = stored.get(fieldname) or ""
                if not text:
                    continue
                spans = term_spans(reader, fieldname, terms, docnum)
                if len(spans) > len(best_spans):
                    best_text, best_spans = text, spans
        title = stored.get("title") or ""
        title_spans = term_spans(reader, "title", terms, docnum) if terms else []
        return Hit(
            id=stored["id"],
            title=title,
            url=stored.get("url"),
            press=stored.get("press"),
            reporters=list(meta.get("reporters") or []),
            published=meta.get("published"),
            score=round(float(hit.score), 4) if scored and hit.score is not None else None,
            snippet=snippet(best_text, best_spans),
            title_html=mark(title, title_spans),
        )

    # -- articles

    def article(self, article_id: str) -> Optional[Article]:
        stored = self.generation().searcher().document(id=article_id)
        return article_from_stored(stored) if stored else None

    def highlighted_body(self, article_id: str, q: str) -> Optional[list[str]]:
        """The article's paragraphs as HTML with the query's morphemes marked."""
        searcher = self.generation().searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        body = stored.get("body") or ""
        terms = highlight_terms(self.parser, self.parser.parse(q)) if q else set()
        spans = term_spans(searcher.reader(), "body", terms, docnum) if terms else []
        paragraphs, cursor = [], 0
        for paragraph in body.split("\n"):
            end = cursor + len(paragraph)
            if paragraph:
                local = [(s - cursor, e - cursor) for s, e in spans if s >= cursor and e <= end]
                paragraphs.append(mark(paragraph, local))
            cursor = end + 1
        return paragraphs
