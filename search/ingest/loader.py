"""Finds article files and turns each into `Article` records, never stopping on one
bad file: every problem comes back as a `LoadFailure` naming the file (and line),
and what to check in a file that did load (undecodable bytes) as a `LoadWarning`."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from search.ingest.encoding import decode_bytes, looks_binary, undecodable_sequences
from search.ingest.errors import ArticleError, LoadFailure, LoadWarning
from search.ingest.jsonl import load_jsonl_lines
from search.ingest.textscrape import load_text_scrape
from search.model import Article

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# One article page is at most a few hundred kilobytes; a bigger .txt/.html file is
# a mistake (a dump, a binary renamed) and would stall the analyser.  JSONL exports
# hold many articles, so only their lines are limited.
MAX_ARTICLE_FILE_BYTES = 10 * 1024 * 1024

LoadItem = Union[Article, LoadFailure, LoadWarning]


@dataclass
class SourceFile:
    path: Path
    # The path relative to the folder it was found under: stable across machines,
    # so article ids derived from it are too.
    relative: str


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    # Paths given that do not exist (or cannot even be looked at): a typo or an
    # unmounted disk, never "everything under it was deleted".
    missing: list[LoadFailure] = field(default_factory=list)
    # Folders that could not be listed, symbolic-link loops, dangling links and
    # links leading outside the input folder: each one a failure line.
    failures: list[LoadFailure] = field(default_factory=list)
    # Paths (files and folders) that could not be read: the articles they held
    # last time are kept, not deleted (search.reindex).
    unreadable: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _decoding_warning(path: Path, data: bytes, encoding: str) -> Optional[LoadWarning]:
    """A warning when some bytes of a file read as no character in the encoding
    chosen for it (a file pasted together from two encodings, a damaged one):
    the rest is indexed, those spots hold U+FFFD, and the user is told."""
    bad = undecodable_sequences(data, encoding)
    if not bad:
        return None
    return LoadWarning(str(path), f"{bad} byte sequence(s) are not {encoding} (mixed encodings?); "
                                  "they are indexed as \ufffd, the rest of the file as read")


class ArticleLoader:
    """Walks paths and loads `.txt` scrapes, `.html`/`.htm` pages and `.jsonl` exports.

    Symbolic links are followed only to files inside the folder being walked
    (and not at all to folders, whose files are found at their real place)
    unless `follow_symlinks`: a link elsewhere would index what the user did not
    point at.  Each link not followed, each loop and each dangling link is a
    failure line under the link's own name."""

    def __init__(self, max_file_bytes: int = MAX_ARTICLE_FILE_BYTES, follow_symlinks: bool = False):
        self.max_file_bytes = max_file_bytes
        self.follow_symlinks = follow_symlinks

    def discover(self, paths: Iterable[Union[str, Path]]) -> Discovery:
        found = Discovery()
        seen: set[str] = set()
        for raw in paths:
            root = os.fspath(raw)
            try:
                mode = os.stat(root).st_mode  # a path the user named is followed
            except FileNotFoundError:
                found.missing.append(LoadFailure(root, "no such file or folder", unreadable=True))
                continue
            except OSError as exc:
                found.missing.append(LoadFailure(root, f"cannot read: {_os_reason(exc)}", unreadable=True))
                continue
            if stat.S_ISDIR(mode):
                candidates = self._walk(root, found)
            elif stat.S_ISREG(mode):
                candidates = [(root, os.path.basename(root))]
            else:
                found.skipped.append(Path(root))
                continue
            for path, relative in candidates:
                resolved = os.path.realpath(path)
                if resolved in seen:
                    continue
                seen.add(resolved)
                found.files.append(SourceFile(Path(resolved), relative))
        return found

    def _walk(self, root: str, found: Discovery) -> list[tuple[str, str]]:
        """(path, path relative to root) of the supported files under `root`."""
        real_root = os.path.realpath(root)
        candidates: list[tuple[str, str]] = []

        def unreadable(exc: OSError) -> None:
            where = exc.filename or root
            found.failures.append(LoadFailure(where, f"cannot read folder: {_os_reason(exc)}", unreadable=True))
            found.unreadable.append(os.path.realpath(where))

        folders_seen: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=self.follow_symlinks):
            if self.follow_symlinks:
                try:
                    info = os.stat(dirpath)
                except OSError:
                    dirnames[:] = []
                    continue
                if (info.st_dev, info.st_ino) in folders_seen:  # a loop of folder links
                    dirnames[:] = []
                    continue
                folders_seen.add((info.st_dev, info.st_ino))
            kept = []
            for name in sorted(dirnames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                if os.path.islink(path) and not self.follow_symlinks:
                    target = os.path.realpath(path)
                    if not _inside(target, real_root):
                        found.failures.append(LoadFailure(
                            path, f"symbolic link to a folder outside {root} ({target}); "
                                  "not followed (pass --follow-symlinks)"))
                    continue  # a link inside the folder: its files are found at their real place
                kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                relative = os.path.relpath(path, root).replace(os.sep, "/")
                if os.path.splitext(name)[1].lower() not in SUPPORTED_SUFFIXES:
                    found.skipped.append(Path(path))
                    continue
                if os.path.islink(path):
                    failure = self._link_failure(path, root, real_root)
                    if failure is not None:
                        found.failures.append(failure)
                        continue
                candidates.append((path, relative))
        return candidates

    def _link_failure(self, path: str, root: str, real_root: str) -> Optional[LoadFailure]:
        """Why the symbolic link at `path` is not loaded, or None to load it."""
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return LoadFailure(path, "symbolic link loop (the link leads back to itself)")
            try:
                leads_to = os.readlink(path)
            except OSError:
                leads_to = "?"
            return LoadFailure(path, f"dangling symbolic link: its target {leads_to} does not exist")
        if not os.path.isfile(target):
            return LoadFailure(path, f"symbolic link to {target}, which is not a regular file")
        if not self.follow_symlinks and not _inside(target, real_root):
            return LoadFailure(path, f"symbolic link to a file outside {root} ({target}); "
                                     "not followed (pass --follow-symlinks)")
        return None

    def load(self, source: SourceFile) -> Iterator[LoadItem]:
        """The articles of one file; failures are yielded, never raised."""
        path = source.path
        try:
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                with open(path, "rb") as handle:
                    yield from load_jsonl_lines(path, handle, source.relative)
                return
            size = path.stat().st_size
            if size > self.max_file_bytes:
                raise ArticleError(
                    f"file is {size / 1048576:.1f} MB, over the {self.max_file_bytes / 1048576:.0f} MB "
                    "limit for one article"
                )
            data = path.read_bytes()
            if not data.strip():
                raise ArticleError("empty file")
            if looks_binary(data):
                raise ArticleError("binary file (mostly control bytes), not text")
            if suffix in HTML_SUFFIXES:
                # Imported here: beautifulsoup4 takes ~0.3 s to import, which
                # a run over JSONL exports alone need not pay.
                from search.ingest.html import decode_html, load_html

                warning = _decoding_warning(path, data, decode_html(data)[1])
                yield from load_html(path, data, source.relative)
            else:
                text, encoding = decode_bytes(data)
                warning = _decoding_warning(path, data, encoding)
                yield from load_text_scrape(path, text, source.relative)
            if warning is not None:
                yield warning
        except ArticleError as exc:
            yield LoadFailure(str(path), exc.reason, exc.line)
        except OSError as exc:
            yield LoadFailure(str(path), f"cannot read: {_os_reason(exc)}", unreadable=True)
        except Exception as exc:  # a loader bug must not stop a reindex either
            yield LoadFailure(str(path), f"unexpected {type(exc).__name__}: {exc}")

    def load_paths(self, paths: Iterable[Union[str, Path]]) -> Iterator[LoadItem]:
        discovery = self.discover(paths)
        yield from discovery.missing
        yield from discovery.failures
        for source in discovery.files:
            yield from self.load(source)
