"""Exact copies in an incremental reindex (search/reindex/plan.py, report.py):
the manifest keeps the line keys of the JSONL lines that were copies, with the
article each copies, so an unchanged copy is reported again without being
parsed or sent to a worker; a copy whose original changed is read again; a
copy added before its original (in input order) stays out, the original in.
The fast path is held to the plain one: the same run with the manifest's copy
table removed reads every copy and must report exactly the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import search.reindex.pipeline as pipeline
import search.reindex.worker as worker
from search.index import IndexLayout
from search.indexer import reindex
from search.reindex.plan import settle_copies
from search.reindex.units import KnownCopiesUnit, KnownCopy, LinesUnit
from search.service import SearchService

TEXTS = [
    "정부가 내년부터 전기차 보조금 지급 기준을 바꾸기로 했다. 배터리 효율과 충전 속도가 높은 차에 보조금을 더 준다.",
    "서울시는 지하철 심야 운행을 다음 달부터 다시 시작한다고 밝혔다. 운행 간격은 20분이고 요금은 그대로다.",
    "한국은행이 기준금리를 동결했다. 물가 상승세가 둔화됐지만 가계부채가 여전히 부담이라는 판단이다.",
]


def record(article_id: str, text: str, title: str = "") -> dict:
    return {"id": article_id, "title": title or f"제목 {article_id}", "body": text}


def write(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def fillers(prefix: str, count: int) -> list[dict]:
    return [record(f"{prefix}{i}", f"{prefix} 지역 행사 {i}번째 소식을 전한다. 주민 참여가 늘었다고 한다. {i}")
            for i in range(count)]


def corpus(folder: Path) -> Path:
    """b.jsonl: three originals, fillers and two copies (of o0 and o2), one before and one after its original."""
    return write(folder / "b.jsonl", [record("o0", TEXTS[0]), record("c2", "(서울=통신) " + TEXTS[2])]
                 + fillers("f", 4) + [record("o1", TEXTS[1]), record("o2", TEXTS[2]),
                                      record("c0", TEXTS[0] + "\n김철수 기자 kim@example.kr")])


def summary(report) -> dict:
    data = report.to_dict()
    return {k: data[k] for k in ("indexed", "unchanged", "removed", "kept", "total", "duplicates", "failed")}


def parsed_lines(monkeypatch) -> list[int]:
    """Line numbers of the JSONL lines parsed into articles from now on (in this process)."""
    seen: list[int] = []
    real = worker.load_jsonl_lines

    def spy(path, raws, relative, number):
        seen.append(number)
        return real(path, raws, relative, number)

    monkeypatch.setattr(worker, "load_jsonl_lines", spy)
    return seen


def edit(path: Path, line: int, text: str) -> None:
    lines = path.read_text("utf-8").splitlines()
    changed = json.loads(lines[line - 1])
    changed["body"] = text
    lines[line - 1] = json.dumps(changed, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_the_manifest_keeps_each_copy_line_with_the_article_it_copies(tmp_path):
    path = corpus(tmp_path / "c")
    first = reindex([path], tmp_path / "ix", workers=1)
    # c2 comes before o2: it is the one kept, o2 the copy
    assert [i for i, _, _ in first.duplicates] == ["o2", "c0"]
    manifest = IndexLayout(tmp_path / "ix").read_manifest()
    entries = sorted(manifest["copy_lines"].values())
    assert [(i, manifest["copies"][fingerprint][0]) for i, fingerprint in entries] == [("c0", "o0"), ("o2", "c2")]
    assert set(manifest["copy_lines"]).isdisjoint(manifest["lines"])


def test_an_unchanged_copy_is_reported_again_without_being_parsed(tmp_path, monkeypatch):
    path = corpus(tmp_path / "c")
    first = reindex([path], tmp_path / "ix", workers=1)
    edit(path, 3, "고친 기사: 지역 행사 소식이 바뀌었다. 참여 주민 수도 다시 셌다고 한다.")
    seen = parsed_lines(monkeypatch)
    again = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert seen == [3]  # the changed line only; lines 8 and 9 (o2, c0) are reported from the manifest
    assert again.duplicates == first.duplicates and again.duplicate_lines == [8, 9]
    assert (again.indexed, again.unchanged, again.total) == (1, 6, 7)
    assert again.articles_seen == again.indexed + again.unchanged + len(again.failed) + len(again.duplicates)
    assert SearchService(tmp_path / "ix").article("c0") is None
    # and so again in the run after (the copy's line key carried over)
    seen.clear()
    third = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert seen == [] and third.duplicates == first.duplicates


@pytest.mark.parametrize("pool", [False, True], ids=["this process", "worker pool"])
def test_known_copies_report_what_reading_every_copy_reports(tmp_path, monkeypatch, pool):
    """The plain reference: the same incremental run from a manifest without
    its copy table parses every copy line again."""
    if pool:
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(pipeline, "BATCH_ARTICLES", 2)
    path = corpus(tmp_path / "c")
    reindex([path], tmp_path / "ix", workers=1)
    # An original changes (o0: its copy c0 must be read and is now the first of its text),
    # another stays (o2), a new copy of o1 arrives.
    edit(path, 1, "정정 보도: 전기차 보조금 기준 변경은 내후년으로 미뤄졌다. 정부는 업계 의견을 더 듣는다.")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record("c1", TEXTS[1]), ensure_ascii=False) + "\n")
    plain_dir = tmp_path / "plain"
    import shutil

    shutil.copytree(tmp_path / "ix", plain_dir, symlinks=True)
    layout = IndexLayout(plain_dir)
    manifest_path = layout.current() / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    del manifest["copy_lines"]
    manifest_path.write_text(json.dumps(manifest), "utf-8")

    workers = 2 if pool else 1
    fast = reindex([path], tmp_path / "ix", incremental=True, workers=workers)
    plain = reindex([path], plain_dir, incremental=True, workers=workers)
    assert summary(fast) == summary(plain)
    assert [i for i, _, _ in fast.duplicates] == ["o2", "c1"] and fast.indexed == 2  # o0 changed, c0 now indexed
    fast_manifest, plain_manifest = (IndexLayout(d).read_manifest() for d in (tmp_path / "ix", plain_dir))
    for table in ("articles", "lines", "copies", "copy_lines"):
        assert fast_manifest[table] == plain_manifest[table], table
    assert SearchService(tmp_path / "ix").article("c0") is not None


def test_a_copy_added_before_its_original_stays_out(tmp_path):
    """The original is indexed and unchanged; a copy of it arrives earlier in input
    order (a file sorting before the original's, which also changed elsewhere):
    the copy is the duplicate, as a copy always is while its original stays."""
    path = corpus(tmp_path / "c")
    reindex([path], tmp_path / "ix", workers=1)
    edit(path, 4, "고친 기사: 지역 행사 소식이 바뀌었다. 참여 주민 수도 다시 셌다고 한다.")  # b.jsonl is read again
    write(tmp_path / "c" / "a.jsonl", [record("early", "[속보] " + TEXTS[1])])
    report = reindex([tmp_path / "c"], tmp_path / "ix", incremental=True, workers=1)
    assert sorted(i for i, _, _ in report.duplicates) == ["c0", "early", "o2"]
    (kept,) = [k for i, _, k in report.duplicates if i == "early"]
    assert kept.endswith("b.jsonl line 7 (same text as article o1)")
    service = SearchService(tmp_path / "ix")
    assert service.article("early") is None and service.article("o1") is not None
    assert report.total == 7


def test_a_copy_added_before_an_original_in_an_unchanged_file_stays_out(tmp_path):
    write(tmp_path / "c" / "b.jsonl", [record("o1", TEXTS[1])] + fillers("f", 3))
    reindex([tmp_path / "c"], tmp_path / "ix", workers=1)
    write(tmp_path / "c" / "a.jsonl", [record("early", TEXTS[1])])
    report = reindex([tmp_path / "c"], tmp_path / "ix", incremental=True, workers=1)
    assert [i for i, _, _ in report.duplicates] == ["early"]
    assert SearchService(tmp_path / "ix").article("early") is None


def test_settle_copies_reads_a_copy_again_once_its_original_is_not_settled():
    copies = [KnownCopy("c0", "k0", 9, "fp0", 100, 150), KnownCopy("c1", "k1", 10, "fp1", 150, 190),
              KnownCopy("c2", "k2", 11, "fp2", 190, 230)]
    seeds = {"fp0": ["o0", "b line 1"], "fp1": ["o1", "b line 7"], "fp2": ["c2", "b line 11"]}
    units = settle_copies([KnownCopiesUnit("b", "b", copies)], {"o0", "c2"}, seeds)
    assert [type(u).__name__ for u in units] == ["KnownCopiesUnit", "LinesUnit", "LinesUnit"]
    assert units[0].entries == copies[:1]
    # o1 not settled: the line itself is read; c2 is its own seed (it was the first of its text)
    assert [(u.first, u.start, u.end, u.keys) for u in units[1:] if isinstance(u, LinesUnit)] == [
        (10, 150, 190, ["k1"]), (11, 190, 230, ["k2"])]


def test_a_file_planned_line_by_line_gets_the_digest_of_reading_it_whole(tmp_path):
    """The file's digest comes from the read that plans its lines (no second read);
    it is the digest file_digest gives, so the next run finds the file unchanged."""
    from search.ingest.loader import file_digest

    path = write(tmp_path / "c" / "a.jsonl", fillers("f", 5))
    reindex([path], tmp_path / "ix", workers=1)
    assert IndexLayout(tmp_path / "ix").read_manifest()["files"] == {str(path): file_digest(path)}
    again = reindex([path], tmp_path / "ix", incremental=True, workers=1)
    assert (again.files_unchanged, again.unchanged, again.indexed) == (1, 5, 0)


def test_reindex_json_prints_the_report_a_duplicate_a_line(tmp_path, capsys):
    from search.cli import main

    path = corpus(tmp_path / "c")
    assert main(["reindex", "--quiet", "--json", "--workers", "1", "--index", str(tmp_path / "ix"), str(path)]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert [d["id"] for d in data["duplicates"]] == ["o2", "c0"] and data["indexed"] == 7
    duplicate_lines = [line for line in out.splitlines() if line.startswith('    {"id"')]
    assert len(duplicate_lines) == 2 and all(json.loads(line.strip().rstrip(",")) for line in duplicate_lines)
