"""A search request, validated from untrusted strings: what the CLI, the web
pages and the JSON API hand to the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional, Union

from search.query.dates import parse_date_bound, strip_date_spaces
from search.query.tree import QueryError

SORTS = ("relevance", "newest", "oldest")
EXACT_VALUES = ("", "0", "1", "true", "false", "yes", "no", "on", "off")
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
FACET_LIMIT = 20


@dataclass
class SearchRequest:
    q: str = ""
    reporters: list[str] = field(default_factory=list)
    presses: list[str] = field(default_factory=list)
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    # Search the query as typed: no keyboard-layout rewrite (the "원래 검색어로
    # 검색" link after 삼성전자(으)로 검색한 결과입니다).
    exact: bool = False
    # How many values of the reporter and press facets to list (the web UI's
    # 더보기 page asks for all of them).
    facet_limit: int = FACET_LIMIT
    # Same-event clusters shown once (search.collapse); `group`: one cluster alone.
    collapse: bool = False
    group: str = ""

    @classmethod
    def from_params(
        cls,
        q: Optional[str] = None,
        reporter: Iterable[str] = (),
        press: Iterable[str] = (),
        date_from: Optional[str] = None,
        date_to: Optional[str] = None,
        sort: Optional[str] = None,
        page: Union[str, int, None] = None,
        size: Union[str, int, None] = None,
        exact: Union[str, bool, None] = None,
    ) -> "SearchRequest":
        """A validated request from untrusted strings; a bad value raises
        `QueryError` naming the parameter."""
        request = cls(q=(q or "").strip())
        request.reporters = [r.strip() for r in reporter if r and r.strip()]
        request.presses = [p.strip() for p in press if p and p.strip()]
        request.page = _int_param(page, "page", 1, 1, MAX_PAGE)
        request.size = _int_param(size, "size", 10, 1, MAX_PAGE_SIZE)
        if isinstance(exact, str):
            if exact not in EXACT_VALUES:
                raise QueryError(f"exact: '{exact[:40]}' is not one of 1, 0, true, false, yes, no, on, off", "exact")
            exact = exact in ("1", "true", "yes", "on")
        request.exact = bool(exact)
        request.sort = sort or "relevance"  # exactly one of SORTS; empty (a blank form field) means relevance
        if request.sort not in SORTS:
            raise QueryError(f"sort: '{sort}' is not one of {', '.join(SORTS)}", "sort")
        if date_from and strip_date_spaces(date_from):
            request.date_from = parse_date_bound(date_from, upper=False, param="from")
        if date_to and strip_date_spaces(date_to):
            request.date_to = parse_date_bound(date_to, upper=True, param="to")
        if request.date_from and request.date_to and request.date_from > request.date_to:
            raise QueryError(f"from: {request.date_from} is after to: {request.date_to}", "from")
        return request


def _int_param(value: Union[str, int, None], name: str, default: int, low: int, high: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name}: '{value}' is not a whole number", name) from None
    if not low <= number <= high:
        raise QueryError(f"{name}: {number} is out of range ({low}–{high:,})", name)
    return number

