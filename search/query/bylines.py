"""Which typed words name a reporter, and the byline name each one means.

A reader types a reporter's name the way Korean is written: with a particle
(강경희가, 강경희의 기사, 강경희 기자의).  The byline holds the bare name
(강경희), so a word that is not itself a byline name is tried again without
a trailing particle (search.analysis.particles), and the stem is taken when
the generation's bylines hold it.  A word that is a byline name as typed is
never shortened (이가영 stays 이가영, though 가영 + 이… reads otherwise), and
a word whose stems are no byline name is no name at all.

Every part of a search that uses a name (the match, the ranking, the
relaxation, the reporter card) asks here, so all of them use the same stem.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional

from search.analysis.particles import particle_endings, particle_stems
from search.korean import is_initials_query
from search.query.tree import Node, ParsedQuery, plain_words

# Words that, right after a reporter's name, say how a byline reads (강경희
# 기자) or ask for the reporter's articles (강경희의 기사): not words the
# article must hold.  Taken as typed or with a particle (기자의, 기사를).
BYLINE_TITLES = frozenset({"기자", "기사"})


def byline_name(word: str, is_name: Callable[[str], bool]) -> Optional[str]:
    """The byline name `word` means: itself when it is one, else its first
    stem without a particle that is one (강경희가 → 강경희), else None.

    The particles that fit the stem's last syllable are tried first; then,
    for a name only, any particle (박세연가, 박세연는: readers type a name's
    particle as if it ended in a vowel, and a stem that is exactly a byline
    name is no other word)."""
    if not word or is_initials_query(word):
        return None
    if is_name(word):
        return word
    for stem in particle_stems(word) + _any_particle_stems(word):
        if is_name(stem):
            return stem
    return None


def _any_particle_stems(word: str) -> list[str]:
    """The stems `word` leaves without any particle it ends in, whatever the
    stem's last syllable, longest particle first (two characters at least)."""
    return [word[: -len(p)] for p in particle_endings(word)]


def reporter_names(parsed: ParsedQuery, is_name: Callable[[str], bool]) -> dict[str, str]:
    """The plain words that name a reporter, each with its byline name
    ({"강경희가": "강경희"})."""
    names: dict[str, str] = {}
    for word in plain_words(parsed.node):
        name = byline_name(word.text, is_name)
        if name is not None:
            names[word.text] = name
    return names


def vocabulary_names(vocabulary) -> Callable[[str], bool]:
    """Whether a text is a byline name of a vocabulary (anything with
    `doc_frequency(field, text)` and a `schema`)."""
    if vocabulary is None or "reporter" not in vocabulary.schema:
        return lambda text: False
    is_term = getattr(vocabulary, "is_term", None)  # a generation's look-ups: the names read once
    if is_term is not None:
        return lambda text: is_term("reporter", text)
    return lambda text: bool(vocabulary.doc_frequency("reporter", text))


def is_byline_title(word: str) -> bool:
    """기자, 기사, or either with a particle (기자의, 기사를)."""
    return word in BYLINE_TITLES or any(stem in BYLINE_TITLES for stem in particle_stems(word))


def byline_titles(node: Optional[Node], names: Mapping[str, str]) -> frozenset:
    """The ids of the byline title words right after a reporter's name
    (강경희 기자, 강경희의 기사, 강경희 기자의 기사): how a byline reads, not
    words the article must hold."""
    titles: list[int] = []
    after_name = False
    for word in plain_words(node):
        if after_name and is_byline_title(word.text):
            titles.append(id(word))
        else:
            after_name = word.text in names
    return frozenset(titles)
