"""The query-forms benchmark builds the queries a reader would type from an
article's own record (benchmarks/query_forms.py; its numbers are in the README)."""

from __future__ import annotations

import random
import re

from benchmarks.query_forms import _nouns, _with_particle, build_queries

RECORDS = [
    {"id": "a1", "title": '국토부 장관 "집값 반드시 잡겠다"', "press": "예시일보", "reporter": "김민지",
     "body": "국토교통부 장관이 집값 안정을 약속했다. 장관은 집값 대책을 곧 내놓겠다고 말했다."},
    {"id": "a2", "title": "서울시, 버스 요금 인상", "press": None, "reporter": ["박준호", "이서연"],
     "body": "서울시가 버스 요금을 올린다. 버스 요금 인상은 8년 만이다."},
    {"id": "a3", "title": None, "body": "제목 없는 기사의 본문이다. 축제가 열린다."},
]


def test_every_form_a_reader_types():
    queries = build_queries(RECORDS, sample=0, seed=1)
    by_form = {}
    for form, q, targets, reporter in queries:
        by_form.setdefault(form, []).append((q, sorted(targets), reporter))
    assert by_form["headline"][0] == ('국토부 장관 "집값 반드시 잡겠다"', ["a1"], "")
    assert by_form["headline - press"] == [('국토부 장관 "집값 반드시 잡겠다" - 예시일보', ["a1"], "")]  # a2 has no press
    assert ("국토부 장관 집값 반드시 잡겠다", ["a1"], "") in by_form["headline bare"]
    assert ("서울시 버스 요금 인상", ["a2"], "") in by_form["headline bare"]
    assert {q for q, _, _ in by_form["reporter"]} == {"김민지", "박준호"}
    assert all(len(q.split()) == 2 for q, _, _ in by_form["two nouns"])
    assert len(by_form["noun+particle"]) == 3
    # Only records with a title of their own get headline queries.
    assert all(targets != ["a3"] for q, targets, _ in by_form["headline"])


def test_particles_follow_the_final_consonant():
    rng = random.Random(0)
    for _ in range(50):
        word = _with_particle("미국", rng)
        assert word[2:] in ("의", "은", "이", "을", "에", "에서", "과", "도", "으로", "까지", "에게", "만")
        word = _with_particle("서울", rng)
        assert word[2:] != "으로"  # 서울로
        word = _with_particle("정부", rng)
        assert word[2:] in ("의", "는", "가", "를", "에", "에서", "와", "도", "로", "까지", "에게", "만")


def test_nouns_written_together_stay_one_noun():
    assert "버스요금" in _nouns("버스요금이 올랐다")


def test_a_salient_noun_is_a_word_the_reader_sees():
    # mecab reads 트와이스 as 트 + 와 + 이스: the reader sees (and types) 트와이스.
    assert "트와이스" in _nouns("트와이스는 신곡을 냈다") and "이스" not in _nouns("트와이스는 신곡을 냈다")
    # A word whose noun is followed by something other than particles gives
    # none (카르브러 is read 카르 + a verb ending; no reader types 카르).
    assert "카르" not in _nouns("아들 카르브러가 왔다")
    # Punctuation ends a word: 부전-마산 holds 마산, a title's brackets hold none.
    assert _nouns("부전-마산 복선전철") == ["부전", "마산", "복선전철"]
    assert _nouns("[이달의 과학기술자상] 발표") == ["이달", "과학기술자상", "발표"]



def test_a_word_as_written_is_answered_by_every_article_that_spells_it():
    queries = [(q, sorted(t)) for form, q, t, _ in build_queries(RECORDS, sample=0, seed=1) if form == "word as written"]
    assert len(queries) == 3  # one per record with a body
    texts = {r["id"]: (r.get("title") or "") + "\n" + r["body"] for r in RECORDS}
    for (q, targets), record in zip(queries, RECORDS):
        assert q in record["body"]  # a word of its own body
        assert targets == sorted(i for i, t in texts.items() if q in t) and record["id"] in targets
    # 만이다 style words keep their endings: a run of syllables, not a noun.
    assert all(re.fullmatch(r"[가-힣]{2,}", q) for q, _ in queries)
