"""(Re)building the index from article files.

    files ──ArticleLoader──▶ Article ──KoreanAnalyzer (worker processes)──▶ tokens
          ──Whoosh writer (this process)──▶ new generation ──atomic swap──▶ current

Analysis is the expensive step, so it runs in worker processes; the single
Whoosh writer only replays the tokens.  A full rebuild writes a fresh
generation; `incremental` starts from hard links of the current one (segment
files are immutable) and re-analyses only articles whose content changed.  Either
way the result becomes visible through one atomic rename, and nothing is lost: an
article is indexed, unchanged, failed with a reason, or reported as a duplicate.
"""

from __future__ import annotations

import errno
import fcntl
import json
import multiprocessing
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

from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.userdict import fingerprint as userdict_fingerprint
from search.index import (
    CURRENT, MANIFEST, SCHEMA_VERSION, TEXT_FIELDS, IndexLayout, build_schema, document_for,
)
from search.ingest.errors import LoadFailure
from search.ingest.loader import JSONL_SUFFIXES, ArticleLoader, SourceFile, file_digest
from search.model import Article

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
KEEP_GENERATIONS = 3
BATCH_ARTICLES = 64
# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000


class ReindexLocked(RuntimeError):
    """Another reindex holds the index's lock."""


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
    failed: list[LoadFailure] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (id, source, kept source)
    total: int = 0  # articles in the new index
    characters: int = 0
    seconds: float = 0.0

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
            "failed": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failed],
            "duplicates": [{"id": i, "source": s, "kept": k} for i, s, k in self.duplicates],
            "total": self.total,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------- worker side

_worker_state: dict[str, Any] = {}


def _init_worker(backend: str, known: Optional[dict[str, str]]) -> None:
    _worker_state["analyzer"] = KoreanAnalyzer(backend)
    _worker_state["known"] = known or {}
    _worker_state["loader"] = ArticleLoader()


def _analyse(article: Article) -> dict[str, list]:
    analyzer = _worker_state["analyzer"]
    texts = {
        "title": article.title,
        "subtitles": "\n".join(article.subtitles),
        "body": article.body_text,
        "captions": "\n".join(article.captions),
    }
    return {name: analyzer.token_tuples(text) for name, text in texts.items() if text}


def _outcomes(items: Iterable[Union[Article, LoadFailure]], analyse: bool) -> list[tuple]:
    known = _worker_state["known"]
    out: list[tuple] = []
    for item in items:
        if isinstance(item, LoadFailure):
            out.append(("failed", item))
        elif known.get(item.id) == item.content_hash:
            out.append(("unchanged", item.id, item.source))
        else:
            out.append(("article", item, _analyse(item) if analyse else None))
    return out


def _process_unit(unit: tuple, analyse: bool = True) -> list[tuple]:
    """Load (and analyse) one unit of work: a whole file, or a batch of JSONL lines."""
    kind = unit[0]
    if kind == "file":
        return _outcomes(_worker_state["loader"].load(unit[1]), analyse)
    from search.ingest.jsonl import load_jsonl_lines

    _, path, relative, first_line, lines = unit
    items = list(load_jsonl_lines(Path(path), lines, relative, first_line))
    return _outcomes(items, analyse)


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
        return self

    def __exit__(self, *exc_info):
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def _jsonl_units(source: SourceFile, batch: int) -> Iterator[tuple]:
    with open(source.path, "rb") as handle:
        lines: list[bytes] = []
        first = 1
        for number, line in enumerate(handle, start=1):
            lines.append(line)
            if len(lines) >= batch:
                yield ("jsonl", str(source.path), source.relative, first, lines)
                first, lines = number + 1, []
        if lines:
            yield ("jsonl", str(source.path), source.relative, first, lines)


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
    ):
        self.layout = IndexLayout(Path(index_dir))
        self.backend = backend
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress
        self.wait_for_lock = wait_for_lock
        self.limitmb = limitmb
        self.loader = ArticleLoader()

    # -- public

    def run(self, paths: Optional[Iterable[Union[str, Path]]] = None, incremental: bool = False) -> ReindexReport:
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
            paths = [str(Path(p).resolve()) for p in paths]
            report = ReindexReport(index=str(self.layout.root), incremental=incremental)
            generation = self._build(paths, report, current if incremental else None, manifest)
            report.generation = generation.name
            report.seconds = time.perf_counter() - started
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
        for missing in discovery.missing:
            report.failed.append(LoadFailure(str(missing), "no such file or folder"))
        report.files_skipped = [str(p) for p in discovery.skipped]
        report.files_seen = len(discovery.files) + len(discovery.skipped)

        old_articles: dict[str, list[str]] = manifest.get("articles", {}) if base else {}
        old_files: dict[str, str] = manifest.get("files", {}) if base else {}
        known_hashes = {i: v[1] for i, v in old_articles.items()}

        building = self._new_generation_dir(base)
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
            except OSError as exc:
                report.failed.append(LoadFailure(key, f"cannot read: {exc.strerror or exc}"))
                continue
            if base is not None and old_files.get(key) == digests[key]:
                unchanged_sources.add(key)
                report.files_unchanged += 1
                continue
            if source.path.suffix.lower() in JSONL_SUFFIXES:
                units.extend(_jsonl_units(source, BATCH_ARTICLES))
            else:
                units.append(("file", source))

        articles: dict[str, list[str]] = {}  # id → [source, content_hash] of the new generation
        for article_id, (source, content_hash) in old_articles.items():
            if source in unchanged_sources:
                articles[article_id] = [source, content_hash]
                report.unchanged += 1
        sources_with_failures: set[str] = set()

        writer = ix.writer(limitmb=self.limitmb)
        try:
            bar = self._progress_bar(sum(len(u[4]) if u[0] == "jsonl" else 1 for u in units))
            for outcomes in self._run_units(units, total_bytes, known_hashes):
                for outcome in outcomes:
                    kind = outcome[0]
                    if kind == "failed":
                        report.failed.append(outcome[1])
                        sources_with_failures.add(outcome[1].source)
                    elif kind == "unchanged":
                        _, article_id, source = outcome
                        if article_id in articles:
                            report.duplicates.append((article_id, source, articles[article_id][0]))
                            continue
                        articles[article_id] = [source, known_hashes[article_id]]
                        report.unchanged += 1
                    else:
                        _, article, tokens = outcome
                        if article.id in articles:
                            report.duplicates.append((article.id, article.source or "", articles[article.id][0]))
                            continue
                        if article.id in old_articles:
                            writer.delete_by_term("id", article.id)
                        writer.add_document(**document_for(article, tokens))
                        articles[article.id] = [article.source or "", article.content_hash]
                        report.indexed += 1
                        report.characters += len(article.title) + len(article.body_text)
                if bar is not None:
                    bar.update(len(outcomes))
                    bar.set_postfix(articles=report.indexed + report.unchanged, failed=len(report.failed), refresh=False)
            if bar is not None:
                bar.close()

            for article_id, (source, content_hash) in old_articles.items():
                if article_id in articles:
                    continue
                if source in sources_with_failures:
                    # The file could not be read this time: keep what we had rather than lose it.
                    articles[article_id] = [source, content_hash]
                    continue
                writer.delete_by_term("id", article_id)
                report.removed += 1
            writer.commit(optimize=base is None)
        except BaseException:
            writer.cancel()
            raise

        report.total = len(articles)
        files = {k: v for k, v in digests.items() if k not in sources_with_failures}
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
            "report": report.to_dict(),
        }
        return self._publish(building, new_manifest)

    def _run_units(self, units: list[tuple], total_bytes: int, known: dict[str, str]) -> Iterator[list[tuple]]:
        if self.workers <= 1 or total_bytes < PARALLEL_MIN_BYTES or len(units) < 2:
            _init_worker(self.backend, known)
            for unit in units:
                # Analysed here once: the derived fields (content, words, 초성) are
                # assembled from these tokens instead of analysing the text again.
                yield _process_unit(unit, analyse=True)
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(self.workers, initializer=_init_worker, initargs=(self.backend, known)) as pool:
            # A bounded window of tasks in flight keeps memory flat on huge inputs
            # while both cores stay busy; results come back in input order.
            window: deque = deque()
            limit = self.workers * 4
            for unit in units:
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
        manifest_path = building / MANIFEST
        with open(manifest_path, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(building)
        final = building.with_name(building.name[: -len(".building")])
        os.rename(building, final)
        link_tmp = self.layout.root / f".{CURRENT}.{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(final.name, link_tmp)
        os.replace(link_tmp, self.layout.current_link)  # the atomic swap
        _fsync_dir(self.layout.root)
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
