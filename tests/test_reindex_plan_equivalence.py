"""The JSONL plan's loop (search/reindex/plan.py: jsonl_units) held to the
plain version it replaced, kept here as the reference: the same units, in the
same order, with the same keys and byte ranges, for files of new, known,
copied and changed lines in any order and any batch size, and for a path that
is not UTF-8.  And a changed line is always found: any change to a known
line's bytes sends it to be loaded."""

from __future__ import annotations

import hashlib
import json
import os
import random
from typing import Iterator, Mapping, Optional

import pytest

from search.ingest.loader import SourceFile
from search.reindex.plan import jsonl_units, line_key
from search.reindex.units import KnownCopiesUnit, KnownCopy, KnownLinesUnit, LinesUnit, WorkUnit


def plain_jsonl_units(source: SourceFile, batch: int, known_lines: Mapping[str, str], known: Mapping[str, str],
                known_copies: Optional[Mapping[str, list]] = None, digest=None) -> Iterator[WorkUnit]:
    """The plan as it was written first: a line key per line through line_key,
    every run flushed through a generator at every line."""
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


def make_file(folder, rng: random.Random, count: int, name: str = "c.jsonl"):
    path = folder / name
    lines = [(json.dumps({"id": f"a{i}", "body": "본문 " * rng.randint(0, 30) + str(i)}, ensure_ascii=False)
              + ("\n" if i < count - 1 or rng.random() < 0.5 else "")).encode("utf-8") for i in range(count)]
    path.write_bytes(b"".join(lines))
    return path, lines


def tables(path, lines, rng: random.Random):
    """Known lines (some of articles still known, some not), copy lines, the rest new."""
    known_lines, known, known_copies = {}, {}, {}
    for number, raw in enumerate(lines, start=1):
        key = line_key(str(path), number, raw)
        roll = rng.random()
        if roll < 0.45:
            known_lines[key] = f"a{number - 1}"
            if rng.random() < 0.9:
                known[f"a{number - 1}"] = "hash"
        elif roll < 0.7:
            known_copies[key] = [f"a{number - 1}", f"fp{number % 7}"]
    return known_lines, known, known_copies


@pytest.mark.parametrize("seed", range(16))
def test_the_plan_gives_the_units_of_the_plain_plan(tmp_path, seed):
    rng = random.Random(seed)
    path, lines = make_file(tmp_path, rng, rng.randint(0, 300))
    known_lines, known, known_copies = tables(path, lines, rng)
    source = SourceFile(path, path.name)
    batch = rng.choice([1, 2, 3, 8, 64])
    fast_digest, plain_digest = hashlib.blake2b(digest_size=16), hashlib.blake2b(digest_size=16)
    fast = list(jsonl_units(source, batch, known_lines, known, known_copies, fast_digest))
    plain = list(plain_jsonl_units(source, batch, known_lines, known, known_copies, plain_digest))
    assert fast == plain
    assert fast_digest.hexdigest() == plain_digest.hexdigest() == hashlib.blake2b(
        path.read_bytes(), digest_size=16).hexdigest()
    assert list(jsonl_units(source, batch, known_lines, known)) == list(
        plain_jsonl_units(source, batch, known_lines, known))


def test_a_path_that_is_not_utf8_gives_the_keys_of_line_key(tmp_path):
    folder = os.fsencode(str(tmp_path))
    raw_path = os.path.join(folder, b"caf\xe9.jsonl")
    with open(raw_path, "wb") as handle:
        handle.write(b'{"id": "a0"}\n{"id": "a1"}\n')
    path = type(tmp_path)(os.fsdecode(raw_path))  # a lone surrogate in the name
    (unit,) = jsonl_units(SourceFile(path, path.name), 64, {}, {})
    assert unit == list(plain_jsonl_units(SourceFile(path, path.name), 64, {}, {}))[0]
    assert unit.keys == [line_key(str(path), 1, b'{"id": "a0"}\n'), line_key(str(path), 2, b'{"id": "a1"}\n')]


@pytest.mark.parametrize("seed", range(8))
def test_a_changed_line_is_always_sent_to_be_loaded(tmp_path, seed):
    rng = random.Random(seed)
    path, lines = make_file(tmp_path, rng, 120)
    known_lines = {line_key(str(path), n, raw): f"a{n - 1}" for n, raw in enumerate(lines, start=1)}
    known = {f"a{i}": "hash" for i in range(120)}
    changed = sorted(rng.sample(range(1, 121), 5))
    for number in changed:
        raw = bytearray(lines[number - 1])
        at = rng.randrange(len(raw) - 1)
        raw[at] = (raw[at] + 1) % 128 or 1  # one byte, same length
        lines[number - 1] = bytes(raw)
    path.write_bytes(b"".join(lines))
    units = list(jsonl_units(SourceFile(path, path.name), 64, known_lines, known))
    loaded = [unit.first + k for unit in units if isinstance(unit, LinesUnit) for k in range(len(unit.keys))]
    assert loaded == changed
    assert sum(len(u.entries) for u in units if isinstance(u, KnownLinesUnit)) == 115
