"""Files → units of work: a whole file, or batches of a JSONL export's lines
(lines unchanged since the last reindex, and lines that were exact copies
then, are recognised by their bytes alone)."""

from __future__ import annotations

import hashlib
from typing import Container, Iterator, Mapping, Optional

from search.ingest.loader import SourceFile
from search.reindex.units import Copied, KnownCopiesUnit, KnownCopy, KnownLinesUnit, LinesUnit, WorkUnit


def line_key(path: str, number: int, raw: bytes) -> str:
    """Identifies one JSONL line's bytes at its place in its file.  The line
    number is part of it because an article without an id or URL takes its id
    from the line it stands on."""
    return hashlib.blake2b(raw + f"\0{path}\0{number}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def jsonl_units(source: SourceFile, batch: int, known_lines: Mapping[str, str], known: Mapping[str, str],
                known_copies: Optional[Mapping[str, list]] = None, digest=None) -> Iterator[WorkUnit]:
    """Batches of a JSONL file's lines: `LinesUnit`s to load (runs of
    consecutive lines, by byte range), `KnownLinesUnit`s for lines whose
    bytes were indexed last time at the same place: those need no parsing
    (JSON and an Article cost ~0.5 ms a line; the digest ~6 µs), and are not
    even sent to a worker process, and `KnownCopiesUnit`s for lines that were
    exact copies last time (`known_copies`: line key → [copy's id, body
    fingerprint]), to be settled by `settle_copies` once every file is planned.
    `digest` (a hashlib object), if given, is fed the file's bytes on the way:
    the file's digest without a second read of it."""
    path = str(source.path)
    known_copies = known_copies or {}
    with open(source.path, "rb") as handle:
        keys: list[str] = []
        first = start = offset = 0
        same: list[tuple[str, str]] = []
        copies: list[KnownCopy] = []

        def flush_runs(keep: str) -> Iterator[WorkUnit]:
            # Runs stay in file order, so the first of two equal ids still wins.
            nonlocal keys, same, copies
            if keys and keep != "lines":
                yield LinesUnit(path, source.relative, first, start, offset, keys)
                keys = []
            if same and keep != "same":
                yield KnownLinesUnit(path, same)
                same = []
            if copies and keep != "copies":
                yield KnownCopiesUnit(path, source.relative, copies)
                copies = []

        for number, raw in enumerate(handle, start=1):
            if digest is not None:
                digest.update(raw)
            key = line_key(path, number, raw)
            article_id = known_lines.get(key)
            if article_id is not None and article_id in known:
                yield from flush_runs("same")
                same.append((article_id, key))
                if len(same) >= batch * 16:
                    yield from flush_runs("")
            elif key in known_copies:
                yield from flush_runs("copies")
                copy_id, fingerprint = known_copies[key]
                copies.append(KnownCopy(copy_id, key, number, fingerprint, offset, offset + len(raw)))
                if len(copies) >= batch * 16:
                    yield from flush_runs("")
            else:
                yield from flush_runs("lines")
                if not keys:
                    first, start = number, offset
                keys.append(key)
                if len(keys) >= batch:
                    offset += len(raw)
                    yield from flush_runs("")
                    continue
            offset += len(raw)
        yield from flush_runs("")


def settle_copies(units: list[WorkUnit], settled: Container[str], seeds: Mapping[str, list]) -> list[WorkUnit]:
    """The plan with each known copy settled: still a copy (reported unread)
    when the article it copied (`seeds`: body fingerprint → [id, where]) is in
    `settled`, the articles this run keeps unchanged whatever it reads; else
    its line is read again (its original changed or went: the copy may now be
    the first of its text)."""
    out: list[WorkUnit] = []
    for unit in units:
        if not isinstance(unit, KnownCopiesUnit):
            out.append(unit)
            continue
        run: list[KnownCopy] = []
        for entry in unit.entries:
            seed = seeds.get(entry.fingerprint)
            if seed and seed[0] != entry.article_id and seed[0] in settled:
                run.append(entry)
                continue
            if run:
                out.append(KnownCopiesUnit(unit.path, unit.relative, run))
                run = []
            out.append(LinesUnit(unit.path, unit.relative, entry.number, entry.start, entry.end, [entry.key]))
        if run:
            out.append(KnownCopiesUnit(unit.path, unit.relative, run))
    return out


def copied_again(unit: KnownCopiesUnit) -> list[Copied]:
    """The outcomes of a settled `KnownCopiesUnit`: each line a duplicate again."""
    return [Copied(entry.article_id, unit.path, entry.key, entry.number, entry.fingerprint) for entry in unit.entries]


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
