"""Dates as Korean news pages write them.

Bylines say `2018-11-07 16:12:56`, `2018.11.07`, `2018년 11월 7일 오후 4:12`,
`입력 2018-11-07 16:12` or `기사입력 2018/11/07`; machine-readable metadata says
ISO 8601.  Everything comes back timezone-aware, Korean time when the text gives
no offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from search.model import SEOUL

_NUMERIC = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?"
    r"(?:\.?\s*(?:T|\s)?\s*(?P<ampm>오전|오후|AM|PM|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*(?::|시)\s*(?P<M>\d{2})\s*분?(?:\s*:\s*(?P<S>\d{2})(?:\.\d+)?)?\s*"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)

# Labels that introduce the publication time, as opposed to 수정/업데이트.
PUBLISHED_LABELS = ("기사입력", "입력", "등록", "게재", "발행", "승인")


def parse_datetime(text: Optional[str]) -> Optional[datetime]:
    """The first date (with time when given) in `text`, or None."""
    if not text:
        return None
    text = text.strip()
    try:
        # The fast, exact path for ISO 8601 from JSON-LD, meta tags and JSONL.
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=SEOUL)
    except ValueError:
        pass
    match = _NUMERIC.search(text)
    if not match:
        return None
    return _from_match(match)


def _from_match(match: re.Match) -> Optional[datetime]:
    try:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        hour = int(match["H"]) if match["H"] else 0
        minute = int(match["M"]) if match["M"] else 0
        second = int(match["S"]) if match["S"] else 0
        ampm = (match["ampm"] or "").lower()
        if ampm in ("오후", "pm") and hour < 12:
            hour += 12
        elif ampm in ("오전", "am") and hour == 12:
            hour = 0
        tz = _parse_offset(match["tz"]) if match["tz"] else SEOUL
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _parse_offset(text: str):
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def find_published(text: str) -> Optional[datetime]:
    """The publication time in a byline block: the date after 입력/기사입력 when
    labelled, else the first date in the text."""
    for label in PUBLISHED_LABELS:
        for found in re.finditer(re.escape(label) + r"\s*[:：]?\s*", text):
            match = _NUMERIC.match(text, found.end())
            if match:
                value = _from_match(match)
                if value:
                    return value
    return parse_datetime(text)


def parse_date(text: Optional[str]) -> Optional[date]:
    """A calendar date such as `2019/01/24`, `2019-01-24` or `2019.1.24`."""
    value = parse_datetime(text)
    return value.date() if value else None
