"""What the web layer refuses before the engine sees a request.

* Integer parameters (`page`, `size`) are ASCII digits, exactly as the OpenAPI
  document's `integer` says: an empty value (`page=`), spaces, `1_0`, `+1`, `１`
  or `١` are 400s naming the parameter.  Python's `int()` would take most of them,
  which made the API accept what its document refuses (and schemathesis, exploring,
  found it by chance).  Leaving the parameter out means its default.
* Facet filters (`reporter`, `press`): at most `MAX_FACET_VALUES` values per
  parameter and `MAX_FACET_VALUE_CHARS` characters per value.  Every link of a
  result page (facet entries, chips, periods, pages) carries the chosen values, so
  without a cap the page grows with the square of their number: 3,000 `press=`
  values built a 284 MB page.  Within the caps a page is at most a fixed multiple
  of its query string; beyond them the 400 page quotes the request once.

Errors are `BadParameter`: a `QueryError` (so the API answers 400 with `param`)
that also carries the sentence the Korean pages show after the parameter's label.
"""

from __future__ import annotations

import re

from search import QueryError

INTEGER_PARAMS = ("page", "size")
FACET_PARAMS = ("reporter", "press")
# The sidebar offers 20 values per facet (search.service.FACET_LIMIT); a reader
# picks a few.  Twenty keeps a page of every one of them chosen under ~2 MB.
MAX_FACET_VALUES = 20
# Reporter and press names are a few words; 100 characters leaves room for odd
# data and none for a 10,000-character value repeated in every link.
MAX_FACET_VALUE_CHARS = 100

_DIGITS = re.compile(r"[0-9]+")


class BadParameter(QueryError):
    """A refused parameter: `str()` is the API's English message, `korean` the page's."""

    def __init__(self, message: str, param: str, korean: str):
        super().__init__(message, param)
        self.korean = korean


def check_integer(name: str, value: str) -> None:
    """`value` as received for an integer parameter that was given."""
    if _DIGITS.fullmatch(value):
        return
    if not value:
        raise BadParameter(f"{name}: empty; give a whole number, or leave {name} out for the default", name,
                           "값이 비어 있습니다. 숫자를 넣거나 이 조건을 빼고 검색해 주세요.")
    shown = value[:40]
    raise BadParameter(f"{name}: '{shown}' is not a whole number (digits 0-9 only)", name,
                       f"‘{shown}’은(는) 숫자가 아닙니다. 0-9로 된 수만 쓸 수 있습니다.")


def check_facet(name: str, values: list[str]) -> None:
    """The values of one facet parameter as received (before blanks and repeats are dropped)."""
    if len(values) > MAX_FACET_VALUES:
        raise BadParameter(
            f"{name}: {len(values):,} values; at most {MAX_FACET_VALUES} per request", name,
            f"{len(values):,}개를 골랐습니다. 한 번에 {MAX_FACET_VALUES}개까지 고를 수 있습니다.")
    for value in values:
        if len(value) > MAX_FACET_VALUE_CHARS:
            raise BadParameter(
                f"{name}: a value of {len(value):,} characters; at most {MAX_FACET_VALUE_CHARS}", name,
                f"{len(value):,}자인 값이 있습니다. 값 하나는 {MAX_FACET_VALUE_CHARS}자까지 쓸 수 있습니다.")


def check_args(args) -> None:
    """Every bound above, on a request's query-string MultiDict as received."""
    for name in FACET_PARAMS:
        check_facet(name, args.getlist(name))
    for name in INTEGER_PARAMS:
        if name in args:
            check_integer(name, args.get(name))
