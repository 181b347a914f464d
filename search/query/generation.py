"""One opened index generation and everything that belongs to it: the Whoosh
index and its searcher, the facet arrays, the columnar postings, the
vocabulary of corrections, and the query parser of the analyzer that
generation's manifest names (with the user dictionary's fingerprint it was
built with).  A swap to a generation built with another analyzer therefore
analyses queries with that analyzer.

One searcher serves every thread (the service serialises the Whoosh work):
each Whoosh searcher maps the index's segment files into memory, and with one
searcher per server thread the resident size grew with the thread count
(measured 4.3 GB for 8 threads at 100,000 articles), and the index is opened
with its segment files read in place from their maps (search.mapped), not
copied into memory file by file as Whoosh's own opening does."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

from whoosh import scoring

from search.columnar import ColumnarIndex
from search.index import article_ids
from search.mapped import open_index
from search.query.facets import FacetTable
from search.collapse import ClusterTable, read_table
from search.query.lookup import TermLookup
from search.query.parser import QueryParser
from search.suggest import Vocabulary

DEFAULT_BACKEND = "mecab"


def analyzer_backend(manifest: dict[str, Any]) -> str:
    """The analyzer a generation's articles were analysed with."""
    return manifest.get("backend") or DEFAULT_BACKEND


class Generation:
    """The opened generation at `path`, read with `parser` (the query parser of
    `backend`, shared by the generations built with that analyzer)."""

    def __init__(self, path: Path, manifest: dict[str, Any], backend: str, parser: QueryParser):
        self.path = path
        self.target = path.name
        self.backend = backend
        # The user dictionary the articles were analysed with (None: none recorded).
        self.userdict = manifest.get("userdict")
        self.parser = parser
        self.index = open_index(path)  # segment files read in place (search.mapped)
        self._lock = threading.Lock()
        self._searcher = None
        self._facets: Optional[FacetTable] = None
        self._columnar: Optional[ColumnarIndex] = None
        self._columnar_read = False
        self._lookup: Optional[TermLookup] = None
        self._ids: Optional[list] = None
        self._vocabulary: Optional[Vocabulary] = None
        self._clusters: Optional[ClusterTable] = None
        self._clusters_read = False

    def searcher(self):
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = self.index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
        return self._searcher

    def facets(self) -> FacetTable:
        """Per-document facet values and sort keys (search.query.facets), read once."""
        if self._facets is None:
            reader = self.searcher().reader()  # outside the lock: searcher() takes it too
            with self._lock:
                if self._facets is None:
                    self._facets = FacetTable(reader)
        return self._facets

    def columnar(self) -> Optional[ColumnarIndex]:
        """The generation's columnar postings (search.columnar), memory-mapped
        once; None for an index written without them."""
        if not self._columnar_read:
            reader = self.searcher().reader()
            with self._lock:
                if not self._columnar_read:
                    self._columnar = ColumnarIndex.open(self.path, reader)
                    self._columnar_read = True
        return self._columnar

    def lookup(self) -> Optional[TermLookup]:
        """The columnar postings with the generation's term look-ups and
        collection statistics kept (search.query.lookup); None without
        columnar postings."""
        if self._lookup is None:
            index = self.columnar()
            if index is None:
                return None
            searcher = self.searcher()
            with self._lock:
                if self._lookup is None:
                    self._lookup = TermLookup(searcher, index)
        return self._lookup

    def article_ids(self) -> list:
        """Each document's article id (None where unknown), read once from the
        `id` field's terms: a search that wants only the ids of its top hits
        then unpickles no stored fields (Whoosh stores a document's fields as
        one compressed pickle, body included)."""
        if self._ids is None:
            reader = self.searcher().reader()
            with self._lock:
                if self._ids is None:
                    self._ids = article_ids(reader)
        return self._ids

    def clusters(self) -> Optional[ClusterTable]:
        """Same-event clusters by document number (search.collapse), read once;
        None for an index written without them."""
        if not self._clusters_read:
            size = self.facets().size
            with self._lock:
                if not self._clusters_read:
                    self._clusters = read_table(self.path, size)
                    self._clusters_read = True
        return self._clusters

    def vocabulary(self) -> Vocabulary:
        """The Hangul words of this generation, for did-you-mean (search.suggest)."""
        if self._vocabulary is None:
            reader = self.searcher().reader()
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = Vocabulary(reader)
        return self._vocabulary

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                try:
                    self._searcher.close()
                except Exception:
                    pass
                self._searcher = None
