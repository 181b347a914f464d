"""Files → units of work: a whole file, or batches of a JSONL export's lines
(lines unchanged since the last reindex are recognised by their bytes alone)."""

from __future__ import annotations

import hashlib
from typing import Iterator, Optional

from search.ingest.loader import SourceFile
from search.reindex.units import KnownLinesUnit, LinesUnit, WorkUnit


def line_key(path: str, number: int, raw: bytes) -> str:
    """Identifies one JSONL line's bytes at its place in its file.  The line
    number is part of it because an article without an id or URL takes its id
    from the line it stands on."""
    return hashlib.blake2b(raw + f"\0{path}\0{number}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def jsonl_units(source: SourceFile, batch: int, known_lines: dict[str, str], known: dict[str, str]) -> Iterator[WorkUnit]:
    """Batches of a JSONL file's lines: `LinesUnit`s to load (runs of
    consecutive lines, by byte range), and `KnownLinesUnit`s for lines whose
    bytes were indexed last time at the same place: those need no parsing
    (JSON and an Article cost ~0.5 ms a line; the digest ~6 µs), and are not
    even sent to a worker process."""
    path = str(source.path)
    with open(source.path, "rb") as handle:
        keys: list[str] = []
        first = start = offset = 0
        same: list[tuple[str, str]] = []
        for number, raw in enumerate(handle, start=1):
            key = line_key(path, number, raw)
            article_id = known_lines.get(key)
            if article_id is not None and article_id in known:
                if keys:  # runs stay in file order, so the first of two equal ids still wins
                    yield LinesUnit(path, source.relative, first, start, offset, keys)
                    keys = []
                same.append((article_id, key))
                if len(same) >= batch * 16:
                    yield KnownLinesUnit(path, same)
                    same = []
                offset += len(raw)
                continue
            if same:
                yield KnownLinesUnit(path, same)
                same = []
            if not keys:
                first, start = number, offset
            keys.append(key)
            offset += len(raw)
            if len(keys) >= batch:
                yield LinesUnit(path, source.relative, first, start, offset, keys)
                keys = []
        if same:
            yield KnownLinesUnit(path, same)
        if keys:
            yield LinesUnit(path, source.relative, first, start, offset, keys)


def unit_lines(unit: LinesUnit) -> Iterator[tuple[int, bytes, Optional[str]]]:
    """(line number, raw bytes, key) of a `LinesUnit`'s lines, read from its
    file; a line whose bytes are no longer those the plan read comes back
    with the key None (the file changed during the run)."""
    with open(unit.path, "rb") as handle:
        handle.seek(unit.start)
        data = handle.read(unit.end - unit.start)
    cursor = 0
    for number, key in enumerate(unit.keys, start=unit.first):
        stop = data.find(b"\n", cursor)
        stop = len(data) if stop < 0 else stop + 1
        raw = data[cursor:stop]
        cursor = stop
        yield number, raw, key if line_key(unit.path, number, raw) == key else None
