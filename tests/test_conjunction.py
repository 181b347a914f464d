"""`SkippingAnd` and `CheckedPhrases` (search.conjunction) match exactly what
Whoosh's own `And` and `Phrase` match, on a seeded random corpus split over
several segments."""

import random

import pytest
from whoosh import query as Q
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.analysis import SpaceSeparatedTokenizer

from search.conjunction import CheckedPhrases, SkippingAnd

WORDS = "대한 민국 출시 한국 정부 경제 성장 삼성 전자 협력".split()


@pytest.fixture(scope="module")
def searcher():
    schema = Schema(id=ID(stored=True), content=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True),
                    title=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True))
    ix = RamStorage().create_index(schema)
    rng = random.Random(7)
    number = 0
    for _ in range(3):  # three segments, so matching runs per segment with offsets
        writer = ix.writer()
        for _ in range(400):
            # Skewed word choice: some words common, some rare, some pairs often adjacent.
            words = rng.choices(WORDS, weights=[30, 28, 3, 12, 10, 8, 6, 5, 5, 2], k=rng.randint(3, 25))
            writer.add_document(id=str(number), content=" ".join(words), title=" ".join(words[:3]))
            number += 1
        writer.commit(merge=False)
    with ix.searcher() as s:
        assert len(s.leaf_searchers()) == 3
        yield s


def ids(searcher, query):
    return sorted(searcher.docs_for_query(query))


def test_and_lists_the_same_documents(searcher):
    rng = random.Random(11)
    for _ in range(60):
        terms = [Q.Term("content", w) for w in rng.sample(WORDS, rng.randint(2, 4))]
        expected = ids(searcher, Q.And(terms))
        assert ids(searcher, SkippingAnd(terms)) == expected
    # Nested: an OR inside, as alias alternatives make them.
    nested = [Q.Or([Q.Term("content", "한국"), Q.Term("content", "출시")]), Q.Term("content", "정부")]
    assert ids(searcher, SkippingAnd(nested)) == ids(searcher, Q.And(nested))
    assert ids(searcher, SkippingAnd(nested))  # not vacuous


def test_phrases_and_the_rest_match_as_whoosh_does(searcher):
    rng = random.Random(13)
    nonempty = 0
    for _ in range(80):
        phrase = tuple(rng.sample(WORDS[:6], rng.randint(2, 3)))
        others = [Q.Term("content", w) for w in rng.sample(WORDS, rng.randint(0, 2))]
        expected = ids(searcher, Q.And([Q.Phrase("content", list(phrase))] + others)) if others else \
            ids(searcher, Q.Phrase("content", list(phrase)))
        assert ids(searcher, CheckedPhrases([("content", phrase)], others)) == expected, (phrase, others)
        nonempty += bool(expected)
    assert nonempty > 20  # the comparison covered real matches, not only empty sets


def test_two_phrases_in_two_fields(searcher):
    query = CheckedPhrases([("content", ("대한", "민국")), ("title", ("한국", "정부"))])
    expected = ids(searcher, Q.And([Q.Phrase("content", ["대한", "민국"]), Q.Phrase("title", ["한국", "정부"])]))
    assert expected and ids(searcher, query) == expected


def test_a_repeated_word_must_repeat(searcher):
    expected = ids(searcher, Q.Phrase("content", ["대한", "대한"]))
    assert ids(searcher, CheckedPhrases([("content", ("대한", "대한"))])) == expected


def test_an_unknown_word_matches_nothing(searcher):
    assert ids(searcher, CheckedPhrases([("content", ("대한", "없는말"))])) == []
    assert ids(searcher, CheckedPhrases([("nofield", ("대한", "민국"))])) == []


def test_top_documents_are_reached_through_skip_to(searcher):
    # Used inside other matchers (AndNot, AndMaybe) the matcher is advanced
    # with skip_to; the documents reached must be the same.
    query = CheckedPhrases([("content", ("대한", "민국"))], [Q.Term("content", "정부")])
    expected = ids(searcher, query)
    for leaf, offset in searcher.leaf_searchers():
        m = query.matcher(leaf)
        reached = []
        target = 0
        while m.is_active():
            m.skip_to(target)
            if not m.is_active():
                break
            reached.append(m.id() + offset)
            target = m.id() + 1
        assert reached == [d for d in expected if offset <= d < offset + leaf.doc_count_all()]
