"""Same-event grouping at reindex time (search/grouping.py): a wire story, its
near-copy and a rewrite form one cluster whose canonical article is the
first published; the near-copy is marked as such; unrelated stories stay
alone; an incremental run regroups new articles with the unchanged ones
without computing their signatures again; serial and parallel builds agree."""

from __future__ import annotations

import json

import numpy as np
import pytest

import search.indexer as indexer
from search import grouping
from search.indexer import reindex
from grouping_fixtures import EVENT, UNRELATED, write_jsonl


def groups_of(index_dir):
    """article id → (canonical id, near-copy?) of the current generation."""
    table = grouping.read_groups(index_dir / "current")
    assert table is not None
    return {article_id: (table.ids[table.canonical[i]], bool(table.near[i])) for i, article_id in enumerate(table.ids)}


def build(tmp_path, records, **options):
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False, **options)
    return groups_of(tmp_path / "ix")


def test_one_event_is_one_cluster_with_the_first_published_as_canonical(tmp_path):
    # The rewrite comes first in the file, the wire story (published first) last.
    records = [EVENT["rewrite"], UNRELATED[0], EVENT["near"], UNRELATED[1], UNRELATED[2], EVENT["wire"]]
    groups = build(tmp_path, records)
    assert groups["bike-rewrite"] == ("bike-wire", False)
    assert groups["bike-near"] == ("bike-wire", True)  # another dateline and one sentence more
    assert groups["bike-wire"] == ("bike-wire", False)
    for article in UNRELATED:
        assert groups[article["id"]] == (article["id"], False)
    # Each article's document number is kept with the table, for the query side.
    table = grouping.read_groups(tmp_path / "ix" / "current")
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(tmp_path / "ix" / "current")).searcher() as searcher:
        assert [searcher.stored_fields(int(d))["id"] for d in table.docnums] == table.ids
    manifest = json.loads((tmp_path / "ix" / "current" / "manifest.json").read_text())
    assert {k: manifest["grouping"][k] for k in ("articles", "groups", "grouped_articles", "near_copies")} == {
        "articles": 6, "groups": 1, "grouped_articles": 3, "near_copies": 1}


def test_undated_articles_are_canonical_only_when_nothing_in_the_cluster_is_dated(tmp_path):
    undated_wire = {key: value for key, value in EVENT["wire"].items() if key != "published"}
    groups = build(tmp_path, [undated_wire, EVENT["near"]])
    assert groups["bike-wire"] == ("bike-near", True)


def test_an_incremental_run_joins_new_articles_to_old_groups_without_resketching_them(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "c" / "a.jsonl", [EVENT["wire"]] + UNRELATED)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    signed = []
    real = grouping.signature
    monkeypatch.setattr(grouping, "signature", lambda tokens: signed.append(1) or real(tokens))
    write_jsonl(tmp_path / "c" / "b.jsonl", [EVENT["rewrite"], EVENT["near"]])
    report = reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    assert report.incremental and report.unchanged == 4 and report.indexed == 2
    assert len(signed) == 2  # only the two new articles were sketched
    groups = groups_of(tmp_path / "ix")
    assert groups["bike-rewrite"] == ("bike-wire", False) and groups["bike-near"] == ("bike-wire", True)
    # The wire story deleted: the cluster goes on without it, the near-copy now canonical.
    write_jsonl(tmp_path / "c" / "a.jsonl", UNRELATED)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    groups = groups_of(tmp_path / "ix")
    assert "bike-wire" not in groups
    assert groups["bike-rewrite"] == ("bike-near", False) and groups["bike-near"] == ("bike-near", False)


def test_a_generation_without_a_table_is_sketched_from_its_stored_text(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [EVENT["wire"]] + UNRELATED)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    (tmp_path / "ix" / "current" / grouping.GROUPS_FILE).unlink()  # as built before grouping existed
    write_jsonl(tmp_path / "c" / "b.jsonl", [EVENT["near"]])
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    assert groups_of(tmp_path / "ix")["bike-near"] == ("bike-wire", True)


def test_serial_and_parallel_builds_group_alike(tmp_path, monkeypatch):
    records = [EVENT["rewrite"], UNRELATED[0], EVENT["near"], UNRELATED[1], UNRELATED[2], EVENT["wire"]]
    write_jsonl(tmp_path / "c" / "a.jsonl", records[:3])
    write_jsonl(tmp_path / "c" / "b.jsonl", records[3:])
    reindex([tmp_path / "c"], index_dir=tmp_path / "serial", workers=1, progress=False)
    monkeypatch.setattr(indexer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(indexer, "BATCH_ARTICLES", 2)
    reindex([tmp_path / "c"], index_dir=tmp_path / "parallel", workers=2, progress=False)
    assert groups_of(tmp_path / "parallel") == groups_of(tmp_path / "serial")
    assert groups_of(tmp_path / "serial")["bike-near"] == ("bike-wire", True)


def test_grouping_off_writes_no_table(tmp_path, monkeypatch):
    monkeypatch.setattr(grouping, "ENABLED", False)
    write_jsonl(tmp_path / "c" / "a.jsonl", [EVENT["wire"], EVENT["near"]])
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    assert grouping.read_groups(tmp_path / "ix" / "current") is None


# ---------------------------------------------------------------- the pieces alone


def _sketch(values, published=0):
    return grouping.Sketch(np.array(values, dtype=np.uint32), published)


def test_cluster_joins_pairs_at_the_threshold_and_chains_them():
    base = np.arange(grouping.NUM_PERM)
    close = base.copy()
    close[: int(grouping.NUM_PERM * 0.2)] += 10_000  # 80 % of the values shared
    far = base + 50_000
    chained = close.copy()
    chained[int(grouping.NUM_PERM * 0.2): int(grouping.NUM_PERM * 0.4)] += 20_000  # like `close`, less like `base`
    groups = grouping.cluster(["a", "b", "c", "d", "e"],
                              [_sketch(base, 5), _sketch(close, 3), _sketch(far), None, _sketch(chained, 9)])
    assert [groups.ids[i] for i in groups.canonical] == ["b", "b", "c", "d", "b"]
    assert groups.near.tolist() == [False] * 5  # 0.8 apart: the same event, not a near-copy
    assert groups.summary() == {"articles": 5, "groups": 1, "grouped_articles": 3, "near_copies": 0}


def test_cluster_of_nothing_and_of_strangers():
    assert grouping.cluster([], []).summary() == {"articles": 0, "groups": 0, "grouped_articles": 0, "near_copies": 0}
    lonely = grouping.cluster(["a", "b"], [None, None])
    assert lonely.canonical.tolist() == [0, 1]


def test_shingles_skip_the_byline_and_never_cross_fields():
    tokens = {"body": [(t, i, 0, 0) for i, t in enumerate(["스포츠", "월드", "윤기백", "기자", "신화", "컴백", "확정"])],
              "subtitles": [("부제", 0, 0, 0)], "title": [("제목", 0, 0, 0), ("무시", 1, 0, 0)]}
    assert grouping.shingles(tokens) == {"신화 컴백".encode(), "컴백 확정".encode()}


def test_too_little_text_has_no_signature():
    assert grouping.sketch({"body": [("사진", 0, 0, 0)]}) is None
    assert grouping.sketch(None) is None


def test_alike_articles_published_far_apart_are_different_events():
    base = np.arange(grouping.NUM_PERM)
    day = 24 * 3600
    groups = grouping.cluster(["march", "april", "march-again"],
                              [_sketch(base, 0), _sketch(base, 31 * day), _sketch(base, 2 * day)])
    assert [groups.ids[i] for i in groups.canonical] == ["march", "april", "march"]
    # An undated article may belong with a dated one: its time says nothing against it.
    undated = grouping.cluster(["dated", "undated"], [_sketch(base, 0), _sketch(base, grouping.UNDATED)])
    assert undated.canonical.tolist() == [0, 0]


def test_a_changed_article_is_grouped_by_its_new_text_only(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [EVENT["wire"], EVENT["near"]] + UNRELATED)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    assert groups_of(tmp_path / "ix")["bike-near"] == ("bike-wire", True)
    # The near-copy rewritten as a caption-only page: too little text to group, and
    # its old signature must not keep it in the cluster.
    short = dict(EVENT["near"], body="사진 설명")
    write_jsonl(tmp_path / "c" / "a.jsonl", [EVENT["wire"], short] + UNRELATED)
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    assert groups_of(tmp_path / "ix")["bike-near"] == ("bike-near", False)


def test_lsh_buckets_give_every_pair_a_plain_loop_would():
    from itertools import combinations

    rng = np.random.default_rng(15)
    sizes = rng.integers(1, 9, size=40)
    sizes[7] = grouping.BUCKET_PAIRS_UP_TO + 3  # one template filled many times: chained
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    members = rng.permutation(int(sizes.sum()))
    got = {tuple(pair) for pair in grouping._bucket_pairs(members, starts, sizes).tolist()}
    expected = set()
    for number, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist())):
        bucket = members[start:start + size].tolist()
        links = zip(bucket, bucket[1:]) if number == 7 else combinations(bucket, 2)
        expected |= {(min(a, b), max(a, b)) for a, b in links}
    assert got == expected


def test_candidate_pairs_are_the_rows_sharing_a_band():
    signatures = np.zeros((4, grouping.NUM_PERM), dtype=np.uint32)
    signatures[0] = np.arange(grouping.NUM_PERM)
    signatures[1] = signatures[0]
    signatures[1][3:] += 1000  # shares only the first band (of three values) with row 0
    signatures[2] = signatures[0] + 5000  # shares nothing
    signatures[3] = signatures[1]
    pairs = grouping.candidate_pairs(signatures, np.arange(4), bands=4, band_rows=3)
    assert pairs.tolist() == [[0, 1], [0, 3], [1, 3]]
