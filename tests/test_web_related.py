"""Related-article navigation (search/related.py through SearchService.related)
and the did-you-mean hook, on the web corpus."""

from __future__ import annotations

from datetime import datetime

import pytest

from search.service import SearchService
from web_fixtures import ALL_ARTICLES, SEED_LINKED_TITLE, web_index


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    return SearchService(web_index(tmp_path_factory))


def reporters_of(record) -> list[str]:
    value = record.get("reporter") or []
    return [value] if isinstance(value, str) else list(value)


def ids(refs) -> list[str]:
    return [ref.id for ref in refs]


def test_listed_entry_matched_by_title_and_date(service):
    # fx-semi-1 lists "SK하이닉스, 메모리 감산 결정 (2019-02-11)" without a URL.
    related = service.related("fx-semi-1")
    assert [link.title for link in related.listed] == ["SK하이닉스, 메모리 감산 결정"]
    assert related.listed[0].article is not None
    assert related.listed[0].article.id == "fx-semi-2"
    assert related.listed[0].published == "2019-02-11"


def test_seed_box_links_to_the_indexed_article(service):
    seed_id = service.search("나델라").hits[0].id
    listed = service.related(seed_id).listed
    assert len(listed) == 44  # every entry is kept, matched or not
    matched = [link for link in listed if link.article]
    assert [(link.title, link.article.id) for link in matched] == [(SEED_LINKED_TITLE, "web-exynos")]
    assert all(link.article is None for link in listed if link.title != SEED_LINKED_TITLE)


def test_url_wins_over_title_and_undated_titles_must_be_unique(service):
    listed = service.related("web-exynos").listed
    by_url, unique_title, ambiguous = listed
    assert by_url.title == "제목이 달라진 네이버 기사" and by_url.article.id == "fx-ai-1"
    assert unique_title.published is None and unique_title.article.id == "fx-ai-2"
    assert ambiguous.article is None  # two articles carry that title


def test_unmatched_entry_keeps_title_and_date(service):
    listed = service.related("web-ai-cloud").listed
    assert listed[0].article.id == "fx-ai-2"  # by URL
    assert (listed[1].title, listed[1].published, listed[1].article) == ("색인에 없는 옛 기사 제목", "2017-05-01", None)


def test_similar_excludes_itself_and_duplicates(service):
    similar = ids(service.related("web-ai-cloud").similar)
    assert similar, "an article about cloud data centres has neighbours in this corpus"
    assert "web-ai-cloud" not in similar
    assert "web-ai-cloud-copy" not in similar  # same title: a syndicated copy
    assert similar[0] in {"fx-ai-2", "fx-ai-1"}  # the other data-centre / AI stories rank first
    assert len(similar) == len(set(similar))


def test_similar_of_the_copy_excludes_the_original(service):
    assert "web-ai-cloud" not in ids(service.related("web-ai-cloud-copy").similar)


def test_same_reporter_newest_first_without_itself(service):
    own = "web-semi-3"
    related = service.related(own, limit=5)
    assert [group.reporter for group in related.same_reporter] == ["김민지"]
    expected = sorted(
        (r for r in ALL_ARTICLES if "김민지" in reporters_of(r) and r["id"] != own),
        key=lambda r: datetime.fromisoformat(r["published"]),
        reverse=True,
    )
    assert ids(related.same_reporter[0].articles) == [r["id"] for r in expected[:5]]


def test_one_list_per_reporter(service):
    related = service.related("fx-semi-2")  # 박준호 and 김민지
    groups = {group.reporter: ids(group.articles) for group in related.same_reporter}
    assert set(groups) == {"박준호", "김민지"}
    assert groups["박준호"] == []  # nothing else by him
    assert len(groups["김민지"]) == 5 and "fx-semi-2" not in groups["김민지"]
    assert "fx-semi-1" in ids(service.related("fx-semi-2", limit=20).same_reporter[1].articles)


def test_unknown_article(service):
    assert service.related("no-such-article") is None


def test_to_dict_is_plain_data(service):
    data = service.related("fx-semi-1").to_dict()
    assert set(data) == {"id", "listed", "similar", "same_reporter"}
    assert data["listed"][0]["article"]["id"] == "fx-semi-2"


# --- did you mean -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [("협럭", "협력"), ("마이크로소프투", "마이크로소프트"), ("마이크로소프투 데이터센터", "마이크로소프트 데이터센터")],
)
def test_suggestion_for_a_misspelling(service, typed, meant):
    # Offered (이것을 찾으셨나요?), or searched at once when the typo finds nothing.
    result = service.search(typed)
    assert result.suggestion == meant or (result.query, result.rewritten_from) == (meant, typed)
    assert service.search(typed, exact=True).suggestion == meant
    assert service.search(meant).total > service.search(typed, exact=True).total


def test_no_suggestion_when_the_query_finds_enough(service):
    result = service.search("협력")
    assert result.total >= 3
    assert result.suggestion is None


def test_no_suggestion_without_a_better_spelling(service):
    assert service.search("쀍쀍쀍").suggestion is None
