"""The worker side of a reindex: load and analyse a unit of work (in this
process or a pool worker), or, in a parallel full build, also write the
articles into a segment of the worker's own (`segment_worker`).  Everything
sent back is a record of search/reindex/units.py."""

from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path
from typing import Any, Optional, Union

from whoosh import index as whoosh_index

from search.analysis.analyzer import KoreanAnalyzer
from search.bulkwriter import BulkSegmentWriter
from search.dedup import body_fingerprint
from search.grouping import sketch
from search.index import article_texts, document_for
from search.ingest.errors import LoadFailure, LoadWarning
from search.ingest.jsonl import load_jsonl_lines
from search.ingest.loader import ArticleLoader
from search.model import MAX_INDEXED_TEXT_CHARS, Article
from search.orphans import exit_with_parent
from search.reindex.plan import unit_lines
from search.reindex.units import (
    Analysed, Capped, Failed, FileUnit, KnownLinesUnit, Outcome, SegmentDone, Unchanged, UnitDone, Warned,
    WorkerFailed, WorkUnit, Written,
)

_worker_state: dict[str, Any] = {}


def process_context():
    """The multiprocessing context of the reindex's worker processes: fork
    where the platform has it (the workers start with the parent's imports
    and analyser), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def init_pool_worker(backend: str, known: Optional[dict[str, str]], lines: Optional[dict[str, str]] = None,
                     copied: frozenset = frozenset()) -> None:
    exit_with_parent()  # no orphan goes on analysing after a killed reindex
    init_worker(backend, known, lines, copied)


def init_worker(backend: str, known: Optional[dict[str, str]], lines: Optional[dict[str, str]] = None,
                copied: frozenset = frozenset()) -> None:
    """`copied`: body fingerprints (search.dedup) of the generation an
    incremental run starts from; an article with one of them is loaded but
    not analysed here (most are copies, and the parent, which decides, never
    writes them; it analyses the rare one that is not)."""
    _worker_state["analyzer"] = KoreanAnalyzer(backend)
    _worker_state["copied"] = copied
    _worker_state["known"] = known or {}
    _worker_state["lines"] = lines or {}
    _worker_state["loader"] = ArticleLoader()


def analyse_article(article: Article, backend: Optional[str] = None) -> dict[str, list]:
    """The tokens of an article's text fields, with this process's analyzer
    (`init_worker`'s, else one made for `backend` on first use)."""
    analyzer = _worker_state.get("analyzer")
    if analyzer is None:
        analyzer = _worker_state["analyzer"] = KoreanAnalyzer(backend or "mecab")
    return {name: analyzer.token_tuples(text) for name, text in article_texts(article).items() if text}


def _outcomes(item: Union[Article, LoadFailure, LoadWarning], analyse: bool, key: Optional[str] = None,
              line: int = 1) -> list[Outcome]:
    if isinstance(item, LoadFailure):
        return [Failed(item)]
    if isinstance(item, LoadWarning):
        return [Warned(item)]
    if _worker_state["known"].get(item.id) == item.content_hash:
        return [Unchanged(item.id, item.source, key)]
    # Capped after the hash (which stays the hash of the whole input): one
    # giant article must not make every query that matches it slow.
    before = item.cap_text(MAX_INDEXED_TEXT_CHARS)
    out: list[Outcome] = [Capped(item.id, item.source or "", before)] if before else []
    if not analyse or (_worker_state["copied"] and body_fingerprint(item.body) in _worker_state["copied"]):
        return out + [Analysed(item, None, key, line)]
    try:
        tokens = analyse_article(item)
    except Exception as exc:  # one broken article never stops a reindex
        return [Failed(LoadFailure(item.source or "", f"cannot analyse article {item.id}: {exc}"))]
    return out + [Analysed(item, tokens, key, line, sketch(tokens, item.published))]


def process_unit(unit: WorkUnit, analyse: bool = True) -> list[Outcome]:
    """Load (and analyse) one unit of work: a whole file, or a batch of JSONL lines."""
    if isinstance(unit, FileUnit):
        return [o for item in _worker_state["loader"].load(unit.source) for o in _outcomes(item, analyse)]
    if isinstance(unit, KnownLinesUnit):
        return [Unchanged(article_id, unit.path, key) for article_id, key in unit.entries]
    out: list[Outcome] = []
    try:
        lines = list(unit_lines(unit))
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        return [Failed(LoadFailure(unit.path, reason, number, unreadable=True))
                for number in range(unit.first, unit.first + len(unit.keys))]
    for number, raw, key in lines:
        if key is None:
            out.append(Failed(LoadFailure(unit.path, "the line changed while the reindex ran", number)))
            continue
        for item in load_jsonl_lines(Path(unit.path), [raw], unit.relative, number):
            out.extend(_outcomes(item, analyse, key, number))
    return out


def settle_garbage_collector() -> None:
    """Moves everything alive now out of the cyclic garbage collector's sight.

    A segment writer holds millions of small containers (per-term posting
    lists) that live until the segment is written and are freed by reference
    counting; each full collection walked all of them again, which cost a
    third of the time of adding a document (measured at 2,000 articles)."""
    gc.freeze()


def new_writer(ix, **options) -> BulkSegmentWriter:
    """The segment writer: postings gathered per term (search.bulkwriter; its
    tests hold it to Whoosh's own SegmentWriter, byte for byte)."""
    return BulkSegmentWriter(ix, **options)


# Articles per segment a worker writes before it finalises the segment and
# starts another.  Finalising used to hold the whole segment's postings as
# Python arrays (the columnar builder): ~250,000 articles a worker took its RSS
# from 1.55 GB to 2.7 GB at the end of a 500,000-article build, 50,000 kept it
# near a fifth of that.  The columnar arrays now go to temporary files as they
# are written (a worker stayed at ~300 MiB through writing a 50,000-document
# segment); what is left of that step grows with the segment (its Whoosh
# field lengths, the merge of its spilled runs term by term).  A million
# articles make ~20 segments, few enough for the query side's per-segment work.
SEGMENT_ARTICLES = 50_000


class _Parts:
    """The segments ("parts") one worker writes in turn, each of at most
    `size` articles: where the next article goes, as (part, docnum)."""

    def __init__(self, ix, limitmb: int, size: int, slot: int, results):
        self.ix, self.limitmb, self.size, self.slot, self.results = ix, limitmb, max(1, size), slot, results
        self.part = 0
        self.docnum = 0
        self.writer = self._new()

    def _new(self) -> BulkSegmentWriter:
        # The parent holds the index's write lock and publishes the table of contents.
        return new_writer(self.ix, _lk=False, limitmb=self.limitmb)

    def add(self, document: dict) -> tuple[int, int]:
        """Adds a document to the current part; returns its (part, docnum)."""
        self.writer.add_document(**document)
        where = (self.part, self.docnum)
        self.docnum += 1
        if self.docnum >= self.size:
            self.finish(last=False)
        return where

    def finish(self, last: bool) -> None:
        """Finalises the current part (if it holds anything) and sends it; a
        new part follows unless this is the `last`."""
        # Not writer._finish(): that would remove the temporary folder the
        # other workers still use; the parent's writer removes it at the end.
        segment = self.writer._finalize_segment() if self.docnum else None
        if segment is None:
            self.writer._close_segment()
        self.results.put(SegmentDone(self.slot, self.part, segment, last))
        self.writer = None
        # The finished part's postings are garbage now (freed by reference
        # counting); what settle_garbage_collector froze goes back to normal.
        gc.unfreeze()
        if not last:
            self.part += 1
            self.docnum = 0
            self.writer = self._new()

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer._close_segment()


def segment_worker(building: str, backend: str, limitmb: int, tasks, results, slot: int,
                   segment_articles: int = SEGMENT_ARTICLES) -> None:
    """One process of a parallel full build: loads, analyses and writes its share
    of the units into Whoosh segments of its own, so Whoosh's pure-Python
    posting work runs on every core, not only in the parent.  Per unit it sends
    back small summaries (never tokens); each time a segment holds
    `segment_articles` articles, and at the end, the finished segment (a
    "part"; see SEGMENT_ARTICLES)."""
    init_pool_worker(backend, None)
    ix = whoosh_index.open_dir(building)
    parts = _Parts(ix, limitmb, segment_articles, slot, results)
    try:
        while True:
            task = tasks.get()
            if task is None:
                break
            number, unit = task
            summaries: list[Outcome] = []
            for outcome in process_unit(unit):
                if not isinstance(outcome, Analysed):
                    summaries.append(outcome)
                    continue
                article = outcome.article
                try:
                    document = document_for(article, outcome.tokens, backend)
                except Exception as exc:  # one broken article never stops a reindex
                    summaries.append(Failed(LoadFailure(article.source or "", f"cannot index: {exc}")))
                    continue
                part, docnum = parts.add(document)
                chars = len(article.title) + len(article.body_text)
                summaries.append(Written(article.id, article.source or "", article.content_hash, chars, slot, part,
                                         docnum, outcome.key, body_fingerprint(article.body), outcome.line,
                                         outcome.sketch))
            results.put(UnitDone(number, summaries))
            settle_garbage_collector()
        parts.finish(last=True)
    except BaseException as exc:
        try:
            parts.abandon()
        finally:
            results.put(WorkerFailed(slot, f"{type(exc).__name__}: {exc}"))
        raise
