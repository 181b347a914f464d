"""What goes wrong while loading articles, said so that a person can act on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional


class ArticleError(ValueError):
    """An article (or a whole file) that cannot be loaded; the message says why."""

    def __init__(self, reason: str, line: Optional[int] = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


# Characters that must not reach a terminal or a log as they are: C0/C1 controls
# (a newline would forge a summary line, ESC drives the terminal), line and
# paragraph separators, bidi overrides (they reorder what is shown), lone
# surrogates (bytes of a file name that are not UTF-8, kept by surrogateescape),
# and the backslash, so that an escape in the output is never ambiguous.
_UNPRINTABLE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(name: str) -> str:
    """A file name (or any text from the input) safe to print on one line: every
    control character, separator, bidi override and undecodable byte escaped."""
    return _UNPRINTABLE.sub(_escape, name)


@dataclass(frozen=True)
class LoadFailure:
    """One file, or one line of a JSONL file, that did not become an article.

    `unreadable` marks failures of the file system (no permission, gone, an I/O
    error) rather than of the content: the articles such a source held last
    time are never counted as deleted (search.reindex)."""

    source: str
    reason: str
    line: Optional[int] = None
    unreadable: bool = False

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return printable(f"{where}: {self.reason}")


@dataclass(frozen=True)
class LoadWarning:
    """Something wrong with a file that was still loaded (bytes that no encoding
    reads): the articles are indexed, and the summary says what to check."""

    source: str
    message: str
    line: Optional[int] = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return printable(f"{where}: {self.message}")
