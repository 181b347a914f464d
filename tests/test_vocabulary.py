"""The did-you-mean vocabulary (search.suggest) read from the segments' term
tables holds the same words with the same document frequencies as Whoosh's
own walk of the `words` field (`iter_field` with each term's info), on a
generated corpus indexed as one segment, as segments of two workers, and
incrementally with deletions and a merge (tests/columnar_fixtures.py)."""

from __future__ import annotations

import pytest

from columnar_fixtures import build_layouts
from search import SearchService
from search.index import WORDS_FIELD
from search.suggest import Vocabulary, did_you_mean, word_frequencies


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    built = [SearchService(path, cache_size=0) for path in build_layouts(tmp_path_factory.mktemp("vocab"))]
    yield built
    for service in built:
        service.generation().close()


def whoosh_walk(reader) -> dict[bytes, int]:
    return {raw: info.doc_frequency() for raw, info in reader.iter_field(WORDS_FIELD)}


def test_word_frequencies_are_whooshs_in_its_order(services):
    deletions = 0
    for service in services:
        reader = service.generation().searcher().reader()
        deletions += reader.doc_count_all() - reader.doc_count()
        expected = whoosh_walk(reader)
        found = word_frequencies(reader, WORDS_FIELD)
        assert len(expected) > 20
        assert list(found.items()) == list(expected.items())
    assert deletions > 0  # the incremental layout has deleted articles, still counted as Whoosh counts them


def test_a_segment_without_whooshs_term_table_is_read_term_by_term(services):
    class PublicOnly:
        """A segment reader seen through its public methods only."""

        def __init__(self, leaf):
            self.leaf = leaf

        def terms_from(self, fieldname, prefix):
            return self.leaf.terms_from(fieldname, prefix)

        def doc_frequency(self, fieldname, text):
            return self.leaf.doc_frequency(fieldname, text)

    class Wrapped:
        def __init__(self, reader):
            self.reader = reader

        def is_atomic(self):
            return False

        def leaf_readers(self):
            leaves = self.reader.leaf_readers() if not self.reader.is_atomic() else [(self.reader, 0)]
            return [(PublicOnly(leaf), offset) for leaf, offset in leaves]

    reader = services[2].generation().searcher().reader()
    assert word_frequencies(Wrapped(reader), WORDS_FIELD) == whoosh_walk(reader)


def test_vocabulary_and_its_corrections_are_unchanged(services):
    for service in services:
        reader = service.generation().searcher().reader()
        vocabulary = service.generation().vocabulary()
        walked = {raw.decode("utf-8"): df for raw, df in whoosh_walk(reader).items()}
        assert vocabulary.frequency == walked  # under RARE_WORD_CORPUS articles: every word kept
        assert did_you_mean(vocabulary, "인공지눙") == "인공지능"
        assert did_you_mean(vocabulary, "경졔 정책") == "경제 정책"


def test_a_large_corpus_leaves_out_words_of_one_article(services, monkeypatch):
    import search.suggest as suggest

    monkeypatch.setattr(suggest, "RARE_WORD_CORPUS", 10)  # "large": more than 10 articles
    for service in services:
        reader = service.generation().searcher().reader()
        walked = {raw.decode("utf-8"): df for raw, df in whoosh_walk(reader).items()}
        assert Vocabulary(reader).frequency == {word: df for word, df in walked.items() if df >= 2}
