"""The shortcuts a first request takes (issue 12: HTTP first requests at
100,000 articles), each held to its plain reference on the generated corpus
of tests/columnar_fixtures.py in its three build layouts:

- a search's proximity bonuses and title overlaps, read once per document
  (search.query.bonuses), equal each reorder's own reading of them;
- the top of a search among some documents (`execute._held`) keeps what
  `np.isin` keeps;
- whole searches with the shortcuts give what they give without them;
- what the warm-up reads whole (titles' lengths, byline names, the term
  tables of search.query.termtable) answers as Whoosh's per-document and
  per-term reads and each segment's own binary search do;
- facets ordered by numpy, a union of few documents merged over the union,
  a few candidates looked up with bisect, a few postings' occurrences read
  through their runs, and the densest windows of snippets and proximity
  give their references' answers, floats to the last bit.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from columnar_fixtures import NOUNS, PRESSES, build_layouts
from search.query import execute


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from search.service import SearchService

    built = [SearchService(path, cache_size=0) for path in build_layouts(tmp_path_factory.mktemp("first"))]
    assert any(not s.generation().lookup().all_live for s in built)  # deletions are exercised
    yield built


def _queries() -> list[str]:
    rng = random.Random(12)
    out = ["경제정책", "경제정책 투자", "정부 -기업", "AI 투자", "김철수", "김철수 기자", "정부 기자:이영희",
           "정부는 무엇을 발표했나?", "\"투자 시장\" 협력", "정부 OR 병원 환경", "제목:정부 투자", "없는말 정부",
           "언론사:가나일보 정부", "날짜:2020-02..2020-04 시장", "정부 투자 인공지능 병원 학교"]
    for _ in range(30):
        out.append(" ".join(rng.sample(NOUNS, rng.randint(2, 4))))
    return out


def test_bonuses_read_once_per_search_equal_each_reorders_own_reading(services):
    from search.query.bonuses import Bonuses

    rng = random.Random(3)
    compared = 0
    for service in services:
        generation = service.generation()
        searcher, lookup = generation.searcher(), generation.lookup()
        live = np.flatnonzero(lookup.live).tolist()
        for _ in range(15):
            bonuses = Bonuses(searcher, lookup)
            terms = rng.sample(NOUNS, rng.randint(1, 4)) + ["소식"] * rng.randint(0, 1)
            # Overlapping sets, a document twice, deleted documents too.
            for docnums in (rng.sample(live, 30), rng.sample(live, 30), rng.sample(range(lookup.size), 20) * 2):
                assert bonuses.proximity(docnums, terms) == execute.proximity(searcher, lookup, docnums, terms)
                expected = execute.title_overlap(searcher, lookup, docnums, terms)
                assert bonuses.title_overlap(docnums, terms) == expected
                compared += len(expected)
            other = terms[::-1]  # other terms: other bonuses, never the first ones'
            docnums = rng.sample(live, 30)
            assert bonuses.proximity(docnums, other) == execute.proximity(searcher, lookup, docnums, other)
    assert compared > 300


def test_documents_held_among_some_are_those_isin_keeps():
    rng = np.random.default_rng(5)
    size = 5000
    for docs_count in (0, 1, 30, 400, 5000):
        docs = np.sort(rng.choice(size, docs_count, replace=False)).astype(np.int64)
        for allowed_count in (0, 1, 3, 30, 800, 5000):
            allowed = np.sort(rng.choice(size, allowed_count, replace=False)).astype(np.int64)
            allowed[: allowed_count // 2] = docs[: allowed_count // 2] if len(docs) >= allowed_count // 2 else \
                allowed[: allowed_count // 2]
            allowed = np.unique(allowed)
            assert execute._held(docs, allowed, size).tolist() == np.isin(docs, allowed).tolist()


def test_searches_with_the_shortcuts_equal_searches_without(services, monkeypatch):
    from search.query import run
    from search.service import SearchRequest

    requests = [SearchRequest(q=text, collapse=True) for text in _queries()]
    requests += [SearchRequest(q=text, presses=[PRESSES[0]], collapse=True) for text in _queries()[:10]]
    requests += [SearchRequest(q=text, page=2, size=5) for text in _queries()[:10]]
    for service in services:
        got = [_json(service, request) for request in requests]
        with monkeypatch.context() as patched:
            patched.setattr(run, "bonuses_of", lambda generation: None)
            assert [_json(service, request) for request in requests] == got
        assert sum(bool(result["hits"]) for result in got) > 30


def _json(service, request) -> dict:
    from search.render import search_result_json

    found = search_result_json(service.search(request))
    found.pop("took_ms", None)
    return found


def test_field_lengths_read_whole_equal_whooshs_per_document(services):
    compared = 0
    for service in services:
        generation = service.generation()
        reader, lookup = generation.searcher().reader(), generation.lookup()
        for fieldname in ("title", "content", "bigrams", "no_such_field"):
            lengths = lookup.field_lengths(fieldname)
            assert len(lengths) == reader.doc_count_all()
            expected = [reader.doc_field_length(d, fieldname, 0) or 0 for d in range(reader.doc_count_all())]
            assert lengths.tolist() == expected, fieldname
            assert lookup.doc_field_length(7, fieldname) == expected[7]
            compared += sum(1 for value in expected if value)
    assert compared > 1000


def test_byline_names_read_whole_answer_as_document_frequencies_do(services):
    from search.query.bylines import vocabulary_names

    for service in services:
        generation = service.generation()
        searcher, lookup = generation.searcher(), generation.lookup()
        lookup.warm()
        names = vocabulary_names(lookup)
        for text in ["김철수", "이영희", "김철수가", "박세연", "", "정부", "김", "철수"]:
            assert names(text) == bool(searcher.doc_frequency("reporter", text)), text
        assert names("김철수") and not names("박세연")
        assert lookup.is_term("press", "가나일보") == bool(searcher.doc_frequency("press", "가나일보")) is True


def test_term_tables_find_what_each_segments_binary_search_finds(services):
    from search.columnar import COLUMNAR_FIELDS

    checked = 0
    for service in services:
        generation = service.generation()
        reader, lookup = generation.searcher().reader(), generation.lookup()
        for fieldname in COLUMNAR_FIELDS:
            table = lookup.term_table(fieldname)
            known = [t for t in reader.lexicon(fieldname)] if fieldname in reader.schema else []
            probes = set(known) | {t + b"x" for t in known[:50]} | {t[:-1] for t in known[:50]} | {b"", b"\xea"}
            for term in probes:
                expected = [(number,) + found for number, (segment, _) in enumerate(lookup.index.segments)
                            if (found := segment.term_slice(fieldname, term)) is not None]
                assert table.slices(term) == expected, (fieldname, term)
                checked += bool(expected)
    assert checked > 300


class _Segment:
    """A columnar segment's term arrays, built from a sorted list of terms."""

    def __init__(self, terms: list[bytes]):
        self._arrays = {"f.term_end": np.cumsum([len(t) for t in terms]).astype(np.int64),
                        "f.terms": np.frombuffer(b"".join(terms), dtype=np.uint8),
                        "f.post_end": np.arange(1, len(terms) + 1, dtype=np.int64) * 3}

    def array(self, fieldname, name):
        return self._arrays[f"{fieldname}.{name}"]

    def has(self, fieldname, name):
        return f"{fieldname}.{name}" in self._arrays


def test_terms_sharing_their_first_eight_bytes_are_told_apart():
    from search.query.termtable import TermTable

    first = sorted([b"abc", b"abcdefgh", b"abcdefgh1", b"abcdefgh2", b"abcdefghij", b"zz"])
    second = sorted([b"abcdefgh", b"abcdefgh2", b"abcdefghi", b"b"])

    class Index:
        segments = [(_Segment(first), 0), (_Segment(second), 10)]

    table = TermTable(Index(), "f")
    for term in first + second + [b"abcdefg", b"abcdefgh0", b"abcdefgh3", b"", b"zzz", b"a"]:
        expected = [(number, 3 * terms.index(term), 3 * terms.index(term) + 3)
                    for number, terms in enumerate((first, second)) if term in terms]
        assert table.slices(term) == expected, term


def test_facet_top_values_are_those_sorting_every_count_by_name_gives():
    from search.query.facets import _name_ranks, _top

    rng = random.Random(8)
    names = ["김철수", "이영희", "가나", "Zeta", "alpha", "박", "박세연", "ㄱ", "가", "éclair"] + [f"기자{i}" for i in range(60)]
    rng.shuffle(names)  # not in name order: the ranks must order them
    ids = {name: i for i, name in enumerate(names)}
    rank = _name_ranks(names)
    for _ in range(300):
        hist = np.array([rng.choice([0, 0, 1, 1, 1, 2, 3, 7]) for _ in names], dtype=np.int64)
        limit = rng.choice([0, 1, 3, 10, 100])
        selected = set(rng.sample(names, rng.randint(0, 2))) | ({"없는이름"} if rng.random() < 0.2 else set())
        expected = sorted(((names[i], int(hist[i])) for i in range(len(names)) if hist[i]),
                          key=lambda kv: (-kv[1], kv[0]))[:limit] if limit > 0 else []
        shown = {name for name, _ in expected}
        expected += [(v, int(hist[ids[v]]) if v in ids else 0) for v in sorted(selected - shown)]
        got = _top(hist, names, ids, limit, selected, rank)
        assert [(f.value, f.count) for f in got] == expected


def test_a_union_of_few_documents_merges_to_the_bits_of_the_dense_merge(services):
    generation = services[0].generation()
    rng = np.random.default_rng(4)
    for _ in range(200):
        parts = []
        for _ in range(int(rng.integers(2, 6))):
            docs = np.unique(rng.integers(0, 300, int(rng.integers(0, 40)))).astype(np.int64)
            parts.append((docs, rng.random(len(docs)) * rng.choice([0.1, 1.0, 7.3])))
        for op, empty in ((np.add, 0.0), (np.maximum, -np.inf)):
            sparse = execute._Evaluator(generation.searcher(), generation.lookup())
            sparse.size = 10**6  # few documents against the index: the union's merge
            dense = execute._Evaluator(generation.searcher(), generation.lookup())
            dense.size = 300  # many: arrays over the index
            got, expected = sparse._combine(parts, op, empty), dense._combine(parts, op, empty)
            assert got[0].tolist() == expected[0].tolist()
            assert got[1].tolist() == expected[1].tolist()  # the same bits


def test_the_densest_snippet_window_is_the_first_best_by_its_definition():
    from search.highlight import densest_start

    rng = random.Random(6)
    for _ in range(500):
        words = ["정부", "투자", "시장", "a", "bb"]
        text, spans = "", []
        for _ in range(rng.randint(1, 40)):
            text += " " * rng.randint(0, 90)
            word = rng.choice(words)
            spans.append((len(text), len(text) + len(word)))
            text += word
        width = rng.choice([1, 5, 40, 160])
        best, best_score = None, -1
        for i, (start, _) in enumerate(spans):
            end = i
            while end < len(spans) and spans[end][1] - start <= width:
                end += 1
            score = len({text[a:b] for a, b in spans[i:end]}) * 10 + (end - i)
            if score > best_score:
                best, best_score = start, score
        assert densest_start(text, spans, width) == best


@pytest.mark.parametrize("few_occurrences", [1024, 3])
def test_a_few_postings_occurrences_sliced_equal_the_files_own_reading(services, monkeypatch, few_occurrences):
    from search.query import restricted

    monkeypatch.setattr(restricted, "FEW_OCCURRENCES", few_occurrences)  # 3: most take the file's own reading
    rng = np.random.default_rng(9)
    checked = 0
    for service in services:
        for segment, _ in service.generation().lookup().index.segments:
            total = len(segment.array("content", "docs"))
            for count in (1, 2, 7, restricted.FEW_POSTINGS, restricted.FEW_POSTINGS + 1):
                for _ in range(10):
                    postings = np.sort(rng.choice(total, min(count, total), replace=False)).astype(np.int64)
                    if rng.random() < 0.3:
                        postings[0] = 0  # the first posting of the file
                        postings = np.unique(postings)
                    for got, expected in zip(restricted.posting_positions(segment, "content", postings),
                                             segment.posting_positions("content", postings)):
                        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
                    for got, expected in zip(restricted.posting_spans(segment, "content", postings),
                                             segment.posting_spans("content", postings)):
                        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
                    checked += 1
    assert checked > 100


def test_a_few_candidates_looked_up_one_by_one_are_found_as_numpy_finds_them(services, monkeypatch):
    from search.query import restricted

    rng = random.Random(10)
    checked = 0
    for service in services:
        generation = service.generation()
        lookup = generation.lookup()
        terms = [t.decode("utf-8") for t in generation.searcher().reader().lexicon("content")][:40]
        for term in terms + ["없는말"]:
            for count in (1, 3, 16, 17, 60):
                among = np.array(sorted(rng.sample(range(lookup.size), min(count, lookup.size))), dtype=np.int64)
                answers = []
                for few in (0, 10**6):  # numpy for every segment; one by one for every segment
                    monkeypatch.setattr(restricted, "FEW_CANDIDATES", few)
                    answers.append([(segment.doc_count, where, postings, local)
                                    for segment, where, postings, local in restricted.found_in(lookup, "content", term, among)])
                numpy_found, one_by_one = answers
                assert len(numpy_found) == len(one_by_one)
                for expected, got in zip(numpy_found, one_by_one):
                    assert expected[0] == got[0]
                    for a, b in zip(expected[1:], got[1:]):
                        assert a.dtype == b.dtype and a.tolist() == b.tolist()
                        checked += len(a)
    assert checked > 1000


def _densest_window_with_a_counter(occurrences, weights, window):
    """The plain reference: the running sum kept with a Counter, `max` at each step."""
    from collections import Counter

    ordered = sorted(occurrences)
    best = current = 0.0
    inside: Counter = Counter()
    left = 0
    for position, term in ordered:
        if inside[term] == 0:
            current += weights[term]
        inside[term] += 1
        while ordered[left][0] <= position - window:
            gone = ordered[left][1]
            inside[gone] -= 1
            if inside[gone] == 0:
                current -= weights[gone]
            left += 1
        best = max(best, current)
    return best


def test_the_densest_proximity_window_sums_to_the_references_bits():
    from search.ranking import densest_window

    rng = random.Random(2)
    for _ in range(5000):
        names = rng.sample(["정부", "투자", "시장", "a", "b", "c"], rng.randint(1, 6))
        weights = {t: rng.choice([rng.random() * 5, 0.1, 0.2, 0.7, 3.3333333]) for t in names}
        occurrences = list({(rng.randrange(rng.choice([5, 40, 300])), rng.choice(names))
                            for _ in range(rng.randint(0, 30))})
        window = rng.choice([1, 3, 10])
        assert densest_window(occurrences, weights, window) == _densest_window_with_a_counter(occurrences, weights,
                                                                                              window)
