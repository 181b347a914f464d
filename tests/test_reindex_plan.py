"""The plan sends JSONL lines to the workers by byte range, not by content:
the lines read back are the planned ones, and a line that changed after
planning is reported, never indexed from bytes the plan did not see."""

import json

from search.ingest.loader import ArticleLoader
from search.reindex.plan import jsonl_units, line_key, unit_lines
from search.reindex.units import Analysed, Failed, LinesUnit, unit_size
from search.reindex.worker import init_worker, process_unit


def write_corpus(path, count):
    lines = [json.dumps({"id": f"a{i}", "title": f"제목 {i}", "body": f"본문 {i}번 기사입니다.\r내용"},
                        ensure_ascii=False) + "\n" for i in range(count)]
    path.write_bytes("".join(lines).encode("utf-8"))
    return [line.encode("utf-8") for line in lines]


def source_of(path):
    (source,) = ArticleLoader().discover([str(path)]).files
    return source


def test_units_read_back_the_planned_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    raw = write_corpus(path, 10)
    # Lines 3 and 4 known from last time: two runs of lines around them.
    known_lines = {line_key(str(path), n, raw[n - 1]): f"a{n - 1}" for n in (3, 4)}
    units = list(jsonl_units(source_of(path), 4, known_lines, {"a2": "h", "a3": "h"}))
    kinds = [type(u).__name__ for u in units]
    assert kinds == ["LinesUnit", "KnownLinesUnit", "LinesUnit", "LinesUnit"]
    assert [unit_size(u) for u in units] == [2, 2, 4, 2]
    read = [line for u in units if isinstance(u, LinesUnit) for line in unit_lines(u)]
    assert [(n, r) for n, r, _ in read] == [(n, raw[n - 1]) for n in (1, 2, 5, 6, 7, 8, 9, 10)]
    assert all(key == line_key(str(path), n, r) for n, r, key in read)


def test_a_line_changed_after_planning_is_reported_not_indexed(tmp_path):
    path = tmp_path / "c.jsonl"
    raw = write_corpus(path, 3)
    (unit,) = jsonl_units(source_of(path), 64, {}, {})
    raw[1] = raw[1].replace("제목".encode(), "변경".encode())  # same length, other bytes
    path.write_bytes(b"".join(raw))
    init_worker("mecab", None)
    outcomes = process_unit(unit)
    assert [o.article.id for o in outcomes if isinstance(o, Analysed)] == ["a0", "a2"]
    (failed,) = [o for o in outcomes if isinstance(o, Failed)]
    assert failed.failure.line == 2 and "changed" in failed.failure.reason


def test_an_incremental_run_analyses_only_changed_articles_not_the_copies_it_reports_again(tmp_path, monkeypatch):
    import search.reindex.pipeline as pipeline
    from search.indexer import reindex

    path = tmp_path / "c.jsonl"
    records = [{"id": f"a{i}", "title": f"제목 {i}", "body": f"본문 {i}번 기사는 서로 다른 내용입니다. 정부는 오늘 새로운 정책을 발표했고 시장은 크게 반응했다."} for i in range(6)]
    records += [{"id": f"copy{i}", "title": "다른 제목", "body": records[i]["body"]} for i in range(3)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    first = reindex([path], tmp_path / "ix", workers=1)
    assert (first.indexed, len(first.duplicates)) == (6, 3)

    records[4]["body"] += " 고친 문단."
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    analysed = []
    real = pipeline.analyse_article
    monkeypatch.setattr(pipeline, "analyse_article", lambda article, backend=None: analysed.append(article.id)
                        or real(article, backend))
    second = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert (second.indexed, second.unchanged, len(second.duplicates)) == (1, 5, 3)  # copies still reported
    assert analysed == ["a4"]
