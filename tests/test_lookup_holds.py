"""The generation's look-ups answer from the columnar files what Whoosh
answers: whether the index holds words in a row (the query words read against
the index, search.query.words), and a term's live documents."""

import random

import numpy as np

from search.query.lookup import holds_in
from tests.test_execute import services  # noqa: F401 -- the three build layouts, deletions included


def _runs(reader, docnum: int) -> list[tuple[str, ...]]:
    """The document's `content` terms in position order, as runs of 2 and 3."""
    by_position = {}
    for term in reader.lexicon("content"):
        postings = reader.postings("content", term)
        if postings.supports("positions"):
            postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                for position in postings.value_as("positions"):
                    by_position[position] = term.decode("utf-8")
    ordered = [by_position[p] for p in sorted(by_position)]
    return [tuple(ordered[i:i + n]) for n in (2, 3) for i in range(len(ordered) - n + 1)]


def test_words_in_a_row_are_found_as_whooshs_phrase_finds_them(services):  # noqa: F811
    rng = random.Random(11)
    checked = held = 0
    for service in services:
        generation = service.generation()
        searcher, lookup = generation.searcher(), generation.lookup()
        reader = searcher.reader()
        vocabulary = [t.decode("utf-8") for t in reader.lexicon("content")]
        live = np.flatnonzero(lookup.live).tolist()
        candidates = []
        for docnum in rng.sample(live, 6):
            runs = _runs(reader, docnum)
            candidates += rng.sample(runs, min(8, len(runs)))
        # Words from the index in random order (mostly not in a row anywhere),
        # a repeated word, and a word the index does not hold.
        candidates += [tuple(rng.sample(vocabulary, rng.choice((2, 3)))) for _ in range(40)]
        candidates += [(vocabulary[0], vocabulary[0]), (vocabulary[1], "없는말"), ("없는말",), (vocabulary[2],)]
        for terms in candidates:
            expected = holds_in(searcher, searcher.doc_frequency, terms)
            assert lookup.holds(terms) == expected, terms
            checked += 1
            held += expected
    assert held > 20 and checked - held > 20  # both answers exercised


def test_a_terms_documents_are_its_postings_documents(services):  # noqa: F811
    for service in services:
        generation = service.generation()
        lookup, reader = generation.lookup(), generation.searcher().reader()
        for fieldname in ("content", "bigrams", "initials"):
            for term in [t.decode("utf-8") for t in reader.lexicon(fieldname)][:60] + ["없는말"]:
                assert lookup.docs(fieldname, term).tolist() == lookup.postings(fieldname, term)[0].tolist()
