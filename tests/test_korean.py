"""Hangul arithmetic and the Korean analysis filters behind the conveniences."""

import pytest
from hypothesis import given, strategies as st

from search.analysis.aliases import AliasFileError, AliasTable, alias_groups
from search.analysis.analyzer import analyze_terms
from search.analysis.derived import bigrams, initials_from_tokens, words_from_tokens
from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.hanja import hanja_reading
from search.analysis.numbers import split_amount
from search.korean import (
    hangul_to_keys, initials_of, is_hangul_word, is_initials_query, jamo, jamo_distance, join_syllable, keys_to_hangul,
    split_syllable,
)


def test_syllables_split_and_join():
    assert split_syllable("각") == ("ㄱ", "ㅏ", "ㄱ")
    assert split_syllable("A") == ("A", "", "")
    assert join_syllable("ㅎ", "ㅏ", "ㄴ") == "한"


def test_initials():
    assert initials_of("삼성전자") == "ㅅㅅㅈㅈ"
    assert initials_of("이재용") == "ㅇㅈㅇ"
    assert is_initials_query("ㅇㅈㅇ")
    assert not is_initials_query("ㅇ") and not is_initials_query("ㅇ재ㅇ") and not is_initials_query("ㅏㅓ")


@pytest.mark.parametrize("keys, hangul", [
    ("tkatjdwjswk", "삼성전자"), ("skepffk", "나델라"), ("dlwodyd", "이재용"),
    ("dkssudgktpdy", "안녕하세요"), ("ekfrdl", "닭이"), ("rhkdrh", "광고"), ("Tkd", "쌍"),
])
def test_keys_typed_on_the_latin_layout(keys, hangul):
    assert keys_to_hangul(keys) == hangul


def test_keys_that_are_not_a_layout_typo():
    assert keys_to_hangul("samsung!") is None  # '!' is no 두벌식 key
    assert keys_to_hangul("apple") == "메ㅔㅣㄷ"  # leaves bare jamo: callers reject it
    assert not is_hangul_word(keys_to_hangul("apple"))


@given(st.text(alphabet="가나다라마바사아자차카타파하각난닭삶쌍왜웬의", min_size=1, max_size=8))
def test_layout_round_trip(word):
    assert keys_to_hangul(hangul_to_keys(word)) == word


def test_jamo_distance_sees_one_key_slips():
    assert jamo("왕") == "ㅇㅗㅏㅇ"
    assert jamo_distance("삼성젼자", "삼성전자") == 1
    assert jamo_distance("나델러", "나델라") == 1
    assert jamo_distance("삼성전자", "엘지전자") > 2
    assert jamo_distance("삼성전자", "엘지전자", limit=1) == 2  # stops early, reports limit + 1


@pytest.mark.parametrize("glued, spaced", [("180조원", "180조 원"), ("3천만원", "3천만 원"), ("5만명", "5만 명")])
def test_amounts_read_the_same_glued_or_spaced(glued, spaced):
    assert analyze_terms(glued) == analyze_terms(spaced)
    assert "조원" not in analyze_terms(glued)


def test_split_amount():
    assert split_amount("조원") == ["조", "원"]
    assert split_amount("천만") == ["천", "만"]
    assert split_amount("조합") == []  # not an amount
    assert split_amount("원") == []  # already one piece


def test_an_amount_word_is_split_only_after_a_number():
    assert "조원" in analyze_terms("팀의 조원들이 모였다")


@pytest.mark.parametrize("compound, spaced", [("4차산업혁명", "4차 산업 혁명"), ("데이터센터", "데이터 센터")])
def test_spacing_does_not_change_the_terms(compound, spaced):
    assert analyze_terms(compound) == analyze_terms(spaced)


def test_hanja_without_a_dictionary_reading_gets_one_from_the_table():
    assert hanja_reading("電") == "전"
    assert hanja_reading("電子") == "전자"
    assert hanja_reading("電\u9fa5") is None  # an unknown character: no guess
    tokens = [(t.text, t.pos) for t in KoreanAnalyzer()("삼성電 실적", positions=True)]
    assert ("電", 1) in tokens and ("전", 1) in tokens


def test_user_dictionary_words():
    assert analyze_terms("5G 통신") == ["5g", "통신"]
    assert analyze_terms("사티아 나델라가") == ["사티아", "나델라"]


def test_bigrams_of_runs():
    assert [g for g, _, _ in bigrams("멜라놉신은 MS의 5G")] == ["멜라", "라놉", "놉신", "신은", "ms", "의", "5g"]


def test_words_and_initials_from_tokens():
    text = "이재용 삼성전자 부회장이 나섰다"
    tokens = KoreanAnalyzer().token_tuples(text)
    words = words_from_tokens(text, tokens)
    assert "삼성전자" in words and "이재용" in words and "부회장" in words
    assert "삼성전자이" not in words
    assert set(initials_from_tokens(text, tokens)) >= {"ㅇㅈㅇ", "ㅅㅅㅈㅈ", "ㅂㅎㅈ"}


def test_alias_file_format():
    groups = alias_groups("# comment\nAI, 인공지능\n\nMS,마이크로소프트 # trailing\n")
    assert groups == [["AI", "인공지능"], ["MS", "마이크로소프트"]]
    with pytest.raises(AliasFileError, match=r"aliases.txt:2"):
        alias_groups("AI, 인공지능\n외톨이\n")


def test_alias_table_matches_analysed_forms():
    table = AliasTable([["AI", "인공지능"], ["SK하이닉스", "하이닉스"]], lambda w: tuple(analyze_terms(w)))
    assert [w for w, _ in table.aliases(("ai",))] == ["인공지능"]
    assert [w for w, _ in table.aliases(tuple(analyze_terms("인공지능은")))] == ["AI"]
    assert [w for w, _ in table.aliases(("하이닉스",))] == ["SK하이닉스"]


def test_shipped_aliases_parse():
    groups = alias_groups()
    assert ["AI", "인공지능"] in groups and ["MS", "마이크로소프트"] in groups and ["SK하이닉스", "하이닉스"] in groups
