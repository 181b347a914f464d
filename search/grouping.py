"""Same-event grouping at reindex time: articles that report one event (wire
copies, rewrites of one press release, reports of one announcement by
several presses) form a cluster with a canonical article; those that say
nearly the same as the canonical one (a changed dateline, a sentence added or
dropped) are marked as its near-copies.

    analysed tokens ──sketch()──▶ MinHash signature (in the reindex workers)
    signatures of the generation ──cluster()──▶ groups ──write_groups()──▶ groups.npz

A signature is a MinHash (datasketch) of the article's morpheme bigrams (title,
subtitles and body, from the tokens the reindex analysed anyway), so spacing,
particles and punctuation do not separate two reports of one event.  Candidate
pairs come from MinHash LSH banding (datasketch's bands and rows for the
threshold; the buckets found with numpy sorts); a pair joins a cluster when its estimated
resemblance (Jaccard of the bigram sets) reaches EVENT_THRESHOLD and, when both
are dated, they were published within EVENT_WINDOW_SECONDS; clusters are the
connected components.  The thresholds were chosen on hand-labelled pairs of
the shared corpora (README, How it works; tests/test_grouping_quality.py).

Each generation keeps its table in `groups.npz` beside the Whoosh files: ids,
publication times, signatures and the cluster of every article.  An
incremental reindex takes the unchanged articles' signatures from the last
generation's table (never analysing them again); when few articles are new,
changed or gone it regroups only what those could change (`recluster`, the
same groups as clustering everything anew), else it clusters everything
again, so new articles join the groups of old ones.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha1
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import numpy as np

# A pair of articles whose morpheme-bigram sets resemble each other this much
# (estimated Jaccard) reports one event (chosen on tests/fixtures/grouping_pairs.tsv).
EVENT_THRESHOLD = 0.32
# A member this close to its canonical article is a near-copy of it (a wire copy
# with another dateline, a sentence added or dropped).
NEAR_COPY_THRESHOLD = 0.9
# Two dated articles further apart than this report different events, however
# alike their text (a monthly report, a weekly column, an anniversary story).
EVENT_WINDOW_SECONDS = 3 * 24 * 3600
NUM_PERM = 128
SEED = 1
# Fewer distinct bigrams than this: too little text to tell an event by.
MIN_SHINGLES = 8
# The fields whose morphemes make the signature (captions repeat stock photo lines).
SIGNATURE_FIELDS = ("subtitles", "body")
# A byline is looked for among a field's first morphemes, up to its last one of these.
BYLINE_WORDS = frozenset({"기자", "특파원", "통신원", "인턴", "선임"})
BYLINE_REACH = 12
GROUPS_FILE = "groups.npz"
# The articles' signatures (uint32 rows), written by a full run and kept by
# an incremental one, whose table points its kept rows into the file and
# holds the signatures of its new and changed articles itself: 42 MB at
# 100,000 articles was rewritten by every incremental run.
SIGNATURES_FILE = "signatures.npy"
# More rows held in the table than this share of the articles, or more rows of
# gone articles left in the file: the file is written again.
PATCHED_UP_TO = 0.05
UNDATED = np.iinfo(np.int64).max
# Off only to measure what grouping costs (benchmarks/grouping_cost.py).
ENABLED = True


@dataclass
class Sketch:
    """What grouping needs of one article: its MinHash signature and when it was published."""

    signature: np.ndarray  # NUM_PERM uint32 values
    published: int = UNDATED  # seconds since the epoch


class SketchStore(Mapping):
    """The sketches of the articles analysed in one reindex (id → Sketch, or
    None for too little text), kept as table rows rather than objects: the
    signatures in blocks of a 2-D uint32 array, publication times and whether
    each row is signed in flat arrays, in the order added.  A Sketch object
    with its own ndarray cost ~1 KiB an article in the reindex's parent (the
    signature is 512 bytes of it), and `write_groups` then copied them all
    into one table; a full build's table is these rows themselves.

    A mapping for those who look sketches up by id (the index id → row is
    built on the first look-up, not kept while adding); each id is added once."""

    # Rows per block: 32 MiB of signatures, allocated untouched (pages become
    # resident as rows are written), never copied while the store grows.
    BLOCK_ROWS = 1 << 16

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._blocks: list[np.ndarray] = []
        self._used = 0  # rows used in the last block
        self._published = array("q")
        self._signed = array("b")
        self._rows: Optional[dict[str, int]] = None

    @classmethod
    def of(cls, sketches: Mapping[str, Optional[Sketch]]) -> "SketchStore":
        if isinstance(sketches, SketchStore):
            return sketches
        store = cls()
        for article_id, item in sketches.items():
            store.add(article_id, item)
        return store

    def add(self, article_id: str, item: Optional[Sketch]) -> None:
        if not self._blocks or self._used == len(self._blocks[-1]):
            self._blocks.append(np.empty((self.BLOCK_ROWS, NUM_PERM), dtype=np.uint32))
            self._used = 0
        if item is None:
            self._blocks[-1][self._used] = 0
            self._published.append(UNDATED)
        else:
            self._blocks[-1][self._used] = item.signature
            self._published.append(item.published)
        self._signed.append(item is not None)
        self._used += 1
        if self._rows is not None:
            self._rows[article_id] = len(self.ids)
        self.ids.append(article_id)

    def _index(self) -> dict[str, int]:
        if self._rows is None:
            self._rows = dict(zip(self.ids, range(len(self.ids))))
        return self._rows

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self.ids)

    def __contains__(self, article_id) -> bool:
        return article_id in self._index()

    def __getitem__(self, article_id: str) -> Optional[Sketch]:
        row = self._index()[article_id]
        if not self._signed[row]:
            return None
        signatures, published, _ = self.columns(np.array([row]))
        return Sketch(signatures[0], int(published[0]))

    def rows(self, ids: list[str]) -> np.ndarray:
        """Each of `ids`' row here (-1: not here)."""
        if ids == self.ids:  # a full build: the same articles in the same order
            return np.arange(len(ids), dtype=np.int64)
        index = self._index()
        return np.array([index.get(article_id, -1) for article_id in ids], dtype=np.int64)

    def columns(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(signatures, publication times, signed) of `rows`, in their order."""
        rows = np.asarray(rows, dtype=np.int64)
        signatures = np.empty((len(rows), NUM_PERM), dtype=np.uint32)
        first = 0
        for block in self._blocks:
            inside = np.flatnonzero((rows >= first) & (rows < first + len(block)))
            signatures[inside] = block[rows[inside] - first]
            first += len(block)
        return (signatures, np.frombuffer(self._published, dtype=np.int64)[rows].copy(),
                np.frombuffer(self._signed, dtype=np.int8)[rows].astype(bool))

    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(signatures, publication times, signed) of every row, in order.  The
        signatures are one array the store keeps as its only block: its blocks
        are copied into it one by one, each freed once copied (so the rows are
        never held twice), and later calls return it without a copy."""
        n = len(self.ids)
        if len(self._blocks) != 1 or len(self._blocks[0]) != n:
            whole = np.empty((n, NUM_PERM), dtype=np.uint32)
            first = 0
            while self._blocks:
                block = self._blocks.pop(0)
                rows = min(len(block), n - first)
                whole[first:first + rows] = block[:rows]
                first += rows
                del block
            self._blocks, self._used = [whole], n
        return (self._blocks[0], np.frombuffer(self._published, dtype=np.int64).copy(),
                np.frombuffer(self._signed, dtype=np.int8).astype(bool))


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations (a, b) for NUM_PERM and SEED, drawn in the order
    datasketch's `MinHash` draws them (tests/test_signature.py holds them equal):
    stored signatures stay comparable, and no reindex imports datasketch and
    the scipy it pulls in (~0.5 s of every run's start)."""
    draw = np.random.RandomState(SEED)
    pairs = [(draw.randint(1, _MERSENNE_61, dtype=np.uint64), draw.randint(0, _MERSENNE_61, dtype=np.uint64))
             for _ in range(NUM_PERM)]
    a, b = np.array(pairs, dtype=np.uint64).T
    return np.ascontiguousarray(a), np.ascontiguousarray(b)


# datasketch's universal hashing modulus and hash range.
_MERSENNE_61 = np.uint64((1 << 61) - 1)
_HASH_MASK = np.uint64((1 << 32) - 1)
_SHIFT_61 = np.uint64(61)


def _without_byline(terms: list[str]) -> list[str]:
    """The terms after a leading byline ("스포츠월드 윤기백 기자 ..."): one
    reporter's unrelated stories must not look alike by their bylines."""
    marks = [k for k, term in enumerate(terms[:BYLINE_REACH]) if term in BYLINE_WORDS]
    return terms[marks[-1] + 1:] if marks else terms


def shingles(tokens: Mapping[str, list]) -> set[bytes]:
    """The article's morpheme bigrams, from its analysed (term, position, start, end) tokens."""
    terms: list[str] = []
    for name in SIGNATURE_FIELDS:
        terms.extend(_without_byline([token[0] for token in tokens.get(name) or ()]))
        terms.append("\n")  # no bigram across two fields
    return {f"{a} {b}".encode("utf-8") for a, b in zip(terms, terms[1:]) if a != "\n" and b != "\n"}


def signature(tokens: Mapping[str, list]) -> Optional[np.ndarray]:
    """The MinHash signature of the article's bigrams; None for too little text.

    The values of datasketch's `MinHash(NUM_PERM, SEED).update_batch(...)`
    (tests/test_signature.py holds them equal: signatures of earlier
    generations stay comparable), computed here without its objects: each
    shingle's 32-bit SHA-1 hash once, then for every permutation
    ((h * a + b) mod 2**61-1) & 2**32-1 and the minimum over the shingles,
    the modulus taken with shifts (x mod p = (x & p) + (x >> 61), less p when
    that reaches p) instead of numpy's integer division."""
    found = shingles(tokens)
    if len(found) < MIN_SHINGLES:
        return None
    # datasketch's sha1_hash32: the digest's first four bytes, little-endian
    # (a SHA-1 digest is five 32-bit words).
    digests = b"".join([sha1(shingle).digest() for shingle in found])
    hashes = np.frombuffer(digests, dtype="<u4").reshape(-1, 5)[:, 0].astype(np.uint64)
    a, b = _permutations()
    mixed = np.multiply.outer(hashes, a)  # wraps at 2**64, as datasketch's uint64 arithmetic does
    mixed += b
    folded = _mod_mersenne_61(mixed)
    folded &= _HASH_MASK
    return folded.min(axis=0).astype(np.uint32)


def _mod_mersenne_61(values: np.ndarray) -> np.ndarray:
    """`values % (2**61 - 1)` for uint64 values, with shifts and masks."""
    folded = (values & _MERSENNE_61) + (values >> _SHIFT_61)
    folded[folded >= _MERSENNE_61] -= _MERSENNE_61
    return folded


def sketch(tokens: Optional[Mapping[str, list]], published=None) -> Optional[Sketch]:
    """The article's sketch for grouping, or None (grouping off, no tokens, too little text)."""
    if not ENABLED or tokens is None:
        return None
    values = signature(tokens)
    if values is None:
        return None
    return Sketch(values, int(published.timestamp()) if published is not None else UNDATED)


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard resemblance of two signatures."""
    return float(np.mean(a == b))


# ---------------------------------------------------------------- clusters


@dataclass
class Groups:
    """The clusters of one generation: per article (in `ids` order) the index
    of its canonical article and whether it is a near-copy of it."""

    ids: list[str]
    published: np.ndarray  # int64 seconds, UNDATED when unknown
    signatures: np.ndarray  # (n, NUM_PERM) uint32; rows of articles without one are all zero
    signed: np.ndarray  # bool: the row holds a real signature
    canonical: np.ndarray  # int32 index into ids
    near: np.ndarray  # bool
    # Each article's document number in its generation (-1: not known), so the
    # query side maps results to clusters without reading stored fields.
    docnums: Optional[np.ndarray] = None
    # Its large buckets were chained in id order (this version's `cluster`), so
    # `recluster` may start from it; a table of an older version is clustered again.
    chained_by_id: bool = True
    # Each row's row in the generation's SIGNATURES_FILE, -1 for the rows whose
    # signatures the table itself holds (None: all of them in the table, as
    # tables written before that file hold them, or a table never written),
    # and how many rows the file has.
    file_rows: Optional[np.ndarray] = None
    file_length: int = 0

    def summary(self) -> dict[str, int]:
        sizes = np.bincount(self.canonical, minlength=len(self.ids)) if len(self.ids) else np.zeros(0, dtype=np.int64)
        return {
            "articles": len(self.ids),
            "groups": int(np.count_nonzero(sizes > 1)),
            "grouped_articles": int(sizes[sizes > 1].sum()),
            "near_copies": int(np.count_nonzero(self.near)),
        }


def _roots(parent: np.ndarray) -> np.ndarray:
    """The root of every row of the union-find forest `parent`, by pointer
    jumping (a step halves every path; a Python walk per row took 0.1 s at
    100,000 articles)."""
    roots = parent.copy()
    while True:
        further = roots[roots]
        if np.array_equal(further, roots):
            return roots
        roots = further


def _union(parent: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
    """Joins the components of each pair (left[k], right[k]) in `parent`,
    all pairs at once: every row points at its root, then each root met by a
    pair that still spans two components is hooked under the smallest root it
    meets, and again until no pair spans two.  Hooks only ever point at a
    smaller root, so no cycle forms, and every round with a spanning pair
    removes a root.  The components are those a union of the pairs one by one
    gives (tests/test_grouping_union.py holds the two equal); which row is a
    component's root may differ, and nothing reads that."""
    parent[:] = _roots(parent)
    while len(left):
        a, b = parent[left], parent[right]
        spanning = a != b
        if not spanning.any():
            return
        left, right, a, b = left[spanning], right[spanning], a[spanning], b[spanning]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        parent[:] = _roots(parent)


@lru_cache(maxsize=4)
def lsh_parameters(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) for a Jaccard threshold: the pair that minimises
    the chance of a false candidate (resemblance below the threshold, yet some
    band equal) plus that of a missed one, weighted equally, as datasketch's
    MinHashLSH chooses (tests/test_signature.py holds the two equal).  Both
    chances are integrals of polynomials of degree bands x rows <= num_perm,
    which Gauss-Legendre quadrature of that many points computes exactly."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(function, low: float, high: float) -> float:
        s = (high - low) / 2 * nodes + (high + low) / 2
        return float((high - low) / 2 * np.dot(weights, function(s)))

    best, chosen = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            candidate = lambda s: 1 - (1 - s ** rows) ** bands  # noqa: E731 -- P(some band equal)
            error = integral(candidate, 0.0, threshold) + integral(lambda s: 1 - candidate(s), threshold, 1.0)
            if error < best:
                best, chosen = error, (bands, rows)
    return chosen


# A bucket of more articles than this (one template filled a thousand times) is
# linked as a chain, not pair by pair: the pairs would grow with its square.
BUCKET_PAIRS_UP_TO = 64
_KEY_MULTIPLIER = np.uint64(1_000_003)
# Candidate pairs compared at a time: 4,096 pairs' signature rows (2 MB each
# side) stay in memory the allocator reuses; 200,000 at a time allocated fresh
# pages for every chunk (100 MB a side), and faulting them in cost ~0.3 s of a
# 100-change incremental run at 100,000 articles.
_PAIRS_PER_CHECK = 4096


def band_key(signatures: np.ndarray, rows: np.ndarray, band: int, band_rows: int) -> np.ndarray:
    """One uint64 per row of `rows`: its signature's values in `band`, combined."""
    key = np.zeros(len(rows), dtype=np.uint64)
    for column in range(band * band_rows, (band + 1) * band_rows):
        key = key * _KEY_MULTIPLIER + signatures[rows, column].astype(np.uint64)
    return key


def candidate_pairs(signatures: np.ndarray, rows: np.ndarray, bands: int, band_rows: int) -> np.ndarray:
    """(i, j) with i < j of the `rows` whose signatures agree on every value of
    at least one band: the banding of MinHash LSH, with numpy sorts instead of a
    dictionary per band (datasketch's MinHashLSH took 0.28 ms an article,
    more than half of grouping's cost).  A large bucket is chained in the
    order of `rows`."""
    keys = candidate_keys(signatures, rows, bands, band_rows)
    size = np.int64(len(signatures))
    out = np.empty((len(keys), 2), dtype=np.int64)
    np.floor_divide(keys, size, out=out[:, 0])
    np.remainder(keys, size, out=out[:, 1])
    return out


def candidate_keys(signatures: np.ndarray, rows: np.ndarray, bands: int, band_rows: int) -> np.ndarray:
    """`candidate_pairs` as one sorted int64 key per pair (i * len(signatures) + j).

    Each band's pairs become keys at once, and the keys gathered are made
    unique together whenever those not yet merged outnumber those merged
    (and _KEYS_HELD_UP_TO): holding every band's pairs at once (10.8 million,
    with repeats, at 82,000 articles of make_corpus.py) and their keys, then
    sorting them, took the parent ~560 MiB at the end of a 100,000-article
    build, a peak that grows with the corpus."""
    size = np.int64(len(signatures))
    merged = np.zeros(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    count = 0
    for band in range(bands):
        pairs = _band_pairs(band_key(signatures, rows, band, band_rows), rows)
        pending.append(pairs[:, 0].astype(np.int64) * size + pairs[:, 1])
        count += len(pending[-1])
        del pairs
        if count > max(_KEYS_HELD_UP_TO, len(merged)):
            merged = np.unique(np.concatenate([merged] + pending))
            pending, count = [], 0
    return np.unique(np.concatenate([merged] + pending))


# Pair keys gathered from the bands before they are merged with the others (8 bytes each).
_KEYS_HELD_UP_TO = 4_000_000


def _band_pairs(key: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The pairs of `rows` that share a bucket (equal `key`), large buckets chained in the order of `rows`."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    return _bucket_pairs(rows[order], starts, sizes)


def _unique_pairs(found: list[np.ndarray], size: int) -> np.ndarray:
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    # One int64 key per pair: a 1-d unique sorts in a tenth of the time of
    # unique(axis=0) (which sorts rows as structured values), same order.
    size = np.int64(size)
    keys = np.unique(pairs[:, 0] * size + pairs[:, 1])
    return np.stack([keys // size, keys % size], axis=1)


def _bucket_pairs(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """(low, high) pairs within each bucket of `members` (bucket b is
    members[starts[b]:starts[b] + sizes[b]]): every pair of a bucket of up to
    BUCKET_PAIRS_UP_TO, neighbours in a larger one; built with array operations."""
    small = (sizes > 1) & (sizes <= BUCKET_PAIRS_UP_TO)
    # Each element of a small bucket, paired with every later element of its bucket.
    first_of = np.repeat(starts[small], sizes[small])
    end_of = np.repeat(starts[small] + sizes[small], sizes[small])
    element = first_of + np.arange(len(first_of)) - np.repeat(np.cumsum(sizes[small]) - sizes[small], sizes[small])
    later = end_of - element - 1
    left = np.repeat(element, later)
    offsets = np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
    right = left + 1 + offsets
    large = np.flatnonzero(sizes > BUCKET_PAIRS_UP_TO)
    chained = [np.arange(starts[b], starts[b] + sizes[b] - 1) for b in large.tolist()]
    if chained:
        links = np.concatenate(chained)
        left, right = np.concatenate([left, links]), np.concatenate([right, links + 1])
    a, b = members[left], members[right]
    return np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)


def _table(sketches: list[Optional[Sketch]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(sketches)
    signatures = np.zeros((n, NUM_PERM), dtype=np.uint32)
    published = np.full(n, UNDATED, dtype=np.int64)
    signed = np.zeros(n, dtype=bool)
    for i, item in enumerate(sketches):
        if item is not None:
            signatures[i] = item.signature
            published[i] = item.published
            signed[i] = True
    return signatures, published, signed


def _by_id(ids: list[str], rows: np.ndarray) -> np.ndarray:
    """`rows` in the order of their articles' ids: a large bucket is chained in
    this order, so its links do not depend on where the articles stand in the
    input (an incremental run keeps the links of every bucket it does not touch)."""
    if not len(rows):
        return rows
    return rows[np.argsort(np.array([ids[i] for i in rows.tolist()]), kind="stable")]


def _join(parent: np.ndarray, pairs: np.ndarray, signatures: np.ndarray, published: np.ndarray,
          threshold: float) -> None:
    """Unions the candidate pairs that resemble each other enough and were published close enough."""
    size = np.int64(len(signatures))
    _join_keys(parent, pairs[:, 0].astype(np.int64) * size + pairs[:, 1], signatures, published, threshold)


def _join_keys(parent: np.ndarray, keys: np.ndarray, signatures: np.ndarray, published: np.ndarray,
               threshold: float) -> None:
    """`_join` of the pairs given as keys (see candidate_keys), decoded a chunk
    at a time: the pairs are never held whole as a second, twice larger array."""
    size = np.int64(len(signatures))
    kept = []
    for chunk in range(0, len(keys), _PAIRS_PER_CHECK):
        part = keys[chunk:chunk + _PAIRS_PER_CHECK]
        first, second = part // size, part % size
        close = np.mean(signatures[first] == signatures[second], axis=1) >= threshold
        a, b = published[first], published[second]
        timely = (a == UNDATED) | (b == UNDATED) | (np.abs(a - b) <= EVENT_WINDOW_SECONDS)
        kept.append(part[close & timely])
    if kept:
        joined = np.concatenate(kept)
        _union(parent, joined // size, joined % size)


def _groups(ids: list[str], signatures: np.ndarray, published: np.ndarray, signed: np.ndarray,
            parent: np.ndarray, near_threshold: float) -> Groups:
    """The groups of the components in `parent` (a union-find forest over the rows)."""
    n = len(ids)
    roots = _roots(parent).astype(np.int64)
    # The canonical article of a cluster: the first published (undated last), then the first read.
    order = np.lexsort((np.arange(n), published, roots))
    canonical = np.empty(n, dtype=np.int32)
    first = np.ones(n, dtype=bool)
    if n:
        first[1:] = roots[order][1:] != roots[order][:-1]
    heads = order[first]
    head_of_root = np.zeros(n, dtype=np.int64)
    head_of_root[roots[heads]] = heads
    canonical[:] = head_of_root[roots]
    near = np.zeros(n, dtype=bool)
    members = np.flatnonzero(canonical != np.arange(n))
    if len(members):
        same = np.mean(signatures[members] == signatures[canonical[members]], axis=1)
        near[members] = same >= near_threshold
    return Groups(list(ids), published, signatures, signed, canonical, near)


def cluster(ids: list[str], sketches: list[Optional[Sketch]], threshold: float = EVENT_THRESHOLD,
            near_threshold: float = NEAR_COPY_THRESHOLD) -> Groups:
    """Clusters the articles `ids` (in input order) by their sketches (None: the
    article stays alone)."""
    return _cluster(ids, *_table(sketches), threshold, near_threshold)


def _cluster(ids: list[str], signatures: np.ndarray, published: np.ndarray, signed: np.ndarray,
             threshold: float = EVENT_THRESHOLD, near_threshold: float = NEAR_COPY_THRESHOLD) -> Groups:
    parent = np.arange(len(ids))
    rows = _by_id(ids, np.flatnonzero(signed))
    if len(rows) > 1:
        _join_keys(parent, candidate_keys(signatures, rows, *lsh_parameters(threshold)), signatures, published,
                   threshold)
    return _groups(ids, signatures, published, signed, parent, near_threshold)


# Above this share of the articles new, changed or gone, an incremental run clusters everything again.
RECLUSTER_UP_TO = 0.1


def recluster(old: Groups, ids: list[str], sketches: list[Optional[Sketch]], changed: Iterable[str],
              threshold: float = EVENT_THRESHOLD, near_threshold: float = NEAR_COPY_THRESHOLD) -> Groups:
    """The clusters `cluster(ids, sketches)` gives, found from the last
    generation's (`old`, clustered with the same thresholds) by looking only
    at what the articles `changed` (new or analysed again) and those of `old`
    that are gone could have changed.

    A candidate link comes from one LSH bucket, and a bucket's links depend
    only on who is in it (a large one is chained in id order), so only the
    buckets of changed and gone articles have other links than last time.
    The old components holding a member of such a bucket (or a gone or
    changed article) are taken apart and joined again from every bucket
    that holds one of their members; every other component is as it was
    (none of its members shares a bucket whose links changed)."""
    return _recluster(old, ids, *_table(sketches), changed, threshold, near_threshold)


def _recluster(old: Groups, ids: list[str], signatures: np.ndarray, published: np.ndarray, signed: np.ndarray,
               changed: Iterable[str], threshold: float = EVENT_THRESHOLD,
               near_threshold: float = NEAR_COPY_THRESHOLD, row_in_old: Optional[np.ndarray] = None,
               gone_probes: Optional[np.ndarray] = None) -> Groups:
    """`recluster` of the table's columns; `row_in_old`: each of `ids`' row in
    `old` (-1: new), `gone_probes`: the old signatures of the changed and gone
    rows when `old.signatures` no longer holds them (write_groups' `consume_old`)."""
    n = len(ids)
    bands, band_rows = lsh_parameters(threshold)
    if row_in_old is None:
        row_in_old = rows_in(old.ids, ids)
    changed = set(changed)
    changed_mask = row_in_old < 0
    changed_mask[[i for i, article_id in enumerate(ids) if article_id in changed] if changed else []] = True
    changed_rows = np.flatnonzero(changed_mask)
    kept_old = np.zeros(len(old.ids), dtype=bool)
    kept_old[row_in_old[~changed_mask]] = True
    gone_old = np.flatnonzero(~kept_old)  # removed or changed: their old links go
    gone_signed = gone_old[old.signed[gone_old]]
    changed_signed = changed_rows[signed[changed_rows]]
    # Each band's first value of every row, for the filter before a band's key is computed.
    firsts = signatures[:, 0:bands * band_rows:band_rows]
    if gone_probes is None:
        gone_probes = old.signatures[gone_signed]
    probes = np.concatenate([signatures[changed_signed], gone_probes])
    touched = np.unique(np.concatenate(
        [np.zeros(0, dtype=np.int64)] + _sharing_bucket(signatures, firsts, signed, probes, bands, band_rows)))
    # The old components to take apart: those of the touched and of the gone articles.
    taken_apart = np.zeros(len(old.ids), dtype=bool)
    old_of_touched = row_in_old[touched]
    taken_apart[old.canonical[old_of_touched[old_of_touched >= 0]]] = True
    taken_apart[old.canonical[gone_old]] = True
    open_rows = np.zeros(n, dtype=bool)
    open_rows[changed_rows] = True
    open_rows[touched] = True
    known = row_in_old >= 0
    open_rows[known] |= taken_apart[old.canonical[row_in_old[known]]]

    # Every other article starts in its old component (under the new row of its
    # canonical article, which is kept: a component with a gone article is open).
    parent = np.arange(n)
    closed = np.flatnonzero(~open_rows)
    if len(closed):
        new_row = np.full(len(old.ids), -1, dtype=np.int64)
        new_row[row_in_old[known]] = np.flatnonzero(known)
        parent[closed] = new_row[old.canonical[row_in_old[closed]]]
    opened = np.flatnonzero(open_rows & signed)
    if len(opened):
        # Every bucket holding an open article, with all its members, chained in id order.
        hits = _sharing_bucket(signatures, firsts, signed, signatures[opened], bands, band_rows)
        reached = np.unique(np.concatenate(hits))
        rank = np.zeros(n, dtype=np.int64)
        rank[_by_id(ids, reached)] = np.arange(len(reached))
        found = []
        for band, rows in enumerate(hits):
            rows = rows[np.argsort(rank[rows], kind="stable")]
            pairs = _band_pairs(band_key(signatures, rows, band, band_rows), rows)
            # A link to a closed article never holds: it would have joined the
            # two last time (its bucket is untouched, its links the same) and
            # the closed one's component would be open.
            found.append(pairs[open_rows[pairs[:, 0]] & open_rows[pairs[:, 1]]])
        _join(parent, _unique_pairs(found, n), signatures, published, threshold)
    return _groups(ids, signatures, published, signed, parent, near_threshold)


# A band's first value is looked up by its low bits in a table of this many
# entries: rows whose first value cannot match skip computing the band's key.
_FILTER_BITS = 16


def _sharing_bucket(signatures: np.ndarray, firsts: np.ndarray, signed: np.ndarray, probes: np.ndarray,
                    bands: int, band_rows: int) -> list[np.ndarray]:
    """Per band, the signed rows (ascending) whose key in that band equals some
    probe signature's (each of `probes` a NUM_PERM row).  A row's key is
    computed only when its band's first value shares its low bits with a
    probe's (`firsts`: each band's first value of every row), so a few
    probes cost a pass over one column per band, not every row's keys
    (0.2-0.3 s of sorting at 100,000 articles)."""
    found = []
    mask = np.uint32((1 << _FILTER_BITS) - 1)
    everyone = np.arange(len(probes))
    for band in range(bands):
        if not len(probes):
            found.append(np.zeros(0, dtype=np.int64))
            continue
        table = np.zeros(1 << _FILTER_BITS, dtype=bool)
        table[probes[:, band * band_rows] & mask] = True
        maybe = np.flatnonzero(table[firsts[:, band] & mask] & signed)
        keys = band_key(signatures, maybe, band, band_rows)
        found.append(maybe[np.isin(keys, band_key(probes, everyone, band, band_rows))])
    return found


def rows_in(old_ids: list[str], ids: list[str]) -> np.ndarray:
    """Each of `ids`' row in `old_ids` (-1: not there)."""
    if old_ids == ids:
        return np.arange(len(ids), dtype=np.int64)
    old_row = dict(zip(old_ids, range(len(old_ids))))
    return np.array([old_row.get(article_id, -1) for article_id in ids], dtype=np.int64)


# ---------------------------------------------------------------- a generation's table


def read_groups(generation: Optional[Path]) -> Optional[Groups]:
    """The table of a generation, or None when it has none (built before
    grouping, or unreadable).  Reads both layouts: signatures inside
    `groups.npz` (tables written before SIGNATURES_FILE), or in the
    generation's SIGNATURES_FILE, mapped copy-on-write (the query side never
    touches them; the reindex changes only its patched rows), with the rows
    patched since that file was written kept in the table."""
    if generation is None:
        return None
    path = Path(generation) / GROUPS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            ids = data["ids"].tolist()
            file_rows, length = None, 0
            if "signatures" in data.files:
                signatures = data["signatures"]
            else:
                stored = np.load(Path(generation) / SIGNATURES_FILE, mmap_mode="c", allow_pickle=False)
                file_rows, length = data["file_rows"], len(stored)
                if (stored.dtype != np.uint32 or stored.shape[1:] != (NUM_PERM,) or len(file_rows) != len(ids)
                        or (len(file_rows) and int(file_rows.max(initial=-1)) >= length)):
                    return None
                inside = np.flatnonzero(file_rows >= 0)
                if length == len(ids) and np.array_equal(file_rows[inside], inside):
                    signatures = stored  # row for row: mapped, never copied
                elif length:
                    # One gather (the rows the table holds taken from row 0, then
                    # overwritten below): a zeroed table filled by index needed
                    # two 42 MB arrays of fresh pages at 100,000 articles.
                    signatures = stored.take(np.maximum(file_rows, 0), axis=0)
                else:
                    signatures = np.zeros((len(ids), NUM_PERM), dtype=np.uint32)
                signatures[file_rows < 0] = data["patched_signatures"]
            return Groups(ids, data["published"], signatures, data["signed"], data["canonical"], data["near"],
                          data["docnums"], "chained_by_id" in data.files, file_rows, length)
    except (OSError, KeyError, ValueError, IndexError):
        return None


def write_groups(building: Path, ids: Iterable[str], sketches: Mapping[str, Sketch],
                 previous: Optional[Path] = None, missing=None,
                 docnums: Union[Mapping[str, int], np.ndarray, None] = None,
                 old: Optional[Groups] = None, consume_old: bool = False,
                 row_in_old: Optional[np.ndarray] = None) -> dict[str, Any]:
    """Clusters the articles `ids` of a new generation and writes its table.

    `sketches` holds those analysed in this run (None for too little text); an article not among them
    (unchanged in an incremental run) takes its sketch from the `previous`
    generation's table, or else from `missing(ids)` (id → Sketch, for an
    index built before grouping).  `docnums` (id → document number in the new
    generation) is kept with the table; `old`, if given, is `previous`'s table
    already read (47 MB at 100,000 articles: read once per run); with
    `consume_old` the caller has no further use for it, and its columns may
    become the new table's, changed in place.  Returns the table's summary
    for the manifest (`row_in_old`: each of `ids`' row in `old`, -1 for none,
    when the caller has it)."""
    ids = list(ids)
    store = SketchStore.of(sketches)
    if old is None:
        old = read_groups(previous)
    if old is not None and _unchanged_table(building, previous, old, ids, store, docnums):
        return old.summary()
    n = len(ids)
    # The rows of unchanged articles copied from the last table at once.
    if old is None:
        listed = np.full(n, -1, dtype=np.int64)
    else:
        listed = row_in_old if row_in_old is not None else rows_in(old.ids, ids)
    row_in_old = listed.copy()
    store_row = store.rows(ids) if len(store) else np.full(n, -1, dtype=np.int64)  # -1: not analysed now
    analysed = np.flatnonzero(store_row >= 0)
    row_in_old[analysed] = -1
    from_old = np.flatnonzero(row_in_old >= 0)
    gone_probes = None
    if old is None and store.ids == ids:
        # Every article analysed in this run, in the store's order (a full
        # build): the store's rows are the table, not copied into one.
        signatures, published, signed = store.table()
    else:
        published = np.full(n, UNDATED, dtype=np.int64)
        signed = np.zeros(n, dtype=bool)
        if consume_old and old is not None and len(listed) == len(old.ids) and old.ids == ids:
            # The same articles in the same order: the last table's signature column
            # becomes this one's, its analysed rows overwritten below (a copy is
            # 42 MB of fresh pages at 100,000 articles, ~0.2-0.4 s under load); the
            # old signatures of those rows kept first, for `recluster`.
            gone_probes = old.signatures[analysed[old.signed[analysed]]]
            signatures = old.signatures
            signatures[analysed] = 0
        elif len(from_old):
            # One gather of every row (the others zeroed): assigning the kept
            # rows by index took 0.2-0.6 s at 100,000 articles, np.take ~0.02 s.
            signatures = np.asarray(old.signatures, dtype=np.uint32).take(np.maximum(row_in_old, 0), axis=0)
            signatures[row_in_old < 0] = 0
        else:
            signatures = np.zeros((n, NUM_PERM), dtype=np.uint32)
        if len(from_old):
            signed[from_old] = old.signed[row_in_old[from_old]]
            published[from_old] = np.where(signed[from_old], old.published[row_in_old[from_old]], UNDATED)
        if len(analysed):
            values, times, signs = store.columns(store_row[analysed])
            took = analysed[signs]
            signatures[took], published[took], signed[took] = values[signs], times[signs], True
    changed = [ids[i] for i in analysed.tolist()]
    # New or not in the last table, and not analysed now.
    lacking_rows = np.flatnonzero((row_in_old < 0) & (store_row < 0)).tolist()
    lacking = [ids[i] for i in lacking_rows]
    if lacking and missing is not None:
        found = missing(lacking)
        for i, article_id in zip(lacking_rows, lacking):
            item = found.get(article_id)
            if item is not None:
                signatures[i], published[i], signed[i] = item.signature, item.published, True
    if old is not None and old.chained_by_id and not lacking and _few_changes(old, ids, changed, listed):
        groups = _recluster(old, ids, signatures, published, signed, changed, row_in_old=listed,
                            gone_probes=gone_probes)
    else:
        groups = _cluster(ids, signatures, published, signed)
    groups.docnums = _docnum_column(ids, docnums)
    file_rows = None
    if old is not None and old.file_rows is not None and previous is not None:
        # The last table's signatures file (hard-linked into `building`) stays:
        # the rows kept from the last table point into it, and this table
        # holds the others (new and analysed again) while they are few and
        # the file's rows of gone articles are few.
        file_rows = np.full(n, -1, dtype=np.int64)
        file_rows[from_old] = old.file_rows[row_in_old[from_old]]
        held = int(np.count_nonzero(file_rows < 0))
        if (held > PATCHED_UP_TO * max(1, n) or old.file_length - (n - held) > PATCHED_UP_TO * max(1, n)
                or not _same_file(building, previous, SIGNATURES_FILE)):
            file_rows = None
    if file_rows is None:
        file_rows = np.arange(n, dtype=np.int64)
        _replace(Path(building) / SIGNATURES_FILE, lambda handle: np.save(handle, groups.signatures))
    _replace(Path(building) / GROUPS_FILE, lambda handle: np.savez(
        handle, ids=np.array(ids, dtype=str), published=groups.published, signed=groups.signed,
        canonical=groups.canonical, near=groups.near, docnums=groups.docnums, chained_by_id=np.array(True),
        file_rows=file_rows, patched_signatures=groups.signatures[file_rows < 0]))
    return groups.summary()


def _replace(path: Path, write) -> None:
    """Writes the file at `path` by `write(handle)` into a temporary file that
    then takes its name: never written in place, since in an incremental build
    the old name is a hard link to the last generation's file."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        write(handle)
    os.replace(temporary, path)


def _same_file(building: Path, previous: Path, name: str) -> bool:
    try:
        return os.path.samefile(Path(building) / name, Path(previous) / name)
    except OSError:
        return False


def _unchanged_table(building: Path, previous: Path, old: Groups, ids: list[str], sketches: Mapping[str, Sketch],
                     docnums: Union[Mapping[str, int], np.ndarray, None]) -> bool:
    """Whether the new generation's table is the last one as it stands: no
    article analysed in this run, the same articles in the same order (so the
    same signatures, and clusters, which depend on nothing else) at the same
    document numbers, and the file in `building` still the hard link of the
    last generation's (search/layout.py: new_generation_dir).  A run with
    nothing changed then keeps the table without clustering 100,000 articles
    again or rewriting its 47 MB."""
    if sketches or not old.chained_by_id or old.docnums is None or old.ids != ids:
        return False
    if not np.array_equal(old.docnums, _docnum_column(ids, docnums)):
        return False
    return _same_file(building, previous, GROUPS_FILE) and (
        old.file_rows is None or _same_file(building, previous, SIGNATURES_FILE))


def _few_changes(old: Groups, ids: list[str], changed: list[str], row_in_old: Optional[np.ndarray] = None) -> bool:
    """Whether so few articles are new, changed or gone that `recluster` pays
    (`row_in_old`: each of `ids`' row in `old`, -1 for a new article)."""
    if row_in_old is None:
        row_in_old = rows_in(old.ids, ids)
    new = int(np.count_nonzero(row_in_old < 0))
    gone = len(old.ids) - (len(ids) - new)
    return len(changed) + new + gone <= RECLUSTER_UP_TO * max(1, len(ids))


def _docnum_column(ids: list[str], docnums) -> np.ndarray:
    """Each of `ids`' document number (-1: not known) from `docnums`: a mapping
    id → number, or already the column (an array in the order of `ids`)."""
    if isinstance(docnums, np.ndarray):
        return docnums.astype(np.int64, copy=False)
    numbers = docnums or {}
    return np.array([numbers.get(article_id, -1) for article_id in ids], dtype=np.int64)
