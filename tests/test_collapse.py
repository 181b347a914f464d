"""Results that show a same-event cluster once (search/collapse.py): its
best-ranked matching member heads it and lists the others; `collapse=0`
lists everything; `group=<id>` lists one cluster; totals say whether they
count clusters or articles, facets always count articles; the API and
`search --json` share the shape, as the OpenAPI document says."""

from __future__ import annotations

import pytest

from grouping_fixtures import CLUSTER, EVENT, build_event_index, write_jsonl
from search import SearchRequest, SearchService
from search.collapse import UNKNOWN_GROUP_NOTICE
from search.indexer import reindex
from search.render import search_result_json


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return build_event_index(tmp_path_factory.mktemp("collapse"))


@pytest.fixture(scope="module")
def service(index_dir):
    return SearchService(index_dir, cache_size=0)


def test_a_cluster_shows_once_headed_by_its_best_ranked_member(service):
    flat = service.search(SearchRequest(q="따릉이 요금"))
    assert {h.id for h in flat.hits} == CLUSTER and flat.total == 3
    folded = service.search(SearchRequest(q="따릉이 요금", collapse=True))
    assert folded.total == 1 and len(folded.hits) == 1
    head = folded.hits[0]
    assert head.id == flat.hits[0].id  # the best-ranked of the three
    assert head.group["id"] == "bike-wire" and head.group["size"] == 3
    assert [m["id"] for m in head.group["members"]] == [h.id for h in flat.hits[1:]]
    assert {m["id"]: m["near_copy"] for m in head.group["members"]}.get("bike-near", False) is True
    assert folded.grouping.counts == "groups" and folded.grouping.articles == 3
    # Facets count articles, every member of the cluster included.
    assert sum(f.count for f in folded.facets["press"]) == 3


def test_without_collapsing_every_article_is_listed_with_its_cluster(service):
    flat = service.search(SearchRequest(q="따릉이 요금", collapse=False))
    assert flat.total == 3 and flat.grouping.counts == "articles"
    assert all(h.group == {"id": "bike-wire", "size": 3} for h in flat.hits)


def test_a_date_sort_heads_the_cluster_with_its_newest_or_oldest_member(service):
    newest = service.search(SearchRequest(q="따릉이", sort="newest", collapse=True))
    oldest = service.search(SearchRequest(q="따릉이", sort="oldest", collapse=True))
    assert [h.id for h in newest.hits] == ["bike-rewrite"] and [h.id for h in oldest.hits] == ["bike-wire"]


def test_browsing_collapses_too_and_lone_articles_keep_their_place(service):
    listed = service.search(SearchRequest(q="", collapse=True, size=10))
    assert listed.total == 4  # one cluster and three lone articles
    ids = [h.id for h in listed.hits]
    assert ids == ["library", "orchard", "bike-rewrite", "harbor"]  # newest first
    assert {h.id: h.group["size"] for h in listed.hits} == {"library": 1, "bike-rewrite": 3, "orchard": 1, "harbor": 1}


def test_one_cluster_alone(service):
    cluster = service.search(SearchRequest(q="", group="bike-wire", collapse=True))
    assert {h.id for h in cluster.hits} == CLUSTER and cluster.total == 3
    narrowed = service.search(SearchRequest(q="시의회", group="bike-wire"))
    assert [h.id for h in narrowed.hits] == ["bike-near"]  # only the member that says it
    alone = service.search(SearchRequest(q="", group="harbor"))
    assert [h.id for h in alone.hits] == ["harbor"]
    gone = service.search(SearchRequest(q="따릉이", group="no-such-article"))
    assert gone.hits == [] and gone.total == 0 and UNKNOWN_GROUP_NOTICE in gone.notices


def test_paging_through_clusters_lists_each_once(service):
    pages = [service.search(SearchRequest(q="", collapse=True, size=1, page=p)) for p in (1, 2, 3, 4, 5)]
    assert [len(p.hits) for p in pages] == [1, 1, 1, 1, 0]
    assert len({p.hits[0].id for p in pages[:4]}) == 4


def test_json_shape_states_what_totals_and_facets_count(service):
    folded = search_result_json(service.search(SearchRequest(q="따릉이 요금", collapse=True)))
    assert folded["counts"] == {"total": "groups", "facets": "articles"}
    assert folded["total"] == 1 and folded["matched_articles"] == 3
    assert folded["hits"][0]["group"]["size"] == 3 and len(folded["hits"][0]["group"]["members"]) == 2
    flat = search_result_json(service.search(SearchRequest(q="부산항")))
    assert flat["counts"]["total"] == "articles" and flat["hits"][0]["group"] == {"id": "harbor", "size": 1, "members": []}


# ---------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def client(index_dir):
    from webui import create_app

    return create_app(index_dir).test_client()


def test_the_api_collapses_by_default_and_lists_all_with_collapse_0(client):
    folded = client.get("/api/search", query_string={"q": "따릉이 요금"}).get_json()
    assert folded["counts"]["total"] == "groups" and len(folded["hits"]) == 1
    flat = client.get("/api/search", query_string={"q": "따릉이 요금", "collapse": "0"}).get_json()
    assert flat["counts"]["total"] == "articles" and len(flat["hits"]) == 3
    one = client.get("/api/search", query_string={"group": folded["hits"][0]["group"]["id"]}).get_json()
    assert {h["id"] for h in one["hits"]} == CLUSTER


def test_the_api_refuses_a_bad_collapse_or_group(client):
    bad = client.get("/api/search", query_string={"q": "따릉이", "collapse": "yes please"})
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "collapse"
    long = client.get("/api/search", query_string={"group": "x" * 201})
    assert long.status_code == 400 and long.get_json()["error"]["param"] == "group"


def test_the_api_answer_matches_the_openapi_document(client):
    import jsonschema

    document = client.get("/api/openapi.json").get_json()
    # The response schema with the document's components beside it, so its $refs resolve.
    schema = {**document["components"]["schemas"]["SearchResponse"], "components": document["components"]}
    for query in ({"q": "따릉이 요금"}, {"q": "따릉이", "collapse": "0"}, {"group": "bike-wire"}):
        jsonschema.validate(client.get("/api/search", query_string=query).get_json(), schema)


def test_a_cluster_alone_is_ranked_among_its_members_not_cut_from_the_top(tmp_path):
    # Twelve stories that say 따릉이 more often than the cluster's members do: they
    # fill the top of a plain search, and group=<id> must still page through all three.
    places = ["여의도", "뚝섬", "망원", "잠실", "반포", "난지", "광나루", "이촌", "양화", "잠원", "강서", "성산"]
    fillers = [{"id": f"filler-{n}", "title": f"{place} 한강공원 따릉이 대여소 확장",
                "published": f"2025-0{1 + n % 9}-1{n % 10}T09:00:00+09:00",
                "body": f"따릉이 따릉이 따릉이. {place} 한강공원에 따릉이 대여소가 {n + 3}곳 늘어난다. "
                        f"{place} 주민들은 {n + 20}년 만의 변화라며 따릉이 이용을 반겼다."}
               for n, place in enumerate(places)]
    write_jsonl(tmp_path / "c" / "a.jsonl", fillers + [EVENT["wire"], EVENT["near"], EVENT["rewrite"]])
    reindex([tmp_path / "c"], index_dir=tmp_path / "ix", workers=1, progress=False)
    service = SearchService(tmp_path / "ix", cache_size=0)
    top = service.search(SearchRequest(q="따릉이", size=3, collapse=False))
    assert not {h.id for h in top.hits} & CLUSTER  # the fillers rank first
    pages = [service.search(SearchRequest(q="따릉이", group="bike-wire", size=2, page=p)) for p in (1, 2)]
    assert [p.total for p in pages] == [3, 3]
    assert {h.id for p in pages for h in p.hits} == CLUSTER
