"""A word typed alone as a query gets the terms it gets inside a sentence
(KoreanAnalyzer.query_token_tuples), and the query parser analyses with it."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from search.analysis.analyzer import KoreanAnalyzer
from search.analysis.morphology import get_backend
from search.query.parser import QueryParser
from search.query.tree import Text

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "particle_sentences.txt"
NOUN_TAGS = {"NNG", "NNP"}


@pytest.fixture(scope="module")
def analyzer():
    return KoreanAnalyzer()


def noun_particle_forms(texts, analyzer) -> dict[str, tuple[str, ...]]:
    """Every word of `texts` that the analyser reads, in its sentence, as one or
    more nouns followed by particles only (미국의, 정부는, 서울시와), with the
    terms it gets there (the most frequent reading where it occurs often)."""
    backend = get_backend("mecab")
    readings: dict[str, Counter] = {}
    for text in texts:
        morphemes = backend.analyze_tuples(text)
        terms = analyzer.token_tuples(text)
        for match in re.finditer(r"\S+", text):
            start, end = match.span()
            inside = [m for m in morphemes if m[2] >= start and m[3] <= end]
            if len(inside) < 2 or inside[0][2] != start or inside[-1][3] != end:
                continue  # punctuation around the word, or not a noun + particle
            if not all("\uac00" <= m[0][0] <= "\ud7a3" for m in inside):
                continue
            tags = [m[1] for m in inside]
            nouns = 0
            while nouns < len(tags) and tags[nouns] in NOUN_TAGS:
                nouns += 1
            if nouns == 0 or nouns == len(tags) or not all(t.startswith("J") for t in tags[nouns:]):
                continue
            in_sentence = tuple(t[0] for t in terms if t[2] >= start and t[3] <= end)
            readings.setdefault(match.group(), Counter())[in_sentence] += 1
    return {word: counts.most_common(1)[0][0] for word, counts in readings.items()}


def agreement(forms: dict[str, tuple[str, ...]], analyzer) -> tuple[float, list]:
    wrong = []
    for word, expected in sorted(forms.items()):
        alone = tuple(t[0] for t in analyzer.query_token_tuples(word))
        if alone != expected:
            wrong.append((word, expected, alone))
    return 1 - len(wrong) / len(forms), wrong


@pytest.mark.parametrize("word, terms", [
    ("미국의", ["미국"]), ("한국의", ["한국"]), ("경찰의", ["경찰"]), ("일본의", ["일본"]),
    ("국회의", ["국회"]), ("법원의", ["법원"]), ("학생과", ["학생"]), ("정부는", ["정부"]),
    ("서울시와", ["서울", "시"]), ("삼성전자가", ["삼성", "전자"]), ("나섰다", ["나서다"]),
])
def test_a_lone_word_with_its_particle_gets_its_in_sentence_terms(analyzer, word, terms):
    assert [t[0] for t in analyzer.query_token_tuples(word)] == terms


def test_lone_genitives_were_misread_without_the_context(analyzer):
    # What the carrier context is for: the plain analysis of the text alone.
    assert [t[0] for t in analyzer.token_tuples("미국의")] != ["미국"]


def test_query_tokens_are_numbered_and_placed_in_the_query_itself(analyzer):
    query = "미국의 금리 인상"
    tokens = analyzer.query_token_tuples(query)
    assert [t[0] for t in tokens] == ["미국", "금리", "인상"]
    assert [t[1] for t in tokens] == [0, 1, 2]
    assert [query[t[2]:t[3]] for t in tokens] == ["미국", "금리", "인상"]
    assert analyzer.query_token_tuples("") == [] and analyzer.query_token_tuples("  ") == []


def test_noun_particle_forms_of_our_own_sentences(analyzer):
    sentences = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    forms = noun_particle_forms(sentences, analyzer)
    assert len(forms) >= 100
    rate, wrong = agreement(forms, analyzer)
    assert rate >= 0.99, wrong


def test_noun_particle_forms_of_real_news(analyzer, shared_data):
    texts = []
    for path in sorted((shared_data / "news").glob("*/*.normalized.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                body = json.loads(line).get("body") or ""
                texts.extend(p for p in body.split("\n")[:4] if p.strip())
    if not texts:
        pytest.skip(f"no *.normalized.jsonl news corpus under {shared_data / 'news'}")
    forms = noun_particle_forms(texts, analyzer)
    assert len(forms) >= 500
    rate, wrong = agreement(forms, analyzer)
    assert rate >= 0.99, (rate, wrong[:20])


def test_the_query_parser_analyses_words_in_context():
    parser = QueryParser()
    assert parser.terms_by_position(Text("미국의")) == [["미국"]]
    # A word of a longer query is picked out of the query's own analysis.
    source = "판결 법원의"
    assert parser.terms_by_position(Text("법원의", span=(3, 6)), source) == [["법원"]]
    assert parser.terms_by_position(Text("판결", span=(0, 2)), source) == [["판결"]]


def test_a_genitive_query_finds_the_article(tmp_path):
    from search.indexer import reindex
    from search.service import SearchService

    records = [
        {"id": "qa-1", "title": "금리 인상 발표", "press": "예시일보", "published": "2024-03-01",
         "body": "미국의 중앙은행이 금리를 올렸다. 한국 증시가 흔들렸다."},
        {"id": "qa-2", "title": "법원 판결 나와", "press": "예시일보", "published": "2024-03-02",
         "body": "법원의 판결에 피고인이 항소했다."},
    ]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    reindex([corpus], index_dir=tmp_path / "index", workers=1)
    service = SearchService(tmp_path / "index")
    assert [h.id for h in service.search("미국의").hits] == ["qa-1"]
    assert [h.id for h in service.search("법원의").hits] == ["qa-2"]
    assert [h.id for h in service.search("미국의 금리").hits] == ["qa-1"]
