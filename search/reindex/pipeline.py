"""(Re)building the index from article files: the one place where ingest,
analysis and the index meet.

    files ──ArticleLoader──▶ Article ──KoreanAnalyzer (worker processes)──▶ tokens
          ──Whoosh writer (this process)──▶ new generation ──atomic swap──▶ current

Analysis is the expensive step, so it runs in worker processes; the single
Whoosh writer only replays the tokens.  A full rebuild writes a fresh
generation; `incremental` starts from hard links of the current one (segment
files are immutable) and re-analyses only articles whose content changed.  Either
way the result becomes visible through one atomic rename, and nothing is lost: an
article is indexed, unchanged, failed with a reason, or reported as a duplicate.
A generation that would drop articles for a reason other than their deletion (a
missing or unreadable input) or too many at once is not published at all
(ReindexRefused).

Why this module is over 400 lines: it is the one run, in order (lock, plan,
write, account, refuse or publish), with its two writing strategies (one
writer here; segments written by each worker process); both share the units, the ledger
and the layout, so what is left here is the order itself.

The package: `plan` (files → units of work), `worker` (units → outcomes, in
worker processes), `units` (the records that travel between them), `report`
(the report and the ledger that keeps its accounting), this module (the run,
in order) and search/layout.py (lock, publish, swap, cleanup).
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from whoosh import index as whoosh_index

from search.analysis.userdict import fingerprint as userdict_fingerprint
from search.dedup import CopyFinder, body_fingerprint
from search.faults import checkpoint
from search.index import SCHEMA_VERSION, IndexLayout, build_schema, document_for
from search.grouping import sketch
from search.ingest.errors import LoadFailure, printable
from search.ingest.loader import JSONL_SUFFIXES, ArticleLoader, file_digest
from search.layout import (
    WriterLock, discard_generation, new_generation_dir, prune_generations, publish, remove_unfinished,
)
from search.collector import collector_paused
from search.paths import DEFAULT_SEEDS
from search.reindex.absorb import articles_to_absorb, merge_policy
from search.reindex.pages import small_pages
from search.reindex.plan import copied_again, jsonl_units, settle_copies
from search.reindex.prefetch import Prefetch
from search.reindex.regroup import regroup
from search.reindex.stale import delete_stale
from search.reindex.report import Ledger, ReindexRefused, ReindexReport
from search.reindex.units import (
    LEGACY_LINE_KEYS, LINE_KEY_KINDS, LINE_KEYS, Capped, Copied, Failed, FileUnit, KnownCopiesUnit, KnownLinesUnit,
    Outcome, SegmentDone, Unchanged, UnitDone, Warned, WorkerFailed, WorkUnit, unit_bytes, unit_size,
)
from search.reindex.worker import (
    SEGMENT_ARTICLES, analyse_article, init_pool_worker, init_worker, new_writer, process_context, process_unit,
    segment_worker, settle_garbage_collector,
)

BATCH_ARTICLES = 64
# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
# A reindex that would leave the index with less than half of the articles it
# holds now is refused unless the caller allows it (`--allow-shrink`): a wrong
# path, a half-mounted disk or a folder emptied by mistake look just like that.
MAX_SHRINK_SHARE = 0.5


def incremental_blocker(current: Optional[Path], manifest: dict, backend: str) -> str:
    """Why the index served cannot be updated in place ("" when it can): the
    analysis of its unchanged articles would differ from this run's."""
    if current is None:
        return "there is no index yet"
    if manifest.get("schema") != SCHEMA_VERSION:
        return f"the index has schema version {manifest.get('schema')}, this version writes {SCHEMA_VERSION}"
    if manifest.get("backend", "mecab") != backend:
        return f"the index was analysed with {manifest.get('backend', 'mecab')}, this run uses {backend}"
    if backend == "mecab" and manifest.get("userdict") != userdict_fingerprint():
        return "the user dictionary (search/data/userdict.txt) changed since the index was built"
    if manifest.get("line_keys", LEGACY_LINE_KEYS) not in LINE_KEY_KINDS:
        return f"the index keys its JSONL lines with {manifest.get('line_keys')}, which this version does not know"
    return ""


class Reindexer:
    """Builds an index generation from article files and swaps it in."""

    def __init__(
        self,
        index_dir: Union[str, Path],
        backend: str = "mecab",
        workers: Optional[int] = None,
        progress: bool = False,
        wait_for_lock: bool = False,
        limitmb: int = 256,
        allow_shrink: bool = False,
        follow_symlinks: bool = False,
        fsync: bool = True,
        segment_articles: Optional[int] = None,
    ):
        self.layout = IndexLayout(Path(index_dir))
        self.backend = backend
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.wait_for_lock = wait_for_lock
        self.limitmb = limitmb
        # Publish even when inputs are missing or unreadable, or the index shrinks
        # by more than MAX_SHRINK_SHARE (see _refusal).
        self.allow_shrink = allow_shrink
        # Every file of a new generation reaches the disk before it is published
        # (False only to measure what that costs).
        self.fsync = fsync
        # Articles per segment a worker of a parallel full build writes before
        # starting another (None: SEGMENT_ARTICLES, read when the build runs).
        self.segment_articles = segment_articles
        self.loader = ArticleLoader(follow_symlinks=follow_symlinks)

    # -- public

    def run(self, paths: Optional[Iterable[Union[str, Path]]] = None, incremental: bool = False) -> ReindexReport:
        """Builds and publishes a generation; raises ReindexRefused (nothing
        published, the served index unchanged) when publishing would lose
        articles that were not deleted (see _refusal)."""
        started = time.perf_counter()
        # An incremental run's large arrays are short-lived: on small pages
        # (search/reindex/pages.py).
        with WriterLock(self.layout.lock_path, self.wait_for_lock), (small_pages() if incremental else nullcontext()):
            remove_unfinished(self.layout)
            current = self.layout.current()
            # The worker that analyses an incremental run's first changed lines
            # while the rest is planned (search/reindex/prefetch.py), forked
            # before the last manifest is read.
            prefetch = (Prefetch(self.backend).start()
                        if incremental and current is not None and self.workers > 1 else None)
            try:
                manifest = self.layout.read_manifest(current) if current else {}
                # The last manifest's tables (~500,000 containers at 100,000
                # articles) live as long as the run: out of the cyclic garbage
                # collector's sight, or every full collection walks them again
                # (a third of the time of planning a 100,000-line file).
                gc.freeze()
                try:
                    # An incremental run makes few containers that a cycle keeps
                    # (and those freeze() hides from it anyway until the run
                    # ends), yet its collections walked the plan's, the ledger's
                    # and the new tables' ~400,000 containers again and again
                    # (~0.2 s at 100,000 lines): paused for the run.
                    with collector_paused() if incremental else nullcontext():
                        return self._run(paths, incremental, started, current, manifest, prefetch)
                finally:
                    gc.unfreeze()  # this process may live on (a server, tests): back to normal collection
            finally:
                if prefetch is not None:
                    prefetch.close()

    def _run(self, paths, incremental: bool, started: float, current: Optional[Path], manifest: dict,
             prefetch: Optional[Prefetch] = None) -> ReindexReport:
        """`run`, once the lock is held and the last manifest read."""
        # Nothing compatible to start from: build in full, and say why.
        rebuild_reason = incremental_blocker(current, manifest, self.backend) if incremental else ""
        if rebuild_reason:
            incremental = False
        if paths is None:
            paths = manifest.get("paths") or [DEFAULT_SEEDS]
        # os.path.realpath, not Path.resolve: that raises RuntimeError on a link loop.
        paths = [os.path.realpath(os.fspath(p)) for p in paths]
        report = ReindexReport(index=str(self.layout.root), incremental=incremental,
                               rebuild_reason=rebuild_reason)
        report.previous_total = len(manifest.get("articles") or {})
        try:
            generation = self._build(paths, report, current if incremental else None, manifest,
                                     prefetch if incremental else None)
        finally:
            report.seconds = time.perf_counter() - started
        report.generation = generation.name
        report.published = True
        prune_generations(self.layout)
        return report

    # -- building

    def _build(self, paths: list[str], report: ReindexReport, base: Optional[Path], manifest: dict,
               prefetch: Optional[Prefetch] = None) -> Path:
        discovery = self.loader.discover(paths)
        report.failed.extend(discovery.missing)
        report.failed.extend(discovery.failures)
        report.files_skipped = [str(p) for p in discovery.skipped]
        report.files_seen = len(discovery.files) + len(discovery.skipped)
        # Sources not read this time: their articles are kept (incremental) or
        # their loss refused (full); never counted as deleted.
        unreadable = _Unreadable(set(), [f.source for f in discovery.missing] + discovery.unreadable)

        old_articles: dict[str, list[str]] = manifest.get("articles", {}) if base else {}
        old_files: dict[str, str] = manifest.get("files", {}) if base else {}
        # Files with a duplicate in the last run (they kept no digest then).
        had_duplicates = {d.get("source") for d in (manifest.get("report") or {}).get("duplicates") or ()
                          if isinstance(d, dict)} if base else set()
        known_hashes = {i: v[1] for i, v in old_articles.items()}
        # JSONL line digest → article id, to skip parsing lines that did not change.
        known_lines: dict[str, str] = manifest.get("lines", {}) if base else {}
        # JSONL line digest → [id, body fingerprint] of the lines that were exact copies.
        known_copies: dict[str, list] = manifest.get("copy_lines", {}) if base else {}
        seeds: dict[str, list] = manifest.get("copies") or {} if base else {}
        # The kind of line key of the generation this run starts from (kept, so
        # its keys still match), else this version's.
        line_keys = manifest.get("line_keys", LEGACY_LINE_KEYS) if base else LINE_KEYS
        # The articles of the small segments this run takes in (search/reindex/absorb.py):
        # read and analysed again as if changed, so the plan and the workers do not know them.
        absorbed = articles_to_absorb(base)
        known_to_units = ({i: h for i, h in known_hashes.items() if i not in absorbed}
                          if absorbed else known_hashes)

        building = new_generation_dir(self.layout, base)
        # Bodies of the last generation: a worker does not analyse a copy of one.
        copied = frozenset(manifest.get("copies") or ()) if base is not None else frozenset()
        # An incremental run's first changed lines go to a worker as soon as
        # they are planned (search/reindex/prefetch.py).
        if prefetch is not None:
            prefetch.prepare(known_to_units, copied)
        offer = prefetch.offer if prefetch is not None else (lambda unit: unit)
        try:
            if base is None:
                ix = whoosh_index.create_in(str(building), build_schema(self.backend))
            else:
                ix = whoosh_index.open_dir(str(building))

            # Planned with the cyclic garbage collector paused (a full build's
            # too; an incremental run pauses it throughout): the plan is tuples
            # and lists without a cycle (~100,000 of them at 100,000 lines), and
            # its collections, full ones among them, cost ~0.13 s of planning
            # 100,000 lines; the plan then lives through the write loop, out of
            # the collector's sight (`run` unfreezes it at the end).
            with collector_paused():
                # Files whose bytes are unchanged are not even opened again.
                digests: dict[str, str] = {}
                units: list[WorkUnit] = []
                unchanged_sources: set[str] = set()
                for source in discovery.files:
                    key = str(source.path)
                    try:
                        jsonl = source.path.suffix.lower() in JSONL_SUFFIXES
                        if jsonl and (base is None or key not in old_files):
                            # Nothing to compare the file's digest with (a file with a
                            # duplicate is read on every run): taken from the one read
                            # that plans its lines.  Not for a file that had duplicates
                            # last time: it will most likely have them again, and a file
                            # with a duplicate keeps no digest (hashing the 237 MB of a
                            # 100,000-line export a second time cost 0.2-0.4 s).  Should
                            # its duplicates be gone, it is planned by its lines once more
                            # next time, and its digest kept then.
                            whole = hashlib.blake2b(digest_size=16) if key not in had_duplicates else None
                            units.extend(map(offer, jsonl_units(source, BATCH_ARTICLES, known_lines, known_to_units,
                                                                known_copies, whole, line_keys)))
                            if whole is not None:
                                digests[key] = whole.hexdigest()
                            continue
                        digests[key] = file_digest(source.path)
                        if base is not None and old_files.get(key) == digests[key]:
                            unchanged_sources.add(key)
                            report.files_unchanged += 1
                            continue
                        if jsonl:
                            units.extend(map(offer, jsonl_units(source, BATCH_ARTICLES, known_lines, known_to_units,
                                                                known_copies, line_keys=line_keys)))
                        else:
                            units.append(FileUnit(source))
                    except OSError as exc:
                        digests.pop(key, None)
                        report.failed.append(LoadFailure(key, f"cannot read: {exc.strerror or exc}", unreadable=True))
                        unreadable.files.add(key)

                # The articles this run keeps unchanged whatever it reads: those of
                # unchanged files and of lines whose bytes are those indexed last time.
                # (Each loop over the last generation's articles only when a file was
                # unchanged as a whole: ~0.1 s at 100,000 articles, for nothing otherwise.)
                settled = {i for i, (source, _) in old_articles.items()
                           if source in unchanged_sources} if unchanged_sources else set()
                settled.update(i for unit in units if isinstance(unit, KnownLinesUnit) for i, _ in unit.entries)
                units = settle_copies(units, settled, seeds)
            gc.freeze()

            articles: dict[str, list[str]] = {}  # id → [source, content_hash] of the new generation
            lines: dict[str, str] = {}  # JSONL line key → id
            # Exact copies (search.dedup): an incremental run starts from the last
            # generation's fingerprints, each valid while its article is unchanged
            # (settled, even when a copy of it comes first in input order).
            copies = CopyFinder(seeds, lambda i: i in settled or (i in articles and articles[i][1] == known_hashes.get(i)))
            ledger = Ledger(report, articles, lines, copies)
            if unchanged_sources:
                for article_id, (source, content_hash) in old_articles.items():
                    if source in unchanged_sources:
                        ledger.unchanged(article_id, source, content_hash)
                lines.update({
                    key: article_id for key, article_id in known_lines.items()
                    if article_id in articles  # lines of files that are unchanged as a whole
                })
            failures_before = len(report.failed)

            # Worker processes pay for themselves by the bytes there are to
            # load, not by the size of the files: an incremental run over a
            # large unchanged corpus parses only its changed lines.
            total_bytes = sum(unit_bytes(unit) for unit in units)
            if base is None and self._parallel(units, total_bytes):
                self._write_segments_in_parallel(ix, building, units, ledger)
            else:
                # (An article taken in never comes back unchanged: the ledger
                # looks up no hash of one in `known_to_units`.)
                self._write_in_this_process(ix, units, total_bytes, known_to_units, known_lines, copied, ledger,
                                            old_articles, base, unreadable, prefetch)
            if prefetch is not None:
                prefetch.close()  # every result taken: its worker is done
            for failure in report.failed[failures_before:]:
                if failure.unreadable:
                    unreadable.files.add(failure.source)
            sources_with_failures = {failure.source for failure in report.failed}

            # A file with a duplicate is read again next time, so the duplicate is reported again.
            sources_with_duplicates = {source for _, source, _ in report.duplicates}
            report.total = len(articles)
            refusal = self._refusal(paths, discovery, report, manifest.get("articles") or {}, articles, unreadable)
            if refusal:
                report.refused = refusal
                raise ReindexRefused(refusal, report)
            grouped = regroup(building, articles, ledger.sketches, base, self.backend)
            files = {k: v for k, v in digests.items() if k not in sources_with_failures | sources_with_duplicates}
            for source in sources_with_failures:
                if source in old_files:
                    files[source] = old_files[source]  # try it again next time
            new_manifest = {
                "schema": SCHEMA_VERSION,
                "backend": self.backend,
                "userdict": userdict_fingerprint() if self.backend == "mecab" else None,
                "created": datetime.now(timezone.utc).isoformat(),
                "paths": paths,
                "files": files,
                "articles": articles,
                "lines": lines,
                "line_keys": line_keys,
                "copies": copies.table(articles),
                "copy_lines": ledger.copy_lines,
                "grouping": grouped,
                "report": report.to_dict(),
            }
        except ReindexRefused:
            discard_generation(building)  # never published, never to be
            raise
        return publish(self.layout, building, new_manifest, fsync=self.fsync)

    def _refusal(self, paths: list[str], discovery, report: ReindexReport, previous: dict[str, list[str]],
                 articles: dict[str, list[str]], unreadable: "_Unreadable") -> str:
        """Why this generation must not replace the one served ("" if it may).
        A missing or unreadable input is not a deletion: an incremental run
        keeps the articles it held, a full one cannot and is refused; an input
        that vanished during the run, or a drop of more than MAX_SHRINK_SHARE
        of the index, is refused too.  `allow_shrink` overrides all of it."""
        if self.allow_shrink:
            return ""
        hint = "nothing published; the index served is unchanged (pass --allow-shrink to publish anyway)"
        if discovery.missing:
            names = ", ".join(printable(f.source) for f in discovery.missing[:3])
            return f"input not found or unreadable: {names}; {hint}"
        vanished = [p for p in paths if not os.path.exists(p)]
        if vanished:
            return f"input disappeared during the run: {', '.join(printable(p) for p in vanished[:3])}; {hint}"
        lost = [i for i, (source, _) in previous.items() if i not in articles and unreadable.holds(source)]
        if lost:
            return (f"{len(lost)} article(s) of the index come from files or folders that could not be read "
                    f"this time, and a full reindex cannot keep them (--incremental keeps them); {hint}")
        dropped = report.previous_total - report.total
        if report.previous_total and dropped > report.previous_total * MAX_SHRINK_SHARE:
            return (f"the index would shrink from {report.previous_total} to {report.total} articles "
                    f"(more than {MAX_SHRINK_SHARE:.0%} of it dropped); {hint}")
        return ""

    def _parallel(self, units: list[WorkUnit], total_bytes: int) -> bool:
        return self.workers > 1 and total_bytes >= PARALLEL_MIN_BYTES and len(units) >= 2

    def _write_in_this_process(self, ix, units: list[WorkUnit], total_bytes: int, known_hashes: dict[str, str],
                               known_lines: dict[str, str], copied: frozenset, ledger: Ledger,
                               old_articles: dict[str, list[str]], base: Optional[Path],
                               unreadable: "_Unreadable", prefetch: Optional[Prefetch] = None) -> None:
        """One Whoosh writer here; analysis in worker processes when it pays.
        Used for incremental updates (deletions and additions in one commit)
        and for small inputs."""
        sources_with_failures: set[str] = set()
        stale: list[str] = []  # ids whose old version leaves the index
        writer = new_writer(ix, limitmb=self.limitmb)
        report = ledger.report
        try:
            bar = self._progress_bar(sum(unit_size(u) for u in units)) if self.progress else None
            for outcomes in self._run_units(units, total_bytes, known_hashes, known_lines, copied, prefetch):
                if isinstance(outcomes, KnownLinesUnit):
                    # Lines indexed last time at the same place, accounted as
                    # they come (an `Unchanged` record apiece and its dispatch
                    # below cost ~0.2 s of a run over 100,000 lines).
                    ledger.unchanged_lines(outcomes.path, outcomes.entries, known_hashes)
                    if bar is not None:
                        bar.update(len(outcomes.entries))
                    continue
                wrote = False
                for outcome in outcomes:
                    # Unchanged and copied lines first: an incremental run over a
                    # large corpus is mostly those (100,000 outcomes at 100,000 lines).
                    if isinstance(outcome, Unchanged):
                        ledger.unchanged(outcome.article_id, outcome.source, known_hashes[outcome.article_id],
                                         outcome.key)
                    elif isinstance(outcome, Copied):
                        ledger.copied(outcome)
                    elif isinstance(outcome, Failed):
                        ledger.failed(outcome.failure)
                        sources_with_failures.add(outcome.failure.source)
                    elif isinstance(outcome, (Warned, Capped)):
                        ledger.note(outcome)
                    else:
                        wrote = True
                        article = outcome.article
                        chars = len(article.title) + len(article.body_text)
                        fingerprint = body_fingerprint(article.body)
                        if not ledger.claim(article.id, article.source or "", fingerprint, outcome.line, outcome.key):
                            continue  # a duplicate id or an exact copy: reported, not written
                        tokens = outcome.tokens
                        if tokens is None:
                            # Loaded in this process: analysed only now that it is
                            # known not to be a copy.  An incremental run reads the
                            # copies again (to report them) and analysed each one
                            # for nothing: 9% of a make_corpus.py corpus.
                            try:
                                tokens = analyse_article(article, self.backend)
                            except Exception as exc:  # one broken article never stops a reindex
                                ledger.failed(LoadFailure(article.source or "",
                                                          f"cannot analyse article {article.id}: {exc}"))
                                sources_with_failures.add(article.source or "")
                                continue
                        if article.id in old_articles:
                            stale.append(article.id)
                        writer.add_document(**document_for(article, tokens, self.backend))
                        signature = outcome.sketch if outcome.tokens is not None else sketch(tokens, article.published)
                        ledger.indexed(article.id, article.source or "", article.content_hash, outcome.key, chars,
                                       fingerprint, outcome.line, signature)
                if bar is not None:
                    bar.update(len(outcomes))
                    bar.set_postfix(articles=report.indexed + report.unchanged, failed=len(report.failed), refresh=False)
                if wrote:
                    # After articles were loaded and written; a unit of unchanged or
                    # copied lines writes nothing (~30,000 of them at 100,000 lines).
                    checkpoint("reindex:analysis")
                    settle_garbage_collector()
            checkpoint("reindex:analysis")  # reached even when nothing was written
            if bar is not None:
                bar.close()

            for article_id, (source, content_hash) in old_articles.items():
                if article_id in ledger.articles:
                    continue
                if source in sources_with_failures or unreadable.holds(source):
                    # The file (or its folder) could not be read this time, or
                    # did not load: keep what we had rather than lose it.
                    ledger.kept(article_id, source, content_hash)
                    continue
                stale.append(article_id)
                ledger.removed()
            # By document number, from the last generation's groups table
            # (search/reindex/stale.py); only the segments that were there
            # before this writer are touched, never the new versions just added.
            delete_stale(writer, stale, base)
            # A full build here is small (below PARALLEL_MIN_BYTES or one
            # worker): one segment is cheap.  An incremental update adds a small
            # segment and lets Whoosh's policy merge only small ones, so it never
            # rewrites the big segments of the last full build; a segment left
            # without a live document (its articles taken in) goes (absorb.py).
            if base is None:
                writer.commit(optimize=True)
            else:
                writer.commit(mergetype=merge_policy)
            checkpoint("reindex:commit")
        except BaseException:
            writer.cancel()
            raise

    def _write_segments_in_parallel(self, ix, building: Path, units: list[WorkUnit], ledger: Ledger) -> None:
        """A full build with every core writing: each worker process loads,
        analyses and indexes whole units into segments of its own (a new one
        every `segment_articles` articles: its parts); this process hands out
        units, keeps the report in input order (so the first of two articles
        with one id wins, as in a serial build) and publishes every part in
        one table of contents, ordered by worker then part.  Duplicates found
        late are marked deleted in their part's segment before it is published."""
        context = process_context()
        tasks = context.Queue(maxsize=self.workers * 4)
        results = context.Queue()
        # Each worker's pool spills to disk past its share of the memory budget.
        limitmb = max(32, self.limitmb // self.workers)
        segment_articles = self.segment_articles or SEGMENT_ARTICLES
        processes = [
            context.Process(target=segment_worker,
                            args=(str(building), self.backend, limitmb, tasks, results, slot, segment_articles),
                            daemon=True)
            for slot in range(self.workers)
        ]
        # The parent's writer holds Whoosh's lock and writes only the table of contents.
        writer = ix.writer()
        for process in processes:
            process.start()
        duplicates: list[tuple[int, int, int]] = []  # (slot, part, docnum)
        pending: dict[int, list[Outcome]] = {}
        segments: dict[tuple[int, int], Any] = {}  # (slot, part) → segment
        finished: set[int] = set()  # workers that sent their last part
        next_unit = 0
        bar = self._progress_bar(sum(unit_size(u) for u in units))
        report = ledger.report

        def take(message: Union[UnitDone, SegmentDone, WorkerFailed]) -> None:
            nonlocal next_unit
            if isinstance(message, WorkerFailed):
                raise RuntimeError(f"reindex worker {message.slot} failed: {message.message}")
            if isinstance(message, SegmentDone):
                segments[(message.slot, message.part)] = message.segment
                if message.last:
                    finished.add(message.slot)
                return
            pending[message.number] = message.outcomes
            while next_unit in pending:  # the report follows the input order
                summaries = pending.pop(next_unit)
                next_unit += 1
                for outcome in summaries:
                    if isinstance(outcome, Failed):
                        ledger.failed(outcome.failure)
                    elif isinstance(outcome, (Warned, Capped)):
                        ledger.note(outcome)
                    elif not ledger.indexed(outcome.article_id, outcome.source, outcome.content_hash, outcome.key,
                                            outcome.chars, outcome.fingerprint, outcome.line, outcome.sketch):
                        # A duplicate: deleted from its segment before publishing.
                        duplicates.append((outcome.slot, outcome.part, outcome.docnum))
                if bar is not None:
                    bar.update(len(summaries))
                    bar.set_postfix(articles=report.indexed, failed=len(report.failed), refresh=False)
                checkpoint("reindex:analysis")

        def drain(block: bool) -> None:
            import queue

            while True:
                try:
                    message = results.get(timeout=1.0) if block else results.get_nowait()
                except queue.Empty:
                    if not block:
                        return
                    dead = [p for p in processes if p.exitcode not in (None, 0)]
                    if dead:
                        raise RuntimeError(f"reindex worker exited with code {dead[0].exitcode}")
                    continue
                take(message)
                if block:
                    return

        try:
            for number, unit in enumerate(units):
                while True:
                    drain(block=False)
                    try:
                        tasks.put((number, unit), timeout=0.2)
                        break
                    except Exception:  # queue full: collect results meanwhile
                        continue
            for _ in processes:
                tasks.put(None)
            while len(finished) < len(processes):
                drain(block=True)
            for process in processes:
                process.join()
            if bar is not None:
                bar.close()
            for slot, part, docnum in duplicates:
                segments[(slot, part)].delete_document(docnum)
            # By worker, then part: document numbers follow from the units each
            # worker took, as with one segment per worker.
            published = [segments[key] for key in sorted(segments) if segments[key] is not None]
            # Whoosh 2.7.4 (pinned): the same steps its multi-segment MpWriter
            # takes to publish segments written by other processes.
            writer._close_segment()
            writer._commit_toc(published)
            writer._finish()
            checkpoint("reindex:commit")
        except BaseException:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            writer.cancel()
            raise

    def _run_units(self, units: list[WorkUnit], total_bytes: int, known: dict[str, str],
                   known_lines: dict[str, str],
                   copied: frozenset = frozenset(),
                   prefetch: Optional[Prefetch] = None) -> Iterator[Union[list[Outcome], KnownLinesUnit]]:
        """Each unit's outcomes, in input order; a `KnownLinesUnit` comes back
        as it is (its lines are all unchanged: the caller accounts for them).
        A unit `prefetch` sent ahead comes back from there."""
        take = prefetch.take if prefetch is not None else (lambda unit: None)
        if self.workers <= 1 or total_bytes < PARALLEL_MIN_BYTES or len(units) < 2:
            init_worker(self.backend, known, known_lines)
            for unit in units:
                if isinstance(unit, KnownLinesUnit):
                    yield unit
                    continue
                ahead = take(unit)
                if ahead is not None:
                    yield ahead.get()
                    continue
                # Loaded only: the caller analyses what it writes, once (the
                # derived fields are assembled from those tokens).
                yield copied_again(unit) if isinstance(unit, KnownCopiesUnit) else process_unit(unit, analyse=False)
            return
        context = process_context()
        with context.Pool(self.workers, initializer=init_pool_worker,
                          initargs=(self.backend, known, known_lines, copied)) as pool:
            # A bounded window of tasks in flight keeps memory flat on huge inputs
            # while both cores stay busy; results come back in input order.
            window: deque = deque()
            limit = self.workers * 4
            for unit in units:
                if isinstance(unit, KnownLinesUnit):  # nothing to load: answered here, in order
                    window.append(_Ready(unit))
                elif isinstance(unit, KnownCopiesUnit):
                    window.append(_Ready(copied_again(unit)))
                else:
                    window.append(take(unit) or pool.apply_async(process_unit, (unit,)))
                if len(window) >= limit:
                    yield window.popleft().get()
            while window:
                yield window.popleft().get()

    def _progress_bar(self, total: int):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit=" articles", desc="reindex", file=sys.stderr, dynamic_ncols=True)

@dataclass
class _Unreadable:
    """What could not be read in this run: files, and folders (and inputs not
    found) standing for every file under them."""

    files: set[str]
    folders: list[str]

    def holds(self, source: str) -> bool:
        if source in self.files:
            return True
        return any(source == folder or source.startswith(folder.rstrip(os.sep) + os.sep) for folder in self.folders)


class _Ready:
    """A result already at hand, in a window of pending pool results."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


def reindex(
    paths: Optional[Iterable[Union[str, Path]]] = None,
    index_dir: Union[str, Path] = "index",
    incremental: bool = False,
    **options: Any,
) -> ReindexReport:
    """Build (or update) the index at `index_dir` from the article files under `paths`."""
    return Reindexer(index_dir, **options).run(paths, incremental=incremental)
