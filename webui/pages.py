"""The HTML pages: the search page and the article page (usable without JavaScript)."""

from __future__ import annotations

from typing import Optional

from flask import Blueprint, abort, render_template, request

from search.query import QueryError
from search.service import SearchResult
from webui import search_service
from webui.bounds import BadParameter, check_args
from webui.errors import shorten
from webui.params import PARAM_LABELS, SORT_LABELS, ResultContext, SearchParams, active_filters

bp = Blueprint("pages", __name__)

EXAMPLE_QUERIES = ["삼성전자 협력", '"클라우드 컴퓨팅"', "인공지능 -네이버", "기자:조재범", "반도체 날짜:2019"]


@bp.app_context_processor
def defaults():
    # The header's search form is on every page, errors included.
    return {"params": SearchParams(), "sort_labels": SORT_LABELS}


@bp.get("/")
def home():
    if request.args:
        return search()
    service = search_service()
    return render_template("home.html", count=service.count(), examples=EXAMPLE_QUERIES, autofocus=True)


@bp.get("/search")
def search():
    params = SearchParams.from_args(request.args)
    try:
        check_args(request.args)
        search_request = params.request()
    except QueryError as exc:
        label = PARAM_LABELS.get(exc.param, exc.param)
        message = exc.korean if isinstance(exc, BadParameter) else str(exc)
        return (
            render_template("search.html", params=params, result=None, error=shorten(f"{label}: {message}"), error_param=exc.param),
            400,
        )
    result = search_service().search(search_request)
    return render_template(
        "search.html",
        params=params,
        result=result,
        request_=search_request,
        chips=active_filters(params),
        # Without a query there is nothing to rank by: the engine lists newest first.
        shown_sort="newest" if not search_request.q and search_request.sort == "relevance" else search_request.sort,
        first_rank=(result.page - 1) * result.size + 1,
    )


@bp.get("/articles/<article:article_id>")
def article(article_id: str):
    service = search_service()
    record = service.article(article_id)
    if record is None:
        abort(404)
    context = ResultContext.from_args(request.args)
    q = context.params.q if context else ""
    paragraphs = service.highlighted_body(article_id, q) or []
    related = service.related(article_id)
    neighbours = _neighbours(context) if context and context.rank else {}
    return render_template(
        "article.html",
        article=record,
        paragraphs=paragraphs,
        related=related,
        context=context,
        neighbours=neighbours,
        params=context.params if context else SearchParams(),
    )


def _neighbours(context: ResultContext) -> dict[str, tuple[int, object]]:
    """The previous and next hits of the search the reader came from, by rank."""
    found: dict[str, tuple[int, object]] = {}
    for key, rank in (("prev", context.rank - 1), ("next", context.rank + 1)):
        if rank < 1:
            continue
        try:
            result: Optional[SearchResult] = search_service().search(context.params.request(page=rank, size=1))
        except QueryError:
            return {}
        if result.hits:
            found[key] = (rank, result.hits[0])
    return found
