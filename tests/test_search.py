"""Searching the seed and a small multi-article corpus through the library entry point."""

from datetime import date

import pytest

from search.query.tree import QueryError
from search.service import SearchRequest, SearchService
from conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed_service(seed_index):
    return SearchService(seed_index)


SEED_QUERIES = [
    "삼성전자", "삼성전자는", "마이크로소프트", "나델라", "인공지능", "클라우드 컴퓨팅",
    "클라우드컴퓨팅", "협력했다", "성장산업", "기자:조재범", '"기술 협력"',
]


@pytest.mark.parametrize("q", SEED_QUERIES)
def test_seed_is_found(seed_service, q):
    result = seed_service.search(q)
    assert result.total == 1
    assert result.hits[0].title.startswith("이재용 삼성전자 부회장")


def test_exclusion_drops_the_seed(seed_service):
    assert seed_service.search("삼성전자 -협력").total == 0
    assert seed_service.search("삼성전자 -애플").total == 1


def test_words_are_anded(seed_service):
    assert seed_service.search("삼성전자 애플").total == 0
    assert seed_service.search("삼성전자 OR 애플").total == 1


def test_phrase_needs_adjacency(seed_service):
    # No article has 협력 기술 side by side: the phrase matches nothing, so the
    # words are searched without the quotes, and the result says so.
    result = seed_service.search('"협력 기술"')
    assert '"협력 기술"이(가) 그대로 들어간 기사가 없어 따옴표 없이 찾았습니다.' in result.notices
    assert seed_service.search('"기술 협력"').notices == []


def test_snippet_marks_inflected_forms(seed_service):
    hit = seed_service.search("협력").hits[0]
    # 협력에 (noun + particle) is marked on its stem, as 협력 alone is.
    assert "<mark>협력</mark>에" in hit.snippet
    body = seed_service.highlighted_body(hit.id, "협력")
    assert any("<mark>협력</mark>에" in p for p in body)


def test_hit_fields(seed_service):
    hit = seed_service.search("나델라").hits[0]
    assert hit.press == "뉴데일리경제"
    assert hit.reporters == ["조재범"]
    assert hit.published == "2018-11-07T16:12:56+09:00"
    assert hit.score > 0
    assert "<mark>나델라</mark>" in hit.snippet


def test_article_round_trip(seed_service):
    hit = seed_service.search("나델라").hits[0]
    article = seed_service.article(hit.id)
    assert article.title == hit.title
    assert len(article.related) == 44
    assert article.captions == ["이재용 삼성전자 부회장"]
    assert seed_service.article("no-such-id") is None


NOTHING_SEARCHABLE = "검색어에서 찾을 수 있는 단어가 없습니다 (조사·어미만으로는 검색되지 않습니다)."


@pytest.mark.parametrize("q", ["(삼성전자", "삼성전자)", "삼성전자 OR"])
def test_malformed_queries_are_lenient(seed_service, q):
    # A stray bracket or operator is ignored: the word beside it still finds the seed.
    result = seed_service.search(q)
    assert result.total == 1 and result.hits[0].title.startswith("이재용 삼성전자 부회장")


@pytest.mark.parametrize("q, notice", [
    ('"', NOTHING_SEARCHABLE), ("OR", NOTHING_SEARCHABLE), ("-", NOTHING_SEARCHABLE),
    ("기자:", "'기자:' 다음에 값이 없어 무시했습니다."),
    ("날짜:2018-13", "날짜 '2018-13'를 이해하지 못해 무시했습니다"),
])
def test_queries_with_nothing_to_search_say_why(seed_service, q, notice):
    result = seed_service.search(q)
    assert result.total == 0
    assert any(n.startswith(notice) for n in result.notices), result.notices


@pytest.mark.parametrize("q", ["은는이가", "AND OR NOT"])
def test_query_that_is_only_particles_says_so(seed_service, q):
    result = seed_service.search(q)
    assert result.total == 0 and result.hits == [] and result.suggestion is None
    assert NOTHING_SEARCHABLE in result.notices


# --- facets and filters on the multi-article fixture -------------------------


def facet(result, name):
    return {f.value: f.count for f in result.facets[name]}


def test_facet_counts(service):
    result = service.search("")
    assert result.total == 6
    assert facet(result, "reporter") == {"김민지": 2, "박준호": 1, "이서연": 2, "조재범": 1}
    assert facet(result, "press") == {"예시일보": 2, "샘플타임스": 3, "뉴데일리경제": 1}
    assert facet(result, "date") == {"2018-11": 1, "2019-01": 1, "2019-02": 2, "2019-03": 1}


def test_reporter_filter_is_or_within_and_across_facets(service):
    one = service.search(SearchRequest(reporters=["이서연"]))
    assert one.total == 2
    both = service.search(SearchRequest(reporters=["이서연", "박준호"]))
    assert both.total == 3
    narrowed = service.search(SearchRequest(reporters=["이서연", "박준호"], presses=["예시일보"]))
    assert narrowed.total == 1
    # Other reporters stay countable so the user can widen the choice.
    assert facet(one, "reporter")["김민지"] == 2


def test_date_filter(service):
    feb = service.search(SearchRequest(date_from=date(2019, 2, 1), date_to=date(2019, 2, 28)))
    assert feb.total == 2
    assert {h.id for h in feb.hits} == {"fx-semi-2", "fx-ai-1"}
    assert service.search("날짜:2019-02").total == 2
    assert service.search("from:2019-02-15").total == 2
    assert service.search("반도체 to:2019-01").total == 1


def test_sorting(service):
    newest = service.search(SearchRequest(sort="newest")).hits
    oldest = service.search(SearchRequest(sort="oldest")).hits
    assert newest[0].id == "fx-ai-2"
    assert oldest[0].title.startswith("이재용 삼성전자")  # the seed, 2018-11
    # Articles without a date come last whichever way the dates run.
    assert newest[-1].id == "fx-nodate" and oldest[-1].id == "fx-nodate"
    assert [h.id for h in newest[:-1]] == [h.id for h in reversed(oldest[:-1])]


def test_paging_is_stable(service):
    first = service.search(SearchRequest(sort="newest", size=2, page=1))
    second = service.search(SearchRequest(sort="newest", size=2, page=2))
    assert first.total == second.total == 6
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert service.search(SearchRequest(size=2, page=999)).hits == []


def test_press_field_prefix(service):
    assert service.search("언론사:샘플타임스").total == 3
    assert service.search("press:샘플타임스 카카오").total == 1


def test_title_field_prefix(service):
    assert {h.id for h in service.search("제목:반도체").hits} == {"fx-semi-1"}
    assert service.search("반도체").total == 2


@pytest.mark.parametrize(
    "params, param",
    [
        ({"page": "0"}, "page"),
        ({"size": "1000"}, "size"),
        ({"date_from": "2018-13-45"}, "from"),
        ({"sort": "best"}, "sort"),
        ({"page": "abc"}, "page"),
        ({"date_from": "2019-03-01", "date_to": "2019-01-01"}, "from"),
    ],
)
def test_bad_parameters_name_the_parameter(params, param):
    with pytest.raises(QueryError) as info:
        SearchRequest.from_params(**params)
    assert info.value.param == param
    assert param in str(info.value)
