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
generation's table (never analysing them again) and clusters everything anew,
so new articles join the groups of old ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from hashlib import sha1
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

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
UNDATED = np.iinfo(np.int64).max
# Off only to measure what grouping costs (benchmarks/grouping_cost.py).
ENABLED = True


@dataclass
class Sketch:
    """What grouping needs of one article: its MinHash signature and when it was published."""

    signature: np.ndarray  # NUM_PERM uint32 values
    published: int = UNDATED  # seconds since the epoch


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's MinHash permutations (a, b) for NUM_PERM and SEED."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return np.ascontiguousarray(a, dtype=np.uint64), np.ascontiguousarray(b, dtype=np.uint64)


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

    def summary(self) -> dict[str, int]:
        sizes = np.bincount(self.canonical, minlength=len(self.ids)) if len(self.ids) else np.zeros(0, dtype=np.int64)
        return {
            "articles": len(self.ids),
            "groups": int(np.count_nonzero(sizes > 1)),
            "grouped_articles": int(sizes[sizes > 1].sum()),
            "near_copies": int(np.count_nonzero(self.near)),
        }


def _find(parent: np.ndarray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        parent[i], i = root, parent[i]
    return root


@lru_cache(maxsize=4)
def lsh_parameters(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHash LSH chooses for a
    Jaccard threshold (its balance of false positives and negatives)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


# A bucket of more articles than this (one template filled a thousand times) is
# linked as a chain, not pair by pair: the pairs would grow with its square.
BUCKET_PAIRS_UP_TO = 64
_KEY_MULTIPLIER = np.uint64(1_000_003)
_PAIRS_PER_CHECK = 200_000


def candidate_pairs(signatures: np.ndarray, rows: np.ndarray, bands: int, band_rows: int) -> np.ndarray:
    """(i, j) with i < j of the `rows` whose signatures agree on every value of
    at least one band: the banding of MinHash LSH, with numpy sorts instead of a
    dictionary per band (datasketch's MinHashLSH took 0.28 ms an article,
    more than half of grouping's cost)."""
    found = []
    for band in range(bands):
        key = np.zeros(len(rows), dtype=np.uint64)
        for column in range(band * band_rows, (band + 1) * band_rows):
            key = key * _KEY_MULTIPLIER + signatures[rows, column].astype(np.uint64)
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, len(ordered)])
        found.append(_bucket_pairs(rows[order], starts, sizes))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    # One int64 key per pair: a 1-d unique sorts in a tenth of the time of
    # unique(axis=0) (which sorts rows as structured values), same order.
    size = np.int64(len(signatures))
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


def cluster(ids: list[str], sketches: list[Optional[Sketch]], threshold: float = EVENT_THRESHOLD,
            near_threshold: float = NEAR_COPY_THRESHOLD) -> Groups:
    """Clusters the articles `ids` (in input order) by their sketches (None: the
    article stays alone)."""
    n = len(ids)
    signatures = np.zeros((n, NUM_PERM), dtype=np.uint32)
    published = np.full(n, UNDATED, dtype=np.int64)
    signed = np.zeros(n, dtype=bool)
    for i, item in enumerate(sketches):
        if item is not None:
            signatures[i] = item.signature
            published[i] = item.published
            signed[i] = True
    parent = np.arange(n)
    rows = np.flatnonzero(signed)
    if len(rows) > 1:
        pairs = candidate_pairs(signatures, rows, *lsh_parameters(threshold))
        for chunk in range(0, len(pairs), _PAIRS_PER_CHECK):
            first, second = pairs[chunk:chunk + _PAIRS_PER_CHECK].T
            close = np.mean(signatures[first] == signatures[second], axis=1) >= threshold
            a, b = published[first], published[second]
            timely = (a == UNDATED) | (b == UNDATED) | (np.abs(a - b) <= EVENT_WINDOW_SECONDS)
            for i, j in zip(first[close & timely].tolist(), second[close & timely].tolist()):
                root_i, root_j = _find(parent, i), _find(parent, j)
                if root_i != root_j:
                    parent[max(root_i, root_j)] = min(root_i, root_j)
    roots = np.array([_find(parent, i) for i in range(n)], dtype=np.int64)
    # The canonical article of a cluster: the first published (undated last), then the first read.
    order = np.lexsort((np.arange(n), published, roots))
    canonical = np.empty(n, dtype=np.int32)
    first = np.ones(n, dtype=bool)
    if n:
        first[1:] = roots[order][1:] != roots[order][:-1]
    heads = order[first]
    head_of_root = dict(zip(roots[heads].tolist(), heads.tolist()))
    canonical[:] = [head_of_root[r] for r in roots.tolist()]
    near = np.zeros(n, dtype=bool)
    members = np.flatnonzero(canonical != np.arange(n))
    if len(members):
        same = np.mean(signatures[members] == signatures[canonical[members]], axis=1)
        near[members] = same >= near_threshold
    return Groups(list(ids), published, signatures, signed, canonical, near)


# ---------------------------------------------------------------- a generation's table


def read_groups(generation: Optional[Path]) -> Optional[Groups]:
    """The table of a generation, or None when it has none (built before grouping, or unreadable)."""
    if generation is None:
        return None
    path = Path(generation) / GROUPS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            return Groups(data["ids"].tolist(), data["published"], data["signatures"], data["signed"],
                          data["canonical"], data["near"], data["docnums"])
    except (OSError, KeyError, ValueError):
        return None


def write_groups(building: Path, ids: Iterable[str], sketches: Mapping[str, Sketch],
                 previous: Optional[Path] = None, missing=None,
                 docnums: Optional[Mapping[str, int]] = None) -> dict[str, Any]:
    """Clusters the articles `ids` of a new generation and writes its table.

    `sketches` holds those analysed in this run (None for too little text); an article not among them
    (unchanged in an incremental run) takes its sketch from the `previous`
    generation's table, or else from `missing(ids)` (id → Sketch, for an
    index built before grouping).  `docnums` (id → document number in the new
    generation) is kept with the table.  Returns the table's summary for the manifest."""
    ids = list(ids)
    old = read_groups(previous)
    old_rows = {article_id: i for i, article_id in enumerate(old.ids)} if old is not None else {}
    found: list[Optional[Sketch]] = []
    lacking: list[str] = []
    for article_id in ids:
        item: Optional[Sketch] = None
        if article_id in sketches:  # analysed in this run (None: too little text)
            item = sketches[article_id]
        elif article_id in old_rows:
            row = old_rows[article_id]
            if old.signed[row]:
                item = Sketch(old.signatures[row], int(old.published[row]))
        else:
            lacking.append(article_id)
        found.append(item)
    if lacking and missing is not None:
        computed = missing(lacking)
        found = [item if item is not None else computed.get(article_id) for article_id, item in zip(ids, found)]
    groups = cluster(ids, found)
    numbers = docnums or {}
    groups.docnums = np.array([numbers.get(article_id, -1) for article_id in ids], dtype=np.int64)
    temporary = Path(building) / f".{GROUPS_FILE}.tmp"
    with open(temporary, "wb") as handle:
        np.savez(handle, ids=np.array(ids, dtype=str), published=groups.published, signatures=groups.signatures,
                 signed=groups.signed, canonical=groups.canonical, near=groups.near, docnums=groups.docnums)
    # Replaced, never written in place: in an incremental build the old name is a
    # hard link to the last generation's file.
    os.replace(temporary, Path(building) / GROUPS_FILE)
    return groups.summary()
