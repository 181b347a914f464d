"""The particles a typed word may end in and the stems they leave
(search.analysis.particles)."""

from __future__ import annotations

import pytest

from search.analysis.particles import PARTICLES, particle_endings, particle_stems


@pytest.mark.parametrize("word, stems", [
    ("미국의", ["미국"]),
    ("정부는", ["정부"]),
    ("미국은", ["미국"]),
    ("미국으로", ["미국"]),
    ("서울로", ["서울"]),  # 로 after ㄹ
    ("토포스로", ["토포스"]),
    ("마산만", ["마산"]),
    ("마산만의", ["마산만", "마산"]),  # longest particle first: 만의, then 의
    ("서울에서는", ["서울", "서울에서"]),
])
def test_a_particle_leaves_its_stem(word, stems):
    assert sorted(particle_stems(word), key=len) == sorted(stems, key=len)
    assert particle_stems(word)[0] == min(stems, key=len)


@pytest.mark.parametrize("word", [
    "미국는",  # 는 follows a vowel, 국 ends in ㄱ
    "정부은",  # 은 follows a final consonant
    "서울으로",  # 으로 never follows ㄹ
    "도로", "주로",  # a one-syllable stem is the word's own first syllable
    "반도체", "삼성젼자",
])
def test_no_stem_where_no_particle_may_follow(word):
    assert particle_stems(word) == []


def _endings_by_trying_every_particle(word: str) -> list[str]:
    """The plain reference: every particle tried in `PARTICLES`' order."""
    return [p for p, _ in PARTICLES if len(word) - len(p) >= 2 and word.endswith(p)]


def test_the_endings_lookup_finds_what_trying_every_particle_finds():
    # Every particle after stems of one to three syllables, with and without a
    # final consonant, after Latin letters, and stacked on another particle.
    stems = ["서울", "미국", "정부", "a", "ab", "삼성전자", "도", "에서", "만", "KB"]
    words = {stem + particle for stem in stems for particle, _ in PARTICLES}
    words |= {w + particle for w in list(words)[:200] for particle, _ in PARTICLES[:12]}
    words |= {"", "의", "에서는", "도로"}
    assert len(set(p for p, _ in PARTICLES)) == len(PARTICLES)  # one entry a particle
    for word in sorted(words):
        assert particle_endings(word) == _endings_by_trying_every_particle(word), word
    assert particle_endings("서울에서는") == ["에서는", "는"]
