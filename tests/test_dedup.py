"""Exact copies at index time (search/dedup.py, hooked into the reindex): two
articles whose body says the same once whitespace, punctuation, bylines,
datelines, copyright lines and share buttons are set aside are one article;
the later one is reported as a duplicate of the first and not indexed, in a
serial and a parallel build alike, and the summary still adds up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import search.indexer as indexer
from search.dedup import CopyFinder, body_fingerprint, core_text
from search.indexer import reindex
from search.service import SearchService

BODY = [
    "정부가 내년부터 전기차 보조금 지급 기준을 바꾸기로 했다.",
    "배터리 효율과 충전 속도가 높은 차에 보조금을 더 주는 방식이다.",
]


def test_core_text_ignores_spacing_punctuation_bylines_and_noise():
    copy = [
        "(서울=뉴스통신) 김철수 기자 = 정부가  내년부터 전기차 보조금 지급 기준을 바꾸기로 했다!",
        "배터리 효율과 충전 속도가 높은 차에, 보조금을 더 주는 방식이다.",
        "김철수 기자 kim@example.kr",
        "ⓒ 뉴스통신, 무단 전재 및 재배포 금지",
        "공유하기 페이스북 트위터 URL복사",
    ]
    assert core_text(copy) == core_text(BODY)
    assert body_fingerprint(copy) == body_fingerprint(BODY) is not None


def test_a_changed_word_or_sentence_is_another_text():
    assert body_fingerprint([BODY[0].replace("내년", "올해"), BODY[1]]) != body_fingerprint(BODY)
    assert body_fingerprint(BODY + ["업계는 환영했다."]) != body_fingerprint(BODY)
    assert body_fingerprint(BODY[:1]) != body_fingerprint(BODY)


def test_share_words_inside_a_sentence_are_text():
    with_word = ["페이스북이 새 서비스를 공개했다. 이용자 수가 크게 늘어날 것으로 업계는 내다봤다."]
    assert "페이스북" in core_text(with_word)


def test_short_bodies_are_never_copies():
    assert body_fingerprint(["사진"]) is None
    assert body_fingerprint([]) is None
    finder = CopyFinder()
    assert finder.copy_of(None, "a", "f") is None and finder.copy_of(None, "b", "f") is None


def test_copy_finder_names_the_first():
    finder = CopyFinder()
    assert finder.copy_of("x", "a", "one.jsonl") is None
    assert finder.copy_of("x", "a", "one.jsonl") is None  # the same article again is not its own copy
    assert finder.copy_of("x", "b", "two.jsonl") == "one.jsonl (same text as article a)"


# ---------------------------------------------------------------- in a reindex

def write(folder: Path, records: list[dict], name: str = "a.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder / name


def corpus_with_copies(folder: Path) -> None:
    original = {"id": "ev-1", "url": "https://a.example.kr/1", "title": "전기차 보조금 기준 바뀐다",
                "press": "가나일보", "published": "2024-01-02T09:00:00+09:00", "body": "\n".join(BODY)}
    copy = {"id": "ev-2", "url": "https://b.example.kr/9", "title": "[속보] 전기차 보조금 기준 변경",
            "press": "다라통신", "published": "2024-01-02T09:30:00+09:00",
            "body": "(서울=다라통신) 박영희 기자 = " + "\n".join(BODY) + "\n박영희 기자 park@b.example.kr\n"
                    "공유하기 페이스북 트위터"}
    other = {"id": "ev-3", "title": "전기차 보조금, 업계 반응", "press": "가나일보",
             "body": "\n".join(BODY) + "\n업계는 대체로 환영한다는 반응을 보였다."}
    fillers = [{"id": f"f{i}", "title": f"지역 소식 {i}", "body": f"지역 행사 {i}번째 소식을 전한다. " * 3 + str(i)}
               for i in range(12)]
    write(folder, [original] + fillers[:6] + [other])
    write(folder, fillers[6:] + [copy], name="b.jsonl")


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_a_copy_is_reported_and_indexed_once(tmp_path, monkeypatch, parallel):
    if parallel:
        monkeypatch.setattr(indexer, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(indexer, "BATCH_ARTICLES", 3)
    corpus_with_copies(tmp_path / "c")
    report = reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=2 if parallel else 1, progress=False)
    assert [(i, Path(s).name) for i, s, _ in report.duplicates] == [("ev-2", "b.jsonl")]
    [(_, _, kept)] = report.duplicates
    assert kept.endswith("a.jsonl line 1 (same text as article ev-1)")
    assert report.duplicate_lines == [7]
    assert report.articles_seen == 15
    assert report.articles_seen == report.indexed + report.unchanged + len(report.failed) + len(report.duplicates)
    assert report.total == report.indexed == 14
    service = SearchService(tmp_path / "ix")
    assert service.article("ev-2") is None
    assert {h.id for h in service.search("전기차 보조금").hits} == {"ev-1", "ev-3"}  # the near copy stays


def test_incremental_runs_keep_the_copy_out_until_the_original_changes(tmp_path):
    corpus_with_copies(tmp_path / "c")
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    # The copy's file is read again (it holds a duplicate); the original is not: its
    # fingerprint comes from the last generation.
    again = reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    assert [i for i, _, _ in again.duplicates] == ["ev-2"]
    assert again.articles_seen == again.indexed + again.unchanged + len(again.failed) + len(again.duplicates)
    assert again.total == 14 and SearchService(tmp_path / "ix").article("ev-2") is None
    # The original is rewritten: the copy is a copy of nothing now, and is indexed.
    first = tmp_path / "c" / "a.jsonl"
    lines = first.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["body"] = "정정: 보조금 기준 변경은 내후년으로 미뤄졌다. 정부는 업계 의견을 더 듣기로 했다."
    first.write_text("\n".join([json.dumps(record, ensure_ascii=False)] + lines[1:]) + "\n", encoding="utf-8")
    changed = reindex([tmp_path / "c"], index_dir=tmp_path / "ix", incremental=True, workers=1, progress=False)
    assert changed.duplicates == []
    assert changed.total == 15 and SearchService(tmp_path / "ix").article("ev-2") is not None


def test_the_summary_names_the_copy_and_the_original(tmp_path, capsys):
    from search.cli import main

    corpus_with_copies(tmp_path / "c")
    assert main(["reindex", "--quiet", "--workers", "1", "--index", str(tmp_path / "ix"), str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "15 articles read = 14 indexed + 0 unchanged + 0 failed + 1 duplicate" in out
    assert "article ev-2 in" in out and "same text as article ev-1" in out
    assert "b.jsonl line 7 is already indexed from " in out and "a.jsonl line 1 (same text as article ev-1)" in out


def test_a_copy_in_a_text_file_is_named_by_file_and_line(tmp_path, capsys):
    """A whole-file article starts on line 1; the summary and the JSON report say so."""
    from search.cli import main

    corpus_with_copies(tmp_path / "c")
    (tmp_path / "c" / "copy.txt").write_text("전기차 보조금 바뀐다\n\n" + "\n".join(BODY) + "\n", encoding="utf-8")
    report = reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    entry = {Path(d["source"]).name: d for d in report.to_dict()["duplicates"]}
    assert entry["copy.txt"]["line"] == 1 and entry["b.jsonl"]["line"] == 7
    assert entry["copy.txt"]["kept"].endswith("a.jsonl line 1 (same text as article ev-1)")
    assert main(["reindex", "--quiet", "--workers", "1", "--index", str(tmp_path / "iy"), str(tmp_path / "c")]) == 0
    assert "copy.txt line 1 is already indexed from " in capsys.readouterr().out


def test_real_copies_in_the_shared_corpus_are_reported(shared_data, tmp_path):
    source = shared_data / "news" / "ko_wikinews_boddari" / "wikinews.normalized.jsonl"
    if not source.exists():
        pytest.skip(f"{source} not found")
    report = reindex([source], index_dir=tmp_path / "ix", workers=1, progress=False)
    copies = {i: kept for i, _, kept in report.duplicates}
    # Found by hand: the Paris shooting report twice, 한국인 10명 중 9명… three times.
    assert copies["kowikinews-0627"].endswith("same text as article kowikinews-0626)")
    assert copies["kowikinews-0642"].endswith("same text as article kowikinews-0641)")
    assert copies["kowikinews-0643"].endswith("same text as article kowikinews-0641)")
    assert report.articles_seen == report.indexed + len(report.failed) + len(report.duplicates)
    service = SearchService(tmp_path / "ix")
    assert service.search("후쿠시마산 식품 세계시민").total == 1
