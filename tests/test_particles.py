"""The particles a typed word may end in and the stems they leave
(search.analysis.particles)."""

from __future__ import annotations

import pytest

from search.analysis.particles import particle_stems


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
