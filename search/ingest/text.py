"""Small text helpers shared by the loaders: clean-up and the domain→press table."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Optional
from urllib.parse import urlsplit

# Zero-width and bidi marks that scrapes carry in; they split words invisibly.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e]")
# C0/C1 controls except tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u3000]+")


def clean_text(text: str) -> str:
    """NFC-normalise (Hangul from macOS arrives decomposed), drop invisible and
    control characters, fold runs of spaces; keep line breaks."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text)


def clean_line(text: str) -> str:
    return clean_text(text).replace("\n", " ").strip()


@lru_cache(maxsize=1)
def _press_table() -> dict[str, str]:
    table: dict[str, str] = {}
    raw = resources.files("search.data").joinpath("press_domains.tsv").read_text("utf-8")
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        domain, _, press = line.partition("\t")
        if press.strip():
            table[domain.strip().lower()] = press.strip()
    return table


def domain_of(value: Optional[str]) -> Optional[str]:
    """The host of a URL or the domain of an e-mail address."""
    if not value:
        return None
    value = value.strip()
    if "@" in value and "://" not in value:
        return value.rsplit("@", 1)[1].lower()
    host = urlsplit(value if "://" in value else "//" + value).hostname
    return host.lower() if host else None


def press_for(*addresses: Optional[str]) -> Optional[str]:
    """The press (언론사) that owns the first URL or e-mail address whose domain is
    in the table; the longest domain suffix wins (biz.chosun.com over chosun.com)."""
    table = _press_table()
    for address in addresses:
        host = domain_of(address)
        if not host:
            continue
        parts = host.split(".")
        for i in range(len(parts) - 1):
            press = table.get(".".join(parts[i:]))
            if press:
                return press
    return None
