"""The compiler without an index: a parsed query and an analyzer in, a frozen
CompiledQuery out, with the terms, phrases, filters and exclusions a reader
would name, and no attribute hung on a Whoosh object."""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from whoosh import query as Q

from search.query.compile import CompiledQuery, compile_query
from search.query.parser import QueryParser
from search.query.syntax import parse
from search.query.tree import Exact, Period

PARSER = QueryParser()


def compiled(text: str) -> CompiledQuery:
    return compile_query(parse(text), PARSER)


def test_keyword_words_are_required_and_ranked():
    c = compiled("정부 수출")
    assert not c.question
    assert set(c.required_terms) == {"정부", "수출"}
    assert set(c.proximity_terms) == {"정부", "수출"}
    assert c.optional_terms == ()
    # The constraint decides the matches, the ranking only adds to their scores.
    assert isinstance(c.query, Q.AndMaybe) and c.constraint is not None and c.ranking is not None


def test_a_question_requires_nothing_and_drops_its_interrogative():
    c = compiled("삼성전자는 무엇을 만드나?")
    assert c.question
    assert c.required_terms == () and c.constraint is None
    assert "무엇" not in c.proximity_terms and "삼성" in c.optional_terms
    assert c.query is not None and c.query.matcher_type == Q.Or.ARRAY_MATCHER  # scored in full


def test_a_quoted_phrase_keeps_its_morphemes_in_order():
    c = compiled('"기술 협력" 정부')
    assert ("기술", "협력") in c.phrases
    assert {"기술", "협력", "정부"} <= set(c.required_terms)


def test_filters_and_exclusions_are_named():
    c = compiled("정부 -태풍 기자:김민지 날짜:2018-11")
    assert "태풍" in c.excluded_terms and "태풍" not in c.proximity_terms
    assert Exact("reporter", "김민지") in c.filters
    assert Period(date(2018, 11, 1), date(2018, 11, 30)) in c.filters
    assert c.required_terms == ("정부",)


def test_nothing_searchable_compiles_to_no_query():
    for text in ["", "은는이가", "AND OR NOT"]:
        c = compiled(text)
        assert c.query is None and c.ranking is None, text


def test_the_value_is_frozen_and_the_query_carries_no_extra_attribute():
    c = compiled("정부 수출")
    with pytest.raises(FrozenInstanceError):
        c.proximity_terms = ("x",)
    assert not hasattr(c.query, "proximity_terms")


def test_the_same_text_compiles_to_an_equal_query():
    # Pure: nothing but the text and the analyzer decides the result.
    assert compiled("(삼성 OR 엘지) 반도체 -협력").query == compiled("(삼성 OR 엘지) 반도체 -협력").query
    assert compiled("삼성 반도체").query != compiled("엘지 반도체").query


class Vocabulary:
    """A vocabulary without an index: a reporter, a press and term counts."""

    schema = ("reporter", "press")

    def __init__(self, frequencies, total=100):
        self.frequencies = frequencies
        self.total = total

    def doc_frequency(self, field, text):
        return self.frequencies.get((field, text), 0)

    def doc_count_all(self):
        return self.total


def test_a_vocabulary_adds_bylines_and_cuts_common_words_from_the_ranking():
    vocab = Vocabulary({("reporter", "김민지"): 3, ("content", "정부"): 90, ("content", "수출"): 5})
    c = compile_query(parse("김민지 정부 수출"), PARSER, vocab)
    assert c.reporter_names == frozenset({"김민지"})
    ranked = {q.text for q in c.ranking.subqueries if isinstance(q, Q.Term) and q.fieldname == "content"}
    assert "수출" in ranked and "정부" not in ranked  # in 90% of the articles: not ranked
    assert "정부" in c.required_terms  # still required
    assert any(isinstance(q, Q.ConstantScoreQuery) and q.child == Q.Term("reporter", "김민지")
               for q in c.ranking.subqueries)


def test_and_is_a_connector_and_not_excludes_the_next_word():
    assert compiled("정부 AND 수출").query == compiled("정부 수출").query
    assert compiled("정부 NOT 태풍").query == compiled("정부 -태풍").query


def test_particles_in_pairs_are_no_word_but_real_words_of_those_syllables_are():
    assert parse("은는이가").node is None and parse("을를").node is None
    assert compiled("가을").required_terms and compiled("도로").required_terms
