"""Korean analysis: content morphemes, lemmas, compounds, offsets, the user dictionary."""

import pickle

import pytest

from search.analysis.analyzer import KoreanAnalyzer, PreTokenized, analyze_terms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("삼성전자는", ["삼성", "전자"]),  # particle dropped, compound split
        ("삼성전자와", ["삼성", "전자"]),
        ("협력했다", ["협력"]),  # 하다-verb suffix and endings dropped
        ("나섰다", ["나서다"]),  # verb lemma from the expression field
        ("성장산업", ["성장", "산업"]),
        ("클라우드컴퓨팅", ["클라우드", "컴퓨팅"]),
        ("클라우드 컴퓨팅", ["클라우드", "컴퓨팅"]),
        ("MS와 AI", ["ms", "ai"]),  # Latin lower-cased
        ("뭘", ["무엇"]),
    ],
)
def test_terms(text, expected):
    assert analyze_terms(text) == expected


def test_user_dictionary_keeps_names_whole():
    assert analyze_terms("마이크로소프트의 사티아 나델라") == ["마이크로소프트", "사티아", "나델라"]


def test_hanja_is_also_indexed_by_its_reading():
    tokens = list(KoreanAnalyzer()("文 대통령", positions=True))
    assert [(t.text, t.pos) for t in tokens] == [("文", 0), ("문", 0), ("대통령", 1)]


def test_offsets_point_at_the_original_text():
    text = "이재용 삼성전자 부회장이 나섰다.\n마이크로소프트(MS)와 협력했다"
    for token in KoreanAnalyzer()(text, chars=True, positions=True):
        original = text[token.startchar:token.endchar]
        assert original, token.text
        assert token.text.lower() in original.lower() or token.text.endswith("다") or token.text == "문"
    spans = {t.text: text[t.startchar:t.endchar] for t in KoreanAnalyzer()(text, chars=True)}
    assert spans["삼성"] == "삼성" and spans["전자"] == "전자"
    assert spans["나서다"] == "나섰"
    assert spans["ms"] == "MS"


def test_text_that_mecab_cannot_take_is_still_analysed():
    text = "삼성\x00전자 \ud800 협력"
    terms = analyze_terms(text)
    assert "삼성" in terms and "협력" in terms


def test_analyzer_pickles_as_configuration_only():
    analyzer = KoreanAnalyzer()
    data = pickle.dumps(analyzer)
    assert len(data) < 2000
    assert b"Tagger" not in data
    assert pickle.loads(data) == analyzer


def test_pretokenized_values_are_replayed():
    analyzer = KoreanAnalyzer()
    tuples = analyzer.token_tuples("삼성전자는 협력했다")
    replayed = [(t.text, t.pos, t.startchar, t.endchar)
                for t in analyzer(PreTokenized("삼성전자는 협력했다", tuples), positions=True, chars=True)]
    assert replayed == tuples


def test_kiwi_backend_behind_the_same_interface():
    pytest.importorskip("kiwipiepy", reason="kiwipiepy is the optional second analyser")
    terms = analyze_terms("삼성전자는 협력했다", backend="kiwi")
    assert "협력" in terms and "는" not in terms
