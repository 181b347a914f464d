"""Display helpers for the templates: Korean dates and numbers, safe outbound
links, and the geometry of the date histogram (drawn as inline SVG by the template,
so every label stays autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional
from urllib.parse import urlsplit

from search.model import SEOUL
from search.query import parse_date_bound

CHART_WIDTH = 260
CHART_BAR_AREA = 72  # the tallest bar; labels go below
CHART_GAP = 2
CHART_MAX_BAR = 36  # a few periods should not look like a wall


def korean_datetime(value: Optional[str], with_time: bool = True) -> str:
    """`2019-01-03T09:30:00+09:00` → `2019.01.03 09:30` in Korean time (the time
    is left out when the source only had a date)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(SEOUL)
    text = moment.strftime("%Y.%m.%d")
    if with_time and (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        text += moment.strftime(" %H:%M")
    return text


def korean_date(value: Optional[str]) -> str:
    return korean_datetime(value, with_time=False)


def period_label(period: str) -> str:
    """`2019` → `2019년`, `2019-02` → `2019년 2월`."""
    if len(period) == 7 and period[4] == "-":
        return f"{period[:4]}년 {int(period[5:])}월"
    return f"{period}년"


def number(value: int) -> str:
    return f"{value:,}"


def seconds(took_ms: float) -> str:
    return f"{took_ms / 1000:.3f}초"


def safe_href(url: Optional[str]) -> Optional[str]:
    """The URL if it is a web address; a `javascript:` or other scheme from a
    hostile source never becomes a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass
class Bar:
    period: str
    count: int
    label: str
    href: str
    x: float
    y: float
    width: float
    height: float
    selected: bool


def all_periods(first: str, last: str) -> list[str]:
    """Every month (`YYYY-MM`) or year (`YYYY`) from first to last, so the chart
    shows quiet periods as gaps instead of hiding them."""
    if len(first) == 4:
        return [str(year) for year in range(int(first), int(last) + 1)]
    periods = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def histogram(facet: list, params, request=None) -> list[Bar]:
    """Bars for the date facet, scaled to the chart, one per period from the first
    to the last (empty ones have no link); each bar links to its period and is
    marked chosen when the request's date range covers it."""
    if not facet:
        return []
    counts = {f.value: f.count for f in facet}
    periods = all_periods(facet[0].value, facet[-1].value)
    peak = max(counts.values()) or 1
    slot = CHART_WIDTH / len(periods)
    width = min(max(1.0, slot - CHART_GAP), CHART_MAX_BAR)
    low = getattr(request, "date_from", None)
    high = getattr(request, "date_to", None)
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        height = max(2.0, CHART_BAR_AREA * count / peak) if count else 0.0
        selected = False
        if low or high:
            first, last = parse_date_bound(period, upper=False), parse_date_bound(period, upper=True)
            selected = (low is None or first >= low) and (high is None or last <= high)
        bars.append(
            Bar(
                period=period,
                count=count,
                label=f"{period_label(period)}: {count:,}건",
                href=params.period_url(period),
                x=round(i * slot + (slot - width) / 2, 2),
                y=round(CHART_BAR_AREA - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                selected=selected,
            )
        )
    return bars


def page_window(page: int, pages: int, around: int = 2) -> list[Optional[int]]:
    """Page numbers to show: the first, the last and a few around the current one,
    with None where numbers are skipped."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[Optional[int]] = []
    for number_ in shown:
        if window and number_ - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number_)
    return window


def register(app) -> None:
    app.jinja_env.filters.update(
        korean_datetime=korean_datetime,
        korean_date=korean_date,
        period_label=period_label,
        number=number,
        seconds=seconds,
        safe_href=safe_href,
    )
    app.jinja_env.globals.update(
        histogram=histogram,
        page_window=page_window,
        chart_width=CHART_WIDTH,
        chart_bar_area=CHART_BAR_AREA,
    )
