"""What a reindex found and did: the report, and the ledger that keeps it.

Every article read ends in exactly one place, and every article of the new
index comes from exactly one (the two identities of the summary):

    articles read   = indexed + unchanged + failed + duplicate
    articles served = indexed + unchanged + kept

`Ledger` is the one place where those counts change, for the serial and the
parallel builds alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Union

from search.dedup import CopyFinder, at
from search.grouping import SketchStore
from search.ingest.errors import LoadFailure, LoadWarning
from search.model import MAX_INDEXED_TEXT_CHARS
from search.reindex.units import Capped, Copied, Warned


class ReindexRefused(RuntimeError):
    """The new generation was built but not published: publishing it would have
    dropped articles for a reason that is not their deletion (a missing or
    unreadable input), or too many at once.  The index served is unchanged;
    `report` says what the run found."""

    def __init__(self, reason: str, report: "ReindexReport"):
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclass
class ReindexReport:
    index: str = ""
    generation: str = ""
    incremental: bool = False
    files_seen: int = 0
    files_unchanged: int = 0
    files_skipped: list[str] = field(default_factory=list)  # unsupported file types
    indexed: int = 0  # articles analysed and written (new or changed)
    unchanged: int = 0  # articles kept as they were (incremental)
    removed: int = 0  # articles whose file or line is gone
    kept: int = 0  # articles kept as they were because their file failed to load this time
    failed: list[LoadFailure] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (id, source, kept source)
    # The line each duplicate starts on in its source, in the order of `duplicates`
    # (1 for a whole-file article; None where the run did not read the line).
    duplicate_lines: list[Optional[int]] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)  # loaded, but with something to check
    capped: list[tuple[str, str, int]] = field(default_factory=list)  # (id, source, characters before the cap)
    total: int = 0  # articles in the new index
    characters: int = 0
    seconds: float = 0.0
    published: bool = False
    refused: str = ""  # why nothing was published, when it was not
    # Why an incremental run re-analysed everything instead ("" when it did not).
    rebuild_reason: str = ""
    previous_total: int = 0  # articles in the index served before this run

    @property
    def articles_seen(self) -> int:
        return self.indexed + self.unchanged + len(self.failed) + len(self.duplicates)

    def duplicate_lines_padded(self) -> list[Optional[int]]:
        """`duplicate_lines` as long as `duplicates` (a report filled in by hand may lack them)."""
        return (self.duplicate_lines + [None] * len(self.duplicates))[:len(self.duplicates)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "generation": self.generation,
            "incremental": self.incremental,
            "files_seen": self.files_seen,
            "files_unchanged": self.files_unchanged,
            "files_skipped": self.files_skipped,
            "articles_seen": self.articles_seen,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "kept": self.kept,
            "failed": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failed],
            "duplicates": [{"id": i, "source": s, "line": n, "kept": k}
                           for (i, s, k), n in zip(self.duplicates, self.duplicate_lines_padded())],
            "warnings": [{"source": w.source, "line": w.line, "message": w.message} for w in self.warnings],
            "capped": [{"id": i, "source": s, "characters": n, "indexed": MAX_INDEXED_TEXT_CHARS}
                       for i, s, n in self.capped],
            "total": self.total,
            "previous_total": self.previous_total,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
            "published": self.published,
            "refused": self.refused,
            "rebuild_reason": self.rebuild_reason,
        }


class Ledger:
    """The accounting of one run: the report's counts and lists, and the new
    generation's article table (id → [source, content hash]), line table
    (JSONL line key → id) and table of the JSONL lines that are exact copies
    (line key → [copy's id, body fingerprint]), changed only through these methods."""

    def __init__(self, report: ReindexReport, articles: dict[str, list[str]], lines: dict[str, str],
                 copies: Optional[CopyFinder] = None):
        self.report = report
        self.articles = articles
        self.lines = lines
        self.copies = copies or CopyFinder()
        self.copy_lines: dict[str, list[str]] = {}
        self._lines: dict[str, int] = {}  # article id → the line it starts on, for this run's articles
        # Article id → search.grouping.Sketch (or None) of the articles (re)analysed in this run,
        # kept as rows of a table (a Sketch object an article cost ~1 KiB here).
        self.sketches = SketchStore()

    def failed(self, failure: LoadFailure) -> None:
        self.report.failed.append(failure)

    def note(self, outcome: Union[Warned, Capped]) -> None:
        """A warning or a capped article: the article itself is counted elsewhere."""
        if isinstance(outcome, Warned):
            self.report.warnings.append(outcome.warning)
        else:
            self.report.capped.append((outcome.article_id, outcome.source, outcome.chars))

    def claim(self, article_id: str, source: str, fingerprint: Optional[str] = None,
              line: Optional[int] = None, key: Optional[str] = None) -> bool:
        """True for the first article with this id and, given its body's
        fingerprint (search.dedup), the first with this text; a later one is a
        duplicate, reported with its line and where the first came from (file
        and line).  A copy from a JSONL line (`key`) is remembered by its line
        key, so that the next run reports it again without reading it."""
        if article_id in self.articles:
            self._duplicate(article_id, source, line, at(self.articles[article_id][0], self._lines.get(article_id)))
            return False
        copy_of = self.copies.copy_of(fingerprint, article_id, source, line)
        if copy_of:
            self._duplicate(article_id, source, line, copy_of)
            if key:
                self.copy_lines[key] = [article_id, fingerprint]
            return False
        if line is not None:
            self._lines[article_id] = line
        return True

    def _duplicate(self, article_id: str, source: str, line: Optional[int], kept: str) -> None:
        self.report.duplicates.append((article_id, source, kept))
        self.report.duplicate_lines.append(line)

    def _record(self, article_id: str, source: str, content_hash: str, key: Optional[str]) -> None:
        self.articles[article_id] = [source, content_hash]
        if key:
            self.lines[key] = article_id

    def unchanged(self, article_id: str, source: str, content_hash: str, key: Optional[str] = None) -> bool:
        """An article kept as indexed before; False when it is a duplicate."""
        if not self.claim(article_id, source):
            return False
        self._record(article_id, source, content_hash, key)
        self.report.unchanged += 1
        return True

    def unchanged_lines(self, source: str, entries: Iterable[tuple[str, str]], hashes: Mapping[str, str]) -> None:
        """`unchanged` of each (article id, line key) of JSONL lines indexed
        last time at the same place (`hashes`: id → content hash), in one call:
        an id not seen before in this run costs two dictionary stores (one
        `unchanged` call apiece was ~0.25 s of 81,000 lines)."""
        articles, lines = self.articles, self.lines
        count = 0
        for article_id, key in entries:
            if article_id in articles:  # a second article with this id: reported by `unchanged`
                self.unchanged(article_id, source, hashes[article_id], key)
                continue
            articles[article_id] = [source, hashes[article_id]]
            if key:
                lines[key] = article_id
            count += 1
        self.report.unchanged += count

    def indexed(self, article_id: str, source: str, content_hash: str, key: Optional[str], chars: int,
                fingerprint: Optional[str] = None, line: Optional[int] = None, sketch: Any = None) -> bool:
        """An article (re)analysed and written; False when it is a duplicate."""
        if not self.claim(article_id, source, fingerprint, line, key):
            return False
        self.sketches.add(article_id, sketch)  # None too: analysed now, too short to group
        self._record(article_id, source, content_hash, key)
        self.report.indexed += 1
        self.report.characters += chars
        return True

    def copied(self, outcome: Copied) -> None:
        """A line that was an exact copy last time, of an article this run keeps
        unchanged (search.reindex.plan.settle_copies): a duplicate again."""
        if self.claim(outcome.article_id, outcome.source, outcome.fingerprint, outcome.line, outcome.key):
            # settle_copies keeps a line unread only when its original is settled.
            raise RuntimeError(f"{at(outcome.source, outcome.line)}: a known copy whose original is not settled")

    def kept(self, article_id: str, source: str, content_hash: str) -> None:
        """An article of the last generation whose file failed this time: kept as it was."""
        self._record(article_id, source, content_hash, None)
        self.report.kept += 1

    def removed(self) -> None:
        """An article of the last generation whose file or line is gone."""
        self.report.removed += 1
