"""Query-time aliases from `search/data/aliases.txt` (or the file named by
`NEWS_SEARCH_ALIASES`): groups of words that mean the same (AI, 인공지능).

Aliases are matched on analysed terms, so 인공지능은 and 인공지능 are the same
key, and expanded only in queries: the index is unchanged and the file can be
edited without a reindex.
"""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path
from typing import Callable, Optional

Terms = tuple[str, ...]


class AliasFileError(ValueError):
    """A malformed aliases file; the message names the file and line."""


def alias_groups(text: Optional[str] = None, source: str = "aliases.txt") -> list[list[str]]:
    """The groups of an aliases file: `a, b, c` per line, `#` starts a comment."""
    if text is None:
        override = os.environ.get("NEWS_SEARCH_ALIASES")
        if override:
            source = override
            text = Path(override).read_text("utf-8")
        else:
            text = resources.files("search.data").joinpath("aliases.txt").read_text("utf-8")
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = [w.strip() for w in line.split(",") if w.strip()]
        if len(words) < 2:
            raise AliasFileError(f"{source}:{number}: an alias group needs two or more words separated by commas")
        groups.append(words)
    return groups


class AliasTable:
    """Analysed aliases: the terms of a word → the terms of each of its aliases."""

    def __init__(self, groups: list[list[str]], analyse: Callable[[str], Terms]):
        self._table: dict[Terms, list[tuple[str, Terms]]] = {}
        for group in groups:
            analysed = [(word, analyse(word)) for word in group]
            analysed = [(w, t) for w, t in analysed if t]
            for _, terms in analysed:
                others = self._table.setdefault(terms, [])
                for word, other in analysed:
                    if other != terms and all(other != o for _, o in others):
                        others.append((word, other))

    def aliases(self, terms: Terms) -> list[tuple[str, Terms]]:
        """(written form, terms) of every alias of a word with these terms."""
        return self._table.get(tuple(terms), [])

    def __len__(self) -> int:
        return len(self._table)


_tables: dict[int, AliasTable] = {}
_lock = threading.Lock()


def alias_table(analyse: Callable[[str], Terms], key: int) -> AliasTable:
    """The shipped (or overridden) aliases analysed with `analyse`, built once per key."""
    table = _tables.get(key)
    if table is None:
        with _lock:
            table = _tables.get(key)
            if table is None:
                table = _tables[key] = AliasTable(alias_groups(), analyse)
    return table
