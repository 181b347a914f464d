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


@pytest.fixture(scope="module")
def real_news(shared_data) -> list[str]:
    """The first paragraphs of the shared real corpora's articles."""
    texts = []
    for path in sorted((shared_data / "news").glob("*/*.normalized.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                body = json.loads(line).get("body") or ""
                texts.extend(p for p in body.split("\n")[:4] if p.strip())
    if not texts:
        pytest.skip(f"no *.normalized.jsonl news corpus under {shared_data / 'news'}")
    return texts


@pytest.fixture(scope="module")
def real_news_forms(analyzer, real_news):
    return noun_particle_forms(real_news, analyzer)


def test_noun_particle_forms_of_real_news(analyzer, real_news_forms):
    assert len(real_news_forms) >= 500
    rate, wrong = agreement(real_news_forms, analyzer)
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


# -- a word the index does not hold, read again without its particle

ARTICLE_SENTENCES = [
    '“화가 마니”라는 토포스가 전혀 언급되지 않는다.',  # 토포스 is 토 + 포스 here
    "일본 정부는 안중근은 테러리스트라고 주장했다.",
    "부전-마산 복선전철이 올해도 개통하지 못했다.",
    "코타나 한국어 지원이 곧 시작된다.",
    "재판부는 이석기 의원에게 징역형을 선고했다. 석기 시대의 유물이 이 박물관에 있다.",
    "[이달의 과학기술자상] 기계공학에 재료과학 더해",
    "나로호 하단부 제작사가 로켓을 만든다.",
    "삼성전자가 반도체 투자를 늘렸다. 도로 공사가 시작됐다. 속도를 줄였다.",
]


class IndexOf:
    """What an index of `sentences` holds, as a query asks it (`known`): a
    term anywhere, several terms at consecutive positions of one sentence."""

    def __init__(self, analyzer, sentences):
        self.positions = []
        for sentence in sentences:
            by_position: dict[int, set] = {}
            for term, pos, _, _ in analyzer.token_tuples(sentence):
                by_position.setdefault(pos, set()).add(term)
            self.positions.append(by_position)
        self.asked = []

    def __call__(self, terms):
        self.asked.append(terms)
        for by_position in self.positions:
            for first in by_position:
                if all(term in by_position.get(first + i, ()) for i, term in enumerate(terms)):
                    return True
        return False


@pytest.fixture(scope="module")
def index_of(analyzer):
    return IndexOf(analyzer, ARTICLE_SENTENCES)


def _in_text(analyzer, noun):
    sentence = next(s for s in ARTICLE_SENTENCES if noun in s)
    at = sentence.index(noun)
    return [t[0] for t in analyzer.token_tuples(sentence) if at <= t[2] < at + len(noun)]


@pytest.mark.parametrize("word, noun", [
    ("토포스로", "토포스"),  # the carrier reads 토포 + 스로
    ("안중근으로", "안중근"),  # the carrier reads 안 + 중근 + 으로
    ("마산만", "마산"),  # the carrier reads 마산만, the bay
    ("마산만의", "마산"),
    ("이석기에서", "이석기"),  # the carrier reads 이 + 석기: both in the index, never together
    ("과학기술자상으로", "과학기술자상"),  # the carrier reads 과학 + 기술자 + a suffix
    ("하단부에", "하단부"),  # the carrier reads 하 (an interjection) + 단부
    ("하단부", "하단부"),  # no particle: the word itself, after a determiner
])
def test_a_word_the_index_does_not_hold_is_read_again(analyzer, index_of, word, noun):
    first = tuple(t[0] for t in analyzer.query_token_tuples(word))
    expected = _in_text(analyzer, noun)
    assert list(first) != expected  # why it is read again
    assert [t[0] for t in analyzer.query_token_tuples(word, index_of)] == expected


def test_a_particle_mecab_reads_inside_a_name(analyzer, index_of):
    # The article's 코타나 is 코타 + the particle 나: 코타로 is 코타 + 로.
    assert _in_text(analyzer, "코타나")[0] == "코타"
    assert [t[0] for t in analyzer.query_token_tuples("코타로", index_of)] == ["코타"]


def test_a_word_the_index_holds_is_never_read_again(analyzer, index_of):
    # 도로 ends in the particle 로 and 속도를 in 를 after 속도: both are read as in the text.
    for word in ("도로", "속도를", "삼성전자가", "반도체", "이석기"):
        assert analyzer.query_token_tuples(word, index_of) == analyzer.query_token_tuples(word)


def test_the_index_is_asked_for_a_phrase_only_when_a_stem_reads_otherwise(analyzer, index_of):
    index_of.asked.clear()
    analyzer.query_token_tuples("반도체 삼성전자", index_of)
    analyzer.query_token_tuples("미국의 정부는 서울로 삼성전자가", index_of)  # each stem reads as its word
    assert [terms for terms in index_of.asked if len(terms) > 1] == []
    analyzer.query_token_tuples("이석기에서", index_of)  # 이 + 석기: both terms known
    assert ("이", "석기") in index_of.asked


def test_a_typo_keeps_its_terms_for_did_you_mean(analyzer, index_of):
    # Neither 삼성젼자 nor its stem is in the index: the terms stay as read, so
    # the query finds nothing and did-you-mean offers 삼성전자.
    for word in ("삼성젼자", "삼성젼자가", "삼성젼자로"):
        terms = [t[0] for t in analyzer.query_token_tuples(word, index_of)]
        assert terms == [t[0] for t in analyzer.query_token_tuples(word)]
        assert "젼" in terms


def test_a_word_read_again_keeps_its_place_in_the_query(analyzer, index_of):
    query = "마산만의 토포스를 삼성전자"
    tokens = analyzer.query_token_tuples(query, index_of)
    assert [t[0] for t in tokens] == ["마산", "토", "포스", "삼성", "전자"]
    assert [t[1] for t in tokens] == [0, 1, 2, 3, 4]
    assert [query[t[2]:t[3]] for t in tokens] == ["마산", "토", "포스", "삼성", "전자"]


def test_a_word_pasted_decomposed_or_split_is_read_again_too(analyzer, index_of):
    import unicodedata

    for query in (unicodedata.normalize("NFD", "토포스로"), "토포\u200b스로", unicodedata.normalize("NFD", "안중근으로")):
        tokens = analyzer.query_token_tuples(query, index_of)
        composed = unicodedata.normalize("NFC", query.replace("\u200b", ""))
        assert [t[0] for t in tokens] == [t[0] for t in analyzer.query_token_tuples(composed, index_of)]
        # offsets are the pasted text's own characters
        assert "".join(unicodedata.normalize("NFC", query[t[2]:t[3]]).replace("\u200b", "") for t in tokens) \
            == composed[: -2 if composed.endswith("으로") else -1]


def test_a_reading_that_leaves_a_syllable_unread_is_not_taken(analyzer):
    # After a determiner, 고연정 (a reporter's name) reads as 연정 alone: the
    # index holding 연정 (a coalition) is no reason to search for it.
    index = IndexOf(analyzer, ["여야가 연정을 논의했다."])
    assert [t[0] for t in analyzer.query_token_tuples("고연정", index)] == \
        [t[0] for t in analyzer.query_token_tuples("고연정")]


def test_a_stem_the_index_lacks_too_leaves_the_word_as_read(analyzer):
    index = IndexOf(analyzer, ["토포스가 언급된다."])  # no 마산
    assert analyzer.query_token_tuples("마산만", index) == analyzer.query_token_tuples("마산만")


def test_reading_again_with_the_corpus_itself_never_loses_agreement(analyzer, real_news, real_news_forms):
    vocabulary, pairs = set(), set()
    for text in real_news:
        tokens = analyzer.token_tuples(text)
        vocabulary.update(t[0] for t in tokens)
        pairs.update((a[0], b[0]) for a, b in zip(tokens, tokens[1:]) if b[1] == a[1] + 1)
    forms = real_news_forms

    def known(terms):  # every term, and each neighbouring pair, somewhere in the texts
        return all(t in vocabulary for t in terms) and all(p in pairs for p in zip(terms, terms[1:]))

    worse = []
    better = 0
    for word, expected in forms.items():
        plain = tuple(t[0] for t in analyzer.query_token_tuples(word))
        again = tuple(t[0] for t in analyzer.query_token_tuples(word, known))
        worse += [(word, expected, again)] if plain == expected and again != expected else []
        better += plain != expected and again == expected
    assert not worse, worse[:10]
    assert better >= 1  # 아오모리를, 서창만, … as in their sentences


def _service_over(tmp_path, records):
    from search.indexer import reindex
    from search.service import SearchService

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    reindex([corpus], index_dir=tmp_path / "index", workers=1)
    return SearchService(tmp_path / "index")


def test_a_noun_with_a_particle_the_carrier_misreads_finds_its_article(tmp_path):
    service = _service_over(tmp_path, [
        {"id": "t-1", "title": "마니의 그림", "press": "예시일보", "published": "2024-03-01",
         "body": "“화가 마니”라는 토포스가 전혀 언급되지 않는다."},
        {"id": "t-2", "title": "부전-마산 복선전철 개통 지연", "press": "예시일보", "published": "2024-03-02",
         "body": "복선전철이 올해도 개통하지 못했다."},
    ])
    assert [h.id for h in service.search("토포스로").hits] == ["t-1"]
    assert [h.id for h in service.search("마산만").hits] == ["t-2"]


def test_a_typo_is_still_corrected(tmp_path):
    service = _service_over(tmp_path, [
        {"id": "s-1", "title": "삼성전자 반도체 투자", "press": "예시일보", "published": "2024-03-01",
         "body": "삼성전자가 반도체 투자를 늘렸다."},
    ])
    for typed in ("삼성젼자", "삼성젼자가"):
        result = service.search(typed)
        assert [h.id for h in result.hits] == ["s-1"]
        assert result.rewritten_from == typed  # shown as 삼성전자(으)로 검색한 결과
