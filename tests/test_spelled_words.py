"""A word that mecab-ko reads otherwise alone than in the article's sentence
still finds the articles that spell it (search.query.spelled): a lone 품고 is
a noun to mecab-ko, the article's 품고 있었다 is 품다 + 고.  The word is
matched by its character bigrams and the candidates' text is checked, so the
match is exact; the hits mark the word itself; words the index holds are
compiled as before."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from whoosh import query as Q

from search.index import BIGRAM_FIELD
from search.query import execute, run
from search.query.compile import compile_query
from search.query.parser import QueryParser
from search.query.spelled import SpelledWord, spelled_among, spelled_clauses, spelled_spans
from search.service import SearchService

from reindex_fixtures import index_of

ARTICLES = [
    {"id": "sp-dream", "title": "청년 창업가의 도전", "press": "한빛일보", "reporter": "오세린",
     "published": "2024-03-02T09:00:00+09:00",
     "body": "그는 오래전부터 작은 출판사를 차리겠다는 꿈을 가슴에 품고 있었다. 올해 마침내 첫 책을 냈다."},
    # 품 and 고 stand next to each other nowhere here: no 품고 bigram.
    {"id": "sp-quality", "title": "공장 품질 점검", "press": "한빛일보", "reporter": "오세린",
     "published": "2024-03-03T09:00:00+09:00",
     "body": "공장은 제품 품질을 점검하고 고객에게 결과를 알렸다. 고장 난 설비도 교체했다."},
    {"id": "sp-return", "title": "여덟 달 만의 무대", "press": "한빛일보", "reporter": "정다운",
     "published": "2024-04-02T09:00:00+09:00",
     "body": "밴드가 다시 무대에 선 것은 지난 봄 이후 여덟 달 만이다. 팬들은 공연장을 가득 채웠다."},
    # Holds both bigrams of 만이다 (지역만이, 결과이다) but never the word.
    {"id": "sp-apart", "title": "농가 소득 조사", "press": "한빛일보", "reporter": "정다운",
     "published": "2024-04-03T09:00:00+09:00",
     "body": "농가 소득이 늘어난 곳은 남부 지역만이 아니었다. 이는 정부 조사 결과이다."},
    {"id": "sp-stent", "title": "혈관 시술 새 재료", "press": "한빛일보", "reporter": "오세린",
     "published": "2024-05-02T09:00:00+09:00",
     "body": "연구팀은 혈관에 넣는 스텐트를 새 재료로 만들었다. 합조단은 사고 원인을 조사했다."},
    # 품고 in the title only.
    {"id": "sp-title", "title": "꿈을 품고 떠난 청년", "press": "한빛일보", "reporter": "정다운",
     "published": "2024-05-03T09:00:00+09:00", "body": "그는 스무 살에 고향을 떠나 서울로 갔다."},
]


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return SearchService(index_of(tmp_path_factory, "spelled", ARTICLES), cache_size=0)


# The articles that spell 품고: in the body, in the title.
SPELL_IT = {"sp-dream", "sp-title"}


def compiled(svc, q: str):
    generation = svc.generation()
    parser = generation.parser
    return parser.compile(parser.parse(q), searcher=run.vocabulary_of(generation))


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_a_lone_word_read_otherwise_finds_the_article_that_spells_it(svc):
    # The premise: alone, 품고 is one noun, which no article holds.
    clauses = spelled_clauses(compiled(svc, "품고").query)
    assert [(c.text, c.reading) for c in clauses] == [("품고", ("품고",))]
    result = svc.search("품고")
    assert result.total == 2 and set(ids(result)) == SPELL_IT
    hit = next(h for h in result.hits if h.id == "sp-dream")
    assert "<mark>품고</mark> 있었다" in hit.snippet


@pytest.mark.parametrize("typed", [
    "\"품고\"",  # quoted
    unicodedata.normalize("NFD", "품고"),  # decomposed, as pasted from a macOS file name
    "품\u200b고",  # split by a zero-width space
])
def test_the_same_word_typed_otherwise(svc, typed):
    assert set(ids(svc.search(typed))) == SPELL_IT


def test_a_particle_the_reader_added_is_taken_off_the_spelling(svc):
    # No article spells 품고를; sp-dream spells 품고.
    clauses = spelled_clauses(compiled(svc, "품고를").query)
    assert [c.text for c in clauses] == ["품고를", "품고"]
    result = svc.search("품고를")
    assert set(ids(result)) == SPELL_IT


def test_the_spelling_is_checked_not_only_the_bigrams(svc):
    # sp-apart holds 만이 and 이다, apart: the bigram clause alone would take it.
    clauses = spelled_clauses(compiled(svc, "만이다").query)
    assert [c.text for c in clauses] == ["만이다"]
    result = svc.search("만이다")
    assert ids(result) == ["sp-return"] and result.total == 1
    assert "<mark>만이다</mark>" in result.hits[0].snippet


def test_a_field_restricted_word_is_looked_for_in_that_field(svc):
    assert [c.part for c in spelled_clauses(compiled(svc, "제목:품고").query)] == ["title"]
    result = svc.search("제목:품고")
    assert ids(result) == ["sp-title"] and result.hits[0].title_html == "꿈을 <mark>품고</mark> 떠난 청년"
    assert [c.part for c in spelled_clauses(compiled(svc, "본문:품고").query)] == ["body"]
    assert ids(svc.search("본문:품고")) == ["sp-dream"]


def test_words_the_index_holds_compile_as_before(svc):
    for q in ("품질", "고객에게", "스텐트를", "밴드가 무대에"):
        assert spelled_clauses(compiled(svc, q).query) == [], q
    assert ids(svc.search("품질")) == ["sp-quality"]


def test_without_the_index_words_match_by_their_terms_only():
    parser = QueryParser()
    assert spelled_clauses(compile_query(parser.parse("품고"), parser).query) == []


def test_a_typo_still_finds_nothing(svc):
    # No article spells it either: the page stays empty for did-you-mean.
    result = svc.search("품고오")
    assert result.total == 0 and result.hits == []


def test_with_another_word_both_are_required(svc):
    result = svc.search("품고 출판사")
    assert result.total == 1 and [(h.id, h.missing) for h in result.hits] == [
        ("sp-dream", []), ("sp-title", ["출판사"])]  # the relaxed tier, once
    result = svc.search("품고 공장")  # no article has both: the relaxed tier shows each
    assert result.total == 0
    assert {"sp-dream", "sp-quality"} <= set(ids(result))


def test_the_spelled_word_is_marked_not_its_reading(svc):
    result = svc.search("품고")
    assert "품고" not in result.highlight_terms
    body = svc.highlighted_body("sp-dream", "품고")
    assert any("<mark>품고</mark>" in paragraph for paragraph in body)


def test_the_executor_and_whoosh_list_the_same_articles(svc):
    generation = svc.generation()
    searcher = generation.searcher()
    for q in ("품고", "만이다"):
        clause = spelled_clauses(compiled(svc, q).query)[0]
        fast = execute.matching_docs(searcher, generation.lookup(), clause)
        plain = np.array(sorted(searcher.docs_for_query(clause)), dtype=np.int64)
        assert fast.tolist() == plain.tolist() and len(fast) >= 1, q


def test_spelled_among_checks_every_candidate(svc):
    searcher = svc.generation().searcher()
    every = np.arange(searcher.doc_count_all(), dtype=np.int64)
    held = [searcher.stored_fields(int(d))["id"] for d in spelled_among(searcher, every, "만이다")]
    assert held == ["sp-return"]


def test_past_the_limit_candidates_are_kept_unchecked(svc, monkeypatch):
    from search.query import spelled
    searcher = svc.generation().searcher()
    every = np.arange(searcher.doc_count_all(), dtype=np.int64)
    monkeypatch.setattr(spelled, "CHECK_BATCH", 2)
    monkeypatch.setattr(spelled, "CHECKED_CANDIDATES", 3)
    checked = [searcher.stored_fields(int(d))["id"] for d in every[:3]]
    held = [searcher.stored_fields(int(d))["id"] for d in spelled_among(searcher, every, "만이다")]
    assert held == [i for i in checked if i == "sp-return"] + [
        searcher.stored_fields(int(d))["id"] for d in every[3:]]
    # Out of time after the first batch: the rest kept as the bigrams found them.
    monkeypatch.setattr(spelled, "CHECKED_CANDIDATES", 100)
    monkeypatch.setattr(spelled, "deadline_passed", lambda: True)
    held = [searcher.stored_fields(int(d))["id"] for d in spelled_among(searcher, every, "만이다")]
    first_two = [searcher.stored_fields(int(d))["id"] for d in every[:2]]
    assert held == [i for i in first_two if i == "sp-return"] + [searcher.stored_fields(int(d))["id"] for d in every[2:]]


def test_spans_are_found_as_normalised_and_placed_in_the_text():
    text = "가슴에 ｐｏｓｔ 품고 있었다, 품고"
    assert spelled_spans(text, ["품고"]) == [(9, 11), (17, 19)]
    assert spelled_spans(text, ["post"]) == [(4, 8)]
    assert spelled_spans(text, []) == []


def test_the_clause_survives_rewrapping():
    clause = SpelledWord("품고", Q.Term(BIGRAM_FIELD, "품고"), ("품고",))
    rewrapped = clause.apply(lambda child: Q.Term(BIGRAM_FIELD, child.text))
    assert isinstance(rewrapped, SpelledWord) and rewrapped == clause and rewrapped.reading == ("품고",)
