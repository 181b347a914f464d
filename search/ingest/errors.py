"""What goes wrong while loading articles, said so that a person can act on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


class ArticleError(ValueError):
    """An article (or a whole file) that cannot be loaded; the message says why."""

    def __init__(self, reason: str, line: Optional[int] = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class LoadFailure:
    """One file, or one line of a JSONL file, that did not become an article."""

    source: str
    reason: str
    line: Optional[int] = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"
