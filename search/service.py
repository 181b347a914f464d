"""The one library entry point for searching: the CLI, the web app and the
evaluation all call `SearchService.search`.

The service orchestrates; the work lives in search/query/: it keeps the
current index generation open (search.query.generation: the Whoosh index, its
one searcher, the facet and columnar arrays, the parser of the generation's
own analyzer), notices a reindex swap with one `readlink` per request, keeps
finished results per (request, generation) (search.query.cache), and runs a
search (search.query.run) under the engine lock and the search deadline
(search.limits).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from search import autocomplete
from search.analysis.analyzer import KoreanAnalyzer
from search.index import IndexLayout, article_from_stored
from search.limits import TIMEOUT_NOTICE, search_deadline
from search.model import Article
from search.query import run
from search.query.cache import PARTIAL_RESULT_SECONDS, ResultCache
from search.query.generation import Generation, analyzer_backend
from search.query.hits import highlighted_body
from search.query.parser import QueryParser
from search.query.request import MAX_PAGE, MAX_PAGE_SIZE, SearchRequest
from search.query.result import FacetCount, Hit, IndexOverview, SearchResult

# The request and result values are defined in search.query and named here too:
# `from search.service import SearchService, SearchRequest` is the old import path.
__all__ = ["SearchService", "SearchRequest", "SearchResult", "Hit", "FacetCount", "IndexOverview",
           "MAX_PAGE", "MAX_PAGE_SIZE"]


class SearchService:
    """Search, facets and article lookup over one index folder.

    `cache_size` results are kept per index generation (0 turns the cache off,
    as the benchmark does to time the work itself).  `backend` overrides the
    analyzer the generations' manifests name."""

    def __init__(self, index_dir: Union[str, Path] = "index", backend: Optional[str] = None,
                 cache_size: int = 512):
        self.layout = IndexLayout(Path(index_dir))
        self._lock = threading.Lock()
        self._generation: Optional[Generation] = None
        self._retired: list[Generation] = []
        self._cache = ResultCache(cache_size)
        # Whoosh searchers are not safe to share between threads: every use of
        # the (one) searcher of a generation happens under this lock.  The
        # columnar path reads that searcher too, and without the lock it ran no
        # faster with four threads (measured: README, How it works).
        self._engine = threading.RLock()
        self._backend = backend
        # One parser per analyzer backend, shared by the generations built with it
        # (loading a morphological analyser is the expensive part).
        self._parsers: dict[str, QueryParser] = {}

    def _parser_for(self, backend: str) -> QueryParser:
        """(Called under self._lock.)"""
        parser = self._parsers.get(backend)
        if parser is None:
            parser = self._parsers[backend] = QueryParser(KoreanAnalyzer(backend))
        return parser

    # -- index generations

    def generation(self) -> Generation:
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
                manifest = self.layout.read_manifest(path)
                backend = self._backend or analyzer_backend(manifest)
                fresh = Generation(path, manifest, backend, self._parser_for(backend))
                if current is not None:
                    # Searches in flight keep the old generation until they finish;
                    # close it on the swap after next.
                    for old in self._retired:
                        old.close()
                    self._retired = [current]
                    self._cache.clear()
                self._generation = fresh
            return self._generation

    @property
    def parser(self) -> QueryParser:
        """The query parser of the current generation's analyzer."""
        return self.generation().parser

    @property
    def backend(self) -> str:
        return self.generation().backend

    def warm(self) -> None:
        """Does the one-time work of a generation now rather than in the first
        request: opens the index and a searcher, reads the facet table, the
        columnar postings, the titles' lengths and the byline names, the
        article ids, the did-you-mean vocabulary and the same-event clusters,
        loads the morphological analyser (`news-search serve` calls this
        before listening)."""
        with self._engine:
            generation = self.generation()
            generation.facets()
            lookup = generation.lookup()
            if lookup is not None:
                lookup.warm()
            generation.article_ids()
            generation.vocabulary()
            generation.clusters()
        generation.parser.compile(generation.parser.parse("검색"))

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
            ids = run.search_ids(generation, q, limit)
            if ids is None:
                request = SearchRequest(q=q, size=limit)
                ids = [hit.id for hit in run.search(generation, request, snippets=False).hits]
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
            result = run.search(generation, request)
        result.took_ms = (time.perf_counter() - started) * 1000
        if deadline.expired and TIMEOUT_NOTICE not in result.notices:
            result.notices.append(TIMEOUT_NOTICE)  # a loop stopped at the deadline (search/limits.py)
        # A result cut short by the time budget is kept for a while, not for
        # good: running it again at once would most likely be cut short again
        # while adding to the load (at 100,000 articles, 8 clients: repeats
        # re-ran, queued behind each other, and some waited past 30 s).  After
        # PARTIAL_RESULT_SECONDS the search runs again, perhaps on a quieter server.
        self._cache.put(key, result, PARTIAL_RESULT_SECONDS if TIMEOUT_NOTICE in result.notices else None)
        return result

    def related(self, article_id: str, limit: int = 5):
        """The article's related-article navigation (`search.related.RelatedArticles`),
        or None for an unknown id."""
        from search.related import find_related

        with self._engine:  # one searcher per generation, shared by all threads
            return find_related(self.generation().searcher(), article_id, similar=limit, per_reporter=limit)

    # -- articles

    def article(self, article_id: str) -> Optional[Article]:
        with self._engine:
            stored = self.generation().searcher().document(id=article_id)
        return article_from_stored(stored) if stored else None

    def highlighted_body(self, article_id: str, q: str) -> Optional[list[str]]:
        """The article's paragraphs as HTML with the query's morphemes (and the
        words it found by their spelling) marked."""
        with self._engine:
            generation = self.generation()
            terms, spelled = run.article_marks(generation, q) if q else (set(), [])
            searcher = generation.searcher()
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            return highlighted_body(searcher, docnum, terms, generation.lookup(), spelled)
