"""Reporter facets and the reporter filter gather a result's (document,
reporter) pairs from its own documents (FacetTable.reporters_start); held
here to a plain count over every pair of the archive, on the generated corpus
in its three build layouts (deletions included), with and without filters;
and the table's arrays read segment by segment are what Whoosh's postings
give."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import numpy as np
import pytest

from columnar_fixtures import build_layouts
from search import SearchService
from search.query.facets import facet_and_filter
from search.query.request import SearchRequest


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    services = [SearchService(path, cache_size=0) for path in build_layouts(tmp_path_factory.mktemp("pairs"))]
    yield [(service.generation().facets(), service.generation().searcher().reader()) for service in services]
    for service in services:
        service.generation().close()


def plain_reporters(table, docs, request) -> tuple[Counter, set]:
    """Reporter counts over the documents passing the press and date filters,
    and the documents passing the reporter filter: one pair at a time."""
    chosen = set(docs.tolist())
    press_ok = {d for d in chosen if not request.presses or
                (table.press[d] >= 0 and table.press_names[table.press[d]] in request.presses)}
    low = request.date_from.toordinal() if request.date_from else None
    high = request.date_to.toordinal() if request.date_to else None
    day_ok = {d for d in chosen if (low is None and high is None) or
              (table.day_ordinal[d] >= 0 and (low is None or table.day_ordinal[d] >= low)
               and (high is None or table.day_ordinal[d] <= high))}
    counts: Counter = Counter()
    named: set = set()
    for doc, reporter in zip(table.pair_doc.tolist(), table.pair_reporter.tolist()):
        if doc in chosen:
            if doc in press_ok and doc in day_ok:
                counts[table.reporter_names[reporter]] += 1
            if table.reporter_names[reporter] in request.reporters:
                named.add(doc)
    return counts, named


def test_reporter_facets_and_filter_match_a_count_over_every_pair(tables):
    rng = random.Random(3)
    checked = 0
    for table, _ in tables:
        assert int(table.reporters_start[-1]) == len(table.pair_doc)
        for size in (0, 1, 7, 60, len(table.live)):
            docs = np.array(sorted(rng.sample(table.live.tolist(), size)), dtype=np.int64)
            for request in (SearchRequest(q="x", facet_limit=50),
                            SearchRequest(q="x", facet_limit=50, reporters=[table.reporter_names[0]]),
                            SearchRequest(q="x", facet_limit=50, presses=[table.press_names[1]],
                                          date_from=date(2020, 2, 1), date_to=date(2020, 6, 30))):
                allowed, facets, _ = facet_and_filter(docs, request, table)
                counts, named = plain_reporters(table, docs, request)
                assert {f.value: f.count for f in facets["reporter"] if f.count} == dict(counts)
                if request.reporters:
                    assert set(allowed.tolist()) == named
                    checked += len(named)
    assert checked > 0


def test_table_reads_what_whooshs_postings_give(tables):
    # Each segment's postings read once with its deletions as a mask: the
    # same values per document as Whoosh's reader.postings (which skips deleted
    # documents), the same (document, reporter) pairs and live documents.
    for table, reader in tables:
        for fieldname, names, ids in (("press", table.press_names, table.press), ("day", None, None)):
            for term in reader.lexicon(fieldname):
                docs = sorted(reader.postings(fieldname, term).all_ids())
                if names is not None:
                    assert sorted(np.flatnonzero(ids == names.index(term.decode("utf-8"))).tolist()) == docs
                else:
                    day = date.fromisoformat(term.decode("utf-8")).toordinal()
                    assert sorted(np.flatnonzero(table.day_ordinal == day).tolist()) == docs
        pairs = sorted((doc, name) for name in reader.lexicon("reporter")
                       for doc in reader.postings("reporter", name).all_ids())
        assert sorted(zip(table.pair_doc.tolist(), (table.reporter_names[r].encode("utf-8")
                                                   for r in table.pair_reporter.tolist()))) == pairs
        assert table.live.tolist() == [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
    assert any(len(t.live) < t.size for t, _ in tables)  # deletions were read
