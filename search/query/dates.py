"""Date bounds as a reader types them into a period box, the API's `from`/`to`
or the `날짜:` query syntax: a year, a month or a day, in any of the forms a
Korean newsroom writes.

    2018            2018년
    2018-03         2018.03   2018/3   201803   2018년 3월
    2018-03-01      2018.3.1.  20180301  2018년 3월 1일

A bound is the first day of that period (`upper=False`) or its last day
(`upper=True`).  A value that is no date raises `DateBoundError`, a `QueryError`
with a stable `code` and a Korean sentence for the pages (the English message
stays for the API).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from search.query.tree import QueryError

# The API documents these forms as an OpenAPI (ECMAScript) pattern, whose \s and
# \d are narrower than Python's: no \x1c-\x1f or \x85 among the spaces, no
# digits of other scripts.  The server reads them as the document says, so a
# value the document refuses is refused here too, never taken for "no date".
SPACE_CHARS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = "[" + re.escape(SPACE_CHARS) + "]"

# Digits only: YYYY, YYYYMM or YYYYMMDD.
_COMPACT = re.compile(r"([0-9]{4})(?:([0-9]{2})([0-9]{2})?)?")
# Separated: 2018-03-01, 2018.3.1., 2018/03, 2018 3 1, 2018년 3월 1일.  Digits
# never run into each other here (2018031 is no date: 2018-03-1 or 2018-0-31?).
_SEPARATED = re.compile(
    (
        r"([0-9]{4})"
        r"(?:(?:S*년S*|S*[-./]S*|S+)([0-9]{1,2})"
        r"(?:(?:S*월S*|S*[-./]S*|S+)([0-9]{1,2})(?:S*일|\.)?|(?:S*월|\.)?)"
        r"|(?:S*년|\.)?)"
    ).replace("S", _S)  # S: one of SPACE_CHARS
)

FORMS_HINT = "2018, 2018-03, 2018.03.01, 20180301, 2018년 3월"


class DateBoundError(QueryError):
    """A period bound that is not a date; `code` is `invalid_date` (not a date's
    shape) or `impossible_date` (the shape of one, but no such day)."""

    def __init__(self, message: str, param: str, code: str, korean: str):
        super().__init__(message, param)
        self.code = code
        self.korean = korean


def strip_date_spaces(value: str) -> str:
    """`value` without the leading and trailing spaces the API's pattern allows."""
    return value.strip(SPACE_CHARS)


def parse_date_bound(value: str, upper: bool, param: str = "date") -> date:
    """The first (or, with `upper`, the last) day of the year, month or day `value` names."""
    text = strip_date_spaces(value or "")
    match = _COMPACT.fullmatch(text) or _SEPARATED.fullmatch(text)
    if not match:
        raise DateBoundError(
            f"{param}: '{value}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD; also YYYYMMDD, YYYY.MM.DD, 2018년 3월)",
            param, "invalid_date", f"‘{_quoted(value)}’은(는) 날짜로 읽을 수 없습니다. 예: {FORMS_HINT}",
        )
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if upper else 1)
    day = int(match[3]) if match[3] else None
    try:
        if not 1 <= month <= 12:
            raise ValueError("month must be in 1..12")
        if day is None:
            day = calendar.monthrange(year, month)[1] if upper else 1
        return date(year, month, day)
    except ValueError as exc:
        raise DateBoundError(
            f"{param}: '{value}' is not a valid date ({exc})",
            param, "impossible_date", f"‘{_quoted(value)}’은(는) 없는 날짜입니다 (월은 1~12, 일은 그 달의 날수 안에서).",
        ) from None


def _quoted(value: str, limit: int = 40) -> str:
    value = value or ""
    return value if len(value) <= limit else value[: limit - 1] + "…"
