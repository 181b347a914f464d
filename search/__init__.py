"""Korean news full-text search: the library's public API.

The web layer (webui/) and other programs import from here only; everything
else in the package is an implementation detail that may move.

    Reindexer(index_dir, …).run(paths)       build or update an index from article files
                                              (the function form: search.reindex.reindex)
    SearchService(index_dir).search(request)  run a `SearchRequest`, get a `SearchResult`

Modules inside `search/` never import this file's names (they import the
submodule that defines them), so it adds no import cycle.  (The `reindex` function is not bound here: the
name is the search/reindex/ package's.)

The query side's names (`SearchService` and the rest of `_QUERY_SIDE`) are
bound on first use (PEP 562 `__getattr__`): a `news-search reindex` needs only
the write side, and importing the query layer cost it ~0.3 s of every run.
`from search import SearchService` works as before.
"""

from search.index import IndexLayout, IndexNotFound
from search.korean import is_initials_query
from search.model import SEOUL, Article
from search.orphans import exit_with_parent
from search.paths import DEFAULT_INDEX, DEFAULT_SEEDS
from search.reindex import Reindexer, ReindexLocked, ReindexRefused, ReindexReport

# Public name → the module that defines it, imported when the name is first asked for.
_QUERY_SIDE = {
    "parse_date_bound": "search.query.dates",
    "strip_date_spaces": "search.query.dates",
    "QueryError": "search.query.tree",
    "search_result_json": "search.render",
    **{name: "search.service" for name in (
        "MAX_PAGE_SIZE", "Hit", "IndexOverview", "SearchRequest", "SearchResult", "SearchService")},
}

__all__ = [
    "Article", "DEFAULT_INDEX", "DEFAULT_SEEDS", "Hit", "IndexLayout", "IndexNotFound", "IndexOverview",
    "MAX_PAGE_SIZE", "QueryError", "ReindexLocked", "ReindexRefused", "SEOUL", "SearchRequest",
    "SearchResult", "SearchService", "is_initials_query", "parse_date_bound", "strip_date_spaces",
    "Reindexer", "ReindexReport",
    "search_result_json", "exit_with_parent",
]


def __getattr__(name: str):
    where = _QUERY_SIDE.get(name)
    if where is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    # Plain import statements (the architecture test reads them; no importlib).
    if where == "search.query.dates":
        from search.query import dates as module
    elif where == "search.query.tree":
        from search.query import tree as module
    elif where == "search.render":
        from search import render as module
    else:
        from search import service as module
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
