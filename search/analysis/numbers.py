"""Numbers with Korean magnitude and unit words: 180조원 = 180조 원.

mecab-ko reads 180조원 as 180 + 조원 (a noun meaning "members of a team") and
180조 원 as 180 + 조 + 원, so the two spellings of one amount share no term.
`NumberUnitFilter` splits a word written right after a number into its
magnitude syllables and unit when it consists only of those (조원 → 조 + 원,
천만명 → 천 + 만 + 명), so both spellings index the same terms.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from whoosh.analysis import Filter, Token

# 십 백 천 만 억 조 경: the magnitudes; then the units and counters that follow
# amounts in news (currencies, people, things, time, measures).
MAGNITUDES = frozenset("십백천만억조경")
UNITS = frozenset({
    "원", "달러", "엔", "위안", "유로", "파운드", "명", "개", "건", "곳", "대", "척", "채", "가구", "세대",
    "년", "월", "일", "시", "분", "초", "주", "개월", "시간", "배", "위", "차", "세", "회", "층", "톤",
    "평", "리터", "킬로미터", "미터", "퍼센트", "표", "석", "권", "편", "마리", "그루", "포인트",
})
MAX_UNIT = max(len(u) for u in UNITS)


def split_amount(word: str) -> list[str]:
    """['조', '원'] for 조원; [] when `word` is not magnitudes + an optional unit
    (or is a single piece, which needs no splitting)."""
    pieces: list[str] = []
    rest = word
    while rest and rest[0] in MAGNITUDES:
        pieces.append(rest[0])
        rest = rest[1:]
    if rest:
        if rest not in UNITS or len(rest) > MAX_UNIT:
            return []
        pieces.append(rest)
    return pieces if len(pieces) >= 2 else []


class NumberUnitFilter(Filter):
    """Splits a magnitude+unit word glued to a preceding number (see module doc)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self).__name__)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        previous_end = None
        for token in tokens:
            morpheme = token.morpheme
            # A compound (parts from the dictionary) is the compound filter's to split.
            glued = previous_end == morpheme.start and not morpheme.parts
            pieces = split_amount(token.text) if glued else []
            previous_end = morpheme.end if morpheme.tag == "SN" else None
            if not pieces:
                yield token
                continue
            cursor = getattr(token, "startchar", None)
            for piece in pieces:
                part = token.copy()
                part.text = piece
                part.posinc = 1
                if cursor is not None:
                    part.startchar, part.endchar = cursor, cursor + len(piece)
                    cursor += len(piece)
                yield part
