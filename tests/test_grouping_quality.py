"""Same-event grouping scored on pairs of real articles labelled by hand
(tests/fixtures/grouping_pairs.tsv: references only, the text stays in
../shared/data): the corpora are indexed as a reader would, and a pair counts
as grouped when both articles share a cluster.  Precision and recall for
"same event" must stay at or above what the README reports as the floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import grouping
from search.indexer import reindex

PAIRS = Path(__file__).parent / "fixtures" / "grouping_pairs.tsv"
MIN_PRECISION = 0.95
MIN_RECALL = 0.8


def labelled_pairs() -> list[tuple[str, str, str, str, bool]]:
    rows = [line.rstrip("\n").split("\t") for line in PAIRS.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    header, rows = rows[0], rows[1:]
    assert header[:7] == ["file_a", "line_a", "id_a", "file_b", "line_b", "id_b", "same_event"]
    return [(file_a, id_a, file_b, id_b, label == "1") for file_a, _, id_a, file_b, _, id_b, label, *_ in rows]


def test_the_labelled_set_is_balanced_enough_to_mean_something():
    pairs = labelled_pairs()
    assert len(pairs) == 100 and len({(a, b) for _, a, _, b, _ in pairs}) == 100
    assert 40 <= sum(same for *_, same in pairs) <= 60


def test_grouping_precision_and_recall_on_the_labelled_pairs(shared_data, tmp_path):
    pairs = labelled_pairs()
    files = sorted({shared_data / "news" / name for f_a, _, f_b, _, _ in pairs for name in (f_a, f_b)})
    missing = [f for f in files if not f.exists()]
    if missing:
        pytest.skip(f"{missing[0]} not found")
    reindex(files, index_dir=tmp_path / "ix", progress=False)
    table = grouping.read_groups(tmp_path / "ix" / "current")
    row = {article_id: i for i, article_id in enumerate(table.ids)}
    true_pos = false_pos = false_neg = 0
    for _, id_a, _, id_b, same in pairs:
        grouped = table.canonical[row[id_a]] == table.canonical[row[id_b]]
        true_pos += grouped and same
        false_pos += grouped and not same
        false_neg += same and not grouped
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (precision, recall)
