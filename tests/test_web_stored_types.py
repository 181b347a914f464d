"""F7: an index written before ingest validated types may hold any JSON value in
an article's stored fields (a `related[].url` of 12345 or a list made the article
page and its related list a 500).  The fixture writes such documents straight
into a built index with Whoosh's writer, past ingest, as an old version could
have; the pages and the API must show what can be read and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator
from whoosh import index as whoosh_index

from search.index import IndexLayout, document_for
from search.indexer import reindex
from search.model import Article
from webui import create_app

DOCUMENT = json.loads((Path(__file__).resolve().parents[1] / "webui" / "openapi.json").read_text("utf-8"))

LINKED_URL = "https://www.example-news.kr/article/1001"

GOOD = [
    {"id": "good-1", "url": LINKED_URL, "title": "삼성전자, 차세대 반도체 공장 착공", "press": "예시일보",
     "reporter": "김민지", "published": "2019-01-03T09:30:00+09:00",
     "body": "삼성전자가 평택에서 차세대 반도체 공장 착공식을 열었다."},
    {"id": "good-2", "url": "https://www.example-news.kr/article/1002", "title": "SK하이닉스, 메모리 감산 결정",
     "press": "예시일보", "reporter": "김민지", "published": "2019-02-11T14:00:00+09:00",
     "body": "SK하이닉스가 메모리 반도체 감산을 결정했다."},
]

# meta objects as an old index may have stored them (search.index.document_for's "meta").
ODD_META = {
    "old-related-urls": {
        "subtitles": [], "reporters": ["김민지"], "email": None, "captions": [],
        "published": "2019-03-01T09:00:00+09:00",
        "related": [
            {"title": "숫자 주소의 관련기사", "url": 12345, "published": "2019-01-03"},
            {"title": "목록 주소의 관련기사", "url": ["https://a.example/1", "https://a.example/2"], "published": None},
            {"title": "객체 주소의 관련기사", "url": {"href": "https://a.example/3"}, "published": 20190103},
            {"title": ["제목이", "목록"], "url": LINKED_URL, "published": "2019-99-99"},
            {"title": 2019, "url": True},
            "문자열뿐인 관련기사", 7, None, [], {"published": "2019-01-03"},
        ],
    },
    "old-related-not-a-list": {
        "subtitles": [], "reporters": ["김민지"], "email": None, "captions": [], "published": None,
        "related": {"title": "목록이 아닌 관련기사", "url": 1},
    },
    # The other meta fields odd as well (and meta itself not an object): the record
    # and the related list are read by type (the search hit and the highlighted body
    # are search/service.py's, which still expects lists there).
    "old-odd-meta": {
        "subtitles": "부제가 문자열", "reporters": "김민지", "email": ["a@example.kr"], "captions": 3,
        "published": 20190301, "related": "관련기사 문자열",
    },
    "old-meta-list": ["not", "an", "object"],
    "old-meta-broken": "{not json",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("stored-types")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "good.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOOD), "utf-8")
    index_dir = root / "index"
    assert not reindex([corpus], index_dir=index_dir, workers=1, progress=False).failed
    generation = IndexLayout(index_dir).current()
    writer = whoosh_index.open_dir(str(generation)).writer()
    for article_id, meta in ODD_META.items():
        doc = document_for(Article(id=article_id, title=f"옛 색인의 기사 {article_id}", press="예시일보",
                                   reporters=["김민지"], body=["반도체 업황을 다룬 옛 기사 본문이다."]))
        doc["meta"] = meta if isinstance(meta, str) else json.dumps(meta, ensure_ascii=False)
        writer.add_document(**doc)
    writer.commit()
    return create_app(index_dir).test_client()


def assert_matches(name: str, data) -> None:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]})
    errors = list(validator.iter_errors(data))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


# Only `related` is odd in these: the pages render them whole.
ODD_RELATED = ["old-related-urls", "old-related-not-a-list"]


@pytest.mark.parametrize("article_id", ODD_RELATED)
def test_odd_related_entries_never_give_a_500(client, article_id):
    page = client.get(f"/articles/{article_id}")
    assert page.status_code == 200, page.data[-500:]
    assert f"옛 색인의 기사 {article_id}" in page.get_data(as_text=True)
    found = client.get("/api/search?q=" + "옛 기사").json
    assert article_id in [hit["id"] for hit in found["hits"]]


@pytest.mark.parametrize("article_id", sorted(ODD_META))
def test_the_api_reads_every_stored_field_by_type(client, article_id):
    record = client.get(f"/api/articles/{article_id}")
    assert record.status_code == 200
    assert_matches("Article", record.json)
    assert record.json["title"] == f"옛 색인의 기사 {article_id}"
    related = client.get(f"/api/articles/{article_id}/related")
    assert related.status_code == 200
    assert_matches("Related", related.json)


def test_a_related_url_that_is_no_string_is_dropped_and_the_entry_kept(client):
    listed = client.get("/api/articles/old-related-urls/related").json["listed"]
    by_title = {entry["title"]: entry for entry in listed}
    for title in ("숫자 주소의 관련기사", "목록 주소의 관련기사", "객체 주소의 관련기사"):
        assert by_title[title]["url"] is None and by_title[title]["article"] is None
    assert by_title["숫자 주소의 관련기사"]["published"] == "2019-01-03"
    assert by_title["객체 주소의 관련기사"]["published"] is None  # 20190103 is a number, not a date
    # A readable URL still finds its article, whatever the title's type was.
    found = [e for e in listed if e["url"] == LINKED_URL]
    assert len(found) == 1 and found[0]["article"]["id"] == "good-1" and found[0]["published"] is None
    # A number as a title is its digits, a bare string is a title.
    assert {"2019", "문자열뿐인 관련기사", "7"} <= set(by_title)
    assert len(listed) == 7  # null, [] and an entry with neither title nor URL are dropped
    assert client.get("/api/articles/old-related-not-a-list/related").json["listed"] == []


def test_the_article_page_lists_what_it_could_read(client):
    soup = BeautifulSoup(client.get("/articles/old-related-urls").data, "html.parser")
    related = soup.select_one("nav.related").get_text(" ", strip=True)
    assert "숫자 주소의 관련기사" in related and "문자열뿐인 관련기사" in related
    assert "12345" not in related and "a.example" not in str(soup.select_one("nav.related"))
    linked = [a["href"] for a in soup.select("nav.related li.linked a")]
    assert "/articles/good-1" in linked


def test_odd_meta_fields_are_read_by_type(client):
    record = client.get("/api/articles/old-odd-meta").json
    assert record["subtitles"] == ["부제가 문자열"] and record["reporters"] == ["김민지"]
    assert record["email"] is None and record["captions"] == ["3"] and record["published"] is None
    assert record["related"] == []
    assert client.get("/api/articles/old-meta-list").json["reporters"] == []
