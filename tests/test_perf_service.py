"""The fast search paths give the answers of the straightforward ones: numpy
facets and filters against a Python loop over stored fields, date sorting
against sorted(), batched snippets against per-document ones, query pruning
against the unpruned query, and the result cache against a fresh search."""

import json
import random
from datetime import date, datetime

import pytest

from search.query.hits import content_spans
from search.indexer import reindex
from search.query.matching import prune, streaming_unions
from search.service import SearchRequest, SearchService

PRESSES = ["예시일보", "샘플타임스", "테스트경제", "가상신문"]
REPORTERS = ["김민지", "박준호", "이서연", "최도윤", "정하은", "강지우"]
WORDS = ["반도체", "수출", "협력", "인공지능", "클라우드", "삼성전자", "정부", "대통령", "대한민국", "시장"]


def make_corpus(folder, count=80, seed=5):
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as handle:
        for i in range(count):
            words = rng.sample(WORDS, 4)
            record = {
                "id": f"p{i:03d}",
                "title": f"{words[0]} {words[1]} 관련 기사 {i}",
                "press": rng.choice(PRESSES),
                "reporter": rng.sample(REPORTERS, rng.choice([0, 1, 1, 2])),
                "body": f"{words[0]}와 {words[2]}에 대한 보도다.\n{words[3]} 분야에서 {words[1]}이 늘었다. 기사 번호 {i}.",
            }
            if i % 9:  # every ninth article has no date
                record["published"] = f"{rng.randint(2016, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{i % 60:02d}:00+09:00"
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="module")
def perf_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("perf")
    index_dir = root / "ix"
    report = reindex([make_corpus(root / "corpus")], index_dir=index_dir, workers=1)
    assert report.indexed == 80
    return index_dir


@pytest.fixture(scope="module")
def perf_service(perf_index):
    return SearchService(perf_index, cache_size=0)


def reference(service, request):
    """Total, facets and allowed docnums computed the slow, obvious way."""
    generation = service.generation()
    searcher = generation.searcher()
    parsed = service.parser.parse(request.q)
    query = service.parser.compile(parsed).query
    if request.q:
        docs = sorted(searcher.docs_for_query(query)) if query is not None else []
    else:
        docs = [d for d in range(searcher.reader().doc_count_all()) if not searcher.reader().is_deleted(d)]
    rows = {}
    for d in docs:
        stored = searcher.stored_fields(d)
        meta = json.loads(stored["meta"])
        day = meta["published"][:10] if meta["published"] else None
        rows[d] = (meta["reporters"], stored.get("press"), day)
    low = request.date_from.isoformat() if request.date_from else None
    high = request.date_to.isoformat() if request.date_to else None
    facets = {"reporter": {}, "press": {}, "month": {}}
    allowed = []
    for d, (reporters, press, day) in rows.items():
        ok_r = not request.reporters or bool(set(request.reporters) & set(reporters))
        ok_p = not request.presses or press in request.presses
        ok_d = (low is None and high is None) or (day is not None and (low is None or day >= low) and (high is None or day <= high))
        if ok_p and ok_d:
            for r in reporters:
                facets["reporter"][r] = facets["reporter"].get(r, 0) + 1
        if ok_r and ok_d and press:
            facets["press"][press] = facets["press"].get(press, 0) + 1
        if ok_r and ok_p and day:
            facets["month"][day[:7]] = facets["month"].get(day[:7], 0) + 1
        if ok_r and ok_p and ok_d:
            allowed.append(d)
    return allowed, facets, rows


REQUESTS = [
    SearchRequest(q="반도체"),
    SearchRequest(q="반도체 수출"),
    SearchRequest(q="대한민국"),
    SearchRequest(q=""),
    SearchRequest(q="", reporters=["김민지"]),
    SearchRequest(q="협력", reporters=["김민지", "박준호"]),
    SearchRequest(q="시장", presses=["예시일보", "가상신문"]),
    SearchRequest(q="", date_from=date(2017, 3, 1), date_to=date(2018, 12, 31)),
    SearchRequest(q="정부", presses=["샘플타임스"], date_from=date(2018, 1, 1)),
    SearchRequest(q="", reporters=["최도윤"], presses=["테스트경제"], date_to=date(2019, 6, 30), sort="oldest"),
    SearchRequest(q="없는단어"),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"{r.q or 'browse'}-{len(r.reporters)}{len(r.presses)}")
def test_facets_and_filters_match_a_plain_loop(perf_service, request_):
    allowed, expected, _ = reference(perf_service, request_)
    result = perf_service.search(request_)
    assert result.total == len(allowed)
    got_reporters = {f.value: f.count for f in result.facets["reporter"]}
    # Selected values are listed even at zero; the rest are the counted ones.
    assert {k: v for k, v in got_reporters.items() if v} == expected["reporter"]
    assert {f.value: f.count for f in result.facets["press"] if f.count} == expected["press"]
    by_period = {}
    for month, count in expected["month"].items():
        key = month[:4] if result.date_granularity == "year" else month
        by_period[key] = by_period.get(key, 0) + count
    assert {f.value: f.count for f in result.facets["date"]} == by_period
    for selected in request_.reporters:
        assert selected in got_reporters


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sort_matches_sorted(perf_service, sort):
    request = SearchRequest(q="", sort=sort, size=100)
    allowed, _, rows = reference(perf_service, request)
    searcher = perf_service.generation().searcher()
    stamps = {d: json.loads(searcher.stored_fields(d)["meta"])["published"] for d in allowed}
    dated = sorted((d for d in allowed if stamps[d]), key=lambda d: (datetime.fromisoformat(stamps[d]), d),
                   reverse=sort == "newest")
    if sort == "newest":  # ties keep index order in both directions
        dated = sorted(dated, key=lambda d: (-datetime.fromisoformat(stamps[d]).timestamp(), d))
    expected = dated + sorted(d for d in allowed if not stamps[d])
    ids = [searcher.stored_fields(d)["id"] for d in expected]
    assert [h.id for h in perf_service.search(request).hits] == ids
    # Pages cut the same order.
    pages = [perf_service.search(SearchRequest(q="", sort=sort, size=7, page=p)).hits for p in range(1, 13)]
    assert [h.id for page in pages for h in page] == ids


def test_snippet_spans_batched_equal_one_by_one(perf_service):
    generation = perf_service.generation()
    reader, lookup = generation.searcher().reader(), generation.lookup()
    docnums = list(range(0, 80, 3))
    terms = {"반도체", "수출", "협력", "대한", "민국"}
    batched = content_spans(reader, terms, docnums, lookup)
    for docnum in docnums:
        assert batched.get(docnum, []) == content_spans(reader, terms, [docnum], lookup).get(docnum, [])
    assert any(batched.values())


@pytest.mark.parametrize("q", ["반도체 수출", "대한민국 정부", '"반도체 수출"', "협력 -시장", "(클라우드 OR 없는말) 시장",
                               "없는말", "제목:반도체", "없는말 OR 협력"])
def test_pruned_queries_find_and_score_the_same(perf_service, q):
    searcher = perf_service.generation().searcher()
    query = perf_service.parser.compile(perf_service.parser.parse(q)).query
    plain = [(h.docnum, round(h.score, 6)) for h in searcher.search(query, limit=None)]
    fast = [(h.docnum, round(h.score, 6)) for h in searcher.search(prune(streaming_unions(query), searcher.reader()), limit=None)]
    assert sorted(fast) == sorted(plain)


def test_search_ids_agrees_with_search(perf_service):
    for q in ["반도체", "대한민국 시장", "없는단어"]:
        assert perf_service.search_ids(q, 10) == [h.id for h in perf_service.search(SearchRequest(q=q, size=10)).hits]


def test_cache_returns_the_same_result_and_not_across_generations(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", count=20)
    index_dir = tmp_path / "ix"
    reindex([corpus], index_dir=index_dir, workers=1)
    service = SearchService(index_dir, cache_size=8)
    first = service.search("반도체")
    again = service.search("반도체")
    assert again.to_dict() | {"took_ms": 0} == first.to_dict() | {"took_ms": 0}
    again.hits.clear()  # a caller changing its copy does not change the cache
    assert service.search("반도체").hits
    with open(corpus / "articles.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "new", "title": "반도체 신규 기사", "body": "반도체 공장"}, ensure_ascii=False) + "\n")
    reindex([corpus], index_dir=index_dir, incremental=True, workers=1)
    assert service.search("반도체").total == first.total + 1


def test_warm_builds_what_the_first_search_needs(perf_index, monkeypatch):
    # The facet arrays, the columnar postings and their term look-ups, the
    # article ids and the did-you-mean vocabulary are built by warm(), once,
    # and the first searches after it (one with a typo) build none again.
    import search.query.generation as generation_module

    built = {"facets": 0, "columnar": 0, "lookup": 0, "ids": 0, "vocabulary": 0}
    facet_table, open_columnar = generation_module.FacetTable, generation_module.ColumnarIndex.open
    term_lookup, article_ids = generation_module.TermLookup, generation_module.article_ids
    vocabulary = generation_module.Vocabulary

    def counting(name, build):
        def counted(*args):
            built[name] += 1
            return build(*args)
        return counted

    monkeypatch.setattr(generation_module, "TermLookup", counting("lookup", term_lookup))
    monkeypatch.setattr(generation_module, "article_ids", counting("ids", article_ids))
    monkeypatch.setattr(generation_module, "Vocabulary", counting("vocabulary", vocabulary))

    def counting_facets(reader):
        built["facets"] += 1
        return facet_table(reader)

    def counting_columnar(path, reader):
        built["columnar"] += 1
        return open_columnar(path, reader)

    monkeypatch.setattr(generation_module, "FacetTable", counting_facets)
    monkeypatch.setattr(generation_module.ColumnarIndex, "open", counting_columnar)
    service = SearchService(perf_index, cache_size=0)
    service.warm()
    once = {"facets": 1, "columnar": 1, "lookup": 1, "ids": 1, "vocabulary": 1}
    assert built == once
    assert service.search("반도체").total > 0
    assert service.search("").total == 80
    assert service.search_ids("반도체", 5)
    service.search("반도채")  # few or no matches: did-you-mean reads the vocabulary
    assert built == once


def test_threads_share_one_searcher_and_get_the_answers_of_one_thread(perf_index):
    import threading

    queries = ["반도체", "대한민국 시장", '"반도체 수출"', "", "협력 -시장"] * 4
    alone = SearchService(perf_index, cache_size=0)
    expected = {q: [h.id for h in alone.search(SearchRequest(q=q, size=20)).hits] for q in set(queries)}

    # A fresh service whose first searches all start at once: one Whoosh
    # searcher is opened for all of them (each maps the segment files).
    service = SearchService(perf_index, cache_size=0)
    generation = service.generation()
    opened = []
    open_searcher = generation.index.searcher

    def counting_searcher(**kwargs):
        opened.append(1)
        return open_searcher(**kwargs)

    generation.index.searcher = counting_searcher
    got, errors = [], []
    start = threading.Barrier(len(queries))

    def worker(q):
        try:
            start.wait()
            got.append((q, [h.id for h in service.search(SearchRequest(q=q, size=20)).hits]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(q,)) for q in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == len(queries) and all(ids == expected[q] for q, ids in got)
    assert len(opened) == 1
