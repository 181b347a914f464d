"""Display helpers for the templates: Korean dates and numbers, safe outbound
links, and the geometry of the date histogram (drawn as inline SVG by the template,
so every label stays autoescaped)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional
from urllib.parse import unquote, urlsplit

from search import SEOUL, parse_date_bound

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
    """`2019` → `2019년`, `2019-02` → `2019년 2월`, `2019-02-05` → `2019년 2월 5일`."""
    if len(period) == 10:
        return f"{period[:4]}년 {int(period[5:7])}월 {int(period[8:])}일"
    if len(period) == 7 and period[4] == "-":
        return f"{period[:4]}년 {int(period[5:])}월"
    return f"{period}년"


def relative_time(value: Optional[str], newest: Optional[str]) -> str:
    """`3시간 전` for an article less than a day older than the newest article in
    the index (an archive's "now"), else its Korean date and time."""
    if not value:
        return ""
    if newest:
        try:
            age = datetime.fromisoformat(newest) - datetime.fromisoformat(value)
        except (TypeError, ValueError):
            age = None
        if age is not None and timedelta(0) <= age < timedelta(days=1):
            minutes = int(age.total_seconds() // 60)
            if minutes < 1:
                return "방금"
            if minutes < 60:
                return f"{minutes}분 전"
            return f"{minutes // 60}시간 전"
    return korean_datetime(value)


_TAG = re.compile(r"(<[^>]*>)")


def mark_words(html: str, words: list[str]) -> str:
    """Wraps each of `words` (Hangul, so never part of a tag) in <mark> in
    escaped-text-with-marks HTML, leaving text already inside a <mark> alone:
    the words a 초성 query matched are highlighted like any other match."""
    if not html or not words:
        return html
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    out, inside = [], 0
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            inside += 1 if piece == "<mark>" else -1 if piece == "</mark>" else 0
            out.append(piece)
        elif inside:
            out.append(piece)
        else:
            out.append(pattern.sub(lambda m: f"<mark>{m.group()}</mark>", piece))
    return "".join(out)


# A query longer than this is shortened in the heading and the page title (the
# box keeps all of it).
HEADING_QUERY_CHARS = 60


def short_text(value: Optional[str], limit: int = HEADING_QUERY_CHARS) -> str:
    value = value or ""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def readable_url(url: Optional[str]) -> str:
    """A URL as a reader can read it: percent-escapes decoded (`%EA%B8%B0` → 기)
    and an internationalised host name shown in Hangul.  Only for display: the
    link keeps the address as it is.  Anything that would decode to invisible or
    control characters stays escaped."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if "xn--" in host:
            shown_host = host.encode("ascii").decode("idna")
            url = url.replace(host, shown_host, 1)
    except (ValueError, UnicodeError):
        pass
    try:
        decoded = unquote(url, errors="strict") if "%" in url else url
    except UnicodeDecodeError:  # not UTF-8 underneath: the escapes say more than mojibake
        return url
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in decoded):
        return url
    return decoded


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

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass
class Tick:
    x: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    unit: str  # 연도별, 월별 or 일별


def all_periods(first: str, last: str) -> list[str]:
    """Every day (`YYYY-MM-DD`), month (`YYYY-MM`) or year (`YYYY`) from first to
    last, so the chart shows quiet periods as gaps instead of hiding them."""
    if len(first) == 4:
        return [str(year) for year in range(int(first), int(last) + 1)]
    if len(first) == 10:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        return [(day + timedelta(days=i)).isoformat() for i in range((end - day).days + 1)]
    periods = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


UNITS = {4: "연도별", 7: "월별", 10: "일별"}
MAX_TICKS = 6


def _ticks(periods: list[str], slot: float) -> list[Tick]:
    """Axis labels at steps a reader counts in: years (every 1, 2, 5 or 10),
    months at each January (with the year) or quarter, days at each 1st or week."""
    n = len(periods)
    if n == 1:
        return [Tick(round(slot / 2, 2), period_label(periods[0]))]
    kind = len(periods[0])
    if kind == 4:
        step = next(s for s in (1, 2, 5, 10, 20, 50) if n / s <= MAX_TICKS)
        chosen = [i for i, p in enumerate(periods) if int(p) % step == 0] or [0]
        text = str
    elif kind == 7:
        if n <= MAX_TICKS:
            chosen = list(range(n))
        else:
            step = next((s for s in (3, 6) if n / s <= MAX_TICKS), 0)
            chosen = [i for i, p in enumerate(periods) if (int(p[5:]) - 1) % step == 0] if step else []
            if not step or not chosen:
                years = sorted({p[:4] for p in periods})
                every = next(s for s in (1, 2, 5, 10) if len(years) / s <= MAX_TICKS)
                chosen = [i for i, p in enumerate(periods) if p.endswith("-01") and int(p[:4]) % every == 0] or [0]
        spans_years = periods[0][:4] != periods[-1][:4]

        def text(p: str) -> str:  # January says the year; other months say the year only when needed
            if p.endswith("-01") and n > MAX_TICKS:
                return p[:4]
            return f"{p[:4]}.{int(p[5:])}" if spans_years or p == periods[0] else f"{int(p[5:])}월"
    else:
        step = next(s for s in (1, 2, 7, 14) if n / s <= MAX_TICKS)
        chosen = list(range(0, n, step))

        def text(p: str) -> str:
            return f"{int(p[5:7])}.{int(p[8:])}"
    ticks = []
    for i in chosen:
        x = round(i * slot + slot / 2, 2)
        anchor = "start" if x < 14 else "end" if x > CHART_WIDTH - 14 else "middle"
        ticks.append(Tick(0 if anchor == "start" else CHART_WIDTH if anchor == "end" else x, text(periods[i]), anchor))
    return ticks


def histogram(facet: list, params, request=None, detail: bool = False) -> Optional[Chart]:
    """The date chart: one bar per period from the first to the last (empty ones
    have no link), scaled to the chart, with axis ticks; each bar links to its
    period and is marked chosen when the request's date range covers it (in a
    `detail` chart, drawn inside the chosen range, only the bar that is the range)."""
    if not facet:
        return None
    counts = {f.value: f.count for f in facet}
    periods = all_periods(facet[0].value, facet[-1].value)
    peak = max(counts.values()) or 1
    slot = CHART_WIDTH / len(periods)
    width = min(max(1.0, slot - CHART_GAP), CHART_MAX_BAR)
    low = getattr(request, "date_from", None)
    high = getattr(request, "date_to", None)
    narrowed = low is not None or high is not None
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        height = max(2.0, CHART_BAR_AREA * count / peak) if count else 0.0
        selected = False
        if detail:
            selected = params.date_from == params.date_to == period
        elif narrowed:
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
    return Chart(bars, _ticks(periods, slot), UNITS.get(len(periods[0]), "기간별"))


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
        relative_time=relative_time,
        short_text=short_text,
        readable_url=readable_url,
    )
    app.jinja_env.globals.update(
        histogram=histogram,
        page_window=page_window,
        chart_width=CHART_WIDTH,
        chart_bar_area=CHART_BAR_AREA,
    )
