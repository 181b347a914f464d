"""The HTML pages, all usable without JavaScript: home, the search page, its
facet lists (더보기) and 상세검색 form, and the article page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Optional

from flask import Blueprint, abort, redirect, render_template, request

from search import QueryError, SearchResult, is_initials_query
from webui.context import search_service
from webui.advanced import AdvancedForm
from webui.errors import query_error_reason
from webui.examples import index_examples, index_facts
from webui.export import EXPORT_LIMIT
from webui.formatting import mark_words
from webui.bounds import check_args
from webui.params import PARAM_LABELS, SORT_LABELS, ResultContext, SearchParams, active_filters
from webui.periods import custom_range, presets

bp = Blueprint("pages", __name__)

SIZE_CHOICES = ("10", "20", "50")
# The 더보기 page lists every value of a facet, this many to a page.
FACET_PAGE_SIZE = 100
FACETS = {"reporter": "기자", "press": "언론사"}


@bp.app_context_processor
def defaults():
    # The header's search form is on every page, errors included.
    return {"params": SearchParams(), "sort_labels": SORT_LABELS}


@bp.get("/")
def home():
    if request.args:
        return search()
    service = search_service()
    return render_template(
        "home.html", facts=index_facts(service), examples=index_examples(service), autofocus=True,
    )


def _from_the_box() -> Optional[str]:
    """Where a search-box submission should land.  The box carries the filters
    in force (hidden fields) and a `box` marker; a new query starts without them
    unless `결과 내 재검색` (`within`) was ticked — Naver's rule, so a reporter
    chosen for the last search never silently empties the next one."""
    if "box" not in request.args:
        return None
    params = SearchParams.from_args(request.args)
    if request.args.get("within") != "1":
        params = params.changed(reporters=(), presses=(), date_from="", date_to="")
    return params.changed(exact="").search_url()


def _bad_parameter(params: SearchParams, exc: QueryError):
    _, korean = query_error_reason(exc)
    label = PARAM_LABELS.get(exc.param, exc.param)
    return render_template("search.html", params=params, result=None, error=f"{label}: {korean}", error_param=exc.param,
                           searched=params.q), 400


@bp.get("/search")
def search():
    landing = _from_the_box()
    if landing is not None:
        return redirect(landing, 303)
    params = SearchParams.from_args(request.args)
    try:
        check_args(request.args)
        search_request = params.request()
    except QueryError as exc:
        return _bad_parameter(params, exc)
    service = search_service()
    result = service.search(search_request)
    initials = _initials_expansions(result) if result.total else []
    if initials:
        words = [word for _, found in initials for word in found]
        result = replace(result, hits=[
            replace(hit, title_html=mark_words(hit.title_html, words), snippet=mark_words(hit.snippet, words))
            for hit in result.hits
        ])
    facts = index_facts(service)
    newest_day: Optional[date] = facts.overview.last_day
    return render_template(
        "search.html",
        params=params,
        result=result,
        request_=search_request,
        chips=active_filters(params),
        # Without a query there is nothing to rank by: the engine lists newest first.
        shown_sort="newest" if not search_request.q and search_request.sort == "relevance" else search_request.sort,
        first_rank=(result.page - 1) * result.size + 1,
        presets=presets(params, newest_day),
        custom_period=custom_range(params, newest_day),
        newest_published=facts.newest_published,
        size_choices=SIZE_CHOICES,
        initials=initials,
        export_limit=EXPORT_LIMIT,
        # What was searched, when it differs from what was typed (a keyboard-layout
        # rewrite, or a correction applied because the typed words found nothing).
        searched=result.query if result.rewritten_from else params.q,
    )


def _initials_expansions(result: SearchResult) -> list[tuple[str, list[str]]]:
    """For each 초성 word of the query (ㅅㅅㅈㅈ), the index's words it stands for."""
    service = search_service()
    found = []
    for word in dict.fromkeys(result.query.split()):
        if is_initials_query(word):
            words = service.initials_words(word)
            if words:
                found.append((word, words))
    return found


@bp.get("/search/advanced")
def advanced():
    """상세검색: the form (no JavaScript needed); sent, it lands on the search page
    with its fields written as query syntax in the box, and the period as from/to."""
    form = AdvancedForm.from_args(request.args)
    params = SearchParams.from_args(request.args)
    if form.filled or params.date_from or params.date_to:
        landing = SearchParams(q=form.query(), date_from=params.date_from, date_to=params.date_to, sort=params.sort)
        return redirect(landing.search_url(), 303)
    return render_template("advanced.html", form=form, params=SearchParams())


@bp.get("/search/facets/<any(reporter, press):facet>")
def facet_values(facet: str):
    """더보기: every value of one facet for this search, with a filter box; each
    value toggles that filter on the search page (works without JavaScript)."""
    params = SearchParams.from_args(request.args)
    contains = (request.args.get("contains") or "").strip()[:50]
    page_text = (request.args.get("fpage") or "1").strip()
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    try:
        search_request = params.request(page=1, size=1)
    except QueryError as exc:
        return _bad_parameter(params, exc)
    result = search_service().search(replace(search_request, facet_limit=1_000_000))
    values = result.facets.get(facet, [])
    if contains:
        folded = contains.casefold()
        values = [f for f in values if folded in f.value.casefold()]
    pages = max(1, -(-len(values) // FACET_PAGE_SIZE))
    page = min(page, pages)
    chosen = params.reporters if facet == "reporter" else params.presses
    return render_template(
        "facet_values.html",
        params=params,
        facet=facet,
        label=FACETS[facet],
        values=values[(page - 1) * FACET_PAGE_SIZE: page * FACET_PAGE_SIZE],
        matched=len(values),
        contains=contains,
        page=page,
        pages=pages,
        chosen=chosen,
        result=result,
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
