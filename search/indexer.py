"""(Re)building the index from article files.

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
"""

from __future__ import annotations

import errno
import fcntl
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from whoosh import index as whoosh_index
from whoosh import query as Q

from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.userdict import fingerprint as userdict_fingerprint
from search.bulkwriter import BulkSegmentWriter
from search.dedup import CopyFinder, body_fingerprint
from search.faults import checkpoint
from search.orphans import exit_with_parent
from search.index import (
    CURRENT, MANIFEST, SCHEMA_VERSION, IndexLayout, article_texts, build_schema, document_for,
)
from search.ingest.errors import LoadFailure, LoadWarning, printable
from search.ingest.loader import JSONL_SUFFIXES, ArticleLoader, SourceFile, file_digest
from search.model import MAX_INDEXED_TEXT_CHARS, Article

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
KEEP_GENERATIONS = 3
BATCH_ARTICLES = 64
# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
# A reindex that would leave the index with less than half of the articles it
# holds now is refused unless the caller allows it (`--allow-shrink`): a wrong
# path, a half-mounted disk or a folder emptied by mistake look just like that.
MAX_SHRINK_SHARE = 0.5


class ReindexLocked(RuntimeError):
    """Another reindex holds the index's lock."""


class ReindexRefused(RuntimeError):
    """The new generation was built but not published: publishing it would have
    dropped articles for a reason that is not their deletion (a missing or
    unreadable input), or too many at once.  The index served is unchanged;
    `report` says what the run found."""

    def __init__(self, reason: str, report: "ReindexReport"):
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclass
class ReindexReport:
    index: str = ""
    generation: str = ""
    incremental: bool = False
    files_seen: int = 0
    files_unchanged: int = 0
    files_skipped: list[str] = field(default_factory=list)  # unsupported file types
    indexed: int = 0  # articles analysed and written (new or changed)
    unchanged: int = 0  # articles kept as they were (incremental)
    removed: int = 0  # articles whose file or line is gone
    kept: int = 0  # articles kept as they were because their file failed to load this time
    failed: list[LoadFailure] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (id, source, kept source)
    warnings: list[LoadWarning] = field(default_factory=list)  # loaded, but with something to check
    capped: list[tuple[str, str, int]] = field(default_factory=list)  # (id, source, characters before the cap)
    total: int = 0  # articles in the new index
    characters: int = 0
    seconds: float = 0.0
    published: bool = False
    refused: str = ""  # why nothing was published, when it was not
    previous_total: int = 0  # articles in the index served before this run

    @property
    def articles_seen(self) -> int:
        return self.indexed + self.unchanged + len(self.failed) + len(self.duplicates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "generation": self.generation,
            "incremental": self.incremental,
            "files_seen": self.files_seen,
            "files_unchanged": self.files_unchanged,
            "files_skipped": self.files_skipped,
            "articles_seen": self.articles_seen,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "kept": self.kept,
            "failed": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failed],
            "duplicates": [{"id": i, "source": s, "kept": k} for i, s, k in self.duplicates],
            "warnings": [{"source": w.source, "line": w.line, "message": w.message} for w in self.warnings],
            "capped": [{"id": i, "source": s, "characters": n, "indexed": MAX_INDEXED_TEXT_CHARS}
                       for i, s, n in self.capped],
            "total": self.total,
            "previous_total": self.previous_total,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
            "published": self.published,
            "refused": self.refused,
        }


# ---------------------------------------------------------------- worker side

_worker_state: dict[str, Any] = {}


def _init_pool_worker(backend: str, known: Optional[dict[str, str]], lines: Optional[dict[str, str]] = None) -> None:
    exit_with_parent()  # no orphan goes on analysing after a killed reindex
    _init_worker(backend, known, lines)


def _init_worker(backend: str, known: Optional[dict[str, str]], lines: Optional[dict[str, str]] = None) -> None:
    _worker_state["analyzer"] = KoreanAnalyzer(backend)
    _worker_state["known"] = known or {}
    _worker_state["lines"] = lines or {}
    _worker_state["loader"] = ArticleLoader()


def line_key(path: str, number: int, raw: bytes) -> str:
    """Identifies one JSONL line's bytes at its place in its file.  The line
    number is part of it because an article without an id or URL takes its id
    from the line it stands on."""
    return hashlib.blake2b(raw + f"\0{path}\0{number}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _analyse(article: Article) -> dict[str, list]:
    analyzer = _worker_state["analyzer"]
    return {name: analyzer.token_tuples(text) for name, text in article_texts(article).items() if text}


def _outcomes(item: Union[Article, LoadFailure, LoadWarning], analyse: bool, key: Optional[str] = None) -> list[tuple]:
    """("failed", failure) | ("warning", warning) | ("capped", id, source, chars)
    | ("unchanged", id, source, key) | ("article", article, tokens, key)."""
    if isinstance(item, LoadFailure):
        return [("failed", item)]
    if isinstance(item, LoadWarning):
        return [("warning", item)]
    if _worker_state["known"].get(item.id) == item.content_hash:
        return [("unchanged", item.id, item.source, key)]
    # Capped after the hash (which stays the hash of the whole input): one
    # giant article must not make every query that matches it slow.
    before = item.cap_text(MAX_INDEXED_TEXT_CHARS)
    out = [("capped", item.id, item.source or "", before)] if before else []
    if not analyse:
        return out + [("article", item, None, key)]
    try:
        tokens = _analyse(item)
    except Exception as exc:  # one broken article never stops a reindex
        return [("failed", LoadFailure(item.source or "", f"cannot analyse article {item.id}: {exc}"))]
    return out + [("article", item, tokens, key)]


def _process_unit(unit: tuple, analyse: bool = True) -> list[tuple]:
    """Load (and analyse) one unit of work: a whole file, or a batch of JSONL lines."""
    kind = unit[0]
    if kind == "file":
        return [o for item in _worker_state["loader"].load(unit[1]) for o in _outcomes(item, analyse)]
    from search.ingest.jsonl import load_jsonl_lines

    if kind == "known":
        return [("unchanged", article_id, unit[1], key) for article_id, key in unit[2]]
    _, path, relative, numbered = unit
    out: list[tuple] = []
    for number, raw, key in numbered:
        for item in load_jsonl_lines(Path(path), [raw], relative, number):
            out.extend(_outcomes(item, analyse, key))
    return out


def _settle_garbage_collector() -> None:
    """Moves everything alive now out of the cyclic garbage collector's sight.

    A segment writer holds millions of small containers (per-term posting
    lists) that live until the segment is written and are freed by reference
    counting; each full collection walked all of them again, which cost a
    third of the time of adding a document (measured at 2,000 articles)."""
    gc.freeze()


def _new_writer(ix, bulk: bool, **options):
    """The segment writer: ours (postings gathered per term, search.bulkwriter)
    or Whoosh's own (kept to compare against)."""
    if bulk:
        return BulkSegmentWriter(ix, **options)
    from whoosh.writing import SegmentWriter

    return SegmentWriter(ix, **options)


def _segment_worker(building: str, backend: str, limitmb: int, tasks, results, slot: int, bulk: bool = True) -> None:
    """One process of a parallel full build: loads, analyses and writes its share
    of the units into a Whoosh segment of its own, so Whoosh's pure-Python
    posting work runs on every core, not only in the parent.  Per unit it sends
    back small summaries (never tokens); at the end, the finished segment."""
    _init_pool_worker(backend, None)
    ix = whoosh_index.open_dir(building)
    # The parent holds the index's write lock and publishes the table of contents.
    writer = _new_writer(ix, bulk, _lk=False, limitmb=limitmb)
    docnum = 0
    try:
        while True:
            task = tasks.get()
            if task is None:
                break
            number, unit = task
            summaries: list[tuple] = []
            for outcome in _process_unit(unit):
                if outcome[0] != "article":
                    summaries.append(outcome)
                    continue
                _, article, tokens, key = outcome
                try:
                    document = document_for(article, tokens, backend)
                except Exception as exc:  # one broken article never stops a reindex
                    summaries.append(("failed", LoadFailure(article.source or "", f"cannot index: {exc}")))
                    continue
                writer.add_document(**document)
                chars = len(article.title) + len(article.body_text)
                summaries.append(("written", article.id, article.source or "", article.content_hash, chars, slot, docnum, key,
                                  body_fingerprint(article.body)))
                docnum += 1
            results.put(("unit", number, summaries))
            _settle_garbage_collector()
        # Not writer._finish(): that would remove the temporary folder the
        # other workers still use; the parent's writer removes it at the end.
        segment = writer._finalize_segment() if docnum else None
        if segment is None:
            writer._close_segment()
        results.put(("done", slot, segment))
    except BaseException as exc:
        try:
            writer._close_segment()
        finally:
            results.put(("error", slot, f"{type(exc).__name__}: {exc}"))
        raise


# ---------------------------------------------------------------- main side


class _Lock:
    """An exclusive flock on `index/.lock`.  The kernel drops it when the holder
    dies, so a lock left by a killed reindex is never stale."""

    def __init__(self, path: Path, wait: bool):
        self.path = path
        self.wait = wait
        self.handle = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            self.handle.seek(0)
            holder = self.handle.read().strip() or "unknown"
            self.handle.close()
            raise ReindexLocked(
                f"another reindex (pid {holder}) is writing {self.path.parent}; "
                "wait for it to finish, or pass --wait to queue behind it"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        # Analysis workers forked from here inherit the locked file; a worker that
        # outlives a killed reindex would keep the lock (and refuse the next one).
        multiprocessing.util.register_after_fork(self, _Lock._close_in_child)
        return self

    def _close_in_child(self) -> None:
        # Closes the child's copy of the descriptor only: the lock stays with the parent.
        if self.handle:
            self.handle.close()
            self.handle = None

    def __exit__(self, *exc_info):
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def _jsonl_units(source: SourceFile, batch: int, known_lines: dict[str, str], known: dict[str, str]) -> Iterator[tuple]:
    """Batches of a JSONL file's lines: ("jsonl", path, relative, [(number, raw, key)])
    to load, and ("known", path, [(article id, key)]) for lines whose bytes were
    indexed last time at the same place: those need no parsing (JSON and an
    Article cost ~0.5 ms a line; the digest ~6 µs), and are not even sent to a
    worker process."""
    path = str(source.path)
    with open(source.path, "rb") as handle:
        todo: list[tuple] = []
        same: list[tuple] = []
        for number, raw in enumerate(handle, start=1):
            key = line_key(path, number, raw)
            article_id = known_lines.get(key)
            if article_id is not None and article_id in known:
                if todo:  # runs stay in file order, so the first of two equal ids still wins
                    yield ("jsonl", path, source.relative, todo)
                    todo = []
                same.append((article_id, key))
                if len(same) >= batch * 16:
                    yield ("known", path, same)
                    same = []
                continue
            if same:
                yield ("known", path, same)
                same = []
            todo.append((number, raw, key))
            if len(todo) >= batch:
                yield ("jsonl", path, source.relative, todo)
                todo = []
        if same:
            yield ("known", path, same)
        if todo:
            yield ("jsonl", path, source.relative, todo)


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
        parallel_writers: bool = True,
        bulk_postings: bool = True,
        allow_shrink: bool = False,
        follow_symlinks: bool = False,
        fsync: bool = True,
    ):
        self.layout = IndexLayout(Path(index_dir))
        self.backend = backend
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.wait_for_lock = wait_for_lock
        self.limitmb = limitmb
        # Full builds: each worker writes its own segment (True), or workers only
        # analyse and this process writes one segment (False; kept to measure).
        self.parallel_writers = parallel_writers
        # Segments written by search.bulkwriter (True) or by Whoosh's SegmentWriter.
        self.bulk_postings = bulk_postings
        # Publish even when inputs are missing or unreadable, or the index shrinks
        # by more than MAX_SHRINK_SHARE (see _refusal).
        self.allow_shrink = allow_shrink
        # Every file of a new generation reaches the disk before it is published
        # (False only to measure what that costs).
        self.fsync = fsync
        self.loader = ArticleLoader(follow_symlinks=follow_symlinks)

    # -- public

    def run(self, paths: Optional[Iterable[Union[str, Path]]] = None, incremental: bool = False) -> ReindexReport:
        """Builds and publishes a generation; raises ReindexRefused (nothing
        published, the served index unchanged) when publishing would lose
        articles that were not deleted (see _refusal)."""
        started = time.perf_counter()
        with _Lock(self.layout.lock_path, self.wait_for_lock):
            self._remove_unfinished()
            current = self.layout.current()
            manifest = self.layout.read_manifest(current) if current else {}
            if incremental and (current is None or manifest.get("backend", "mecab") != self.backend
                                or manifest.get("schema") != SCHEMA_VERSION):
                incremental = False  # nothing compatible to start from: build in full
            if paths is None:
                paths = manifest.get("paths") or [DEFAULT_SEEDS]
            # os.path.realpath, not Path.resolve: that raises RuntimeError on a link loop.
            paths = [os.path.realpath(os.fspath(p)) for p in paths]
            report = ReindexReport(index=str(self.layout.root), incremental=incremental)
            report.previous_total = len(manifest.get("articles") or {})
            try:
                generation = self._build(paths, report, current if incremental else None, manifest)
            finally:
                report.seconds = time.perf_counter() - started
            report.generation = generation.name
            report.published = True
            self._cleanup()
        return report

    # -- building

    def _new_generation_dir(self, base: Optional[Path]) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        building = self.layout.root / f"gen-{stamp}-{os.getpid()}.building"
        building.mkdir(parents=True)
        if base is not None:
            # Whoosh never rewrites a segment file, so hard links are a safe,
            # instant copy; the writer only adds files and a new table of contents.
            for item in base.iterdir():
                if item.is_file() and item.name != MANIFEST and not item.name.endswith("LOCK"):
                    try:
                        os.link(item, building / item.name)
                    except OSError:
                        shutil.copy2(item, building / item.name)
        return building

    def _build(self, paths: list[str], report: ReindexReport, base: Optional[Path], manifest: dict) -> Path:
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
        known_hashes = {i: v[1] for i, v in old_articles.items()}
        # JSONL line digest → article id, to skip parsing lines that did not change.
        known_lines: dict[str, str] = manifest.get("lines", {}) if base else {}

        building = self._new_generation_dir(base)
        try:
            if base is None:
                ix = whoosh_index.create_in(str(building), build_schema(self.backend))
            else:
                ix = whoosh_index.open_dir(str(building))

            # Files whose bytes are unchanged are not even opened again.
            digests: dict[str, str] = {}
            units: list[tuple] = []
            total_bytes = 0
            unchanged_sources: set[str] = set()
            for source in discovery.files:
                key = str(source.path)
                try:
                    digests[key] = file_digest(source.path)
                    total_bytes += source.path.stat().st_size
                    if base is not None and old_files.get(key) == digests[key]:
                        unchanged_sources.add(key)
                        report.files_unchanged += 1
                        continue
                    if source.path.suffix.lower() in JSONL_SUFFIXES:
                        units.extend(list(_jsonl_units(source, BATCH_ARTICLES, known_lines, known_hashes)))
                    else:
                        units.append(("file", source))
                except OSError as exc:
                    digests.pop(key, None)
                    report.failed.append(LoadFailure(key, f"cannot read: {exc.strerror or exc}", unreadable=True))
                    unreadable.files.add(key)

            articles: dict[str, list[str]] = {}  # id → [source, content_hash] of the new generation
            for article_id, (source, content_hash) in old_articles.items():
                if source in unchanged_sources:
                    articles[article_id] = [source, content_hash]
                    report.unchanged += 1
            lines: dict[str, str] = {
                key: article_id for key, article_id in known_lines.items()
                if article_id in articles  # lines of files that are unchanged as a whole
            }
            failures_before = len(report.failed)
            # Exact copies (search.dedup): an incremental run starts from the last generation's fingerprints.
            self._copies = CopyFinder(manifest.get("copies") if base else None,
                                      lambda i: i in articles and articles[i][1] == known_hashes.get(i))

            if base is None and self.parallel_writers and self._parallel(units, total_bytes):
                self._write_segments_in_parallel(ix, building, units, report, articles, lines)
            else:
                self._write_in_this_process(ix, units, total_bytes, known_hashes, known_lines, report, articles,
                                            lines, old_articles, base is not None, unreadable)
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
                "copies": self._copies.table(articles),
                "report": report.to_dict(),
            }
        except ReindexRefused:
            shutil.rmtree(building, ignore_errors=True)  # never published, never to be
            raise
        return self._publish(building, new_manifest)

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

    def _parallel(self, units: list[tuple], total_bytes: int) -> bool:
        return self.workers > 1 and total_bytes >= PARALLEL_MIN_BYTES and len(units) >= 2

    def _write_in_this_process(self, ix, units, total_bytes, known_hashes, known_lines, report, articles,
                               lines, old_articles, incremental: bool, unreadable: "_Unreadable") -> None:
        """One Whoosh writer here; analysis in worker processes when it pays.
        Used for incremental updates (deletions and additions in one commit)
        and for small inputs."""
        sources_with_failures: set[str] = set()
        stale: list[str] = []  # ids whose old version leaves the index
        copies = self._copies
        writer = _new_writer(ix, self.bulk_postings, limitmb=self.limitmb)
        try:
            bar = self._progress_bar(_article_units(units))
            for outcomes in self._run_units(units, total_bytes, known_hashes, known_lines):
                for outcome in outcomes:
                    kind = outcome[0]
                    if kind == "failed":
                        report.failed.append(outcome[1])
                        sources_with_failures.add(outcome[1].source)
                    elif kind in ("warning", "capped"):
                        _note(report, outcome)
                    elif kind == "unchanged":
                        _, article_id, source, key = outcome
                        if article_id in articles:
                            report.duplicates.append((article_id, source, articles[article_id][0]))
                            continue
                        articles[article_id] = [source, known_hashes[article_id]]
                        if key:
                            lines[key] = article_id
                        report.unchanged += 1
                    else:
                        _, article, tokens, key = outcome
                        if article.id in articles:
                            report.duplicates.append((article.id, article.source or "", articles[article.id][0]))
                            continue
                        copy_of = copies.copy_of(body_fingerprint(article.body), article.id, article.source or "")
                        if copy_of:  # the same text as an article already taken (search.dedup)
                            report.duplicates.append((article.id, article.source or "", copy_of))
                            continue
                        if article.id in old_articles:
                            stale.append(article.id)
                        writer.add_document(**document_for(article, tokens, self.backend))
                        articles[article.id] = [article.source or "", article.content_hash]
                        if key:
                            lines[key] = article.id
                        report.indexed += 1
                        report.characters += len(article.title) + len(article.body_text)
                if bar is not None:
                    bar.update(len(outcomes))
                    bar.set_postfix(articles=report.indexed + report.unchanged, failed=len(report.failed), refresh=False)
                checkpoint("reindex:analysis")
                _settle_garbage_collector()
            if bar is not None:
                bar.close()

            for article_id, (source, content_hash) in old_articles.items():
                if article_id in articles:
                    continue
                if source in sources_with_failures or unreadable.holds(source):
                    # The file (or its folder) could not be read this time, or
                    # did not load: keep what we had rather than lose it.
                    articles[article_id] = [source, content_hash]
                    report.kept += 1
                    continue
                stale.append(article_id)
                report.removed += 1
            # One reader for all deletions (Whoosh opens a fresh one per
            # delete_by_term call: ~20 ms each, seconds for a hundred changes).
            # It sees only the segments that were there before this writer, so
            # the new versions just added are not touched.
            if stale:
                writer.delete_by_query(Q.Or([Q.Term("id", article_id) for article_id in stale]))
            # A full build here is small (below PARALLEL_MIN_BYTES or one
            # worker): one segment is cheap.  An incremental update adds a small
            # segment and lets Whoosh's policy merge only small ones, so it never
            # rewrites the big segments of the last full build.
            writer.commit(optimize=not incremental)
            checkpoint("reindex:commit")
        except BaseException:
            writer.cancel()
            raise
        finally:
            gc.unfreeze()  # this process may live on (a server, tests): back to normal collection

    def _write_segments_in_parallel(self, ix, building: Path, units, report, articles, lines) -> None:
        """A full build with every core writing: each worker process loads,
        analyses and indexes whole units into its own segment; this process
        hands out units, keeps the report in input order (so the first of two
        articles with one id wins, as in a serial build) and publishes the
        segments in one table of contents.  Duplicates found late are marked
        deleted in their segment before it is published."""
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        tasks = context.Queue(maxsize=self.workers * 4)
        results = context.Queue()
        # Each worker's pool spills to disk past its share of the memory budget.
        limitmb = max(32, self.limitmb // self.workers)
        processes = [
            context.Process(target=_segment_worker, args=(str(building), self.backend, limitmb, tasks, results, slot, self.bulk_postings),
                            daemon=True)
            for slot in range(self.workers)
        ]
        # The parent's writer holds Whoosh's lock and writes only the table of contents.
        writer = ix.writer()
        for process in processes:
            process.start()
        located: dict[str, tuple[int, int]] = {}  # article id -> (worker slot, docnum in its segment)
        duplicates: list[tuple[int, int]] = []
        copies = self._copies
        pending: dict[int, list[tuple]] = {}
        segments: dict[int, Any] = {}
        next_unit = 0
        bar = self._progress_bar(_article_units(units))

        def take(message) -> None:
            nonlocal next_unit
            kind = message[0]
            if kind == "error":
                raise RuntimeError(f"reindex worker {message[1]} failed: {message[2]}")
            if kind == "done":
                segments[message[1]] = message[2]
                return
            pending[message[1]] = message[2]
            while next_unit in pending:  # the report follows the input order
                summaries = pending.pop(next_unit)
                next_unit += 1
                for outcome in summaries:
                    if outcome[0] == "failed":
                        report.failed.append(outcome[1])
                        continue
                    if outcome[0] in ("warning", "capped"):
                        _note(report, outcome)
                        continue
                    _, article_id, source, content_hash, chars, slot, docnum, key, fingerprint = outcome
                    if article_id in articles:
                        report.duplicates.append((article_id, source, articles[article_id][0]))
                        duplicates.append((slot, docnum))
                        continue
                    copy_of = copies.copy_of(fingerprint, article_id, source)
                    if copy_of:  # the same text as an article already taken (search.dedup)
                        report.duplicates.append((article_id, source, copy_of))
                        duplicates.append((slot, docnum))
                        continue
                    articles[article_id] = [source, content_hash]
                    if key:
                        lines[key] = article_id
                    located[article_id] = (slot, docnum)
                    report.indexed += 1
                    report.characters += chars
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
            while len(segments) < len(processes):
                drain(block=True)
            for process in processes:
                process.join()
            if bar is not None:
                bar.close()
            for slot, docnum in duplicates:
                segments[slot].delete_document(docnum)
            published = [segments[slot] for slot in sorted(segments) if segments[slot] is not None]
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

    def _run_units(self, units: list[tuple], total_bytes: int, known: dict[str, str],
                   known_lines: dict[str, str]) -> Iterator[list[tuple]]:
        if self.workers <= 1 or total_bytes < PARALLEL_MIN_BYTES or len(units) < 2:
            _init_worker(self.backend, known, known_lines)
            for unit in units:
                # Analysed here once: the derived fields (content, words, 초성) are
                # assembled from these tokens instead of analysing the text again.
                yield _process_unit(unit, analyse=True)
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(self.workers, initializer=_init_pool_worker, initargs=(self.backend, known, known_lines)) as pool:
            # A bounded window of tasks in flight keeps memory flat on huge inputs
            # while both cores stay busy; results come back in input order.
            window: deque = deque()
            limit = self.workers * 4
            for unit in units:
                if unit[0] == "known":  # nothing to load: answered here, in order
                    window.append(_Ready(_process_unit(unit)))
                else:
                    window.append(pool.apply_async(_process_unit, (unit,)))
                if len(window) >= limit:
                    yield window.popleft().get()
            while window:
                yield window.popleft().get()

    def _progress_bar(self, total: int):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit=" articles", desc="reindex", file=sys.stderr, dynamic_ncols=True)

    # -- publishing

    def _publish(self, building: Path, manifest: dict) -> Path:
        if self.fsync:
            # Whoosh closes its segment files without fsync: after a power cut
            # the renamed generation could hold empty or partial files.
            _fsync_tree(building)
        manifest_path = building / MANIFEST
        with open(manifest_path, "w", encoding="ascii") as handle:
            # json.dumps, not json.dump: dump streams through the pure-Python
            # encoder (1.5 s for the manifest of 100,000 articles; dumps ~0.2 s).
            # ASCII: file names that are not UTF-8 arrive as lone surrogates
            # (surrogateescape), which only an escape carries through intact.
            handle.write(json.dumps(manifest, ensure_ascii=True))
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(building)
        final = building.with_name(building.name[: -len(".building")])
        os.rename(building, final)
        checkpoint("reindex:swap")
        link_tmp = self.layout.root / f".{CURRENT}.{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(final.name, link_tmp)
        os.replace(link_tmp, self.layout.current_link)  # the atomic swap
        _fsync_dir(self.layout.root)
        checkpoint("reindex:swapped")
        return final

    def _remove_unfinished(self) -> None:
        # Holding the lock means no other writer: any .building folder is the
        # remains of a killed reindex.
        if self.layout.root.is_dir():
            for path in self.layout.root.glob("gen-*.building"):
                shutil.rmtree(path, ignore_errors=True)
            for path in self.layout.root.glob(f".{CURRENT}.*"):
                path.unlink(missing_ok=True)

    def _cleanup(self) -> None:
        current = self.layout.current()
        generations = [g for g in self.layout.generations() if g != current]
        # Keep the previous generations a little while: a server may still be
        # answering from one until its next request notices the swap.
        for old in generations[: max(0, len(generations) - (KEEP_GENERATIONS - 1))]:
            shutil.rmtree(old, ignore_errors=True)


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


def _note(report: ReindexReport, outcome: tuple) -> None:
    """A warning or a capped article, into the report."""
    if outcome[0] == "warning":
        report.warnings.append(outcome[1])
    else:
        report.capped.append(outcome[1:])


class _Ready:
    """A result already at hand, in a window of pending pool results."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


def _article_units(units: list[tuple]) -> int:
    """How many articles (JSONL lines) or files the units hold, for the progress bar."""
    return sum(len(u[3]) if u[0] == "jsonl" else len(u[2]) if u[0] == "known" else 1 for u in units)


def _fsync_tree(folder: Path) -> None:
    """fsync every file under `folder`, then each folder (so their entries are durable)."""
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def reindex(
    paths: Optional[Iterable[Union[str, Path]]] = None,
    index_dir: Union[str, Path] = "index",
    incremental: bool = False,
    **options: Any,
) -> ReindexReport:
    """Build (or update) the index at `index_dir` from the article files under `paths`."""
    return Reindexer(index_dir, **options).run(paths, incremental=incremental)
