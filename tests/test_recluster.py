"""Regrouping after a small incremental reindex (search/grouping.py `recluster`):
only the LSH buckets of the new, changed and gone articles are looked at, and
the clusters come out exactly as clustering every signature again
(`cluster`, the plain reference) would give them, on generated signatures with
clusters, chains, large buckets, undated and far-apart articles, and
unsigned (too short) ones."""

from __future__ import annotations

import os

import numpy as np
import pytest

from search import grouping

DAY = 24 * 3600


def make_sketch(rng, base: np.ndarray, shared: float, when: int):
    values = base.copy()
    spoiled = rng.random(grouping.NUM_PERM) > shared
    values[spoiled] = rng.integers(1, 2**32 - 1, size=int(spoiled.sum()), dtype=np.uint64).astype(np.uint32)
    return grouping.Sketch(values.astype(np.uint32), when)


def corpus(rng, size: int) -> dict[str, object]:
    """id → Sketch (or None): events of a few articles each, a template that fills
    one band of many articles (a bucket chained, not paired), and loners."""
    sketches: dict[str, object] = {}
    fixed = np.random.default_rng(99)  # the same events and template in every call: new articles join old ones
    events = [fixed.integers(1, 2**32 - 1, size=grouping.NUM_PERM, dtype=np.uint64).astype(np.uint32)
              for _ in range(110)]
    template = fixed.integers(1, 2**32 - 1, size=grouping.NUM_PERM, dtype=np.uint64).astype(np.uint32)
    _, band_rows = grouping.lsh_parameters(grouping.EVENT_THRESHOLD)
    for number in range(size):
        article_id = f"a{rng.integers(10**9):09d}-{number}"
        kind = rng.random()
        when = int(rng.choice([0, DAY, 2 * DAY, 40 * DAY, grouping.UNDATED]))
        if kind < 0.05:
            sketches[article_id] = None
        elif kind < 0.6:
            event = events[int(rng.integers(len(events)))]
            sketches[article_id] = make_sketch(rng, event, float(rng.choice([0.25, 0.4, 0.6, 0.95])), when)
        elif kind < 0.8:
            # Shares the template's first band with every other such article, and a little more with some.
            item = make_sketch(rng, template, float(rng.choice([0.0, 0.35])), when)
            item.signature[:band_rows] = template[:band_rows]
            sketches[article_id] = item
        else:
            sketches[article_id] = make_sketch(rng, template, 0.0, when)
    return sketches


def assert_same_groups(fast: grouping.Groups, plain: grouping.Groups) -> None:
    assert fast.ids == plain.ids
    assert [fast.ids[i] for i in fast.canonical] == [plain.ids[i] for i in plain.canonical]
    assert fast.near.tolist() == plain.near.tolist()
    assert fast.summary() == plain.summary()


@pytest.mark.parametrize("seed", range(6))
def test_recluster_gives_the_clusters_of_clustering_everything_again(seed):
    rng = np.random.default_rng(seed)
    before = corpus(rng, 700)
    old = grouping.cluster(list(before), list(before.values()))
    assert old.summary()["groups"] > 20  # the corpus has something to get wrong
    after = dict(before)
    ids = list(before)
    for article_id in rng.choice(ids, size=15, replace=False).tolist():  # gone
        del after[article_id]
    changed = []
    for article_id in rng.choice([i for i in ids if i in after], size=15, replace=False).tolist():
        # rewritten: into another event, out of all, too short, or as a copy of a member of a cluster
        other = before[str(rng.choice(ids))]
        choice = rng.integers(4)
        if choice == 0 and other is not None:
            after[article_id] = make_sketch(rng, other.signature, 0.6, 0)
        elif choice == 1:
            after[article_id] = make_sketch(rng, np.zeros(grouping.NUM_PERM, dtype=np.uint32), 0.0, 0)
        elif choice == 2:
            after[article_id] = None
        else:
            after[article_id] = grouping.Sketch(old.signatures[ids.index(article_id)].copy(), DAY)
        changed.append(article_id)
    extra = corpus(rng, 20)  # new articles, some in old events or the template's bucket
    after.update(extra)
    # An incremental run lists the articles in another order than the last one.
    order = list(after)
    rng.shuffle(order)
    sketches = [after[i] for i in order]
    fast = grouping.recluster(old, order, sketches, changed + list(extra))
    plain = grouping.cluster(order, sketches)
    assert_same_groups(fast, plain)


def test_a_new_article_joins_an_old_cluster_and_bridges_two():
    base = np.arange(1, grouping.NUM_PERM + 1, dtype=np.uint32)
    left = base.copy()
    left[64:] += 10_000  # half of base
    right = base.copy()
    right[:64] += 20_000  # the other half
    old = grouping.cluster(["l", "r", "x"], [grouping.Sketch(left, 0), grouping.Sketch(right, 0), None])
    assert old.canonical.tolist() == [0, 1, 2]  # no value in common: apart
    ids = ["l", "r", "x", "bridge"]
    sketches = [grouping.Sketch(left, 0), grouping.Sketch(right, 0), None, grouping.Sketch(base, 5)]
    fast = grouping.recluster(old, ids, sketches, ["bridge"])
    assert [ids[i] for i in fast.canonical] == ["l", "l", "x", "l"]
    assert_same_groups(fast, grouping.cluster(ids, sketches))
    # and the bridge gone again: the cluster falls apart
    apart = grouping.recluster(fast, ["l", "r", "x"], sketches[:3], [])
    assert apart.canonical.tolist() == [0, 1, 2]


def test_write_groups_reclusters_from_the_last_table_when_few_changed(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    before = corpus(rng, 300)
    first, second = tmp_path / "g1", tmp_path / "g2"
    first.mkdir()
    second.mkdir()
    grouping.write_groups(first, list(before), before)
    calls = []
    real = grouping._recluster
    monkeypatch.setattr(grouping, "_recluster", lambda *a, **k: calls.append(1) or real(*a, **k))
    extra = corpus(rng, 5)
    summary = grouping.write_groups(second, list(before) + list(extra), extra, previous=first)
    assert calls == [1]
    written = grouping.read_groups(second)
    plain = grouping.cluster(list(before) + list(extra), list(before.values()) + list(extra.values()))
    assert_same_groups(written, plain)
    assert summary == plain.summary()


def chain(length: int, rng) -> list[grouping.Sketch]:
    """Articles each like the next (a block of 42 of 128 values in common, 33 %)
    and like nothing further along: one cluster held together link by link."""
    links = [rng.integers(1, 2**32 - 1, size=42, dtype=np.uint64).astype(np.uint32) for _ in range(length)]
    out = []
    for k in range(length):
        values = rng.integers(1, 2**32 - 1, size=grouping.NUM_PERM, dtype=np.uint64).astype(np.uint32)
        before, after = (links[k - 1] if k else values[:42]), links[k]
        values[0:42], values[42:84] = (after, before) if k % 2 == 0 else (before, after)
        out.append(grouping.Sketch(values, k))
    return out


def test_a_chain_cut_in_the_middle_falls_apart_as_far_as_it_reaches():
    """The members beyond the neighbours of the cut article share no bucket with
    it: they are regrouped because their component was taken apart."""
    rng = np.random.default_rng(3)
    links = chain(8, rng)
    ids = [f"c{k}" for k in range(8)]
    old = grouping.cluster(ids, links)
    assert set(old.canonical.tolist()) == {0}
    without = ids[:3] + ids[4:]
    fast = grouping.recluster(old, without, links[:3] + links[4:], [])
    assert [without[i] for i in fast.canonical] == ["c0"] * 3 + ["c4"] * 4
    assert_same_groups(fast, grouping.cluster(without, links[:3] + links[4:]))
    # and joined again by a new article that links both halves' ends
    ids_again = without + ["mend"]
    mend = grouping.Sketch(np.where(np.arange(grouping.NUM_PERM) < 64, links[2].signature, links[4].signature), 9)
    again = grouping.recluster(fast, ids_again, links[:3] + links[4:] + [mend], ["mend"])
    assert_same_groups(again, grouping.cluster(ids_again, links[:3] + links[4:] + [mend]))


def test_document_numbers_of_an_incremental_run_are_those_a_full_scan_reads(tmp_path):
    """The groups table's document numbers after incremental runs (new segments,
    deletions, Whoosh merging the small segments) are those of reading every id."""
    import json

    from search.indexer import reindex
    from whoosh import index as whoosh_index

    from search.reindex.regroup import document_number_column

    def full_scan(folder):
        """Plainly: every live document's stored id and number."""
        with whoosh_index.open_dir(str(folder)).searcher() as searcher:
            reader = searcher.reader()
            return {reader.stored_fields(d)["id"]: d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)}

    def shared_documents(folder, base):
        """The documents of the segments `folder` shares with `base` at the head of their tables of contents."""
        shared = 0
        for before, now in zip(whoosh_index.open_dir(str(base))._segments(), whoosh_index.open_dir(str(folder))._segments()):
            if before.segment_id() != now.segment_id() or before.doc_count_all() != now.doc_count_all():
                break
            shared += now.doc_count_all()
        return shared

    def write(count: int, edited: set[int]) -> None:
        lines = []
        for i in range(count):
            body = f"{i}번 지역 소식을 전한다. 주민 행사와 축제 준비가 한창이라고 관계자는 말했다. 참여 인원 {i * 7}명."
            if i in edited:
                body += f" 고친 문단 {len(edited)}."
            lines.append(json.dumps({"id": f"n{i}", "title": f"소식 {i}", "body": body}, ensure_ascii=False))
        (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", "utf-8")

    write(40, set())
    reindex([tmp_path / "c.jsonl"], tmp_path / "ix", workers=1)
    for round_number, (count, edited) in enumerate([(42, {3}), (42, {3, 17}), (44, {5, 30, 41}), (30, {2}),
                                                    (30, set()), (35, {0, 1, 2, 33})]):
        write(count, edited)
        reindex([tmp_path / "c.jsonl"], tmp_path / "ix", incremental=True, workers=1)
        current = (tmp_path / "ix" / "current").resolve()
        table = grouping.read_groups(current)
        full = full_scan(current)
        assert dict(zip(table.ids, table.docnums.tolist())) == full, round_number
        base = sorted(p for p in (tmp_path / "ix").glob("gen-*") if p != current)[-1]
        # The column the reindex keeps: the same numbers in the table's order, from the base or not,
        # and an article named changed takes its number from the new segments only.
        listed = list(full) + ["not-there"]
        expected = [full.get(article_id, -1) for article_id in listed]
        assert document_number_column(current, listed).tolist() == expected
        assert document_number_column(current, listed, base, (), table).tolist() == expected
        named = {listed[0], listed[-2]}
        head = shared_documents(current, base)
        assert document_number_column(current, listed, base, named).tolist() == [
            -1 if article_id in named and 0 <= number < head else number
            for article_id, number in zip(listed, expected)]
        assert len(full) == count


def test_a_run_that_changed_nothing_keeps_the_last_table_which_is_the_full_clustering(tmp_path, monkeypatch):
    """Nothing analysed, the same ids in the same order at the same document
    numbers: the table hard-linked into the new generation is kept, not
    clustered again nor rewritten, and it is what clustering everything gives."""
    import os

    rng = np.random.default_rng(11)
    sketches = corpus(rng, 300)
    ids = list(sketches)
    docnums = {article_id: number for number, article_id in enumerate(ids)}
    first, second = tmp_path / "g1", tmp_path / "g2"
    first.mkdir()
    second.mkdir()
    grouping.write_groups(first, ids, sketches, docnums=docnums)
    for name in (grouping.GROUPS_FILE, grouping.SIGNATURES_FILE):
        os.link(first / name, second / name)  # as new_generation_dir does
    calls = []
    for name in ("_recluster", "_cluster"):
        real = getattr(grouping, name)
        monkeypatch.setattr(grouping, name, lambda *a, real=real, **k: calls.append(1) or real(*a, **k))
    summary = grouping.write_groups(second, ids, {}, previous=first, docnums=docnums)
    assert calls == []
    assert os.path.samefile(first / grouping.GROUPS_FILE, second / grouping.GROUPS_FILE)
    plain = grouping.cluster(ids, list(sketches.values()))
    assert_same_groups(grouping.read_groups(second), plain)
    assert summary == plain.summary()
    # Anything else is clustered (and written) again: other numbers, order, one article analysed.
    calls.clear()
    grouping.write_groups(second, ids, {}, previous=first, docnums={**docnums, ids[0]: 999})
    grouping.write_groups(second, ids[::-1], {}, previous=first, docnums=docnums)
    grouping.write_groups(second, ids, {ids[5]: sketches[ids[5]]}, previous=first, docnums=docnums)
    assert len(calls) == 3
    assert not os.path.samefile(first / grouping.GROUPS_FILE, second / grouping.GROUPS_FILE)
    assert_same_groups(grouping.read_groups(second), plain)


def assert_same_table(written: grouping.Groups, plain: grouping.Groups, docnums: list[int]) -> None:
    """Every column of the table the incremental run wrote is the full clustering's."""
    assert_same_groups(written, plain)
    assert written.canonical.tolist() == plain.canonical.tolist()
    assert written.signed.tolist() == plain.signed.tolist()
    assert np.array_equal(written.signatures, plain.signatures)
    assert written.published.tolist() == plain.published.tolist()
    assert written.docnums.tolist() == docnums
    assert written.chained_by_id


@pytest.mark.parametrize("seed", range(5))
def test_incremental_tables_after_random_runs_are_those_of_clustering_everything(tmp_path, seed, monkeypatch):
    """Runs of random adds, changes (analysed again) and removals, the order
    kept or shuffled, each written from the last table (write_groups, which
    reclusters what the changes reach): every column of each table is that of
    `cluster` over the same articles."""
    import os

    calls = []
    real = grouping._recluster
    monkeypatch.setattr(grouping, "_recluster", lambda *a, **k: calls.append(1) or real(*a, **k))
    rng = np.random.default_rng(100 + seed)
    current = corpus(rng, 400)
    ids = list(current)
    kept_runs = 0
    previous = tmp_path / "g0"
    previous.mkdir()
    grouping.write_groups(previous, ids, current, docnums={a: k for k, a in enumerate(ids)})
    for run in range(1, 7):
        # Two runs in three only change articles, in the same order, and hand
        # write_groups the last table to reuse (the reindex's common case).
        only_changes = run % 3 != 0
        analysed: dict[str, object] = {}
        for article_id in rng.choice(ids, size=0 if only_changes else int(rng.integers(0, 8)),
                                     replace=False).tolist():
            del current[article_id]
        ids = [a for a in ids if a in current]
        for article_id in rng.choice(ids, size=int(rng.integers(1, 8)), replace=False).tolist():
            other = current[str(rng.choice(ids))]
            if other is not None and rng.random() < 0.7:
                current[article_id] = make_sketch(rng, other.signature, float(rng.choice([0.4, 0.95])), DAY)
            else:
                current[article_id] = None if rng.random() < 0.5 else make_sketch(
                    rng, np.zeros(grouping.NUM_PERM, dtype=np.uint32), 0.0, 0)
            analysed[article_id] = current[article_id]
        extra = corpus(rng, 0 if only_changes else int(rng.integers(0, 6)))
        current.update(extra)
        analysed.update(extra)
        ids = ids + list(extra)
        if not only_changes and rng.random() < 0.5:
            rng.shuffle(ids)
        docnums = [int(number) for number in rng.permutation(len(ids))]
        building = tmp_path / f"g{run}"
        building.mkdir()
        for item in previous.iterdir():
            os.link(item, building / item.name)  # as new_generation_dir does
        last = grouping.read_groups(previous)
        summary = grouping.write_groups(building, ids, analysed, previous, docnums=np.array(docnums),
                                        old=last, consume_old=only_changes)
        plain = grouping.cluster(ids, [current[a] for a in ids])
        written = grouping.read_groups(building)
        assert_same_table(written, plain, docnums)
        kept = os.path.samefile(building / grouping.SIGNATURES_FILE, previous / grouping.SIGNATURES_FILE)
        held = int(np.count_nonzero(written.file_rows < 0))
        # The file stays while few rows are held in the table (all of them on a rewrite: none held).
        assert kept == (held > 0 or not analysed)
        assert kept or written.file_rows.tolist() == list(range(len(ids)))
        assert held >= (len(analysed) if kept else 0)
        kept_runs += kept
        assert grouping.read_groups(previous).ids == last.ids  # the last generation reads as it did
        assert summary == plain.summary()
        assert len(calls) == run  # reclustered, not clustered anew
        previous = building
    assert kept_runs >= 3


@pytest.mark.parametrize("how", ["removed", "changed in place"])
def test_an_article_leaving_a_chained_bucket_links_its_neighbours(tmp_path, how):
    """A bucket of more than BUCKET_PAIRS_UP_TO articles is chained in id order;
    when the middle one of y < x < z leaves it (removed, or analysed again into
    something else), y and z become neighbours and join: they share two of
    every three values (no band but the bucket's whole).  Only the old
    signature of x reaches that bucket, so the regrouping must look at it,
    also when the last table's signatures are reused in place."""
    rng = np.random.default_rng(5)
    _, band_rows = grouping.lsh_parameters(grouping.EVENT_THRESHOLD)
    template = rng.integers(1, 2**32 - 1, size=band_rows, dtype=np.uint64).astype(np.uint32)

    def member() -> np.ndarray:
        values = rng.integers(1, 2**32 - 1, size=grouping.NUM_PERM, dtype=np.uint64).astype(np.uint32)
        values[:band_rows] = template
        return values

    sketches = {f"t{k:03d}": grouping.Sketch(member(), 0) for k in range(grouping.BUCKET_PAIRS_UP_TO + 6)}
    y, x, z = member(), member(), member()
    alike = np.arange(band_rows, grouping.NUM_PERM) % band_rows != band_rows - 1
    z[band_rows:][alike] = y[band_rows:][alike]
    sketches.update({"t050a": grouping.Sketch(y, 0), "t050b": grouping.Sketch(x, 0), "t050c": grouping.Sketch(z, 0)})
    ids = sorted(sketches)
    first = tmp_path / "g1"
    first.mkdir()
    grouping.write_groups(first, ids, sketches)
    before = grouping.read_groups(first)
    assert before.canonical[ids.index("t050c")] != before.canonical[ids.index("t050a")]  # apart while x stands between
    after = dict(sketches)
    if how == "removed":
        del after["t050b"]
        analysed = {}
    else:
        after["t050b"] = grouping.Sketch(rng.integers(1, 2**32 - 1, size=grouping.NUM_PERM,
                                                      dtype=np.uint64).astype(np.uint32), 0)
        analysed = {"t050b": after["t050b"]}
    listed = [i for i in ids if i in after]
    second = tmp_path / "g2"
    second.mkdir()
    grouping.write_groups(second, listed, analysed, first, old=grouping.read_groups(first), consume_old=True)
    written = grouping.read_groups(second)
    plain = grouping.cluster(listed, [after[i] for i in listed])
    assert plain.canonical[listed.index("t050c")] == plain.canonical[listed.index("t050a")]  # joined now
    assert_same_groups(written, plain)


def test_a_table_of_the_older_layout_is_read_and_followed_by_the_new(tmp_path):
    """A table written before the signatures file (signatures inside
    groups.npz) is read by the reindex and the query side alike, and the
    next run writes the new layout from it, the same clusters."""
    from search import collapse

    rng = np.random.default_rng(21)
    sketches = corpus(rng, 200)
    ids = list(sketches)
    plain = grouping.cluster(ids, list(sketches.values()))
    first = tmp_path / "g1"
    first.mkdir()
    with open(first / grouping.GROUPS_FILE, "wb") as handle:
        np.savez(handle, ids=np.array(ids, dtype=str), published=plain.published, signatures=plain.signatures,
                 signed=plain.signed, canonical=plain.canonical, near=plain.near,
                 docnums=np.arange(len(ids), dtype=np.int64), chained_by_id=np.array(True))
    old = grouping.read_groups(first)
    assert old.file_rows is None
    assert_same_table(old, plain, list(range(len(ids))))
    table = collapse.read_table(first, len(ids))
    plain.docnums = np.arange(len(ids), dtype=np.int64)
    assert table.cluster.tolist() == collapse.ClusterTable(plain, len(ids)).cluster.tolist()
    assert (table.cluster >= 0).sum() > 10  # clusters to collapse
    second = tmp_path / "g2"
    second.mkdir()
    os.link(first / grouping.GROUPS_FILE, second / grouping.GROUPS_FILE)
    changed = {ids[3]: make_sketch(rng, plain.signatures[7], 0.95, DAY)}
    grouping.write_groups(second, ids, changed, first, docnums=np.arange(len(ids)), old=old, consume_old=True)
    written = grouping.read_groups(second)
    assert written.file_rows is not None and (second / grouping.SIGNATURES_FILE).exists()
    after = dict(sketches, **changed)
    assert_same_table(written, grouping.cluster(ids, [after[a] for a in ids]), list(range(len(ids))))
