"""The Korean byline vocabulary, shared by every loader (text scrapes, HTML pages,
datelines): what a reporter's name looks like and the titles that follow it.

    홍길동 기자      홍길동·김철수 기자      (서울=연합뉴스) 홍길동 선임기자 =
"""

from __future__ import annotations

import re

# A Korean personal name: two to four syllables.
NAME = r"[가-힣]{2,4}"
# The titles a byline puts after the name(s).
REPORTER_TITLES = "기자|특파원|선임기자|객원기자|인턴기자|전문기자|수습기자|논설위원|편집위원|칼럼니스트"
# The reporter roles a dateline names (`홍길동 선임 기자 =`): a space may split the rank.
DATELINE_ROLE = r"(?:(?:선임|수석|전문|객원|인턴|수습)\s?)?(?:기자|특파원)"
# Words of the name's shape that are no one's name: titles, desks, credits.
NOT_NAMES = frozenset(REPORTER_TITLES.split("|")) | {
    "기자단", "사진", "영상", "편집", "취재", "뉴스", "특별취재팀", "취재팀", "온라인",
}

# `조재범 기자`, `홍길동·김철수 기자`, `서울=연합뉴스 홍길동 기자`
BYLINE_NAMES = re.compile(
    rf"(?:^|[\s(\[=])(?P<names>{NAME}(?:\s*[·,ㆍ/]\s*{NAME})*)\s*(?:{REPORTER_TITLES})(?![가-힣])"
)
_BARE_NAME = re.compile(rf"^{NAME}$")


def reporters_in(text: str) -> list[str]:
    """Names in a byline such as `홍길동·김철수 기자`."""
    found: list[str] = []
    for match in BYLINE_NAMES.finditer(text):
        for name in re.split(r"\s*[·,ㆍ/]\s*", match["names"]):
            if name and name not in found:
                found.append(name)
    return found


def is_bare_name(value: str) -> bool:
    """`홍길동` alone (an author field, a meta tag): a name, not a title or a desk."""
    return bool(_BARE_NAME.match(value)) and value not in NOT_NAMES
