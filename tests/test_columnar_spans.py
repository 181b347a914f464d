"""Snippets read their character spans from the columnar files
(search.query.hits.columnar_spans) and find what the index was built from: on
the generated corpus of tests/columnar_fixtures.py in its three layouts (one
segment; two workers' segments; an incremental build with deletions and a
merge), every term's spans in a document are the spans the analyzer gives
for the document's stored text analysed again (the plain reference: what the
offsets are derived from), deleted documents have none, and the page's hits
and an article's marked body are those of that reference.  An index of
schema 5 (offsets in Whoosh's `Characters` postings, columnar files of
version 1 without spans) is read through Whoosh, and gives the same."""

from __future__ import annotations

import random

import numpy as np
import pytest

from columnar_fixtures import NOUNS, build_layouts
from search import stored as stored_fields
from search.columnar import EXTENSION, READABLE, ColumnarSegment, write_arrays
from search.highlight import merge_spans, spans_by_doc
from search.index import CONTENT_FIELD, analyse_texts, build_schema, _derived_fields
from search.query.hits import columnar_spans, content_spans, highlighted_body, page_hits


@pytest.fixture(scope="module")
def generations(tmp_path_factory):
    from search.service import SearchService

    services = [SearchService(path, cache_size=0) for path in build_layouts(tmp_path_factory.mktemp("spans"))]
    found = [service.generation() for service in services]
    assert any(not g.lookup().all_live for g in found)  # deletions are exercised
    assert max(len(g.lookup().index.segments) for g in found) >= 2  # offsets too
    assert all(g.lookup().index.has_spans(CONTENT_FIELD) for g in found)
    yield found


def reference_spans(searcher, docnum: int) -> dict[str, list[tuple[int, int]]]:
    """Each term's spans in the document's `content`, from its stored text
    analysed again and joined as the index joins it."""
    stored = searcher.stored_fields(docnum)
    texts = stored_fields.text_fields(stored, stored_fields.meta(stored))
    tokens = _derived_fields(texts, analyse_texts(texts), [])[CONTENT_FIELD].tokens
    out: dict[str, list[tuple[int, int]]] = {}
    for term, _, start, end in tokens:
        out.setdefault(term, []).append((start, end))
    return out


def test_every_terms_spans_are_those_of_the_stored_text_analysed_again(generations):
    rng = random.Random(3)
    compared = 0
    for generation in generations:
        searcher, lookup = generation.searcher(), generation.lookup()
        live = np.flatnonzero(lookup.live).tolist()
        for docnum in rng.sample(live, 40):
            expected = reference_spans(searcher, docnum)
            for term, spans in expected.items():
                assert columnar_spans(lookup, CONTENT_FIELD, [term], [docnum]) == {docnum: merge_spans(spans)}, term
                compared += len(spans)
            # Several terms at once: their spans merged, in order.
            terms = list(expected)[:5]
            assert columnar_spans(lookup, CONTENT_FIELD, terms + ["없는말"], [docnum]) == {
                docnum: merge_spans([s for t in terms for s in expected[t]])}
    assert compared > 1_000


def test_a_page_reads_each_documents_spans_and_deleted_documents_have_none(generations):
    rng = random.Random(4)
    for generation in generations:
        searcher, lookup = generation.searcher(), generation.lookup()
        everyone = list(range(lookup.size))
        for _ in range(10):
            docnums = sorted(rng.sample(everyone, 12))
            terms = set(rng.sample(NOUNS, rng.randint(1, 4)))
            found = columnar_spans(lookup, CONTENT_FIELD, terms, docnums)
            for docnum in docnums:
                if not lookup.live[docnum]:
                    assert docnum not in found
                    continue
                expected = reference_spans(searcher, docnum)
                spans = merge_spans([s for t in terms for s in expected.get(t, [])])
                assert found.get(docnum, []) == spans


def test_hits_and_article_bodies_are_marked_at_the_reference_spans(generations, monkeypatch):
    # page_hits and highlighted_body with the columnar look-ups equal them
    # given the spans of the stored text analysed again.
    rng = random.Random(5)
    checked = 0
    for generation in generations:
        searcher, lookup = generation.searcher(), generation.lookup()
        reader = searcher.reader()
        live = np.flatnonzero(lookup.live).tolist()
        for _ in range(8):
            docnums = sorted(rng.sample(live, 10))
            terms = set(rng.sample(NOUNS, rng.randint(1, 3)))
            page = [(d, 1.0) for d in docnums]
            ours = page_hits(searcher, reader, page, terms, True, True, lookup)
            bodies = [highlighted_body(searcher, d, terms, lookup) for d in docnums[:3]]

            def reference(reader_, terms_, docnums_, lookup_=None):
                out = {}
                for d in docnums_:
                    expected = reference_spans(searcher, d)
                    spans = merge_spans([s for t in terms_ for s in expected.get(t, [])])
                    if spans:
                        out[d] = spans
                return out

            with monkeypatch.context() as patched:
                patched.setattr("search.query.hits.content_spans", reference)
                assert ours == page_hits(searcher, reader, page, terms, True, True, lookup)
                assert bodies == [highlighted_body(searcher, d, terms, lookup) for d in docnums[:3]]
            checked += sum("<mark>" in hit.snippet for hit in ours)
    assert checked > 40


# -- an index of schema 5


def schema_5(backend: str = "mecab"):
    """The schema with `content`'s character offsets in Whoosh's postings."""
    from whoosh.fields import TEXT

    schema = build_schema(backend)
    schema._fields[CONTENT_FIELD] = TEXT(analyzer=schema[CONTENT_FIELD].analyzer, phrase=True, chars=True)
    return schema


def as_version_1(folder) -> int:
    """Rewrites every columnar file under `folder` as version 1 wrote it (no
    character spans); returns how many."""
    count = 0
    for path in folder.rglob(f"*{EXTENSION}"):
        segment = ColumnarSegment(path)
        arrays = {name: np.array(a) for name, a in segment._arrays.items()
                  if not name.endswith((".start", ".span"))}
        write_arrays(path, segment.doc_count, arrays, magic=READABLE[0])
        count += 1
    return count


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    from search.service import SearchService

    root = tmp_path_factory.mktemp("legacy")
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("search.reindex.pipeline.build_schema", schema_5)
        folders = build_layouts(root)
    assert sum(as_version_1(folder) for folder in folders) >= 4
    found = [SearchService(folder, cache_size=0).generation() for folder in folders]
    assert not any(g.lookup().index.has_spans(CONTENT_FIELD) for g in found)
    assert all(g.searcher().schema[CONTENT_FIELD].format.supports("characters") for g in found)
    yield found


def test_an_index_of_schema_5_reads_its_spans_from_whooshs_postings(legacy):
    # The same spans as the stored text analysed again; told which documents
    # hold a term (the columnar positions), the Whoosh walk finds what the
    # plain walk finds; the page's hits equal those of the plain walk.
    rng = random.Random(6)
    compared = 0
    for generation in legacy:
        searcher, lookup = generation.searcher(), generation.lookup()
        reader = searcher.reader()
        live = np.flatnonzero(lookup.live).tolist()
        for _ in range(12):
            docnums = sorted(rng.sample(live, 10))
            terms = set(rng.sample(NOUNS, rng.randint(1, 4))) | {"없는말"}
            found = content_spans(reader, terms, docnums, lookup)
            assert found == spans_by_doc(reader, CONTENT_FIELD, terms, docnums)
            for docnum in docnums:
                expected = reference_spans(searcher, docnum)
                assert found.get(docnum, []) == merge_spans([s for t in terms for s in expected.get(t, [])])
            page = [(d, 1.0) for d in docnums]
            assert page_hits(searcher, reader, page, terms, True, True, lookup) == \
                page_hits(searcher, reader, page, terms, True, True)
            compared += sum(map(len, found.values()))
    assert compared > 200
