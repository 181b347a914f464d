"""Each fast path of the query engine held to its plain reference, on the
generated corpus of tests/columnar_fixtures.py in its three build layouts
(one segment; two workers' segments; an incremental build with deletions):

- postings read at a few documents (search.query.restricted) equal the whole
  posting list read and then looked up;
- runs of terms from the columnar positions (search.query.runs) equal
  Whoosh's `Phrase`, and whether the index holds a run equals
  search.query.lookup.holds_in (the Whoosh search the query analysis asked);
- the executor's boolean parts read only at the documents left (an AND's
  smallest part first) equal them listed whole and intersected, and its
  ranking read only at a few documents (`scored_at`: a keyword query's few
  matches, a filtered page, a relaxed tier) gives the same scores to the
  last bit as every posting scored;
- what a generation keeps for its long posting lists (search.query.longlists:
  a common term's impacts, a common compound's documents) gives the same
  answers as computing them each time, within its memory budget.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from whoosh import query as Q

from columnar_fixtures import NOUNS, build_layouts
from search.query import restricted, runs
from search.query.lookup import holds_in
from search.ranking import B, K1, lucene_idf


@pytest.fixture(scope="module")
def generations(tmp_path_factory):
    from search.service import SearchService

    services = [SearchService(path, cache_size=0) for path in build_layouts(tmp_path_factory.mktemp("fast"))]
    found = [service.generation() for service in services]
    assert any(not g.lookup().all_live for g in found)  # deletions are exercised
    assert max(len(g.lookup().index.segments) for g in found) >= 2  # offsets too
    yield found


def _content_terms(generation, count: int) -> list[str]:
    reader = generation.searcher().reader()
    return [t.decode("utf-8") for t in reader.lexicon("content")][:count]


def _samples(generation, rng, sizes=(0, 1, 5, 40)) -> list[np.ndarray]:
    """Sorted document sets to read at: live and deleted documents, small and
    larger than most posting lists, and every document."""
    size = generation.lookup().size
    every = np.arange(size, dtype=np.int64)
    out = [every]
    for count in sizes:
        out.append(np.array(sorted(rng.sample(range(size), min(count, size))), dtype=np.int64))
    return out


def test_postings_read_at_some_documents_equal_the_whole_list_looked_up(generations):
    rng = random.Random(21)
    checked = 0
    for generation in generations:
        lookup = generation.lookup()
        for fieldname in ("content", "bigrams"):
            for term in _content_terms(generation, 60) if fieldname == "content" else ["정부", "기업", "투자"]:
                docs, tf, length = lookup.postings(fieldname, term)
                idf = lucene_idf(lookup.doc_count_all(), lookup.doc_frequency(fieldname, term) or 1)
                avgfl = lookup.avg_field_length(fieldname) or 1
                full_docs, full_scores = lookup.bm25(fieldname, term, idf, avgfl, K1, B, 0.5)
                for among in _samples(generation, rng):
                    expected = np.flatnonzero(np.isin(among, docs))
                    assert restricted.holding(lookup, fieldname, term, among).tolist() == expected.tolist()
                    where, scores = restricted.bm25_at(lookup, fieldname, term, among, idf, avgfl, K1, B, 0.5)
                    assert where.tolist() == expected.tolist()
                    at = np.searchsorted(full_docs, among[where])
                    assert scores.tolist() == full_scores[at].tolist()  # the same bits
                    if fieldname == "content":
                        held, positions = restricted.positions_at(lookup, fieldname, term, among)
                        live = among[lookup.live[among]]
                        reference = lookup.positions(fieldname, term, live)
                        assert (held.tolist(), positions.tolist()) == (reference[0].tolist(), reference[1].tolist())
                    checked += len(where)
    assert checked > 5000


def _whoosh_phrase(searcher, words) -> list[int]:
    return sorted(searcher.docs_for_query(Q.Phrase("content", list(words))))


def test_runs_from_the_positions_equal_whooshs_phrases(generations):
    rng = random.Random(22)
    found = 0
    for generation in generations:
        lookup, searcher = generation.lookup(), generation.searcher()
        terms = _content_terms(generation, 400)
        common = [t for t in terms if t in NOUNS or t in ("경제", "정책", "발표", "하다", "소식")]
        tried = [("경제", "정책"), ("정책", "경제"), ("경제", "정책", "방향"), ("경제", "경제")]
        tried += [tuple(rng.sample(common, 2)) for _ in range(40)]
        tried += [tuple(rng.sample(terms, rng.randint(2, 3))) for _ in range(40)]
        for words in tried:
            expected = _whoosh_phrase(searcher, words)
            candidates = runs.docs_with_all(lookup, "content", words)
            assert runs.in_a_row(lookup, "content", words, candidates).tolist() == expected, words
            within = candidates[::2]
            assert runs.in_a_row(lookup, "content", words, runs.docs_with_all(lookup, "content", words, within)
                                 ).tolist() == [d for d in expected if d in set(within.tolist())], words
            found += len(expected)
    assert found > 100


def test_whether_the_index_holds_a_run_is_answered_as_whoosh_answers_it(generations, monkeypatch):
    rng = random.Random(23)
    answers = {True: 0, False: 0}
    for generation in generations:
        lookup, searcher = generation.lookup(), generation.searcher()
        terms = _content_terms(generation, 300) + ["없는말"]
        tried = [("경제", "정책"), ("정책", "경제"), ("경제",), ("없는말",), ("경제", "없는말")]
        tried += list(itertools.permutations(["정부", "기업", "투자"], 2))
        tried += [tuple(rng.sample(terms, rng.randint(1, 3))) for _ in range(120)]
        for terms_in_row in tried:
            expected = holds_in(searcher, lookup.doc_frequency, terms_in_row)
            assert runs.holds_run(lookup, terms_in_row) == expected, terms_in_row
            answers[expected] += 1
        # The query analysis asks the generation's look-up: from the positions, never through Whoosh.
        monkeypatch.setattr(searcher, "search", lambda *a, **k: pytest.fail("asked through Whoosh"))
        assert lookup.holds(("경제", "정책")) and not lookup.holds(("정책", "경제", "경제"))
        monkeypatch.undo()
    assert answers[True] > 20 and answers[False] > 20


def test_a_run_is_found_past_the_first_batch_of_candidates(generations, monkeypatch):
    """holds_run compares the rarest word's documents a batch at a time: a run
    only the last candidates hold is found all the same."""
    monkeypatch.setattr(runs, "FIRST_BATCH", 1)
    monkeypatch.setattr(runs, "BATCH_GROWTH", 2)
    held = 0
    for generation in generations:
        lookup, searcher = generation.lookup(), generation.searcher()
        for words in [("경제", "정책"), ("정책", "방향"), ("방향", "논의"), ("정책", "경제")]:
            expected = holds_in(searcher, lookup.doc_frequency, words)
            assert runs.holds_run(lookup, words) == expected, words
            held += expected
    assert held >= 6


def _queries(rng) -> list[str]:
    out = ["경제정책", "경제정책 투자", "정부 -기업", "AI 투자", "김철수", "김철수 기자", "정부 기자:이영희",
           "학교 날짜:2020-03", "정부는 무엇을 발표했나?", "\"투자 시장\" 협력", "정부 OR 병원 환경",
           "제목:정부 투자", "언론사:가나일보 정부", "정부 -언론사:다라신문", "\"경제 정책\" -병원", "인공지능 정부 경제정책"]
    for _ in range(40):
        words = rng.sample(NOUNS, rng.randint(1, 3))
        if rng.random() < 0.3:
            words.append("-" + rng.choice(NOUNS))
        out.append(" ".join(words))
    return out


def _compiled(generation, text: str):
    from search.query.matching import prepared

    searcher = generation.searcher()
    compiled = generation.parser.compile(generation.parser.parse(text), searcher=generation.lookup())
    query = compiled.query
    return None if query is None else prepared(query, searcher.reader())


def _evaluator(generation):
    from search.query import execute

    return execute._Evaluator(generation.searcher(), generation.lookup(), generation.facets())


def test_matching_among_some_documents_equals_matching_all_then_keeping_those(generations):
    """An AND reads its smallest part first and the others only at the
    documents left; a phrase's words likewise: the same documents as every
    part listed whole and intersected."""
    rng = random.Random(24)
    compared = 0
    for generation in generations:
        for text in _queries(rng):
            query = _compiled(generation, text)
            if query is None or query is Q.NullQuery:
                continue
            constraint = query.a.child if isinstance(query, Q.AndMaybe) else query
            every = _evaluator(generation).matches(constraint)
            assert every.tolist() == sorted(generation.searcher().docs_for_query(constraint)), text
            for among in _samples(generation, rng, sizes=(3, 30, 120)):
                within = _evaluator(generation).matches(constraint, among)
                assert within.tolist() == sorted(set(every.tolist()) & set(among.tolist())), text
                compared += len(within)
    assert compared > 2000


def test_scores_read_only_at_some_documents_are_the_same_bits(generations):
    """scored_at (the ranking read at a keyword query's few matches, a
    filtered page or a relaxed tier) against scored (every posting of every
    term): the same documents and exactly the same scores."""
    rng = random.Random(25)
    compared = 0
    for generation in generations:
        for text in _queries(rng):
            query = _compiled(generation, text)
            if query is None or query is Q.NullQuery:
                continue
            docs, scores = _evaluator(generation).scored(query)
            parts = [query] + ([query.b] if isinstance(query, Q.AndMaybe) else [])
            for part in parts:
                part_docs, part_scores = _evaluator(generation).scored(part)
                for among in _samples(generation, rng, sizes=(3, 30, 120)):
                    hit, at = _evaluator(generation).scored_at(part, among)
                    keep = np.isin(part_docs, among)
                    assert among[hit].tolist() == part_docs[keep].tolist(), text
                    assert at[hit].tolist() == part_scores[keep].tolist(), text
                    compared += int(hit.sum())
    assert compared > 2000


def test_a_keyword_query_with_few_matches_ranks_them_as_scoring_everything_does(generations, monkeypatch):
    """The switch itself: with the share forced either way, the same matches,
    scores and top 10 (search.query.execute.FEW_SHARE)."""
    from search.query import execute

    rng = random.Random(26)
    for generation in generations:
        searcher, lookup, table = generation.searcher(), generation.lookup(), generation.facets()
        for text in _queries(rng):
            query = _compiled(generation, text)
            if query is None or query is Q.NullQuery:
                continue
            answers = []
            for share in (0, 10 ** 9):  # always, never read at the matches
                monkeypatch.setattr(execute, "FEW_SHARE", share)
                docs, scores = execute.scored_matches(searcher, lookup, query, table)
                allowed = docs[::2]
                answers.append((docs.tolist(), scores.tolist(),
                                execute.ranked(searcher, lookup, query, ["정부", "투자"], 10, table=table),
                                execute.ranked(searcher, lookup, query, None, 10, allowed, table=table)))
            assert answers[0] == answers[1], text


def test_kept_impacts_and_compound_documents_equal_what_is_computed_each_time(generations, monkeypatch):
    """search.query.longlists: with every list counted long (so everything
    is kept), the second search of each query reads the kept impacts and
    compound documents: the same matches, the same scores to the last bit,
    the same top 10 as with nothing kept."""
    from search.query import execute, longlists

    rng = random.Random(27)
    queries = _queries(rng)
    for generation in generations:
        searcher, lookup, table = generation.searcher(), generation.lookup(), generation.facets()

        def answers():
            out = []
            for text in queries:
                query = _compiled(generation, text)
                if query is None or query is Q.NullQuery:
                    continue
                docs, scores = execute.scored_matches(searcher, lookup, query, table)
                out.append((text, docs.tolist(), scores.tolist(),
                            execute.ranked(searcher, lookup, query, ["정부", "투자"], 10, table=table)))
            return out

        monkeypatch.setattr(longlists, "LONG_POSTINGS", 10 ** 9)  # nothing kept
        lookup.long_lists = longlists.LongLists()
        plain = answers()
        monkeypatch.setattr(longlists, "LONG_POSTINGS", 1)  # everything kept
        lookup.long_lists = longlists.LongLists()
        first, second = answers(), answers()
        assert lookup.long_lists.used > 0
        kinds = {key[0] for key in lookup.long_lists._kept}
        assert kinds == {"bm25", "run"}  # impacts and a compound's documents were both kept and read
        assert first == plain and second == plain
        lookup.long_lists = longlists.LongLists()


def test_kept_lists_stay_within_their_budget_least_recently_used_first_out(monkeypatch):
    from search.query import longlists

    monkeypatch.setattr(longlists, "LONG_POSTINGS", 10)
    lists = longlists.LongLists(budget=3 * 800)
    computed = []

    def compute(n):
        computed.append(n)
        return (np.arange(100, dtype=np.int64),)  # 800 bytes

    for n in range(3):
        lists.get(n, lambda n=n: compute(n))
    lists.get(0, lambda: compute(0))  # kept: not computed again, and now the most recent
    lists.get(3, lambda: compute(3))  # pushes out 1, the least recently used
    assert computed == [0, 1, 2, 3]
    assert lists.used <= 3 * 800 and set(lists._kept) == {0, 2, 3}
    lists.get(9, lambda: (np.arange(5, dtype=np.int64),))  # short: never kept
    assert 9 not in lists._kept
    with pytest.raises(ValueError):
        lists.get(0, lambda: compute(0))[0][0] = 7  # shared by later searches: read-only
