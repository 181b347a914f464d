"""A search result as JSON: the one shape both `news-search search --json` and
`GET /api/search` print (documented in webui/openapi.json), so the two can never
drift apart again."""

from __future__ import annotations

from typing import Any, Optional

from search.service import SearchResult

# The fields of a hit a client sees; `title_html` (the title with <mark>s) is
# for the pages only.
HIT_FIELDS = ("id", "title", "url", "press", "reporters", "published", "score", "snippet", "missing")


def group_json(group: Optional[dict], article_id: str) -> dict[str, Any]:
    """A hit's same-event cluster (search.collapse): id and size, and the other
    matching members when the hit heads a collapsed cluster (else none)."""
    if not group:
        return {"id": article_id, "size": 1, "members": []}
    return {"id": group["id"], "size": group["size"], "members": [dict(m) for m in group.get("members", [])]}


def reporter_card_json(card) -> Optional[dict[str, Any]]:
    if card is None:
        return None
    return {
        "name": card.name,
        "count": card.count,
        "query": card.query,
        "recent": [{"id": a.id, "title": a.title, "published": a.published} for a in card.recent],
    }


def search_result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "size": result.size,
        "took_ms": round(result.took_ms, 2),
        "hits": [{**{name: _copy(getattr(hit, name)) for name in HIT_FIELDS}, "group": group_json(hit.group, hit.id)}
                 for hit in result.hits],
        "facets": {
            "reporter": [{"value": f.value, "count": f.count} for f in result.facets.get("reporter", [])],
            "press": [{"value": f.value, "count": f.count} for f in result.facets.get("press", [])],
            "date": [{"period": f.value, "count": f.count} for f in result.facets.get("date", [])],
        },
        "suggestion": result.suggestion,
        "rewritten_from": result.rewritten_from,
        "notices": list(result.notices),
        "relaxed_total": result.relaxed_total,
        "facets_scope": result.facets_scope,
        "reporter_card": reporter_card_json(result.reporter_card),
        # What the numbers count: `total` pages through clusters and lone articles
        # when same-event clusters are collapsed; facets always count articles.
        "counts": {"total": result.grouping.counts if result.grouping else "articles", "facets": "articles"},
        "matched_articles": result.grouping.articles if result.grouping else result.total,
    }


def _copy(value):
    return list(value) if isinstance(value, list) else value
