"""Subtitles, body and captions are indexed only inside `content` (schema 3):
searches, 본문:, snippets, title marks and the article page's marks all come
from it, mapped back to each field's own text."""

import json

import pytest
from whoosh import index as whoosh_index

from search.highlight import spans_by_field
from search.index import BODY_POSITION, CONTENT_FIELD, IndexLayout, joined_text
from search.indexer import reindex
from search.service import SearchService

ARTICLES = [
    {"id": "in-title", "title": "양자컴퓨터 시대 개막", "body": "연구진이 새로운 장비를 공개했다."},
    {"id": "in-body", "title": "연구소 소식", "body": "연구진이 양자컴퓨터 시제품을 공개했다.\n상용화는 내년이다."},
    {"id": "in-subtitle", "title": "과학 뉴스", "subtitle": "양자컴퓨터 경쟁 본격화", "body": "각국이 투자를 늘렸다."},
    {"id": "in-caption", "title": "현장 사진", "body": "연구소 공개 행사가 열렸다.", "captions": ["▲ 양자컴퓨터 시연 장면"]},
    # Without a title the first sentence becomes one (search.ingest.dateline): the word is in the second.
    {"id": "no-title", "title": "", "body": "제목이 없는 기사다. 양자컴퓨터 이야기만 있다."},
]


@pytest.fixture(scope="module")
def layout_service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    with open(folder / "a.jsonl", "w", encoding="utf-8") as handle:
        for record in ARTICLES:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    index_dir = folder / "ix"
    report = reindex([folder / "a.jsonl"], index_dir=index_dir, workers=1)
    assert not report.failed
    return SearchService(index_dir)


def ids(result):
    return {hit.id for hit in result.hits}


def test_text_fields_are_stored_once_and_indexed_in_content(layout_service):
    schema = whoosh_index.open_dir(str(IndexLayout(layout_service.layout.root).current())).schema
    assert not schema["body"].indexed and schema["body"].stored
    assert "subtitles" not in schema and "captions" not in schema
    # Positions in Whoosh's postings; the character offsets snippets are cut
    # at live in the columnar files (tests/test_columnar_spans.py).
    assert schema[CONTENT_FIELD].format.supports("positions")
    assert not schema[CONTENT_FIELD].format.supports("characters")


def test_every_field_is_searched(layout_service):
    assert ids(layout_service.search("양자컴퓨터")) == {a["id"] for a in ARTICLES}


def test_body_prefix_leaves_out_titles_only(layout_service):
    found = ids(layout_service.search("본문:양자컴퓨터"))
    assert found == {"in-body", "in-subtitle", "in-caption", "no-title"}
    assert ids(layout_service.search('본문:"양자컴퓨터 시제품"')) == {"in-body"}
    assert ids(layout_service.search("제목:양자컴퓨터")) == {"in-title"}


def test_snippets_and_title_marks_come_from_content_offsets(layout_service):
    hits = {hit.id: hit for hit in layout_service.search("양자컴퓨터").hits}
    assert hits["in-title"].title_html == "<mark>양자컴퓨터</mark> 시대 개막"
    assert "<mark>" not in hits["in-body"].title_html
    assert "<mark>양자컴퓨터</mark> 시제품" in hits["in-body"].snippet
    # The best field is cut: the caption, not the body that lacks the word.
    assert "<mark>양자컴퓨터</mark> 시연 장면" in hits["in-caption"].snippet
    assert "<mark>양자컴퓨터</mark> 경쟁" in hits["in-subtitle"].snippet
    assert "<mark>양자컴퓨터</mark> 이야기" in hits["no-title"].snippet


def test_article_page_marks_only_the_body(layout_service):
    assert layout_service.highlighted_body("in-body", "양자컴퓨터 공개") == [
        "연구진이 <mark>양자컴퓨터</mark> 시제품을 <mark>공개</mark>했다.", "상용화는 내년이다."]
    assert layout_service.highlighted_body("in-title", "양자컴퓨터") == ["연구진이 새로운 장비를 공개했다."]


def test_title_positions_end_before_the_rest():
    from search.index import document_for
    from search.model import Article

    document = document_for(Article(id="x", title="양자 컴퓨터", body=["양자 기술"], captions=["사진"]))
    positions = {(t, p) for t, p, _, _ in document[CONTENT_FIELD].tokens}
    title = [p for t, p, s, _ in document[CONTENT_FIELD].tokens if s < len("양자 컴퓨터")]
    rest = [p for t, p, s, _ in document[CONTENT_FIELD].tokens if s > len("양자 컴퓨터")]
    assert max(title) < BODY_POSITION <= min(rest) and min(rest) == BODY_POSITION
    assert ("양자", BODY_POSITION) in positions


def test_spans_map_back_to_their_fields():
    texts = {"title": "제목", "subtitles": "", "body": "본문 둘째", "captions": "사진"}
    joined, starts = joined_text(texts["title"], texts["subtitles"], texts["body"], texts["captions"])
    assert joined == "제목\n본문 둘째\n사진" and starts == {"title": 0, "body": 3, "captions": 9}
    spans = [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert spans_by_field(spans, texts) == {"title": [(0, 2)], "body": [(0, 2), (3, 5)], "captions": [(0, 2)]}
