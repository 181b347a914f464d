"""The eval command: metric arithmetic on a hand-made example, input errors, and
one end-to-end run on a tiny judged corpus written here."""

import json
import math

import pytest

from search.cli import main
from search.evaluation import (
    EvalInputError, ndcg, read_qrels, read_queries, recall, reciprocal_rank, sample_queries, score_run,
)

# Two queries over docs a..e.  q1's only relevant doc is ranked 3rd; q2 has two
# relevant docs (graded 2 and 1) at ranks 1 and 4.
RUN = {"q1": ["a", "b", "c", "d"], "q2": ["x", "a", "b", "y"]}
QRELS = {"q1": {"c": 1}, "q2": {"x": 2, "y": 1}, "q3": {"z": 1}}


def test_reciprocal_rank():
    assert reciprocal_rank(RUN["q1"], QRELS["q1"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(RUN["q2"], QRELS["q2"]) == 1.0
    assert reciprocal_rank(["a", "b"], {"b": 1}, depth=1) == 0.0  # beyond the cutoff


def test_recall_at_k():
    assert recall(RUN["q1"], QRELS["q1"], 1) == 0.0
    assert recall(RUN["q1"], QRELS["q1"], 5) == 1.0
    assert recall(RUN["q2"], QRELS["q2"], 1) == 0.5
    assert recall(RUN["q2"], QRELS["q2"], 4) == 1.0


def test_ndcg_by_hand():
    # q1: DCG = 1/log2(4) = 0.5; ideal = 1.
    assert ndcg(RUN["q1"], QRELS["q1"]) == pytest.approx(0.5)
    # q2: DCG = 2/log2(2) + 1/log2(5); ideal = 2/log2(2) + 1/log2(3).
    expected = (2 + 1 / math.log2(5)) / (2 + 1 / math.log2(3))
    assert ndcg(RUN["q2"], QRELS["q2"]) == pytest.approx(expected)


def test_score_run_averages_judged_queries_only():
    metrics = score_run({**RUN, "unjudged": ["a"]}, QRELS)
    assert metrics["queries"] == 2
    assert metrics["MRR@10"] == pytest.approx((1 / 3 + 1) / 2)
    assert metrics["R@1"] == pytest.approx((0 + 0.5) / 2)
    assert metrics["R@100"] == pytest.approx(1.0)


def test_a_judged_query_without_hits_scores_zero():
    metrics = score_run({"q3": []}, QRELS)
    assert metrics["queries"] == 1 and metrics["MRR@10"] == 0.0 and metrics["nDCG@10"] == 0.0


def test_input_errors_name_file_and_line(tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\t삼성전자\nno tab here\n", "utf-8")
    with pytest.raises(EvalInputError, match=r"q.tsv:2"):
        read_queries(queries)
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 d1 1\nq2 0 d2 high\n", "utf-8")
    with pytest.raises(EvalInputError, match=r"qrels.txt:2: relevance 'high'"):
        read_qrels(qrels)


PASSAGES = [
    {"id": "p-chip", "title": "반도체", "body": "삼성전자는 평택에 반도체 공장을 세웠다. 메모리 반도체 생산이 늘었다."},
    {"id": "p-ai", "title": "인공지능", "body": "네이버는 인공지능 검색 서비스를 공개했다. 검색 품질이 좋아졌다."},
    {"id": "p-car", "title": "자동차", "body": "현대자동차는 전기차 신모델을 발표했다. 배터리는 국내에서 만든다."},
]
QUERIES = {"1": "삼성전자가 반도체 공장을 세운 곳은 어디인가?", "2": "네이버가 공개한 서비스는 무엇인가?",
           "3": "현대자동차가 발표한 것은?", "4": "판결을 내린 법원은?"}
JUDGED = {"1": "p-chip", "2": "p-ai", "3": "p-car", "4": "p-car"}


def test_eval_command_end_to_end(tmp_path, capsys):
    corpus = tmp_path / "passages.jsonl"
    corpus.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PASSAGES), "utf-8")
    queries = tmp_path / "queries.tsv"
    queries.write_text("".join(f"{k}\t{v}\n" for k, v in QUERIES.items()), "utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("".join(f"{k} 0 {v} 1\n" for k, v in JUDGED.items()), "utf-8")
    assert main(["eval", "--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels),
                 "--workers", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"MRR@10", "R@1", "R@5", "R@20", "R@100", "nDCG@10", "queries", "index_s", "query_s"}
    assert data["queries"] == 4
    # Three questions are answered first; the fourth shares no word with any passage.
    assert data["R@1"] == pytest.approx(0.75)
    assert data["MRR@10"] == pytest.approx(0.75)


def test_eval_command_runs_a_fixed_sample(tmp_path, capsys):
    corpus = tmp_path / "passages.jsonl"
    corpus.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PASSAGES), "utf-8")
    queries = tmp_path / "queries.tsv"
    queries.write_text("".join(f"{k}\t{v}\n" for k, v in QUERIES.items()), "utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("".join(f"{k} 0 {v} 1\n" for k, v in JUDGED.items()), "utf-8")
    args = ["eval", "--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels), "--workers", "1",
            "--json", "--run-file", str(tmp_path / "run.txt"), "--sample", "2"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["queries"] == 2
    ran = {line.split()[0] for line in (tmp_path / "run.txt").read_text("utf-8").splitlines()}
    assert ran and ran <= set(sample_queries(QUERIES, 2))  # a question without hits has no run lines
    assert main(args[:-1] + ["0"]) == 2 and "--sample" in capsys.readouterr().err


def test_eval_command_reports_a_missing_file(tmp_path, capsys):
    assert main(["eval", "--corpus", str(tmp_path / "none.jsonl"), "--queries", "q", "--qrels", "r"]) == 2
    assert "none.jsonl: no such file" in capsys.readouterr().err


KORQUAD = ("retrieval", "korquad_v1")
# A fixed subset of the dev questions (search.evaluation.sample_queries), run on
# every test run; the whole corpus is indexed, so every passage competes.
SUBSET = 300
# Measured on this subset (2026-12-01): MRR@10 0.9777, R@1 0.9633 (289 of 300
# first), R@5 0.9967.  The floors sit just under: one question more answered
# below first place still passes, two fail.
SUBSET_FLOOR = {"MRR@10": 0.975, "R@1": 0.96, "R@5": 0.99}


def korquad(shared_data):
    folder = shared_data.joinpath(*KORQUAD)
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    return (folder / "korquad_v1_dev.passages.jsonl", read_queries(folder / "korquad_v1_dev.queries.tsv"),
            read_qrels(folder / "korquad_v1_dev.qrels.txt"))


def test_sample_is_fixed_spread_and_independent_of_file_order():
    queries = {f"{article}-{q}": f"질문 {article} {q}" for article in range(200) for q in range(5)}
    first = sample_queries(queries, 100)
    assert len(first) == 100
    assert sample_queries(dict(reversed(list(queries.items()))), 100).keys() == first.keys()
    assert len({qid.split("-")[0] for qid in first}) > 50  # many articles, not the first twenty
    assert sample_queries(queries, 5000) == queries


def test_dev_set_subset_stays_above_its_floor(shared_data):
    """A ranking regression fails the default test run: a fixed few hundred KorQuAD
    questions through the product's own paths (about 20-45 s on two shared cores)."""
    from search.evaluation import evaluate

    passages, queries, qrels = korquad(shared_data)
    subset = sample_queries({qid: text for qid, text in queries.items() if qid in qrels}, SUBSET)
    report = evaluate([passages], subset, qrels, workers=1)
    assert report.metrics["queries"] == SUBSET
    for name, floor in SUBSET_FLOOR.items():
        assert report.metrics[name] >= floor, (name, report.to_dict())


def test_dev_set_goal(shared_data):
    """The issue's goal on the whole KorQuAD dev set.  Slow (a few minutes on two
    cores): runs only with NEWS_SEARCH_FULL_EVAL=1."""
    import os

    if not os.environ.get("NEWS_SEARCH_FULL_EVAL"):
        pytest.skip("set NEWS_SEARCH_FULL_EVAL=1 to run the full KorQuAD evaluation (a fixed subset runs by default)")
    from search.evaluation import evaluate

    passages, queries, qrels = korquad(shared_data)
    report = evaluate([passages], queries, qrels, workers=1)
    assert report.metrics["MRR@10"] >= 0.965
    assert report.metrics["R@1"] >= 0.935
