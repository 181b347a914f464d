"""What a parsed query is: its syntax tree, the error a bad value raises, and
the small walks over the tree that the compiler, the relaxation and the
service share.  The lowest module of search.query: it imports nothing of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional, Union

# The text fields a plain word is searched in (search.query.compile weighs them).
DEFAULT_FIELDS = ("title", "subtitles", "body", "captions")


class QueryError(ValueError):
    """A query or filter value that cannot be used; `param` names the culprit."""

    def __init__(self, message: str, param: str = "q"):
        super().__init__(message)
        self.param = param




# ------------------------------------------------------------------ syntax tree


@dataclass
class Text:
    text: str
    fields: tuple[str, ...] = DEFAULT_FIELDS
    phrase: bool = False
    # Where the text stands in the query: words are analysed in the context of the
    # whole query, as in an article (standalone, 온 is a determiner; in 늦게 온
    # 기사 it is a verb form that the analyser drops).
    span: Optional[tuple[int, int]] = None
    # Part of a pasted headline's source or tags (` - 매일경제`, [OSEN]): ranked, never required.
    source: bool = False
    # A phrase as typed, with its quotation marks ("집값 잡겠다", 「…」).
    quoted: str = ""


@dataclass
class Exact:
    field: str  # reporter | press
    value: str


@dataclass
class Period:
    start: Optional[date]
    end: Optional[date]


@dataclass
class Not:
    node: "Node"


@dataclass
class AllOf:
    nodes: list["Node"]


@dataclass
class AnyOf:
    nodes: list["Node"]


Node = Union[Text, Exact, Period, Not, AllOf, AnyOf]


@dataclass
class ParsedQuery:
    node: Optional[Node]
    notices: list[str] = field(default_factory=list)
    text: str = ""  # the query as parsed (after any length cap)
    # Strings of a pasted headline's source (` - 매일경제`) and tags ([OSEN]) that
    # may name a press: a known one ranks that press's articles higher.
    press_hints: list[str] = field(default_factory=list)


def plain_words(node: Optional[Node]) -> list[Text]:
    """The top-level words a user typed without operators (no quotes, fields or
    minus) outside a pasted headline's source: the ones that are required in a
    keyword query and optional in a question."""
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    return [n for n in nodes if isinstance(n, Text) and not n.phrase and not n.source and n.fields == DEFAULT_FIELDS]


def unquoted(parsed: ParsedQuery) -> Optional[ParsedQuery]:
    """The query with its top-level quoted phrases as ordinary words (the
    speech in a pasted headline, paraphrased in the article), or None when it
    has none."""
    node = parsed.node
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    if not any(isinstance(n, Text) and n.phrase and n.quoted for n in nodes):
        return None
    out: list[Node] = []
    seen: set[str] = set()  # a word repeated in the speech is one word to look for
    for n in nodes:
        if isinstance(n, Text) and n.phrase and n.quoted and n.span:
            for match in re.finditer(r"\S+", n.text):
                if match.group() in seen:
                    continue
                seen.add(match.group())
                low = n.span[0] + match.start()
                out.append(Text(match.group(), span=(low, low + len(match.group()))))
        else:
            out.append(n)
    return ParsedQuery(out[0] if len(out) == 1 else AllOf(out), list(parsed.notices), parsed.text,
                       list(parsed.press_hints))


def quoted_phrases(parsed: ParsedQuery) -> list[str]:
    node = parsed.node
    nodes = node.nodes if isinstance(node, AllOf) else [node]
    return [n.quoted for n in nodes if isinstance(n, Text) and n.phrase and n.quoted]


def text_clauses(node: Optional[Node]) -> list[Text]:
    """Every text clause outside an exclusion, at any depth."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (AllOf, AnyOf)):
        return [t for child in node.nodes for t in text_clauses(child)]
    return []


