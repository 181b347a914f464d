"""Particles a typed word may end in, and the stems they leave.

A query word is mostly a noun with a particle (마산만, 토포스로, 안중근으로).
mecab-ko sometimes reads such a word as something else: a rarer noun that
happens to end in the particle's syllable (마산만 the bay, 코타로 a name) or
pieces that cross the noun's end (토포 + 스로).  `particle_stems` lists the
nouns the word could be, particle removed, so the query side can try them
when the word as read is not in the index (`KoreanAnalyzer.query_token_tuples`).

The particles are Korean grammar, a closed class (case particles, the
auxiliaries 은/는/도/만/까지/부터/…, and their common stacks such as 에서는,
으로의); each is listed with the stem ending it follows: after a final
consonant (은, 이, 을, 과, 으로, …), after a vowel (는, 가, 를, 와, 로, …;
로 also after ㄹ: 서울로), or either (의, 에, 도, 만, …).
"""

from __future__ import annotations

_SYLLABLE_FIRST, _SYLLABLE_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # ㄹ as a final consonant (its index among the 28 finals)

# (particle, the stem ending it follows): "C" a final consonant, "V" a vowel
# (or ㄹ for the 로 forms), "" either.
_PARTICLES: tuple[tuple[str, str], ...] = (
    # case particles
    ("이", "C"), ("가", "V"), ("을", "C"), ("를", "V"), ("의", ""), ("에", ""), ("에서", ""),
    ("에게", ""), ("께", ""), ("한테", ""), ("으로", "C"), ("로", "V"), ("과", "C"), ("와", "V"),
    ("이나", "C"), ("나", "V"), ("이랑", "C"), ("랑", "V"), ("하고", ""), ("보다", ""),
    ("처럼", ""), ("같이", ""), ("께서", ""),
    # auxiliary particles
    ("은", "C"), ("는", "V"), ("도", ""), ("만", ""), ("까지", ""), ("부터", ""), ("마저", ""),
    ("조차", ""), ("밖에", ""), ("뿐", ""), ("이라도", "C"), ("라도", "V"), ("이란", "C"), ("란", "V"),
    ("이라는", "C"), ("라는", "V"), ("이며", "C"), ("며", "V"),
    # common stacks
    ("에서는", ""), ("에서도", ""), ("에서의", ""), ("에서만", ""), ("에게는", ""), ("에게도", ""),
    ("에는", ""), ("에도", ""), ("에만", ""), ("에의", ""), ("으로는", "C"), ("로는", "V"),
    ("으로도", "C"), ("로도", "V"), ("으로의", "C"), ("로의", "V"), ("으로서", "C"), ("로서", "V"),
    ("으로써", "C"), ("로써", "V"), ("과의", "C"), ("와의", "V"), ("과는", "C"), ("와는", "V"),
    ("까지는", ""), ("까지도", ""), ("부터는", ""), ("만은", ""), ("만이", ""), ("만의", ""),
    ("도의", ""),
)
# Longest first: 에서는 is tried before 는.
PARTICLES = tuple(sorted(_PARTICLES, key=lambda item: -len(item[0])))
# Each particle's stem ending, and the particles' lengths longest first: a
# word ends in at most one particle of each length, so its endings are found
# by one look-up per length rather than by trying every particle (query words
# are tried as byline names and as stems several times a search).
_AFTER = dict(_PARTICLES)
_LENGTHS = tuple(sorted({len(particle) for particle in _AFTER}, reverse=True))


def particle_endings(word: str) -> list[str]:
    """The particles `word` ends in that leave a stem of two characters or
    more, longest first (the order of `PARTICLES`)."""
    size = len(word)
    return [word[-n:] for n in _LENGTHS if size - n >= 2 and word[-n:] in _AFTER]


def _final(syllable: str) -> int:
    """The final consonant's index (0: none) of a precomposed syllable, -1 for
    anything else."""
    code = ord(syllable)
    if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
        return (code - _SYLLABLE_FIRST) % 28
    return -1


def _follows(stem_end: str, particle: str, after: str) -> bool:
    final = _final(stem_end)
    if final < 0:
        return after == ""  # after Latin letters or digits only the neutral ones are sure
    if after == "C":
        # 으로 never follows ㄹ (서울로, not 서울으로)
        return final > 0 and not (particle.startswith("으로") and final == _RIEUL)
    if after == "V":
        if particle.startswith("로") and stem_end == "으":
            return False  # 미국으로 is 미국 + 으로, not 미국으 + 로
        return final == 0 or (particle.startswith("로") and final == _RIEUL)
    return True


def particle_stems(word: str) -> list[str]:
    """The stems `word` leaves when a particle that may follow them is taken
    off its end, longest particle first; a stem keeps at least two characters
    (a one-syllable stem is too often a word's own first syllable: 도로, 주로)."""
    stems: list[str] = []
    for particle in particle_endings(word):
        stem = word[: -len(particle)]
        if _follows(stem[-1], particle, _AFTER[particle]) and stem not in stems:
            stems.append(stem)
    return stems
