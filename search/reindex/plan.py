"""Files → units of work: a whole file, or batches of a JSONL export's lines
(lines unchanged since the last reindex, and lines that were exact copies
then, are recognised by their bytes alone)."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Callable, Container, Iterator, Mapping, Optional

from search.ingest.loader import SourceFile
from search.reindex.units import (
    LINE_KEYS, Copied, KnownCopiesUnit, KnownCopy, KnownLinesUnit, LinesUnit, WorkUnit,
)

# Bytes read at a time when planning a JSONL file's lines.
READ_BUFFER = 1 << 18

_HASHES: dict[str, Callable] = {"sha256": hashlib.sha256, "blake2b": partial(hashlib.blake2b, digest_size=16)}


def line_key(path: str, number: int, raw: bytes, kind: str = LINE_KEYS) -> str:
    """Identifies one JSONL line's bytes at its place in its file: 32 hex
    digits of a hash of `kind` (search/reindex/units.py: LINE_KEY_KINDS).
    The line number is part of it because an article without an id or URL
    takes its id from the line it stands on."""
    hashed = _HASHES[kind](raw + f"\0{path}\0{number}".encode("utf-8", "surrogatepass"))
    return hashed.hexdigest()[:32]


def jsonl_units(source: SourceFile, batch: int, known_lines: Mapping[str, str], known: Mapping[str, str],
                known_copies: Optional[Mapping[str, list]] = None, digest=None,
                line_keys: str = LINE_KEYS) -> Iterator[WorkUnit]:
    """Batches of a JSONL file's lines: `LinesUnit`s to load (runs of
    consecutive lines, by byte range), `KnownLinesUnit`s for lines whose
    bytes were indexed last time at the same place: those need no parsing
    (JSON and an Article cost ~0.5 ms a line; the digest ~6 µs), and are not
    even sent to a worker process, and `KnownCopiesUnit`s for lines that were
    exact copies last time (`known_copies`: line key → [copy's id, body
    fingerprint]), to be settled by `settle_copies` once every file is planned.
    `digest` (a hashlib object), if given, is fed the file's bytes on the way:
    the file's digest without a second read of it.  `line_keys`: the kind of
    key computed (that of the keys in `known_lines` and `known_copies`).

    Every line is read and its key computed (a changed line is always found);
    what is kept per line is a few operations: one run of one kind is open at
    a time and becomes a unit when a line of another kind comes or it is full
    (tests/test_reindex_plan.py holds this to the plain version it replaced)."""
    path = str(source.path)
    known_copies = known_copies or {}
    # line_key's bytes, with the hash fed in two parts: no copy of each line.
    tail = f"\0{path}\0".encode("utf-8", "surrogatepass")
    new_hash = _HASHES[line_keys]
    lines, same, copies = 0, 1, 2
    kind = lines
    run: list = []
    first = start = offset = 0

    def unit() -> WorkUnit:
        if kind == lines:
            return LinesUnit(path, source.relative, first, start, offset, run, line_keys)
        if kind == same:
            return KnownLinesUnit(path, run)
        return KnownCopiesUnit(path, source.relative, run, line_keys)

    get_line = known_lines.get
    same_limit = batch * 16
    # A large buffer: lines of a few KB in the default 8 KB one cross its end
    # every few lines, and reading a 100,000-line file cost 0.2 s instead of 0.05.
    with open(source.path, "rb", buffering=READ_BUFFER) as handle:
        number = 0
        for raw in handle:
            number += 1
            if digest is not None:
                digest.update(raw)
            hashed = new_hash(raw)
            hashed.update(tail + b"%d" % number)
            key = hashed.hexdigest()[:32]
            article_id = get_line(key)
            if article_id is not None and article_id in known:
                if kind == same and run:
                    # Most lines of an incremental run: one more in the open run
                    # of unchanged lines (what the general steps below would do).
                    run.append((article_id, key))
                    offset += len(raw)
                    if len(run) >= same_limit:
                        yield unit()
                        run = []
                    continue
                line_kind, item, limit = same, (article_id, key), same_limit
            elif key in known_copies:
                copy_id, fingerprint = known_copies[key]
                line_kind, limit = copies, same_limit
                item = KnownCopy(copy_id, key, number, fingerprint, offset, offset + len(raw))
            else:
                line_kind, item, limit = lines, key, batch
            if line_kind != kind and run:
                # Runs stay in file order, so the first of two equal ids still wins.
                yield unit()
                run = []
            if not run:
                kind, first, start = line_kind, number, offset
            run.append(item)
            offset += len(raw)
            if len(run) >= limit:
                yield unit()
                run = []
        if run:
            yield unit()


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
                out.append(KnownCopiesUnit(unit.path, unit.relative, run, unit.line_keys))
                run = []
            out.append(LinesUnit(unit.path, unit.relative, entry.number, entry.start, entry.end, [entry.key],
                                 unit.line_keys))
        if run:
            out.append(KnownCopiesUnit(unit.path, unit.relative, run, unit.line_keys))
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
        yield number, raw, key if line_key(unit.path, number, raw, unit.line_keys) == key else None
