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


def _strict(data: bytes, encoding: str) -> Optional[str]:
    """`data` decoded strictly, or None.  A character cut off at the very end
    (a truncated download) is dropped rather than failing the whole file."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:
            return None
    except LookupError:
        return None
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _is_multibyte_utf8(data: bytes) -> bool:
    return not data.isascii() and _strict(data, "utf-8") is not None


def _plausible_korean(data: bytes) -> Optional[str]:
    """A Korean encoding that reads `data` strictly as ordinary Hangul, or None."""
    for candidate in ("cp949", "johab"):
        text = _strict(data, candidate)
        if text is None:
            continue
        if _hangul_quality(text) >= 0.9:
            return candidate
    return None


def _plausible_text(text: str) -> bool:
    """Whether decoded text reads as text: letters, digits, spaces and
    punctuation, few controls and few unassigned or private-use characters."""
    if not text:
        return False
    odd = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\f") or "\ue000" <= ch <= "\uf8ff"
              or "\ud800" <= ch <= "\udfff")
    return odd <= len(text) // 50


def detect_utf16(data: bytes) -> Optional[str]:
    """"utf-16-le" or "utf-16-be" for UTF-16 text written without a byte-order
    mark (some Windows tools do), else None.  Its ASCII characters (spaces, line
    breaks, digits) put a NUL byte on one side of their pair, so NULs, few in
    Korean text, fall mostly on one side; the decoded text must then read as text."""
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    zeros = even + odd
    # Hangul such as 가 (U+AC00) or 대 (U+B300) has a NUL low byte, so the
    # other side is not always free of them: four to one is lopsided enough.
    if zeros < max(2, len(sample) // 40) or min(even, odd) * 4 > max(even, odd):
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec if _plausible_text(text) else None


def undecodable_sequences(data: bytes, encoding: str) -> int:
    """How many byte sequences of `data` the codec cannot read (0 for a clean
    decoding; a character cut off at the very end is not counted, see _strict).
    Each one became a U+FFFD that the "ignore" reading lacks."""
    if _strict(data, encoding) is not None:
        return 0
    try:
        return data.decode(encoding, "replace").count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
    except LookupError:
        return 0


def detect_encoding(data: bytes) -> str:
    """The most plausible encoding of undeclared bytes."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    utf16 = detect_utf16(data)
    if utf16:
        return utf16
    # ISO-2022-KR is 7-bit, so it would also pass as UTF-8: its designator
    # escape (ESC $ ) C) has to be looked for first.
    if _ISO2022_KR_ESCAPE in data[:4096] and _strict(data, "iso2022_kr") is not None:
        return "iso2022_kr"
    if _strict(data, "utf-8") is not None:
        return "utf-8"
    best, best_score = "cp949", -1.0
    for candidate in ("cp949", "johab"):
        text = _strict(data, candidate)
        if text is None:
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
            return _strict(data, "utf-8") or "", "utf-8"
        if encoding in _SINGLE_BYTE_WESTERN and not data.isascii():
            korean = _plausible_korean(data)
            if korean:
                return _strict(data, korean) or "", korean
        text = _strict(data, encoding)
        if text is not None:
            return text, encoding
    encoding = detect_encoding(data)
    text = _strict(data, encoding)
    return (text if text is not None else data.decode(encoding, "replace")), encoding


# Tab, line breaks, form feed, and ESC/SO/SI (ISO-2022-KR shifts) are text.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b\x0e\x0f")


def looks_binary(data: bytes) -> bool:
    """Images, archives and executables renamed .txt/.html: many NUL or control
    bytes.  A stray NUL in real text (it happens in scrapes) is not enough."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or detect_utf16(data):
        return False  # UTF-16 text is full of NULs by design
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return sample.count(0) > 8 or controls > len(sample) // 20
