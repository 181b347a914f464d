"""Limits that keep one search from taking the server down with it.

The query language already caps a query at 1,000 characters and 64 clauses
(search.query.syntax).  Within those caps a query can still be expensive: 64 common
words ORed together across a 10,000-article index took over 10 s before this
guard (each of Whoosh's passes over the matches — collecting the documents,
scoring them, counting them — walks every posting of every word).  So:

* a time budget: every pass of Whoosh over a query's matches stops after
  `PASS_BUDGET_SECONDS`; the result is what was found until then, and a notice
  says it is partial.  The check rides on the matcher itself (`BudgetedQuery`),
  so it holds whatever code runs the query — ranking, counting, facets.
* input bounds, so that the work of parsing, analysing and compiling a query
  and the size of its matcher tree are bounded before anything runs
  (search.query.syntax.bound_query): a word is analysed up to `MAX_WORD_CHARS` characters, a
  phrase up to `MAX_PHRASE_WORDS` words (the query itself is capped at 1,000
  characters and 64 clauses by the reader), and a word or morpheme repeated
  in an AND counts once (search.conjunction).  `漢` x 950 in one word took
  635 s (and x 999 a RecursionError) as an AND of 950 copies of one term; a
  250-word phrase of one word, 53 s.
* a deadline for the whole search (`search_deadline`, `SEARCH_DEADLINE_SECONDS`):
  loops that do not run through a budgeted matcher — settling a phrase or an
  exclusion on its next match, marking snippets, proximity — look at it and
  stop, and the result says it is partial.
* wildcards: the index holds morphemes, not words, so `삼성*` is not needed
  (`삼성` already finds 삼성전자, 삼성의, 삼성에서) and a leading `*성` would
  expand to most of the vocabulary.  Wildcards are not supported: the `*` is
  ignored (the analyser drops it) and a notice says so, so no pattern can expand
  to the vocabulary at all.
"""

from __future__ import annotations

import contextvars
import re
import time
from contextlib import contextmanager
from typing import Iterator, Optional

from whoosh import query as Q
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query.wrappers import WrappingQuery

# Per pass over the matches; a search makes two or three passes.
PASS_BUDGET_SECONDS = 1.0
# How often (in matcher steps) the clock is read: cheap next to Whoosh's own work.
CHECK_EVERY = 256
# The whole search, beyond which every loop that checks `deadline_passed` stops.
SEARCH_DEADLINE_SECONDS = 3.0
# Characters of one query word that are analysed (the longest compound nouns
# in news, 한국과학기술기획평가원, are about a dozen; a pasted URL is searched
# by its beginning).
MAX_WORD_CHARS = 40
# Words of one phrase ("…") that are searched.
MAX_PHRASE_WORDS = 24

WORD_CUT_NOTICE = f"{MAX_WORD_CHARS}자보다 긴 단어는 앞의 {MAX_WORD_CHARS}자만 검색했습니다."
PHRASE_CUT_NOTICE = f"구절이 너무 길어 앞의 {MAX_PHRASE_WORDS}단어만 검색했습니다."

TIMEOUT_NOTICE = ("검색이 시간 한도를 넘어 일부 결과만 보여 드립니다. "
                  "더 구체적인 검색어를 쓰거나 OR로 묶은 단어를 줄여 보세요.")
WILDCARD_NOTICE = ("와일드카드(*)는 지원하지 않아 * 없이 검색했습니다 "
                   "(형태소 검색이라 ‘삼성’만으로도 삼성전자·삼성의를 찾습니다).")
_WILDCARD = re.compile(r"\*")


class SearchBudget:
    """The time budget of one search: each matcher gets `seconds`; the first one
    to run out adds the notice to `notices` (once)."""

    def __init__(self, notices: Optional[list[str]] = None, seconds: Optional[float] = None):
        self.notices = notices if notices is not None else []
        self.seconds = PASS_BUDGET_SECONDS if seconds is None else seconds
        self.exceeded = False

    def clock(self) -> "_PassClock":
        return _PassClock(self)

    def ran_out(self) -> None:
        if not self.exceeded:
            self.exceeded = True
            self.notices.append(TIMEOUT_NOTICE)


class _PassClock:
    __slots__ = ("budget", "deadline", "steps", "out")

    def __init__(self, budget: SearchBudget):
        self.budget = budget
        self.deadline = time.monotonic() + budget.seconds
        self.steps = 0
        self.out = False

    def spent(self) -> bool:
        self.steps += 1
        if self.out or self.steps % CHECK_EVERY:
            return self.out
        if time.monotonic() > self.deadline or deadline_passed():
            self.out = True
            self.budget.ran_out()
        return self.out


class BudgetedMatcher(WrappingMatcher):
    """A matcher that reports itself finished once its pass is out of time."""

    def __init__(self, child, clock: _PassClock, boost: float = 1.0):
        super().__init__(child, boost)
        self.clock = clock

    def copy(self):
        return BudgetedMatcher(self.child.copy(), self.clock, self.boost)

    def _replacement(self, newchild):
        return BudgetedMatcher(newchild, self.clock, self.boost)

    def is_active(self) -> bool:
        return not self.clock.spent() and self.child.is_active()

    def all_ids(self):
        clock = self.clock
        for docnum in self.child.all_ids():
            if clock.spent():
                return
            yield docnum


class BudgetedQuery(WrappingQuery):
    """`child`, run under a `SearchBudget`.  Anything else asked of it (attributes
    other code set on the compiled query) is answered by the child."""

    def __init__(self, child: Q.Query, budget: SearchBudget):
        super().__init__(child)
        self.budget = budget

    def _rewrap(self, child):
        return BudgetedQuery(child, self.budget)

    def matcher(self, searcher, context=None):
        return BudgetedMatcher(self.child.matcher(searcher, context), self.budget.clock())

    def __eq__(self, other):
        return isinstance(other, BudgetedQuery) and self.child == other.child

    __hash__ = WrappingQuery.__hash__


def guard(query: Optional[Q.Query], text: str, notices: list[str]) -> Optional[Q.Query]:
    """The compiled `query` of the query string `text`, bounded in time; notices
    for what the guard changes are added to `notices`."""
    if _WILDCARD.search(text or "") and WILDCARD_NOTICE not in notices:
        notices.append(WILDCARD_NOTICE)
    if query is None or query is Q.NullQuery:
        return query  # nothing to run, nothing to bound
    return BudgetedQuery(query, SearchBudget(notices))


# ------------------------------------------------------------------ deadline

_DEADLINE: contextvars.ContextVar[Optional["Deadline"]] = contextvars.ContextVar("search_deadline", default=None)


class Deadline:
    """The end of one search's time; `passed()` reads the clock every
    `CHECK_EVERY` calls."""

    __slots__ = ("at", "calls", "expired")

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.calls = 0
        self.expired = False

    def passed(self) -> bool:
        self.calls += 1
        if self.expired or self.calls % CHECK_EVERY:
            return self.expired
        if time.monotonic() > self.at:
            self.expired = True
        return self.expired


@contextmanager
def search_deadline(seconds: Optional[float] = None) -> Iterator[Deadline]:
    """Runs the block under a deadline (per thread: the server's threads each
    search under their own)."""
    deadline = Deadline(SEARCH_DEADLINE_SECONDS if seconds is None else seconds)
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def deadline_passed() -> bool:
    """Whether the current search is out of time (never, outside a search)."""
    deadline = _DEADLINE.get()
    return deadline is not None and deadline.passed()
