"""Bytes → text for a saved page: the charset it declares in its first 4 KB, a
byte-order mark, gzip; `search.ingest.encoding` does the Korean-aware rest."""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Optional

from search.ingest.encoding import decode_bytes, normalise_label
from search.ingest.errors import ArticleError


PRESCAN_BYTES = 4096
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024

_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_DECLARATION = re.compile(rb"\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']\s*([A-Za-z0-9_.:\-]+)", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def declared_encoding(data: bytes) -> Optional[str]:
    """The charset label a page declares in its first few kilobytes, if any."""
    head = data[:PRESCAN_BYTES]
    match = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML or XML page: its BOM, else its declaration
    (when the bytes bear it out), else detection."""
    label = declared_encoding(data)
    codec = normalise_label(label)
    if codec and codec.startswith(("utf-16", "utf-32")) and not data.startswith(_BOMS):
        # A declaration readable as ASCII cannot be in UTF-16 itself; browsers read
        # such pages as UTF-8 (HTML's own rule).
        label = "utf-8"
    return decode_bytes(data, label)


def _maybe_gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise ArticleError(f"corrupt gzip data: {exc}") from None
    if inflater.unconsumed_tail:
        raise ArticleError(f"gzip data expands to over {MAX_DECOMPRESSED_BYTES // 1048576} MB")
    return out  # a truncated stream yields what it has
