"""Period presets (전체 · 1일 · 1주 · 1개월 · 3개월 · 1년) for the search page.

A static archive has no "today": every preset ends on the day of the newest
article in the index and reaches back from there, as a newsroom reading an
archive expects ("the last week of what we have").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional


@dataclass(frozen=True)
class Preset:
    label: str
    href: str
    current: bool
    span: str  # the dates it stands for, for a screen reader and a tooltip


def months_back(day: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end), plus one day:
    1개월 up to 2019-03-31 starts on 2019-03-01."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    start = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return start + timedelta(days=1)


def preset_ranges(newest: date) -> list[tuple[str, Optional[date]]]:
    """(label, first day) of each preset; None for 전체."""
    return [
        ("전체", None),
        ("1일", newest),
        ("1주", newest - timedelta(days=6)),
        ("1개월", months_back(newest, 1)),
        ("3개월", months_back(newest, 3)),
        ("1년", months_back(newest, 12)),
    ]


def presets(params, newest: Optional[date]) -> list[Preset]:
    """Links for the presets; the one matching the URL's from/to is current
    (전체 when no period is chosen)."""
    if newest is None:
        return []
    found = []
    for label, first in preset_ranges(newest):
        if first is None:
            href = params.url(date_from="", date_to="")
            current = not params.date_from and not params.date_to
            span = "기간 제한 없음"
        else:
            start, end = first.isoformat(), newest.isoformat()
            href = params.url(date_from=start, date_to=end)
            current = params.date_from == start and params.date_to == end
            span = f"{start} ~ {end}" if start != end else start
        found.append(Preset(label, href, current, span))
    return found


def custom_range(params, newest: Optional[date]) -> bool:
    """Whether the URL's period is one a reader typed (or a chart bar), not a preset."""
    if not params.date_from and not params.date_to:
        return False
    return not any(p.current for p in presets(params, newest))
