"""The union of all candidate pairs at once (search/grouping.py: `_union`,
`_roots`) is held to the plain union-find it replaced, one pair at a time with
path compression: the same components from any starting forest and any pairs,
chains of a thousand links included."""

from __future__ import annotations

import numpy as np
import pytest

from search import grouping


def plain_components(parent: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    parent = parent.copy()

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    for i, j in pairs.tolist():
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return np.array([find(i) for i in range(len(parent))])


def partition(roots: np.ndarray) -> set[frozenset]:
    groups: dict[int, set] = {}
    for row, root in enumerate(roots.tolist()):
        groups.setdefault(root, set()).add(row)
    return {frozenset(g) for g in groups.values()}


def forest(rng, n: int) -> np.ndarray:
    """A union-find forest whose parents point anywhere, up or down (as an
    incremental run's closed rows point at their canonical article's row)."""
    parent = np.arange(n)
    heads = rng.choice(n, size=max(1, n // 10), replace=False)
    for row in rng.choice(n, size=n // 3, replace=False).tolist():
        head = int(heads[rng.integers(len(heads))])
        if parent[head] == head and row != head and parent[row] == row and row not in heads:
            parent[row] = head
    return parent


@pytest.mark.parametrize("seed", range(12))
def test_all_pairs_at_once_give_the_components_of_one_pair_at_a_time(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    parent = forest(rng, n)
    pairs = rng.integers(0, n, size=(int(rng.integers(0, 2 * n)), 2))
    fast = parent.copy()
    grouping._union(fast, pairs[:, 0], pairs[:, 1])
    roots = grouping._roots(fast)
    assert partition(roots) == partition(plain_components(parent, pairs))
    assert np.array_equal(fast[roots], roots)  # every root is a root


def test_a_long_chain_in_either_direction_is_one_component():
    n = 1000
    for pairs in (np.stack([np.arange(n - 1), np.arange(1, n)], axis=1),
                  np.stack([np.arange(n - 1, 0, -1), np.arange(n - 2, -1, -1)], axis=1)):
        parent = np.arange(n)
        grouping._union(parent, pairs[:, 0], pairs[:, 1])
        assert len(set(grouping._roots(parent).tolist())) == 1


def test_roots_follow_every_path():
    parent = np.array([0, 0, 1, 2, 4, 4, 5])
    assert grouping._roots(parent).tolist() == [0, 0, 0, 0, 4, 4, 4]
