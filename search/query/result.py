"""What a search returns: the hits of one page, the facets, the notices, and
the values around them (a reporter's card, the index overview)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Optional

from search.query.request import SearchRequest


@dataclass
class Hit:
    id: str
    title: str
    url: Optional[str]
    press: Optional[str]
    reporters: list[str]
    published: Optional[str]
    score: Optional[float]
    snippet: str  # HTML: escaped text with <mark> around matched morphemes
    title_html: str  # the title, escaped, with <mark>s
    # The query words this article lacks: set on the hits that complete a short
    # page when too few articles hold every word (search.query.relax).
    missing: list[str] = field(default_factory=list)
    group: Optional[dict] = None  # its same-event cluster: {id, size, members?} (search.collapse)


@dataclass
class RecentArticle:
    id: str
    title: str
    published: Optional[str]


@dataclass
class ReporterCard:
    """Shown for a query that is only a reporter's name (강경희)."""

    name: str
    count: int
    recent: list[RecentArticle]
    query: str  # the search for the reporter's bylines: 기자:강경희


@dataclass
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: Optional[str] = None
    notices: list[str] = field(default_factory=list)
    date_granularity: str = "month"
    highlight_terms: list[str] = field(default_factory=list)
    request: Optional[SearchRequest] = None
    # The query as typed when it was searched as something else: Korean typed
    # on the Latin layout (searched as Hangul), or a misspelling that found
    # nothing (searched as its correction); `query` holds what was searched.
    rewritten_from: Optional[str] = None
    # Served from the result cache: took_ms is then the lookup, not the search.
    cached: bool = False
    # Articles that miss some of the query's words, listed after the `total`
    # articles that hold them all (search.query.relax).
    relaxed_total: int = 0
    # What the facets count: "strict" (the `total` articles) or "relaxed" (the
    # relaxed ones, when no article holds every word).
    facets_scope: str = "strict"
    reporter_card: Optional[ReporterCard] = None
    grouping: Optional[Any] = None  # search.collapse.Grouping: what `total` counts, how clusters were collapsed

    @property
    def listed(self) -> int:
        return self.total + self.relaxed_total

    @property
    def pages(self) -> int:
        return max(1, -(-self.listed // self.size))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 2),
            "hits": [asdict(h) for h in self.hits],
            "facets": {k: [asdict(v) for v in vs] for k, vs in self.facets.items()},
            "suggestion": self.suggestion,
            "rewritten_from": self.rewritten_from,
            "notices": self.notices,
            "relaxed_total": self.relaxed_total,
            "facets_scope": self.facets_scope,
            "reporter_card": asdict(self.reporter_card) if self.reporter_card else None,
        }


@dataclass(frozen=True)
class IndexOverview:
    articles: int
    first_day: Optional[date]
    last_day: Optional[date]  # the newest article's day: "today" for period presets
    presses: int
    reporters: int

