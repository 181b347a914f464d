"""One search over one index generation: from the request to its result.

    rewrite a query typed on the Latin keyboard layout (search.suggest)
    parse and compile it with the generation's parser
    list and score its matches: the columnar executor where it covers the
      query (search.query.execute), Whoosh otherwise (search.query.matching)
    filter and count facets (search.query.facets)
    search again without quotes when a quoted phrase finds too little
    complete a short page with articles missing some words (search.query.relax)
    the page's hits with snippets (search.query.hits)
    did-you-mean when too little was found

The caller (search.service) holds the engine lock and the deadline around it.
"""

from __future__ import annotations

from itertools import islice
from typing import Callable, Optional

import numpy as np
from whoosh import query as Q

from search import collapse
from search import stored as stored_fields
from search.headline import rerank_by_title
from search.index import CONTENT_FIELD
from search.limits import TIMEOUT_NOTICE, guard
from search.query import execute, matching
from search.query.bonuses import Bonuses
from search.query.bylines import byline_name, is_byline_title, vocabulary_names
from search.query.compile import ranking_of, reporter_words
from search.query.facets import FacetTable, by_date, facet_and_filter
from search.query.generation import Generation
from search.query.hits import page_hits
from search.query.relax import Relaxation, relax
from search.query.request import SearchRequest
from search.query.result import Hit, RecentArticle, ReporterCard, SearchResult
from search.query.spelled import spelled_clauses
from search.query.tree import AllOf, ParsedQuery, plain_words, quoted_phrases, unquoted
from search.ranking import RERANK_DEPTH, rerank
from search.suggest import SUGGEST_BELOW, did_you_mean, keyboard_rewrite

NOTICE_PHRASE_CHARS = 40  # a quoted phrase is named in a notice up to this length
# A query with no word left to search once analysed (only particles, endings
# or operators: 은는이가, AND OR NOT).
NOTHING_SEARCHABLE = "검색어에서 찾을 수 있는 단어가 없습니다 (조사·어미만으로는 검색되지 않습니다)."


def search(generation: Generation, request: SearchRequest, snippets: bool = True) -> SearchResult:
    """The result of `request` (took_ms left to the caller); without
    `snippets`, its hits carry no marked title or snippet (search_ids)."""
    searcher = generation.searcher()
    q, rewritten_from = request.q, None
    if q and not request.exact:
        rewritten = keyboard_rewrite(searcher, q)  # tkatjdwjswk → 삼성전자
        if rewritten:
            q, rewritten_from = rewritten, request.q
    result = run(generation, request, q, snippets)
    # No spelling correction on top of a keyboard-layout one: dkssud read as
    # 안녕 is a guess already, and 안경 would be a guess of a guess.
    # A query with no searchable word has no word to correct either.
    if q and rewritten_from is None and result.total < SUGGEST_BELOW and NOTHING_SEARCHABLE not in result.notices:
        result.suggestion = did_you_mean(generation.vocabulary(), q, known_words(generation))
        if result.suggestion and not result.listed and not request.exact:
            # Naver's way: nothing for the query as typed, results for its
            # correction: show those, with a link back (exact=1).
            corrected = run(generation, request, result.suggestion, snippets)
            if corrected.listed:
                result = corrected
                rewritten_from = q
    result.rewritten_from = rewritten_from
    return result


def search_ids(generation: Generation, q: str, limit: int) -> Optional[list[str]]:
    """The ids of the `limit` best matches of `q`, or None when a keyword query
    fills less than `limit` (the whole search path lists those)."""
    searcher = generation.searcher()
    parser = generation.parser
    parsed = parser.parse(q)
    compiled = parser.compile(parsed, searcher=vocabulary_of(generation))
    query, proximity = compiled.query, list(compiled.proximity_terms)
    if query is not None:
        query = matching.prepared(query, searcher.reader())
    ids: list[str] = []
    if query is not None and query is not Q.NullQuery:
        bonuses = bonuses_of(generation)
        best = top(generation, query, proximity, limit, bonuses=bonuses)
        if proximity:
            best = by_title(generation, best, proximity, bonuses)
        known = generation.article_ids()
        ids = [known[docnum] or searcher.stored_fields(docnum)["id"] for _, docnum in best[:limit]]
    # Whether it is a keyword query (its words read once more without the
    # index's look-up) matters only for a short list.
    if len(ids) < limit and parsed.node is not None and not parser.is_question(parsed):
        return None
    return ids


def bonuses_of(generation: Generation) -> Optional[Bonuses]:
    """One search's memo of proximity bonuses and title overlaps
    (search.query.bonuses), where the generation has columnar postings."""
    lookup = generation.lookup()
    return Bonuses(generation.searcher(), lookup) if lookup is not None else None


def top(generation: Generation, query: Q.Query, proximity, limit: int,
        allowed: Optional[np.ndarray] = None, matched: Optional[execute.Scored] = None,
        bonuses: Optional[Bonuses] = None) -> list[tuple[float, int]]:
    """The best `limit` matches of `query` (among `allowed`), proximity-reranked:
    scored by the columnar executor where it covers the query, through Whoosh
    otherwise.  `matched`: every match of `query` with its score, when the
    search has them already (`scored`): not read again; `bonuses`: the
    search's proximity bonuses read so far."""
    searcher = generation.searcher()
    index = generation.lookup()
    if index is not None:
        try:
            return execute.ranked(searcher, index, query, proximity, limit, allowed, table=generation.facets(),
                                  matched=matched, bonus=bonuses.proximity if bonuses is not None else None)
        except execute.Unsupported:
            pass
    return matching.top(searcher, query, proximity, limit, allowed)


def marks(terms: set[str], query: Optional[Q.Query]) -> tuple[set[str], list[str]]:
    """What a page marks: the query's `terms` and the words `query` matches by
    their spelling (search.query.spelled), without those words' own terms."""
    clauses = spelled_clauses(query)
    return terms - {term for clause in clauses for term in clause.reading}, list(dict.fromkeys(c.text for c in clauses))


def article_marks(generation: Generation, q: str) -> tuple[set[str], list[str]]:
    """`marks` of query `q` for an article's page."""
    parser = generation.parser
    parsed = parser.parse(q)
    compiled = parser.compile(parsed, searcher=vocabulary_of(generation))
    return marks(parser.highlight_terms(parsed), compiled.query)


def vocabulary_of(generation: Generation):
    """What the compiler reads document frequencies from: the generation's
    term look-ups (kept per generation) where it has columnar postings."""
    return generation.lookup() or generation.searcher()


def by_title(generation: Generation, best: list, proximity, bonuses: Optional[Bonuses] = None) -> list:
    """The title reorder (search.headline) of `best`, its overlaps read from
    the columnar positions where the generation has them (through the
    search's `bonuses`, when given)."""
    lookup = generation.lookup()
    searcher = generation.searcher()
    if lookup is None:
        return rerank_by_title(searcher, best, proximity)
    if bonuses is not None:
        return rerank_by_title(searcher, best, proximity, bonuses.title_overlap)
    return rerank_by_title(searcher, best, proximity,
                           lambda docnums, terms: execute.title_overlap(searcher, lookup, docnums, terms))


def known_words(generation: Generation) -> Callable[[str], bool]:
    """Whether a word is no typo: a reporter's or a press's name, or a word
    whose morphemes the index holds even when that written form appears
    nowhere (did-you-mean leaves it alone)."""
    searcher = generation.searcher()
    reader = searcher.reader()
    analyzer = generation.parser.analyzer

    is_name = vocabulary_names(searcher)

    def known(word: str) -> bool:
        if searcher.doc_frequency("press", word):
            return True
        if byline_name(word, is_name):
            return True  # a reporter's name, as typed or with a particle (강경희가)
        terms = [term for term, _, _, _ in analyzer.token_tuples(word)]
        return bool(terms) and all((CONTENT_FIELD, term) in reader for term in terms)

    return known


def docs_for(generation: Generation, query: Q.Query) -> np.ndarray:
    """The sorted documents a boolean query matches (a relaxed word, the rest
    of a relaxed query): through the columnar executor where the generation
    has columnar postings, through Whoosh otherwise."""
    index = generation.lookup()
    if index is None:
        return matching.docs_for(generation.searcher(), query)
    query = matching.prepared(query, generation.searcher().reader())
    if query is Q.NullQuery:
        return np.zeros(0, dtype=np.int64)
    return execute.matching_docs(generation.searcher(), index, query, generation.facets())


def _filtered(request: SearchRequest) -> bool:
    return bool(request.reporters or request.presses or request.date_from or request.date_to)


def _shown_phrase(quoted: str) -> str:
    """A quoted phrase as a notice names it: a long one cut, its closing quote kept."""
    if len(quoted) <= NOTICE_PHRASE_CHARS:
        return quoted
    return quoted[:NOTICE_PHRASE_CHARS - 2] + "…" + quoted[-1]


def matches(generation: Generation, table: FacetTable, parsed: ParsedQuery, request: SearchRequest,
            sort: str, limit: int, notices: list[str], bonuses: Optional[Bonuses] = None):
    """The articles a parsed query matches (with the top `limit` by score
    when they were found in the same pass), its query and proximity terms,
    and every match with its score where the columnar executor gave them."""
    searcher = generation.searcher()
    compiled = generation.parser.compile(parsed, searcher=vocabulary_of(generation))
    query, proximity = compiled.query, list(compiled.proximity_terms)
    if query is not None:
        query = matching.prepared(query, searcher.reader())
    query = guard(query, parsed.text, notices)  # time budget; wildcard notice (search/limits.py)
    ranked = None  # (docnum, score) of the first `limit` hits, when found with the matches
    every = None
    if not parsed.text:
        docs = table.live
    elif query is None or query is Q.NullQuery:
        docs = np.zeros(0, dtype=np.int64)
    elif (every := scored(generation, query)) is not None:
        # The columnar executor lists and scores every match in one pass:
        # the matches (for the facets and filters) and, unfiltered, the top.
        docs = every[0]
        if sort == "relevance" and not _filtered(request):
            best = execute.ranked(searcher, generation.lookup(), query, proximity, limit, matched=every,
                                  bonus=bonuses.proximity if bonuses is not None else None)
            if proximity:
                best = by_title(generation, best, proximity, bonuses)
            ranked = [(docnum, score) for score, docnum in best]
    elif sort == "relevance" and not _filtered(request) and matching.scores_every_match(query):
        collector = matching.TopAndAll(max(limit, RERANK_DEPTH) if proximity else limit)
        searcher.search_with_collector(query, collector)
        docs = np.array(sorted(collector.matched), dtype=np.int64)
        results = collector.results()
        if proximity:
            rerank(searcher, results, proximity)
            results.top_n = by_title(generation, results.top_n, proximity)
        ranked = [(docnum, score) for score, docnum in results.top_n]
    else:
        docs = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
    return query, proximity, docs, ranked, every


def scored(generation: Generation, query: Q.Query):
    """Every match of `query` with its score from the columnar executor,
    or None where it does not cover the query (search.query.execute)."""
    index = generation.lookup()
    if index is None:
        return None
    try:
        return execute.scored_matches(generation.searcher(), index, query, generation.facets())
    except execute.Unsupported:
        return None


def run(generation: Generation, request: SearchRequest, q: str, snippets: bool = True) -> SearchResult:
    """One search of `q` (as typed or as rewritten) with the request's
    filters, sort and page."""
    searcher = generation.searcher()
    parser = generation.parser
    parsed = parser.parse(q)
    notices = list(parsed.notices)
    browse = not q
    table = generation.facets()
    sort = request.sort
    if browse and sort == "relevance":
        sort = "newest"  # nothing to rank by: show the latest first
    offset = (request.page - 1) * request.size
    limit = offset + request.size
    keyword = not browse and parsed.node is not None and not parser.is_question(parsed)
    bonuses = bonuses_of(generation)

    query, proximity, docs, ranked, every = matches(generation, table, parsed, request, sort, limit, notices,
                                                    bonuses)
    allowed, facets, granularity = facet_and_filter(docs, request, table)
    if keyword and len(allowed) < limit:
        # Speech in a pasted headline is often paraphrased in the article:
        # a phrase never empties the page on its own.
        plain = unquoted(parsed)
        if plain is not None:
            quotes, found = ", ".join(map(_shown_phrase, quoted_phrases(parsed))), len(allowed)
            again = matches(generation, table, plain, request, sort, limit, notices, bonuses)
            filtered = facet_and_filter(again[2], request, table)
            # Kept when it finds more (the phrase's articles are among them).
            if not found or len(filtered[0]) > found:
                parsed = plain
                query, proximity, docs, ranked, every = again
                allowed, facets, granularity = filtered
                if not found:
                    notices.append(f"{quotes}이(가) 그대로 들어간 기사가 없어 따옴표 없이 찾았습니다.")
                else:
                    notices.append(f"{quotes}이(가) 그대로 들어간 기사가 {found:,}건뿐이어서 따옴표 없이도 찾았습니다.")
    allowed, ranked, grouping = collapse.apply(
        generation.clusters(), allowed, ranked, request, sort, table.published, table.undated,
        # Collapsing ranks every grouped match: from the scores the match
        # listing computed (the same to the last bit as scoring them again).
        (lambda d: top(generation, query, proximity, len(d), d, every, bonuses)) if query is not None else None,
        notices)
    terms, spelled = marks(parser.highlight_terms(parsed), query)
    if query is None and not browse:
        notices.append(NOTHING_SEARCHABLE)
    total = len(allowed)

    relaxation: Optional[Relaxation] = None
    relaxed_allowed = np.zeros(0, dtype=np.int64)
    facets_scope = "strict"
    # Not after a search cut short by the time budget: it would be cut short again.
    if keyword and total < limit and TIMEOUT_NOTICE not in notices and not request.group:
        relaxation = relax(parser, vocabulary_of(generation), parsed, table.size, lambda qq: docs_for(generation, qq))
        if relaxation is not None and len(relaxation.docs):
            relaxed_allowed, relaxed_facets, relaxed_granularity = facet_and_filter(relaxation.docs, request, table)
            if not total and len(relaxed_allowed):
                facets, granularity, facets_scope = relaxed_facets, relaxed_granularity, "relaxed"
    relaxed_total = len(relaxed_allowed)

    hits: list[Hit] = []
    reader = searcher.reader()
    if total and offset < total:
        strict_limit = min(limit, total)
        if ranked is not None:
            page = ranked[offset:strict_limit]
        elif sort == "relevance":
            best = top(generation, query, proximity, strict_limit, allowed if len(allowed) != len(docs) else None, every,
                       bonuses)
            if proximity:
                best = by_title(generation, best, proximity, bonuses)
            page = [(docnum, score) for score, docnum in best[offset:strict_limit]]
        else:
            page = [(int(d), None) for d in by_date(allowed, table, sort == "newest", offset, strict_limit)]
        hits = page_hits(searcher, reader, page, terms, sort == "relevance", snippets, generation.lookup(), spelled)
    if relaxed_total and limit > total:
        page = relaxed_page(generation, table, parsed, relaxation, relaxed_allowed, sort,
                            max(0, offset - total), limit - total, bonuses)
        relaxed_hits = page_hits(searcher, reader, page, terms, sort == "relevance", snippets, generation.lookup(), spelled)
        for hit, (docnum, _) in zip(relaxed_hits, page):
            hit.missing = relaxation.missing(docnum)
        hits += relaxed_hits
        if total:
            notices.append(f"모든 단어가 들어 있는 기사가 {total:,}건뿐이어서, 일부 단어가 빠진 기사를 이어서 보여 드립니다.")
        else:
            notices.append("모든 단어가 들어 있는 기사가 없어, 일부 단어가 빠진 기사를 보여 드립니다.")

    return SearchResult(
        query=q,
        total=total,
        page=request.page,
        size=request.size,
        took_ms=0.0,
        hits=hits,
        facets=facets,
        notices=list(dict.fromkeys(notices)),
        date_granularity=granularity,
        highlight_terms=sorted(terms),
        request=request,
        relaxed_total=relaxed_total,
        facets_scope=facets_scope,
        reporter_card=reporter_card(searcher, table, parsed) if keyword else None,
        grouping=grouping.annotate(hits, searcher),
    )


def relaxed_page(generation: Generation, table: FacetTable, parsed: ParsedQuery, relaxation: Relaxation,
                 allowed: np.ndarray, sort: str, offset: int, limit: int,
                 bonuses: Optional[Bonuses] = None) -> list[tuple[int, Optional[float]]]:
    """Relaxed articles offset..limit: those missing fewer words first, each
    tier by the strict hits' scoring (or by date)."""
    searcher = generation.searcher()
    page: list[tuple[int, Optional[float]]] = []
    ranking = None
    proximity = None
    if sort == "relevance":
        names = reporter_words(parsed, generation.parser, vocabulary_of(generation))
        ranking, proximity = ranking_of(generation.parser, parsed, vocabulary_of(generation), False, names)
        if ranking is not None:
            ranking = matching.prepared(ranking, searcher.reader())
    for tier in relaxation.tiers(allowed):
        if limit <= 0:
            break
        if offset >= len(tier):
            offset, limit = offset - len(tier), limit - len(tier)
            continue
        want = min(limit, len(tier))
        if ranking is not None and ranking is not Q.NullQuery:
            best = top(generation, ranking, proximity, want, tier, bonuses=bonuses)
            if proximity:
                best = by_title(generation, best, proximity, bonuses)
            ordered = [(docnum, score) for score, docnum in best[:want]]
            if len(ordered) < want:
                # Tier articles the ranking query does not score (none expected)
                # come last; a tier runs to tens of thousands, so only as many
                # as the page still lacks are read.
                seen = {d for d, _ in ordered}
                unscored = ((int(d), 0.0) for d in tier if int(d) not in seen)
                ordered += islice(unscored, want - len(ordered))
        else:
            ordered = [(int(d), None) for d in by_date(tier, table, sort != "oldest", 0, want)]
        page += ordered[offset:want]
        limit -= len(tier)
        offset = 0
    return page


def reporter_card(searcher, table: FacetTable, parsed: ParsedQuery) -> Optional[ReporterCard]:
    """The card of a query that is only a reporter's name (강경희, 강경희가,
    강경희 기자, 강경희의 기사): the name read as the match reads it
    (search.query.bylines)."""
    words = plain_words(parsed.node)
    nodes = parsed.node.nodes if isinstance(parsed.node, AllOf) else [parsed.node]
    if len(words) != len(nodes) or not all(is_byline_title(w.text) for w in words[1:]):
        return None  # only a name, and 기자 or 기사 after it
    name = byline_name(words[0].text, lambda text: text in table.reporter_ids)
    if name is None:
        return None
    reporter = table.reporter_ids[name]
    docs = np.unique(table.pair_doc[table.pair_reporter == reporter])
    docs = docs[np.isin(docs, table.live)]
    if not len(docs):
        return None
    recent = []
    for docnum in by_date(docs, table, True, 0, 3):
        stored = searcher.stored_fields(int(docnum))
        meta = stored_fields.meta(stored)  # read by type: an old index may hold anything
        recent.append(RecentArticle(stored["id"], stored_fields.text(stored.get("title")) or "",
                                    stored_fields.iso_text(meta.get("published"))))
    return ReporterCard(name, int(len(docs)), recent, f"기자:{name}")
