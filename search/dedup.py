"""Exact copies at index time: two articles whose body says the same thing,
once whitespace, punctuation, bylines, datelines, copyright lines and
share-button noise are set aside, are one article.

`body_fingerprint` reduces a body to that core and hashes it; `CopyFinder`
remembers the first article of each fingerprint in a reindex, so the reindex
can report a later one as a duplicate of it (and not index it twice).  Bodies
too short to tell a copy from a coincidence (a caption-only page, "사진") get
no fingerprint and are never called copies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Callable, Container, Iterable, Optional

# Below this many letters and digits a body is too short to call two articles copies.
MIN_CORE_CHARS = 40

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A leading dateline or source tag: (서울=연합뉴스), [파이낸셜뉴스], 【베이징=신화】.
_LEADING_TAG = re.compile(r"^\s*[\[(【〔<][^\])】〕>\n]{1,40}[\])】〕>]\s*")
# A byline: 홍길동 기자, 김철수 특파원 =, 이영희 통신원.
_BYLINE = re.compile(r"[가-힣]{2,4}\s*(?:선임기자|기자|특파원|통신원|객원기자)(?:\s*=)?")
# A copyright notice runs to the end of its line.
_COPYRIGHT = re.compile(r"(?:ⓒ|©|\([cC]\)|Copyright|저작권자|무단\s*전재|무단전재|재배포\s*금지).*", re.IGNORECASE)
# Words of the share/print bar some exports keep as a line of their own.
_SHARE_WORDS = frozenset("""공유 공유하기 페이스북 트위터 카카오톡 카카오스토리 카카오 네이버블로그 블로그 밴드 라인
url복사 url 복사 링크복사 스크랩 인쇄 프린트 글자크기 글씨크기 크게 작게 본문듣기 듣기 구독 구독하기 좋아요
facebook twitter kakaotalk print share 이메일 메일 닫기 확대 축소 가 가""".split())
_NOT_WORD = re.compile(r"[\W_]+")


def _is_share_bar(line: str) -> bool:
    words = [w for w in re.split(r"[\s|/·,]+", line.lower()) if w]
    return bool(words) and len(line) <= 80 and all(w.replace(" ", "") in _SHARE_WORDS for w in words)


def core_text(paragraphs: Iterable[str]) -> str:
    """The body with what differs between copies of one article removed, as one
    run of lower-case letters and digits."""
    kept = []
    for line in paragraphs:
        # The copyright notice first: NFKC makes its ⓒ a bare "c".
        line = unicodedata.normalize("NFKC", _COPYRIGHT.sub("", line))
        if _is_share_bar(line):
            continue
        line = _EMAIL.sub(" ", line)
        line = _BYLINE.sub(" ", _LEADING_TAG.sub("", line))
        kept.append(line)
    return _NOT_WORD.sub("", " ".join(kept).lower())


def body_fingerprint(paragraphs: Iterable[str]) -> Optional[str]:
    """A hash of the body's core text, or None when the core is too short to tell."""
    core = core_text(paragraphs)
    if len(core) < MIN_CORE_CHARS:
        return None
    return hashlib.blake2b(core.encode("utf-8"), digest_size=16).hexdigest()


def at(source: str, line: Optional[int]) -> str:
    """Where an article is: its file, and its line when known ("a.jsonl line 3")."""
    return f"{source} line {line}" if line is not None else source


class CopyFinder:
    """The first article of each body fingerprint seen in one reindex.

    An incremental reindex does not read unchanged articles again, so it
    starts from the previous generation's table (`seeds`, fingerprint →
    [id, source], kept in its manifest); a seed counts only while its article
    is still in the index unchanged (`unchanged(id)`).  The original of a copy
    always comes first in input order, so it has been settled by then."""

    def __init__(self, seeds: Optional[dict] = None, unchanged: Optional[Callable[[str], bool]] = None) -> None:
        # Fingerprint → (id, file, line or None) of the first article: its
        # place ("file line N") is spelled out only when asked for, not held
        # as a string of its own per article (the file is one shared string).
        self._first: dict[str, tuple[str, str, Optional[int]]] = {}
        self._seeds = seeds or {}
        self._unchanged = unchanged or (lambda article_id: False)

    def copy_of(self, fingerprint: Optional[str], article_id: str, source: str,
                line: Optional[int] = None) -> Optional[str]:
        """Where the first article with this fingerprint came from ("file (article id)"),
        when this one (from `source`, at `line` when known) is a later copy;
        None (and this one remembered) otherwise."""
        if fingerprint is None:
            return None
        if fingerprint not in self._first:
            seed = self._seeds.get(fingerprint)
            if seed and seed[0] != article_id and self._unchanged(seed[0]):
                self._first[fingerprint] = (seed[0], seed[1], None)
        first = self._first.setdefault(fingerprint, (article_id, source, line))
        if first[0] == article_id:
            return None
        return f"{at(first[1], first[2])} (same text as article {first[0]})"

    def table(self, indexed: Container[str]) -> dict[str, list[str]]:
        """Fingerprint → [id, source] of the articles in the new generation, for
        the next incremental reindex to start from."""
        out = {fp: [i, s] for fp, (i, s) in self._seeds.items() if i in indexed and self._unchanged(i)}
        out.update({fp: [i, at(s, n)] for fp, (i, s, n) in self._first.items() if i in indexed})
        return out
