"""The query wing: from what a reader typed to a page of results.

    tree.py        what a parsed query is (syntax tree, QueryError)
    dates.py       date bounds as typed (2018, 2018-03, 2018년 3월 1일)
    syntax.py      text → syntax tree, lenient, with notices
    words.py       a query's words through the generation's analyzer
    compile.py     tree + words → CompiledQuery (pure, no index needed)
    parser.py      parse + compile for one analyzer
    execute.py     the columnar executor: match, score, top k, proximity
    matching.py    the Whoosh path, where the executor does not reach
    relax.py       the articles missing some of a keyword query's words
    facets.py      facet counts, filters and date order over per-document arrays
    generation.py  one opened index generation and everything that belongs to it
    cache.py       finished results per (generation, request)
    request.py     SearchRequest, validated from untrusted strings
    result.py      SearchResult, Hit, FacetCount, ReporterCard, IndexOverview
    hits.py        a page's hits with snippets
    run.py         one search over one generation
The service (search.service) orchestrates these; the helpers below the package
(search.ranking, search.conjunction, search.limits, search.headline) import
nothing of it.
"""
