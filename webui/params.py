"""Search parameters as they travel in URLs: read from the query string as typed,
validated into a `SearchRequest`, and written back into stable URLs (always the
same parameter order, defaults left out) so a result page can be bookmarked,
shared and cached."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional
from urllib.parse import urlencode

from search import QueryError, SearchRequest, strip_date_spaces

DEFAULT_SORT = "relevance"
DEFAULT_SIZE = "10"

SORT_LABELS = {"relevance": "관련도순", "newest": "최신순", "oldest": "오래된순"}

# Korean names of the parameters, for error messages on the pages.
PARAM_LABELS = {
    "q": "검색어", "reporter": "기자", "press": "언론사", "from": "시작 날짜", "to": "끝 날짜",
    "sort": "정렬", "page": "페이지", "size": "표시 개수", "exact": "원래 검색어로 검색",
    "group": "같은 내용 기사 묶음", "collapse": "같은 내용 기사 묶기",
}
# `collapse`: "" (the default) or "1" shows each same-event cluster once, "0" lists every article.
COLLAPSE_VALUES = ("", "0", "1")
# Group ids are article ids: a line of text, never a page.
MAX_GROUP_CHARS = 200


def _first(args, name: str) -> str:
    value = args.get(name)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class SearchParams:
    """The search parameters of one URL, as strings (validation is `request()`)."""

    q: str = ""
    reporters: tuple[str, ...] = ()
    presses: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    sort: str = DEFAULT_SORT
    page: str = "1"
    size: str = DEFAULT_SIZE
    # "1": search the query as typed, even when it looks like Korean typed with
    # the Latin keyboard layout (tkatjdwjswk is otherwise searched as 삼성전자).
    exact: str = ""
    # One same-event cluster alone (its id, from a hit's `group`), and "0" to list
    # every article instead of each cluster once (search.collapse).
    group: str = ""
    collapse: str = ""

    @classmethod
    def from_args(cls, args) -> "SearchParams":
        """From a query-string MultiDict; repeated `reporter`/`press` are kept in order."""

        def many(name: str) -> tuple[str, ...]:
            # In order, each once; a dict, so a flood of values costs linear time until refused.
            return tuple(dict.fromkeys(v for v in (value.strip() for value in args.getlist(name)) if v))

        return cls(
            q=_first(args, "q").strip(),
            reporters=many("reporter"),
            presses=many("press"),
            date_from=strip_date_spaces(_first(args, "from")),  # the spaces the API's date pattern allows
            date_to=strip_date_spaces(_first(args, "to")),
            sort=_first(args, "sort") or DEFAULT_SORT,  # exactly as documented: `NEWEST` is a 400
            page=_first(args, "page").strip() or "1",
            size=_first(args, "size").strip() or DEFAULT_SIZE,
            exact=_first(args, "exact"),  # validated by request()
            group=_first(args, "group").strip(),
            collapse=_first(args, "collapse"),  # validated by request()
        )

    def request(self, **overrides: Any) -> SearchRequest:
        """The validated engine request; raises `QueryError` naming a bad parameter."""
        values = {
            "q": self.q, "reporter": self.reporters, "press": self.presses,
            "date_from": self.date_from, "date_to": self.date_to, "sort": self.sort,
            "page": self.page, "size": self.size, "exact": self.exact,
        }
        values.update(overrides)
        if self.collapse not in COLLAPSE_VALUES:
            raise QueryError(f"collapse: '{self.collapse[:40]}' is not one of 0, 1", "collapse")
        if len(self.group) > MAX_GROUP_CHARS:
            raise QueryError(f"group: longer than {MAX_GROUP_CHARS} characters", "group")
        return replace(SearchRequest.from_params(**values), collapse=self.collapse != "0", group=self.group)

    # -- URLs

    @property
    def filtered(self) -> bool:
        return bool(self.reporters or self.presses or self.date_from or self.date_to)

    def items(self, page: bool = True) -> list[tuple[str, str]]:
        """The parameters in their one stable order, defaults omitted."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        pairs += [("reporter", r) for r in self.reporters]
        pairs += [("press", p) for p in self.presses]
        if self.date_from:
            pairs.append(("from", self.date_from))
        if self.date_to:
            pairs.append(("to", self.date_to))
        if self.sort != DEFAULT_SORT:
            pairs.append(("sort", self.sort))
        if page and self.page not in ("", "1"):
            pairs.append(("page", self.page))
        if self.size != DEFAULT_SIZE:
            pairs.append(("size", self.size))
        if self.exact:
            pairs.append(("exact", self.exact))
        if self.group:
            pairs.append(("group", self.group))
        if self.collapse:
            pairs.append(("collapse", self.collapse))
        return pairs

    def query_string(self, page: bool = True, extra: Iterable[tuple[str, str]] = ()) -> str:
        return urlencode(self.items(page) + list(extra))

    def search_url(self) -> str:
        query = self.query_string()
        return "/search" + ("?" + query if query else "")

    def changed(self, **changes: Any) -> "SearchParams":
        """A copy with `changes`; any change other than the page goes back to page 1."""
        if "page" not in changes:
            changes["page"] = "1"
        return replace(self, **changes)

    def url(self, **changes: Any) -> str:
        return self.changed(**changes).search_url()

    def without_url(self, param: str) -> str:
        """This search with one (bad) parameter reset to its default."""
        reset = {
            "q": {"q": ""}, "reporter": {"reporters": ()}, "press": {"presses": ()},
            "from": {"date_from": "", "date_to": ""}, "to": {"date_from": "", "date_to": ""},
            "sort": {"sort": DEFAULT_SORT}, "size": {"size": DEFAULT_SIZE}, "page": {}, "exact": {"exact": ""},
            "group": {"group": ""}, "collapse": {"collapse": ""},
        }
        return self.url(**reset.get(param, {}))

    def toggle_url(self, facet: str, value: str) -> str:
        """Adds `value` to a facet's choice (OR within a facet), or takes it away."""
        name = {"reporter": "reporters", "press": "presses"}[facet]
        current: tuple[str, ...] = getattr(self, name)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.url(**{name: chosen})

    def period_url(self, period: str) -> str:
        """Narrows to one histogram period (`2019` or `2019-02`)."""
        return self.url(date_from=period, date_to=period)

    def page_url(self, page: int) -> str:
        return replace(self, page=str(page)).search_url()

    def hidden_fields(self, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Parameters a form must carry along (everything but what it asks for)."""
        skipped = set(skip) | {"page"}
        return [(k, v) for k, v in self.items(page=False) if k not in skipped]


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


# Beyond this many values in one facet, that facet gets one chip removing them all
# (each value is still removable from the facet list): a chip per value would carry
# all the others in its link, a page growing with the square of the values.
CHIPS_PER_FACET = 5


def active_filters(params: SearchParams) -> list[Chip]:
    """The removable chips for the filters in force."""
    chips: list[Chip] = []
    for label, facet, field, values in (("기자", "reporter", "reporters", params.reporters),
                                         ("언론사", "press", "presses", params.presses)):
        if len(values) > CHIPS_PER_FACET:
            chips.append(Chip(f"{label} {len(values)}개: {', '.join(values)}", params.url(**{field: ()})))
        else:
            chips += [Chip(f"{label}: {v}", params.toggle_url(facet, v)) for v in values]
    if params.date_from or params.date_to:
        span = params.date_from if params.date_from == params.date_to else f"{params.date_from or '…'} ~ {params.date_to or '…'}"
        chips.append(Chip(f"기간: {span}", params.url(date_from="", date_to="")))
    return chips


@dataclass
class ResultContext:
    """Where an article page was reached from: the search and the hit's rank (1-based)."""

    params: SearchParams
    rank: Optional[int] = None

    @classmethod
    def from_args(cls, args) -> Optional["ResultContext"]:
        params = SearchParams.from_args(args)
        rank_text = _first(args, "rank").strip()
        rank = int(rank_text) if rank_text.isdigit() and int(rank_text) > 0 else None
        if not params.q and not params.filtered and rank is None:
            return None
        return cls(params, rank)

    def article_query(self, rank: Optional[int]) -> str:
        extra = [("rank", str(rank))] if rank else []
        return self.params.query_string(page=False, extra=extra)

    def back_url(self) -> str:
        if self.rank:
            size = int(self.params.size) if self.params.size.isdigit() and int(self.params.size) > 0 else 10
            return self.params.page_url((self.rank - 1) // size + 1)
        return self.params.url()
