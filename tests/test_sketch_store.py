"""search.grouping.SketchStore keeps a reindex's sketches as table rows: it
answers as the id → Sketch mapping it stands for (same ids in the same order,
same signatures and times, None for unsigned articles), across several blocks,
and the groups written from it are those `cluster` (the plain reference, from
Sketch objects) gives, for a full build (the store's rows become the table)
and for an incremental one (rows picked out of it)."""

from __future__ import annotations

import numpy as np
import pytest

from search import grouping
from test_recluster import assert_same_groups, corpus


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(grouping.SketchStore, "BLOCK_ROWS", 7)  # several blocks, a partial last one


def stored(sketches: dict) -> grouping.SketchStore:
    store = grouping.SketchStore()
    for article_id, item in sketches.items():
        store.add(article_id, item)
    return store


def same_sketch(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.signature.tolist() == b.signature.tolist() and a.published == b.published


def test_the_store_answers_as_the_mapping_it_was_fed(small_blocks):
    sketches = corpus(np.random.default_rng(1), 40)
    assert any(item is None for item in sketches.values())
    store = stored(sketches)
    assert list(store) == list(sketches) and len(store) == len(sketches)
    assert all(same_sketch(store[i], item) for i, item in sketches.items())
    assert "missing" not in store and store.get("missing") is None
    ids = list(sketches)
    order = ids[::-1] + ["missing"]
    rows = store.rows(order)
    assert [ids[r] if r >= 0 else None for r in rows.tolist()] == ids[::-1] + [None]
    signatures, published, signed = store.columns(rows[:-1])
    for k, article_id in enumerate(ids[::-1]):
        item = sketches[article_id]
        assert signed[k] == (item is not None)
        if item is not None:
            assert signatures[k].tolist() == item.signature.tolist() and published[k] == item.published


def test_the_table_is_every_row_in_order_and_built_once(small_blocks):
    sketches = corpus(np.random.default_rng(2), 30)
    store = stored(sketches)
    signatures, published, signed = store.table()
    expected = grouping._table(list(sketches.values()))
    assert np.array_equal(signatures, expected[0])
    assert np.array_equal(published, expected[1]) and np.array_equal(signed, expected[2])
    assert store.table()[0] is signatures  # kept as the store's one block: no second copy
    assert all(same_sketch(store[i], item) for i, item in sketches.items())  # still answers
    store.add("later", None)  # and still grows
    assert store["later"] is None and len(store.table()[0]) == len(sketches) + 1


@pytest.mark.parametrize("seed", range(3))
def test_groups_written_from_the_store_are_those_of_cluster(tmp_path, small_blocks, seed):
    rng = np.random.default_rng(seed)
    before = corpus(rng, 300)
    ids = list(before)
    (tmp_path / "full").mkdir()
    grouping.write_groups(tmp_path / "full", ids, stored(before), docnums={a: k for k, a in enumerate(ids)})
    full = grouping.read_groups(tmp_path / "full")
    plain = grouping.cluster(ids, list(before.values()))
    assert_same_groups(full, plain)
    assert np.array_equal(full.signatures, plain.signatures) and np.array_equal(full.published, plain.published)
    assert full.summary()["groups"] > 5
    # An incremental run: some articles analysed again, a few new, in another order.
    after = dict(before)
    changed = {article_id: before[ids[(k + 7) % len(ids)]] for k, article_id in enumerate(ids[:12])}
    after.update(changed)
    extra = corpus(rng, 9)
    after.update(extra)
    order = list(after)
    rng.shuffle(order)
    (tmp_path / "next").mkdir()
    grouping.write_groups(tmp_path / "next", order, stored({**changed, **extra}), previous=tmp_path / "full")
    incremental = grouping.read_groups(tmp_path / "next")
    assert_same_groups(incremental, grouping.cluster(order, [after[i] for i in order]))
