"""Related-article navigation for one article, in the order a reader wants it:

1. `listed` — the article's own 관련기사 box, each entry resolved to an indexed
   article by its URL, else by its normalised title and date (the box rarely
   carries URLs in text scrapes, and titles differ in quotes and spacing);
2. `similar` — more like this: the article's key terms (Bo1 weighting over the
   body field) searched again, without the article itself and without exact
   duplicates (the same content hash or the same normalised title);
3. `same_reporter` — the newest other articles of each of its reporters.

Works on one Whoosh searcher of one index generation; `SearchService.related`
is the entry point the web layer calls.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from whoosh import query as Q
from whoosh import sorting

from search import stored as stored_fields
from search.index import CONTENT_FIELD, normalise_title, title_key
from search.model import RelatedLink

SIMILAR_LIMIT = 5
REPORTER_LIMIT = 5
MAX_REPORTERS = 3
# Key terms asked of the expander; short and numeric ones are then dropped
# (single syllables and numbers make poor evidence of a shared topic).
KEY_TERMS = 16
KEY_TERMS_KEPT = 10


@dataclass
class ArticleRef:
    """Enough of an indexed article to link to it."""

    id: str
    title: str
    url: Optional[str]
    press: Optional[str]
    reporters: list[str]
    published: Optional[str]


@dataclass
class ListedLink:
    """One entry of the article's own 관련기사 list; `article` is the indexed
    article it refers to, or None when that article is not in the index."""

    title: str
    published: Optional[str]
    url: Optional[str]
    article: Optional[ArticleRef] = None


@dataclass
class ReporterArticles:
    reporter: str
    articles: list[ArticleRef] = field(default_factory=list)


@dataclass
class RelatedArticles:
    id: str
    listed: list[ListedLink] = field(default_factory=list)
    similar: list[ArticleRef] = field(default_factory=list)
    same_reporter: list[ReporterArticles] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def article_ref(stored: dict[str, Any]) -> ArticleRef:
    # Each stored value read by its type (search.stored): an old index may hold anything.
    meta = stored_fields.meta(stored)
    return ArticleRef(
        id=stored["id"],
        title=stored_fields.text(stored.get("title")) or "",
        url=stored_fields.string(stored.get("url")),
        press=stored_fields.text(stored.get("press")),
        reporters=stored_fields.texts(meta.get("reporters")),
        published=stored_fields.iso_text(meta.get("published")),
    )


def find_related(
    searcher,
    article_id: str,
    similar: int = SIMILAR_LIMIT,
    per_reporter: int = REPORTER_LIMIT,
) -> Optional[RelatedArticles]:
    """The three related lists of an indexed article, or None if there is no such article."""
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    meta = stored_fields.meta(stored)
    links = stored_fields.related_links(meta.get("related"))
    return RelatedArticles(
        id=article_id,
        listed=[resolve_link(searcher, link, docnum) for link in links],
        similar=more_like_this(searcher, docnum, stored, similar),
        same_reporter=[
            ReporterArticles(name, reporter_articles(searcher, name, docnum, per_reporter))
            for name in stored_fields.texts(meta.get("reporters"))[:MAX_REPORTERS]
        ],
    )


def resolve_link(searcher, link: RelatedLink, own_docnum: int) -> ListedLink:
    """The indexed article a 관련기사 entry names: by URL, else by normalised title
    and date; an entry without a date matches only when its title is unique."""
    entry = ListedLink(link.title, link.published.isoformat() if link.published else None, link.url)
    docnum = None
    if link.url:
        docnum = searcher.document_number(url=link.url.strip())
    if docnum is None and link.published:
        docnum = searcher.document_number(title_key=title_key(link.title, link.published))
    if docnum is None and not link.published and normalise_title(link.title):
        candidates = list(searcher.docs_for_query(Q.Prefix("title_key", normalise_title(link.title) + "|")))
        if len(candidates) == 1:
            docnum = candidates[0]
    if docnum is not None and docnum != own_docnum:
        entry.article = article_ref(searcher.stored_fields(docnum))
    return entry


def key_terms(searcher, stored: dict[str, Any]) -> list[tuple[str, float]]:
    """The article's most telling body terms with their Bo1 weights."""
    meta = stored_fields.meta(stored)
    text = "\n".join([stored_fields.text(stored.get("title")) or "", *stored_fields.texts(meta.get("subtitles")),
                      stored_fields.text(stored.get("body")) or ""])
    if not text.strip():
        return []
    terms = searcher.key_terms_from_text(CONTENT_FIELD, text, numterms=KEY_TERMS, normalize=True)
    kept = [(t, w) for t, w in terms if len(t) > 1 and not t.isdigit()]
    return kept[:KEY_TERMS_KEPT]


class _Distinct:
    """Accepts each article once: never the article itself, an exact duplicate of
    it (same content hash, or same normalised title: a syndicated copy), or a
    second copy of an article already accepted."""

    def __init__(self, stored: dict[str, Any]):
        self.own_hash = stored.get("content_hash")
        self.titles = {normalise_title(stored_fields.text(stored.get("title")) or "")} - {""}

    def accept(self, fields: dict[str, Any]) -> bool:
        title = normalise_title(stored_fields.text(fields.get("title")) or "")
        if (self.own_hash and fields.get("content_hash") == self.own_hash) or title in self.titles:
            return False
        if title:
            self.titles.add(title)
        return True


def more_like_this(searcher, docnum: int, stored: dict[str, Any], limit: int) -> list[ArticleRef]:
    terms = key_terms(searcher, stored)
    if not terms or limit <= 0:
        return []
    query = Q.Or(
        [Q.Term(CONTENT_FIELD, t, boost=w) for t, w in terms] + [Q.Term("title", t, boost=w * 2) for t, w in terms]
    )
    distinct = _Distinct(stored)
    found: list[ArticleRef] = []
    # Ask for a few extra: duplicates are dropped after the search.
    for hit in searcher.search(query, limit=limit * 3 + 5, mask={docnum}):
        fields = hit.fields()
        if distinct.accept(fields):
            found.append(article_ref(fields))
            if len(found) == limit:
                break
    return found


def reporter_articles(searcher, reporter: str, docnum: int, limit: int) -> list[ArticleRef]:
    """The reporter's newest other articles (undated ones last), without copies
    of the article itself."""
    if limit <= 0:
        return []
    results = searcher.search(
        Q.Term("reporter", reporter),
        limit=limit * 2 + 2,
        mask={docnum},
        sortedby=[sorting.FieldFacet("undated"), sorting.FieldFacet("published", reverse=True)],
    )
    distinct = _Distinct(searcher.stored_fields(docnum))
    return [article_ref(f) for f in (hit.fields() for hit in results) if distinct.accept(f)][:limit]
