"""Every stage of a search is bounded (search/limits.py): hostile queries are
held to stated sizes, work is counted (postings opened, matcher depth, steps of
the snippet window), never timed; the fast paths are held to plain references.
Timings of the same cases: benchmarks/query_bounds.py."""

from __future__ import annotations

import json
import random

import pytest

import search.limits as limits
import search.ranking as ranking
from search.highlight import MAX_SNIPPET_SPANS, best_window, densest_start, mark, marked_paragraphs
from search.limits import (MAX_PHRASE_WORDS, MAX_WORD_CHARS, PHRASE_CUT_NOTICE, TIMEOUT_NOTICE, WORD_CUT_NOTICE,
                           deadline_passed, search_deadline)
from search.service import SearchRequest, SearchService

# ---------------------------------------------------------------- snippets


def _reference_window_start(text, spans, width):
    """The definition: the match whose window (the matches that end within
    `width` of its start) holds the most distinct texts, then the most matches."""
    best_start, best_score = spans[0][0], -1
    for i, (s, _) in enumerate(spans):
        inside = [(a, b) for a, b in spans[i:] if b - s <= width]
        score = len({text[a:b] for a, b in inside}) * 10 + len(inside)
        if score > best_score:
            best_start, best_score = s, score
    return best_start


def _random_spans(rng, text):
    spans, cursor = [], 0
    while True:
        cursor += rng.randint(0, 30)
        length = rng.choice([2, 2, 3, 4, 200])  # now and then one wider than the window
        if cursor + length > len(text):
            return spans
        spans.append((cursor, cursor + length))
        cursor += length


def test_best_window_is_the_reference_window():
    rng = random.Random(3)
    alphabet = "가나다라 "
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(50, 1500)))
        spans = _random_spans(rng, text)
        if not spans:
            continue
        width = rng.choice([20, 160])
        assert densest_start(text, spans, width) == _reference_window_start(text, spans, width), (spans, width)
        start, end = best_window(text, spans, width)
        assert start <= densest_start(text, spans, width) < end


class _CountingSpans(list):
    """Spans that count every element read (indexing, slicing, iterating)."""

    def __init__(self, items, counter):
        super().__init__(items)
        self.counter = counter

    def __getitem__(self, index):
        item = super().__getitem__(index)
        if isinstance(index, slice):
            self.counter[0] += len(item)
            return _CountingSpans(item, self.counter)
        self.counter[0] += 1
        return item

    def __iter__(self):
        for item in super().__iter__():
            self.counter[0] += 1
            yield item


@pytest.mark.parametrize("matches", [1_500, 200_000])
def test_best_window_reads_each_match_a_few_times(matches):
    # `경제` x n: was quadratic (16 s over five 950 KB articles).
    text = "경제 " * matches
    counter = [0]
    spans = _CountingSpans([(3 * i, 3 * i + 2) for i in range(matches)], counter)
    densest_start(text, spans)
    assert counter[0] <= 8 * min(matches, MAX_SNIPPET_SPANS)


def test_marked_paragraphs_are_each_lines_marks():
    rng = random.Random(5)
    for _ in range(200):
        text = "".join(rng.choice("가나\n ") for _ in range(rng.randint(0, 400)))
        spans = _random_spans(rng, text)
        expected, cursor = [], 0
        for paragraph in text.split("\n"):
            end = cursor + len(paragraph)
            if paragraph:
                expected.append(mark(paragraph, [(s - cursor, e - cursor) for s, e in spans if s >= cursor and e <= end]))
            cursor = end + 1
        assert marked_paragraphs(text, spans) == expected


# ---------------------------------------------------------------- query sizes


def _postings_opened(service, monkeypatch, q):
    """The search's result and how many postings matchers it opened."""
    searcher = service.generation().searcher()
    opened = [0]
    original = type(searcher).postings

    def counting(self, *args, **kwargs):
        opened[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(searcher), "postings", counting)
    result = service.search(SearchRequest(q=q, exact=True))
    monkeypatch.undo()
    return result, opened[0]


def test_a_word_of_999_hanja_is_cut_and_its_repeats_count_once(service, monkeypatch):
    result, opened = _postings_opened(service, monkeypatch, "漢" * 999)  # was a RecursionError (a 500)
    assert WORD_CUT_NOTICE in result.notices
    assert opened <= 8  # 漢 and its reading 한, in a few fields: not 999 of each
    parser = service.parser
    compiled = parser.compile(parser.parse("漢" * 999)).query
    assert compiled.matcher(service.generation().searcher()).depth() <= 6  # was ~999 deep


def test_a_250_word_phrase_of_one_word_is_cut(service, monkeypatch):
    q = '"' + " ".join(["반도체"] * 250) + '"'
    result, opened = _postings_opened(service, monkeypatch, q)
    assert PHRASE_CUT_NOTICE in result.notices
    # No article holds the phrase: its words are searched without the quotes
    # (issue 11), and the notice names the phrase in short.
    fallback = [n for n in result.notices if "따옴표 없이" in n]
    assert len(fallback) == 1 and len(fallback[0]) < 100
    assert result.total == service.search("반도체").total
    _, one_word = _postings_opened(service, monkeypatch, '"반도체"')
    # Two passes (the phrase, then its words without quotes), each opening the
    # postings of the one distinct word, as a one-word phrase does: not 250.
    assert opened <= 2 * one_word < 50
    parsed = service.parser.parse(q)
    assert len(parsed.node.text.split()) == MAX_PHRASE_WORDS


def test_a_long_word_without_spaces_is_cut(service, monkeypatch):
    result, opened = _postings_opened(service, monkeypatch, "대한민국" * 100)
    assert WORD_CUT_NOTICE in result.notices
    assert opened <= 8
    parsed = service.parser.parse("대한민국" * 100 + " 반도체")
    assert len(parsed.node.nodes[0].text) == MAX_WORD_CHARS
    # The cut word keeps its place in the query (analysed in context).
    low, high = parsed.node.nodes[0].span
    assert parsed.text[low:high] == parsed.node.nodes[0].text


def test_queries_within_the_bounds_are_untouched(service):
    for q in ("삼성전자 협력", '"차세대 반도체 공장"', "-협력 반도체", "기자:김민지 반도체"):
        parsed = service.parser.parse(q)
        assert not {WORD_CUT_NOTICE, PHRASE_CUT_NOTICE} & set(parsed.notices)
    assert service.search(SearchRequest(q="반도체")).total > 0


# ---------------------------------------------------------------- the deadline


def test_no_deadline_outside_a_search():
    assert not deadline_passed()
    with search_deadline(-1.0):
        assert any(deadline_passed() for _ in range(limits.CHECK_EVERY))
    assert not deadline_passed()


def test_a_search_past_its_deadline_stops_its_loops_and_says_so(service, monkeypatch):
    full = service.search(SearchRequest(q="반도체 -협력", sort="oldest"))
    assert full.total > 0 and TIMEOUT_NOTICE not in full.notices
    monkeypatch.setattr(limits, "SEARCH_DEADLINE_SECONDS", -1.0)
    monkeypatch.setattr(limits, "CHECK_EVERY", 1)
    cut = service.search(SearchRequest(q="반도체 -협력", sort="newest"))
    assert TIMEOUT_NOTICE in cut.notices and cut.total < full.total


# ---------------------------------------------------------------- one giant article


@pytest.fixture(scope="module")
def giant(tmp_path_factory):
    """Two normal articles and one that repeats 대한민국 15,000 times."""
    from search.indexer import reindex

    root = tmp_path_factory.mktemp("giant")
    body = "\n".join(f"대한민국 경제가 {i}번째로 성장했다. 대한민국 정부는 발표했다." for i in range(7_500))
    records = [{"id": "giant", "title": "아주 긴 기사", "body": body, "published": "2020-01-01"},
               {"id": "small-1", "title": "대한민국 경제", "body": "대한민국 경제가 성장했다.", "published": "2020-01-02"},
               {"id": "small-2", "title": "정부 발표", "body": "정부가 대한민국 경제를 발표했다.", "published": "2020-01-03"}]
    (root / "in").mkdir()
    (root / "in" / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = reindex([root / "in"], index_dir=root / "ix", workers=1)
    assert not report.failed
    return SearchService(root / "ix", cache_size=0)


def test_proximity_and_snippets_of_a_giant_article_are_bounded(giant, monkeypatch):
    read: list[int] = []
    original = ranking.densest_window

    def recording(occurrences, weights, window):
        read.append(len(occurrences))
        return original(occurrences, weights, window)

    monkeypatch.setattr(ranking, "densest_window", recording)
    result = giant.search(SearchRequest(q="대한민국 경제"))
    assert {hit.id for hit in result.hits} == {"giant", "small-1", "small-2"}
    terms = 3  # 대한, 민국, 경제
    assert read and max(read) <= terms * ranking.MAX_PROXIMITY_POSITIONS  # the giant holds 45,000
    giant_hit = next(hit for hit in result.hits if hit.id == "giant")
    assert "<mark>대한민국</mark>" in giant_hit.snippet.replace("</mark><mark>", "")
    assert len(giant_hit.snippet) < 2_000


def test_the_giant_articles_page_marks_every_line(giant):
    paragraphs = giant.highlighted_body("giant", "대한민국")
    assert len(paragraphs) == 7_500
    assert all(p.count("<mark>") == 2 for p in paragraphs)


# ---------------------------------------------------------------- facets


def test_a_segment_of_undated_articles_is_searched_and_sorted(tmp_path):
    """A segment whose articles are all undated has no date column; Whoosh's
    index-wide column then skips it, and every later document read another's
    date or past the end (struct.error on every search)."""
    from search.indexer import reindex

    folder = tmp_path / "in"
    folder.mkdir()
    dated = [{"id": f"d{i}", "title": f"경제 소식 {i}", "body": "경제가 성장했다.", "published": f"2020-01-0{i + 1}"}
             for i in range(3)]
    undated = [{"id": f"u{i}", "title": f"경제 단신 {i}", "body": "경제 단신이다."} for i in range(2)]
    (folder / "a-undated.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in undated), encoding="utf-8")
    reindex([folder], index_dir=tmp_path / "ix", workers=1)
    # An incremental run keeps that first segment and writes the dated articles
    # into a segment of their own (a layout two parallel workers also make,
    # though only when each happens to take one file).
    (folder / "b-dated.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dated), encoding="utf-8")
    reindex([folder], index_dir=tmp_path / "ix", workers=1, incremental=True)
    service = SearchService(tmp_path / "ix", cache_size=0)
    leaves = service.generation().searcher().reader().leaf_readers()
    assert sorted(leaf.has_column("published") for leaf, _ in leaves) == [False, True]
    newest = service.search(SearchRequest(q="경제", sort="newest"))
    assert [hit.id for hit in newest.hits] == ["d2", "d1", "d0", "u0", "u1"]  # undated last
