"""ANDs that skip: the boolean part of a query (which articles match) without
reading more postings than it must.

Two costs of Whoosh 2.7.4 dominated keyword queries (10,000 articles, profiled):

- Listing the matches of an AND (`IntersectionMatcher.all_ids`, which the
  constraint of every query and the facets use) builds a set of *every* match
  of each side and intersects the sets: `대한민국 출시` walked the 4,600
  articles of 대한민국 (or its alias 한국) to keep the 99 with 출시 (190
  articles).  `SkippingAnd` lists them by leap-frogging instead: each side
  skips to the other's next candidate, so the rarest word sets the pace.
- A compound word is searched as a phrase of its morphemes (대한민국 → "대한
  민국", search.query), and news text is full of compounds made of common
  morphemes.  Whoosh's `Phrase` compares positions in every document that holds
  all its words, before an AND with the query's other words has a say.
  `CheckedPhrases` intersects the postings of every word and every other
  required clause first (rarest first, skipping), and reads positions only for
  the documents that survive.

Matches are exactly those of the `And` / `Phrase` queries replaced
(tests/test_conjunction.py).  Both are for the boolean part of a query, whose
score does not count (search.query.compile).

`Excluding` replaces Whoosh's `AndNot` (`A -B`), which is wrong in 2.7.4:
`AndNotMatcher` checks the first positive match of a segment against the
negative side only when both happen to start on the same document, so when B's
postings start earlier than A's, A's first match is let through even if it
holds B (`기업 -정부` returned the article "기업과 정부가 …").  `Excluding`
settles on a document only after skipping the negative side to it, at
construction as after every move (tests/test_exclusion.py holds it to a
brute-force oracle across segment layouts).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from whoosh import matching
from whoosh import query as Q
from whoosh.matching.wrappers import WrappingMatcher

from search.limits import deadline_passed

Phrase = tuple[str, tuple[str, ...]]  # (field name, its words in order)


def distinct(queries: Iterable[Q.Query]) -> list[Q.Query]:
    """`queries` with repeats left out, in order: an AND of a clause with itself
    is the clause (`漢` x 950 in one word was an AND of 950 copies of one
    term, a matcher tree 950 deep)."""
    out: list[Q.Query] = []
    for query in queries:
        if query not in out:
            out.append(query)
    return out


class _LeapfrogIntersection(matching.IntersectionMatcher):
    """An intersection that lists its matches by skipping (see the module
    docstring) rather than through sets of each side's every match."""

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()


class SkippingAnd(Q.And):
    """`And` whose matches are listed by skipping."""

    def _matcher(self, subs, searcher, context):
        subs = distinct(subs)
        if len(subs) == 1:
            return subs[0].matcher(searcher, context)
        reader = searcher.reader()
        return self._tree_matcher(subs, _LeapfrogIntersection, searcher, context,
                                  lambda q: 0 - q.estimate_size(reader))


class CheckedPhrases(Q.Query):
    """Documents matching every `required` query and holding every phrase of
    `phrases`, each a (field, words) whose words stand at consecutive positions."""

    def __init__(self, phrases: Iterable[Phrase], required: Sequence[Q.Query] = (), boost: float = 1.0):
        self.phrases = [(fieldname, tuple(words)) for fieldname, words in phrases]
        self.required = list(required)
        self.boost = boost

    def __repr__(self):
        return f"{self.__class__.__name__}({self.phrases!r}, {self.required!r})"

    def __eq__(self, other):
        return (type(other) is type(self) and other.phrases == self.phrases
                and other.required == self.required and other.boost == self.boost)

    def __hash__(self):
        return hash((type(self).__name__, tuple(self.phrases), tuple(map(hash, self.required)), self.boost))

    def is_leaf(self):
        return False

    def children(self):
        return iter(self.required)

    def apply(self, fn):
        return self.__class__(self.phrases, [fn(q) for q in self.required], self.boost)

    def terms(self, phrases=False):
        for fieldname, words in self.phrases:
            for word in words:
                yield fieldname, word
        for query in self.required:
            yield from query.terms(phrases)

    def estimate_size(self, ixreader):
        sizes = [ixreader.doc_frequency(f, w) for f, words in self.phrases for w in words]
        sizes += [q.estimate_size(ixreader) for q in self.required]
        return min(sizes) if sizes else 0

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        groups: list[list] = []
        sized: list[tuple[int, matching.Matcher]] = []
        # One postings matcher per distinct word: a word repeated in a phrase
        # (대한민국대한민국…) is read and intersected once.
        opened: dict[tuple[str, bytes], matching.Matcher] = {}
        for fieldname, words in self.phrases:
            group = []
            for word in words:
                if fieldname not in searcher.schema:
                    return matching.NullMatcher()
                text = searcher.schema[fieldname].to_bytes(word)
                if (fieldname, text) not in reader:
                    return matching.NullMatcher()
                postings = opened.get((fieldname, text))
                if postings is None:
                    postings = opened[(fieldname, text)] = searcher.postings(fieldname, text)
                    sized.append((reader.doc_frequency(fieldname, text), postings))
                group.append(postings)
            groups.append(group)
        for query in distinct(self.required):
            sub = query.matcher(searcher, context)
            if not sub.is_active():
                return matching.NullMatcher()
            sized.append((query.estimate_size(reader), sub))
        if not sized:
            return matching.NullMatcher()
        # Rarest first: each further matcher only skips to the candidates left.
        sized.sort(key=lambda item: item[0])
        child = sized[0][1]
        for _, sub in sized[1:]:
            child = _LeapfrogIntersection(child, sub)
        return _AdjacencyMatcher(child, groups, self.boost)


def _adjacent(group: list) -> bool:
    """Whether the postings in `group`, all on the same document, hold their
    words at consecutive positions somewhere."""
    if len(group) == 1:
        return True
    read: dict[int, set] = {}  # the positions of each distinct postings matcher, read once
    later = [read.get(id(p)) or read.setdefault(id(p), set(p.value_as("positions"))) for p in group[1:]]
    for start in group[0].value_as("positions"):
        if all(start + offset in positions for offset, positions in enumerate(later, 1)):
            return True
    return False


class _AdjacencyMatcher(WrappingMatcher):
    """The intersection `child`, without the documents where a phrase's words
    are all present but not side by side."""

    def __init__(self, child, groups: list[list], boost: float = 1.0):
        super().__init__(child, boost)
        self._groups = [group for group in groups if len(group) > 1]
        self._stopped = False
        self._settle()

    def _settle(self) -> None:
        child = self.child
        while child.is_active() and not all(_adjacent(group) for group in self._groups):
            if deadline_passed():  # out of time: no further matches (search.limits)
                self._stopped = True
                return
            child.next()

    def is_active(self):
        return not self._stopped and self.child.is_active()

    def copy(self):
        return self.__class__(self.child.copy(), self._groups, self._boost)

    def _replacement(self, newchild):
        return self.__class__(newchild, self._groups, self._boost)

    def replace(self, minquality=0):
        # The wrapped tree must stay the one whose leaves `_groups` point at.
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def next(self):
        self.child.next()
        self._settle()
        return True

    def skip_to(self, id):
        if self.child.is_active() and self.child.id() < id:
            self.child.skip_to(id)
            self._settle()
        return True

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def all_items(self):
        while self.is_active():
            yield self.id(), self.value()
            self.next()


class Excluding(Q.AndNot):
    """`a` without the documents matching `b` (`A -B`), with an exclusion
    matcher that is right on every document (see the module docstring)."""

    def matcher(self, searcher, context=None):
        positive = self.a.matcher(searcher, context)
        if not positive.is_active():
            return matching.NullMatcher()
        negative = self.b.matcher(searcher, searcher.boolean_context())
        if not negative.is_active():
            return positive
        return ExclusionMatcher(positive, negative)


class ExclusionMatcher(WrappingMatcher):
    """The matches of `child` that `negative` does not hold.  Invariant: when
    active, `child` stands on a document `negative` has been skipped past or to
    and does not hold.  Scores, values and spans are `child`'s."""

    def __init__(self, child, negative, boost: float = 1.0):
        super().__init__(child, boost)
        self.negative = negative
        self._stopped = False
        self._settle()

    def is_active(self):
        return not self._stopped and self.child.is_active()

    def _settle(self) -> bool:
        """Moves `child` off every document `negative` holds; whether any move
        crossed a block (Whoosh's `next` return value)."""
        child, negative = self.child, self.negative
        crossed = False
        while child.is_active() and negative.is_active():
            docnum = child.id()
            if negative.id() < docnum:
                negative.skip_to(docnum)
                if not negative.is_active():
                    break
            if negative.id() != docnum:
                break
            if deadline_passed():  # out of time: no further matches (search.limits)
                self._stopped = True
                break
            crossed = bool(child.next()) or crossed
        return crossed

    def __repr__(self):
        return f"{self.__class__.__name__}({self.child!r}, {self.negative!r})"

    def copy(self):
        return self.__class__(self.child.copy(), self.negative.copy(), self.boost)

    def _replacement(self, newchild):
        return self.__class__(newchild, self.negative, self.boost)

    def replace(self, minquality=0):
        if not self.child.is_active():
            return matching.NullMatcher()
        if minquality and self.child.max_quality() < minquality:
            return matching.NullMatcher()
        if not self.negative.is_active():
            return self.child.replace(minquality)
        child = self.child.replace(minquality)
        negative = self.negative.replace()
        if child is self.child and negative is self.negative:
            return self
        if not child.is_active():
            return matching.NullMatcher()
        if not negative.is_active():
            return child
        return self.__class__(child, negative, self.boost)

    def reset(self):
        self.child.reset()
        self.negative.reset()
        self._settle()

    def next(self):
        crossed = bool(self.child.next())
        return self._settle() or crossed

    def skip_to(self, id):
        if not self.child.is_active() or self.child.id() >= id:
            return False
        crossed = bool(self.child.skip_to(id))
        return self._settle() or crossed

    def skip_to_quality(self, minquality):
        skipped = self.child.skip_to_quality(minquality)
        self._settle()
        return skipped

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def all_items(self):
        while self.is_active():
            yield self.id(), self.value()
            self.next()
