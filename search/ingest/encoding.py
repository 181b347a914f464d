"""Bytes → text for Korean files whatever their encoding.

Order of trust: a byte-order mark, then the encoding the file declares, then
strict UTF-8, then the legacy Korean encodings judged by how ordinary the
decoded Hangul looks.  General-purpose detectors often take EUC-KR for another
CJK encoding, so Korean candidates are tried and scored here first.
"""

from __future__ import annotations

import codecs
from typing import Optional

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# EUC-KR is a subset of CP949 (the Windows code page every Korean site that says
# "euc-kr" really uses); decoding with cp949 never loses what euc-kr would read.
_ALIASES = {
    "euc-kr": "cp949", "euckr": "cp949", "euc_kr": "cp949", "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949", "ksc5601": "cp949", "ksc_5601": "cp949", "x-windows-949": "cp949",
    "windows-949": "cp949", "uhc": "cp949", "ms949": "cp949", "korean": "cp949",
    "iso-2022-kr": "iso2022_kr", "csiso2022kr": "iso2022_kr", "johab": "johab",
}


_ISO2022_KR_ESCAPE = b"\x1b$)C"

# Labels that say "Western single-byte" but that old Korean pages (and editors'
# templates) carry over EUC-KR bytes; they never fail to decode, so they can only
# be caught by looking at what the bytes read as.
_SINGLE_BYTE_WESTERN = {"ascii", "iso8859-1", "cp1252", "latin-1"}


def normalise_label(label: Optional[str]) -> Optional[str]:
    """A Python codec name for an encoding label from a page or a header."""
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _hangul_quality(text: str) -> float:
    """Share of Hangul syllables that are among the 2,350 of KS X 1001, which
    covers ordinary Korean; a wrong decoding yields rare syllables or none."""
    syllables = [ch for ch in text if "\uac00" <= ch <= "\ud7a3"]
    if not syllables:
        return 0.0
    common = 0
    for ch in syllables:
        try:
            ch.encode("euc-kr")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(syllables)


def _is_multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _plausible_korean(data: bytes) -> Optional[str]:
    """A Korean encoding that reads `data` strictly as ordinary Hangul, or None."""
    for candidate in ("cp949", "johab"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _hangul_quality(text) >= 0.9:
            return candidate
    return None


def detect_encoding(data: bytes) -> str:
    """The most plausible encoding of undeclared bytes."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    # ISO-2022-KR is 7-bit, so it would also pass as UTF-8: its designator
    # escape (ESC $ ) C) has to be looked for first.
    if _ISO2022_KR_ESCAPE in data[:4096]:
        try:
            data.decode("iso2022_kr")
            return "iso2022_kr"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best, best_score = "cp949", -1.0
    for candidate in ("cp949", "johab"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        score = _hangul_quality(text)
        if score > best_score:
            best, best_score = candidate, score
    if best_score < 0:
        # Nothing decodes strictly: take the reading with the fewest errors.
        best = min(("utf-8", "cp949"), key=lambda c: data.decode(c, "replace").count("\ufffd"))
    return best


def decode_bytes(data: bytes, declared: Optional[str] = None) -> tuple[str, str]:
    """(text, encoding used).  A declaration is followed unless it is plainly wrong:
    it fails to decode strictly, the bytes are valid multibyte UTF-8 although a
    legacy encoding is declared, or a Western single-byte label covers bytes that
    read as ordinary Korean.  Then the bytes are judged as if undeclared."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, "replace"), name
    encoding = normalise_label(declared)
    if encoding:
        if encoding != "utf-8" and _is_multibyte_utf8(data):
            # Legacy bytes are never valid UTF-8 once they hold any Hangul (their
            # lead bytes are UTF-8 continuation bytes), so valid multibyte UTF-8
            # means the declaration is stale: the page was converted, its <meta> not.
            return data.decode("utf-8"), "utf-8"
        if encoding in _SINGLE_BYTE_WESTERN and not data.isascii():
            korean = _plausible_korean(data)
            if korean:
                return data.decode(korean), korean
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    encoding = detect_encoding(data)
    return data.decode(encoding, "replace"), encoding
