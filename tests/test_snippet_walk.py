"""The postings walk snippets, proximity and title marks share
(search.index.postings_at) skips whole posting blocks by their headers, and
finds what a plain walk (`skip_to` to each wanted document) finds."""

import random

import pytest

from search.index import postings_at
from columnar_fixtures import articles as _articles, write_jsonl as _write


def plain_walk(matcher, docnums):
    """The reference: `skip_to` each wanted document, no block skipping."""
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """An index whose common words have many posting blocks (Whoosh writes
    128 postings a block), one with deletions too."""
    from search.indexer import reindex
    from search.service import SearchService

    root = tmp_path_factory.mktemp("walk")
    articles = [dict(a, body="정부 " + a["body"]) for a in _articles(700, seed=8)]
    _write(root / "c" / "a.jsonl", articles)
    reindex([root / "c"], index_dir=root / "ix", workers=1)
    _write(root / "c" / "a.jsonl", articles[::2])
    reindex([root / "c"], index_dir=root / "ix", workers=1, incremental=True)
    return [SearchService(root / "ix", cache_size=0)]


def test_the_block_skipping_walk_finds_the_plain_walks_documents_and_offsets(services):
    rng = random.Random(4)
    multi_block = 0
    for service in services:
        reader = service.generation().searcher().reader()
        for leaf, _ in reader.leaf_readers():
            size = leaf.doc_count_all()
            terms = list(leaf.lexicon("content"))
            for term in rng.sample(terms, min(40, len(terms))) + [max(terms, key=lambda t: leaf.doc_frequency("content", t))]:
                wanted = sorted(rng.sample(range(size), min(size, rng.choice((1, 3, 10, 30)))))
                plain, skipping = leaf.postings("content", term), leaf._terms.matcher(
                    "content", term, leaf.schema["content"].format)
                expected = [(d, plain.value_as("positions")) for d in plain_walk(plain, wanted)]
                got = [(d, skipping.value_as("positions")) for d in postings_at(skipping, wanted)]
                # The plain postings skip deleted documents; the raw matcher does not.
                assert [(d, v) for d, v in got if not leaf.is_deleted(d)] == expected, term
                multi_block += leaf.doc_frequency("content", term) > 128
    assert multi_block >= 2  # some walks skip whole blocks
