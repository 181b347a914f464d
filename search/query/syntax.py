"""Text → query syntax tree: the query language a Korean newsroom user types,
parsed leniently.

    삼성전자 협력              words are ANDed (each analysed into morphemes); a short
                               page is completed with articles missing some (search.query.relax)
    임세영은 무엇을 경영했나?  a question: words ranked, none required
    ㅅㅅㅈㅈ                   초성 (initial consonants) of a word
    AI                         also its aliases (인공지능), from search/data/aliases.txt
    "기술 협력"                a phrase (also “…”, ‘…’, '…', 「…」); searched as plain
                               words when no article has it
    … - 매일경제, [OSEN] …     a pasted headline's source and tags: not required; a
                               press named there is preferred
    삼성 OR 엘지               either
    삼성전자 -협력             without (이-팔, e-스포츠, A - B exclude nothing)
    (삼성 OR 엘지) 반도체      grouping
    삼성 AND 반도체, 삼성 NOT 엘지  AND joins (words are ANDed anyway); NOT excludes like -
    기자:조재범  reporter:…    reporter (exact)
    언론사:뉴데일리경제 press:… press (exact)
    제목:협력  title:…         only in titles     (본문:/body: anywhere but the title)
    날짜:2018-11  date:…       a year, a month or a day (2018, 2018-11, 2018-11-07)
    from:2018-01-01 to:2018-12-31

Nothing a user types raises: a lone quote runs to the end of the query, an
unbalanced parenthesis is ignored, a dangling OR, NOT or `-` is dropped, an unknown
`field:` is searched as text, particles written as a grammar book lists them
(은는이가) are no word.  What was dropped is reported as a notice.

This module answers one question: what did the user type?  Analysing the
words (search.query.words) and compiling the tree (search.query.compile) come
after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from search.limits import MAX_PHRASE_WORDS, MAX_WORD_CHARS, PHRASE_CUT_NOTICE, WORD_CUT_NOTICE
from search.query.dates import parse_date_bound
from search.query.tree import (DEFAULT_FIELDS, AllOf, AnyOf, Exact, Node, Not, ParsedQuery, Period, QueryError,
                               Text)

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64

FIELD_ALIASES = {
    "기자": "reporter", "reporter": "reporter", "by": "reporter",
    "언론사": "press", "press": "press", "매체": "press",
    "제목": "title", "title": "title",
    "본문": "body", "body": "body",
    "날짜": "date", "date": "date", "기간": "date",
    "from": "from", "since": "from", "부터": "from",
    "to": "to", "until": "to", "까지": "to",
}


# ------------------------------------------------------------------ lexing

# Quotation marks as Korean news writes speech: each opener with its closer (a
# right double quote also opens, as some keyboards type ”…”).  A straight `'`
# opens a quote only at the start of a word and never closes right after a
# space (so `don't` stays a word).
QUOTES = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u2018": "\u2019", "'": "'",
          "\u300c": "\u300d", "\u300e": "\u300f", "\u201e": "\u201c"}
# Characters that only separate words in a query: ellipses, middle dots, list
# marks, hashtags, brackets other than parentheses, arrows, emoji.
_SEPARATOR = re.compile(
    "[\\s\u2026\u2025\u00b7\u30fb\u2027\u2022\u203b#\\[\\]\u3010\u3011\u3008\u3009\u300a\u300b<>{}"
    "\u25b6\u25b2\u25b3\u25b7\u25c6\u25c7\u25a0\u25a1\u25cf\u25cb\u2605\u2606\u2190-\u21ff"
    "\u2600-\u27bf\U0001F000-\U0001FAFF\ufe0f\u200d]"
)
_HASHTAG = re.compile(r"(?<!\S)#[^\s#]+")
# What a sentence writes onto a closing quote: 라며, 라고, 는, 가, 에, …
_QUOTE_TAIL = re.compile(r"(?:이라며|이라고|이라는|이란|라며|라고|라는|란|며|고|은|는|이|가|을|를|에|의|도|로|와|과)(?=[\s,.]|$)")
# A bracketed tag of a headline: [단독], [OSEN], 【서울=뉴시스】, <포토>.
_TAG = re.compile(r"[\[\u3010\u3008\u300a<][^\]\u3011\u3009\u300b>\n]{1,24}[\]\u3011\u3009\u300b>]")
# Particles written in their pairs as a grammar book lists them (은는, 이가,
# 을를, 은는이가): no word to search.  Pairs only: 가을 and 도로 are words.
_PARTICLES_ONLY = re.compile("(?:은는|는은|이가|가이|을를|를을|와과|과와)+")
# A portal's source after a headline: ` - 매일경제`, ` | 한국일보`, ` / YTN`.
_SOURCE = re.compile(r"(?:\s[-\u2013\u2014]\s+|\s[|/]\s*)([^-\u2013\u2014|/\s\"][^-\u2013\u2014|/\"]{0,29})\s*$")


@dataclass
class _Token:
    kind: str  # open | close | quote | word
    raw: str
    start: int
    inner: str = ""  # a quote's text without its marks
    inner_start: int = 0


def _lex(text: str) -> list[_Token]:
    """Parentheses, quotes (each kind of mark) and words; separators dropped."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _SEPARATOR.match(ch):
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token("open" if ch == "(" else "close", ch, i))
            i += 1
            continue
        if ch in QUOTES and _opens(text, i):
            close = _closing(text, i)
            if close is not None or ch == '"':
                end = close if close is not None else n
                tokens.append(_Token("quote", text[i:end + 1], i, text[i + 1:end], i + 1))
                i = end + 1
                # The ending or particle written onto the quote ("…"며, '…'가,
                # "…"라고) belongs to the sentence, not to the search.
                tail = _QUOTE_TAIL.match(text, i)
                if tail:
                    i = tail.end()
                continue
            i += 1  # a lone curly or single quote: punctuation
            continue
        j = i
        while j < n and not _SEPARATOR.match(text[j]) and text[j] not in "()":
            if text[j] in QUOTES and j > i and _opens(text, j) and (text[j] == '"' or _closing(text, j) is not None):
                break
            j += 1
        word = text[i:j]
        # Closing marks left on a word (a stray ’ or ”) are punctuation.
        stripped = word.rstrip("'\u2019\u201d\u300d\u300f")
        stripped = stripped.lstrip("'\u2018\u201c\u300c\u300e")
        if stripped:
            tokens.append(_Token("word", stripped, i + word.index(stripped)))
        i = j
    return tokens


def _opens(text: str, i: int) -> bool:
    """Whether the mark at `i` may open a quote: a straight `'` only at a word's start."""
    if text[i] != "'":
        return True
    return i == 0 or not text[i - 1].isalnum()


def _closing(text: str, i: int) -> Optional[int]:
    """Where the quote opened at `i` closes, or None.  A straight `'` closes
    after a word (`'엑시노스'가`), never right after an opener or a space."""
    closer = QUOTES[text[i]]
    j = text.find(closer, i + 1)
    while j != -1 and text[i] == "'" and (j == i + 1 or text[j - 1].isspace()):
        j = text.find(closer, j + 1)
    return None if j == -1 else j


def source_start(text: str) -> Optional[int]:
    """Where a pasted headline's trailing source begins (` - 매일경제`,
    ` / 연합뉴스TV (YonhapnewsTV) - 연합뉴스TV`), or None.  Only after a
    headline of two words or more: `삼성 - 애플` is two words, not a source."""
    start = None
    rest = text.rstrip()
    while True:
        match = _SOURCE.search(rest)
        if not match or len(match.group(1).split()) > 4:
            break
        head = rest[:match.start()]
        words = [w for w in _SEPARATOR.sub(" ", head).split() if w not in ("|", "||", "OR", "-")]
        if len(words) < 2 or ("|" in match.group(0) and re.search(r"\s(?:\|\|?|OR)\s", head)):
            break  # `삼성 | 엘지 | LG` is an OR, not a source
        start, rest = match.start(), head.rstrip()
    return start


class _QueryReader:
    """Reads one query string into a syntax tree (one instance per parse)."""

    # -- parsing

    def __init__(self, text: str):
        self._notices: list[str] = []
        text = text or ""
        if len(text) > MAX_QUERY_CHARS:
            self._notices.append(f"검색어가 너무 길어 앞의 {MAX_QUERY_CHARS:,}자만 검색했습니다.")
            text = text[:MAX_QUERY_CHARS]
        self._text = text
        self._tokens = _lex(text)
        self._pos = 0
        self._clauses = 0
        # A pasted headline's source and tags: searched, never required.
        self._source_from = source_start(text)
        self._tags = [m.span() for m in _TAG.finditer(text)]
        # Hashtags (#추모) tag a post; they are not words the article must hold.
        self._hashtags = [m.span() for m in _HASHTAG.finditer(text)]

    def read(self) -> ParsedQuery:
        node = self._sequence(top=True)
        return ParsedQuery(node, self._notices, self._text, self._press_hints())

    def _is_source(self, start: int) -> bool:
        if self._source_from is not None and start >= self._source_from:
            return True
        return any(low <= start < high for low, high in self._tags + self._hashtags)

    def _press_hints(self) -> list[str]:
        """Strings of the source and tags that may name a press: whole
        segments (연합뉴스TV), their parts (서울=뉴시스 → 뉴시스)."""
        pieces = [self._text[low + 1:high - 1] for low, high in self._tags]
        if self._source_from is not None:
            pieces += re.split(r"\s[-\u2013\u2014|/]\s*|[()]", self._text[self._source_from:])
        hints: dict[str, None] = {}
        for piece in pieces:
            for part in [piece] + re.split(r"[=\s]+", piece):
                part = part.strip(" -|/=()")
                if part:
                    hints[part] = None
        return list(hints)

    def _sequence(self, top: bool) -> Optional[Node]:
        """Clauses ANDed, with OR binding tighter: a OR b c = (a OR b) AND c."""
        groups: list[list[Node]] = []
        pending_or = False
        while self._pos < len(self._tokens):
            token = self._tokens[self._pos]
            kind = token.kind
            if kind == "close":
                self._pos += 1
                if top:
                    continue  # an unbalanced ')' is ignored
                break
            if kind == "word" and token.raw in ("OR", "||", "|"):
                self._pos += 1
                pending_or = bool(groups)
                continue
            if kind == "word" and token.raw in ("AND", "&&"):
                self._pos += 1  # words are ANDed anyway
                continue
            negate = kind == "word" and token.raw == "NOT"
            if negate:
                self._pos += 1
                if self._pos >= len(self._tokens) or self._tokens[self._pos].kind == "close":
                    continue  # a dangling NOT is dropped
            node = self._clause()
            if node is None:
                continue
            if negate and not isinstance(node, Not):
                node = Not(node)
            if pending_or and groups:
                groups[-1].append(node)
            else:
                groups.append([node])
            pending_or = False
        nodes = [g[0] if len(g) == 1 else AnyOf(g) for g in groups]
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else AllOf(nodes)

    def _clause(self) -> Optional[Node]:
        token = self._tokens[self._pos]
        self._pos += 1
        self._clauses += 1
        if self._clauses > MAX_CLAUSES:
            if self._clauses == MAX_CLAUSES + 1:
                self._notices.append(f"검색어의 단어가 너무 많아 앞의 {MAX_CLAUSES}개만 사용했습니다.")
            return None
        kind = token.kind
        if kind == "open":
            return self._sequence(top=False)
        raw = token.raw
        start = token.start
        if kind == "quote":
            return self._phrase(token, DEFAULT_FIELDS)
        negate = False
        # `-word` excludes only at a word's start and before a letter or a quote:
        # 이-팔, e-스포츠, `A - B`, -10% are no exclusions.
        if raw.startswith("-") and len(raw) > 1:
            if raw[1].isalpha() and not self._is_source(start):
                negate = True
            raw, start = raw.lstrip("-\u2013\u2014"), start + len(raw) - len(raw.lstrip("-\u2013\u2014"))
            if not raw:
                return None
        elif raw in ("-", "+", "\u2013", "\u2014", "|", "/"):
            if raw == "-" and self._pos < len(self._tokens) and self._tokens[self._pos].kind == "quote" \
                    and self._tokens[self._pos].start == start + 1:
                # -"기술 협력": without the phrase.
                phrase = self._phrase(self._tokens[self._pos], DEFAULT_FIELDS)
                self._pos += 1
                return Not(phrase) if phrase is not None else None
            return None
        if raw.startswith("+") and len(raw) > 1:
            raw, start = raw[1:], start + 1
        node = self._fielded(raw, start)
        if node is None:
            return None
        return Not(node) if negate else node

    def _phrase(self, token: "_Token", fields: tuple[str, ...]) -> Optional[Node]:
        inner = token.inner
        stripped = inner.strip()
        if not stripped:
            return None
        offset = token.inner_start + inner.index(stripped)
        return Text(stripped, fields, phrase=True, span=(offset, offset + len(stripped)), quoted=token.raw)

    def _fielded(self, raw: str, start: int) -> Optional[Node]:
        name, colon, value = raw.partition(":")
        target = FIELD_ALIASES.get(name.lower()) if colon else None
        if target is None:
            if _PARTICLES_ONLY.fullmatch(raw):
                return None  # 은는이가: particles as a grammar book lists them, no word
            return Text(raw, span=(start, start + len(raw)), source=self._is_source(start))
        if not value:
            # `기자: 조재범` — the value is the next word.
            if self._pos < len(self._tokens) and self._tokens[self._pos].kind in ("word", "quote"):
                following = self._tokens[self._pos]
                value = following.inner if following.kind == "quote" else following.raw
                self._pos += 1
            else:
                self._notices.append(f"'{raw}' 다음에 값이 없어 무시했습니다.")
                return None
        value = value.strip('"').strip()
        if target in ("reporter", "press"):
            return Exact(target, value)
        if target in ("title", "body"):
            return Text(value, (target,), phrase=" " in value)  # analysed on its own
        try:
            if target == "date":
                if ".." in value:
                    lo, _, hi = value.partition("..")
                    return Period(parse_date_bound(lo, False) if lo else None,
                                  parse_date_bound(hi, True) if hi else None)
                return Period(parse_date_bound(value, False), parse_date_bound(value, True))
            if target == "from":
                return Period(parse_date_bound(value, False, "from"), None)
            return Period(None, parse_date_bound(value, True, "to"))
        except QueryError as exc:
            self._notices.append(f"날짜 '{value}'를 이해하지 못해 무시했습니다 ({getattr(exc, 'korean', exc)}).")
            return None



def parse(text: str) -> ParsedQuery:
    """The syntax tree of a query string, its words and phrases held to size
    (search.limits), with a notice for everything dropped or cut."""
    return bound_query(_QueryReader(text).read())


# ------------------------------------------------------------------ input bounds

_WORD = re.compile(r"\S+")


def bound_query(parsed: ParsedQuery) -> ParsedQuery:
    """`parsed` with every text clause held to `MAX_WORD_CHARS` characters a
    word and `MAX_PHRASE_WORDS` words a phrase (search.limits), a notice for
    each kind of cut.  Cut clauses keep their place in the query when only
    their end was cut (they are still analysed in context)."""

    def visit(node) -> None:
        if isinstance(node, (AllOf, AnyOf)):
            for child in node.nodes:
                visit(child)
        elif isinstance(node, Not):
            visit(node.node)
        elif isinstance(node, Text):
            _bound_text(node, parsed.notices)

    visit(parsed.node)
    return parsed


def _bound_text(node, notices: list[str]) -> None:
    words = list(_WORD.finditer(node.text))
    kept = words[:MAX_PHRASE_WORDS]
    long_words = any(len(w.group()) > MAX_WORD_CHARS for w in kept)
    if len(kept) == len(words) and not long_words:
        return
    if len(kept) < len(words) and PHRASE_CUT_NOTICE not in notices:
        notices.append(PHRASE_CUT_NOTICE)
    if long_words:
        if WORD_CUT_NOTICE not in notices:
            notices.append(WORD_CUT_NOTICE)
        node.text = " ".join(w.group()[:MAX_WORD_CHARS] for w in kept)
        if len(kept) == 1 and node.span:
            node.span = (node.span[0] + kept[0].start(), node.span[0] + kept[0].start() + len(node.text))
        else:
            node.span = None  # analysed on its own
    else:
        text = node.text[:kept[-1].end()]
        if node.span:
            node.span = (node.span[0], node.span[0] + len(text))
        node.text = text

