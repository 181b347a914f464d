"""Korean news full-text search: the library's public API.

The web layer (webui/) and other programs import from here only; everything
else in the package is an implementation detail that may move.

    Reindexer(index_dir, …).run(paths)       build or update an index from article files
                                              (the function form: search.reindex.reindex)
    SearchService(index_dir).search(request)  run a `SearchRequest`, get a `SearchResult`

Modules inside `search/` never import this file's names (they import the
submodule that defines them), so it adds no import cycle.  (The `reindex` function is not bound here: the
name is the search/reindex/ package's.)
"""

from search.query.dates import parse_date_bound
from search.index import IndexLayout, IndexNotFound
from search.reindex import Reindexer, ReindexLocked, ReindexRefused, ReindexReport
from search.korean import is_initials_query
from search.model import SEOUL, Article
from search.paths import DEFAULT_INDEX, DEFAULT_SEEDS
from search.query.tree import QueryError
from search.render import search_result_json
from search.service import MAX_PAGE_SIZE, Hit, IndexOverview, SearchRequest, SearchResult, SearchService

__all__ = [
    "Article", "DEFAULT_INDEX", "DEFAULT_SEEDS", "Hit", "IndexLayout", "IndexNotFound", "IndexOverview",
    "MAX_PAGE_SIZE", "QueryError", "ReindexLocked", "ReindexRefused", "SEOUL", "SearchRequest",
    "SearchResult", "SearchService", "is_initials_query", "parse_date_bound", "Reindexer", "ReindexReport",
    "search_result_json",
]
