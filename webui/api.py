"""The JSON API, documented by `webui/openapi.json` (served at /api/openapi.json).

Responses are built field by field here rather than dumped from the engine's
dataclasses, so the documented shape cannot change by accident when the engine
grows a field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from flask import Blueprint, jsonify, request

from search import Article, search_result_json
from webui import export
from webui.context import search_service
from webui.bounds import BadParameter, check_args, check_integer
from webui.errors import error_json
from webui.params import SearchParams

bp = Blueprint("api", __name__, url_prefix="/api")

def article_json(article: Article) -> dict[str, Any]:
    """The whole record, except `source`: a path on the server, not part of the article."""
    data = article.to_dict()
    data.pop("source", None)
    return data


def not_found(article_id: str):
    return error_json(404, f"no article with id '{article_id}'", "id")


@bp.get("/search")
def search():
    check_args(request.args)  # BadParameter (a QueryError) → 400 (webui.errors)
    params = SearchParams.from_args(request.args)
    fmt = export.export_format(request.args.get("format", ""))  # format=csv|json: 결과 다운로드
    search_request = params.request()  # QueryError → 400 (webui.errors)
    if fmt:
        first, hits = export.all_hits(search_service(), search_request)
        return export.csv_response(params, hits) if fmt == "csv" else export.json_response(params, first, hits)
    return jsonify(search_result_json(search_service().search(search_request)))


SUGGEST_LIMIT = 10


@bp.get("/suggest")
def suggest():
    """Completions for the search box (search.autocomplete): `q` as typed so far."""
    q = request.args.get("q", "")
    limit = SUGGEST_LIMIT
    if "limit" in request.args:
        check_integer("limit", request.args.get("limit"))
        limit = int(request.args.get("limit"))
        if not 1 <= limit <= SUGGEST_LIMIT:
            raise BadParameter(f"limit: {limit} is out of range (1-{SUGGEST_LIMIT})", "limit",
                               f"1에서 {SUGGEST_LIMIT} 사이의 수를 넣어 주세요.")
    found = search_service().suggest(q, limit)
    return jsonify({
        "query": q,
        "suggestions": [{"text": s.text, "query": s.query, "kind": s.kind, "count": s.count} for s in found],
    })


@bp.get("/articles/<article:article_id>")
def article(article_id: str):
    record = search_service().article(article_id)
    if record is None:
        return not_found(article_id)
    return jsonify(article_json(record))


@bp.get("/articles/<article:article_id>/related")
def related(article_id: str):
    found = search_service().related(article_id)
    if found is None:
        return not_found(article_id)
    return jsonify(found.to_dict())


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    return json.loads(resources.files("webui").joinpath("openapi.json").read_text("utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
