"""Finds article files and turns each into `Article` records, never stopping on one
bad file: every problem comes back as a `LoadFailure` naming the file (and line)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Union

from search.ingest.encoding import decode_bytes
from search.ingest.errors import ArticleError, LoadFailure
from search.model import Article

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# One article page is at most a few hundred kilobytes; a bigger .txt/.html file is
# a mistake (a dump, a binary renamed) and would stall the analyser.  JSONL exports
# hold many articles, so only their lines are limited.
MAX_ARTICLE_FILE_BYTES = 10 * 1024 * 1024

LoadItem = Union[Article, LoadFailure]


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
    missing: list[Path] = field(default_factory=list)


# Tab, line breaks, form feed, and ESC/SO/SI (ISO-2022-KR shifts) are text.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b\x0e\x0f")


def looks_binary(data: bytes) -> bool:
    """Images, archives and executables renamed .txt/.html: many NUL or control
    bytes.  A stray NUL in real text (it happens in scrapes) is not enough."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text is full of NULs by design
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return sample.count(0) > 8 or controls > len(sample) // 20


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ArticleLoader:
    """Walks paths and loads `.txt` scrapes, `.html`/`.htm` pages and `.jsonl` exports."""

    def __init__(self, max_file_bytes: int = MAX_ARTICLE_FILE_BYTES):
        self.max_file_bytes = max_file_bytes

    def discover(self, paths: Iterable[Union[str, Path]]) -> Discovery:
        found = Discovery()
        seen: set[Path] = set()
        for raw in paths:
            root = Path(raw)
            if root.is_file():
                candidates = [(root, root.name)]
            elif root.is_dir():
                candidates = []
                for dirpath, dirnames, filenames in os.walk(root):
                    dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                    for name in sorted(filenames):
                        if name.startswith("."):
                            continue
                        path = Path(dirpath, name)
                        candidates.append((path, path.relative_to(root).as_posix()))
            else:
                found.missing.append(root)
                continue
            for path, relative in candidates:
                resolved = path.resolve()
                if resolved in seen:
                    continue
                seen.add(resolved)
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.files.append(SourceFile(resolved, relative))
                else:
                    found.skipped.append(path)
        return found

    def load(self, source: SourceFile) -> Iterator[LoadItem]:
        """The articles of one file; failures are yielded, never raised."""
        path = source.path
        try:
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                from search.ingest.jsonl import load_jsonl_lines

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
                from search.ingest.html import load_html

                yield from load_html(path, data, source.relative)
            else:
                from search.ingest.textscrape import load_text_scrape

                text, _ = decode_bytes(data)
                yield from load_text_scrape(path, text, source.relative)
        except ArticleError as exc:
            yield LoadFailure(str(path), exc.reason, exc.line)
        except OSError as exc:
            yield LoadFailure(str(path), f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a loader bug must not stop a reindex either
            yield LoadFailure(str(path), f"unexpected {type(exc).__name__}: {exc}")

    def load_paths(self, paths: Iterable[Union[str, Path]]) -> Iterator[LoadItem]:
        discovery = self.discover(paths)
        for missing in discovery.missing:
            yield LoadFailure(str(missing), "no such file or folder")
        for source in discovery.files:
            yield from self.load(source)
