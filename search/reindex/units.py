"""What travels between the reindex and its worker processes: units of work
going out, outcomes coming back.  Small picklable records, one class per kind,
instead of tuples tagged by a string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Union

from search.ingest.errors import LoadFailure, LoadWarning
from search.ingest.loader import SourceFile
from search.model import Article

# ---------------------------------------------------------------- units of work

# The hash of a JSONL line's key (search/reindex/plan.py: line_key).  A
# manifest names the kind its keys are of ("line_keys"); one that names none
# has blake2b keys, the only kind before sha256 (SHA extensions make sha256
# about twice as fast as blake2b here: 0.25 against 0.55 s for the 237 MB of
# a 100,000-line corpus, all of whose lines every incremental run keys).
LINE_KEYS = "sha256"
LEGACY_LINE_KEYS = "blake2b"
LINE_KEY_KINDS = (LINE_KEYS, LEGACY_LINE_KEYS)


@dataclass
class FileUnit:
    """A whole article file (.txt, .html) to load."""

    source: SourceFile


@dataclass
class LinesUnit:
    """A run of consecutive JSONL lines to load: where they are in the file
    (the first one's number, the byte range) and each line's key (from the
    bytes the plan read).  The worker reads the bytes itself: the parent never
    holds or sends the text of a corpus (2.4 GB at a million articles)."""

    path: str
    relative: str
    first: int
    start: int
    end: int
    keys: list[str]
    line_keys: str = LINE_KEYS  # the kind of `keys` (LINE_KEY_KINDS)


@dataclass
class KnownLinesUnit:
    """JSONL lines whose bytes were indexed last time at the same place:
    (article id, line key) each.  Answered without parsing a line."""

    path: str
    entries: list[tuple[str, str]]


class KnownCopy(NamedTuple):
    """A JSONL line whose bytes were an exact copy last time, at the same place."""

    article_id: str  # the copy's own id
    key: str
    number: int  # its line number
    fingerprint: str  # of its body (search.dedup): names the article it copies
    start: int  # its byte range, to read it after all should its original have changed
    end: int


@dataclass
class KnownCopiesUnit:
    """JSONL lines that were exact copies last time of an article that this
    run keeps unchanged: reported as copies again without parsing a line (a
    `make_corpus.py` corpus holds 18% of them)."""

    path: str
    relative: str
    entries: list[KnownCopy]
    line_keys: str = LINE_KEYS  # the kind of the entries' keys, for a line read again after all


WorkUnit = Union[FileUnit, LinesUnit, KnownLinesUnit, KnownCopiesUnit]


def unit_size(unit: WorkUnit) -> int:
    """Articles (JSONL lines) or files a unit holds, for the progress bar."""
    if isinstance(unit, LinesUnit):
        return len(unit.keys)
    if isinstance(unit, (KnownLinesUnit, KnownCopiesUnit)):
        return len(unit.entries)
    return 1


def unit_bytes(unit: WorkUnit) -> int:
    """Bytes a unit has to load (nothing for lines known from last time)."""
    if isinstance(unit, LinesUnit):
        return unit.end - unit.start
    if isinstance(unit, FileUnit):
        try:
            return unit.source.path.stat().st_size
        except OSError:
            return 0
    return 0


# ---------------------------------------------------------------- outcomes


@dataclass
class Failed:
    failure: LoadFailure


@dataclass
class Warned:
    warning: LoadWarning


@dataclass
class Capped:
    """An article whose text was cut to MAX_INDEXED_TEXT_CHARS."""

    article_id: str
    source: str
    chars: int  # before the cut


@dataclass
class Unchanged:
    """An article indexed before with the same content: kept, not analysed."""

    article_id: str
    source: str
    key: Optional[str]  # its JSONL line key, if it came from one


@dataclass
class Copied:
    """A line that was an exact copy last time, of an article kept unchanged: a duplicate again, unread."""

    article_id: str
    source: str
    key: str
    line: int
    fingerprint: str


@dataclass
class Analysed:
    """A new or changed article and its tokens (None: not analysed yet)."""

    article: Article
    tokens: Optional[dict[str, list]]
    key: Optional[str]
    line: Optional[int] = None  # where the article starts in its file (1 for a whole-file article)
    sketch: Optional[Any] = None  # search.grouping.Sketch, for same-event grouping


@dataclass
class Written:
    """An article a segment worker wrote: what the parent needs to account for
    it, and where it sits (to delete it again if it turns out a duplicate)."""

    article_id: str
    source: str
    content_hash: str
    chars: int
    slot: int  # the worker
    part: int  # which of the worker's segments (search.reindex.worker.SEGMENT_ARTICLES)
    docnum: int  # the document's number in that segment
    key: Optional[str]
    fingerprint: Optional[str] = None  # of the body, to find exact copies (search.dedup)
    line: Optional[int] = None  # where the article starts in its file
    sketch: Optional[Any] = None  # search.grouping.Sketch, for same-event grouping


Outcome = Union[Failed, Warned, Capped, Unchanged, Copied, Analysed, Written]


# ---------------------------------------------------------------- segment worker messages


@dataclass
class UnitDone:
    number: int  # the unit's place in the input order
    outcomes: list[Any]  # Failed | Warned | Capped | Written


@dataclass
class SegmentDone:
    slot: int
    part: int  # the worker's segments are numbered from 0 in the order written
    segment: Any  # a Whoosh segment, or None when the part holds nothing
    last: bool  # the worker's last message: it has written everything


@dataclass
class WorkerFailed:
    slot: int
    message: str
