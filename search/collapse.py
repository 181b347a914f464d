"""Result lists that show each same-event cluster once (search.grouping builds
the clusters at reindex time; this is the query side).

`apply` takes a search's matching documents (after its filters) and keeps, of
each cluster, only its best-ranked member: the best score for a relevance
sort, the newest (oldest) for a date sort.  The others stay reachable: the
head's `group` says how many of them match and which, and `group=<id>` lists a
cluster alone (every member that matches, nothing collapsed).  `collapse=0`
lists everything as before.  Totals then count what the list pages through
(clusters and lone articles when collapsed); facets always count articles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from search import grouping
from search import stored as stored_fields

# How many members of a cluster a hit lists (the rest are counted, and
# `group=<id>` lists them all).
MEMBERS_LISTED = 10
UNKNOWN_GROUP_NOTICE = "이 묶음의 기사를 찾을 수 없습니다 (색인이 새로 만들어졌을 수 있습니다)."


class ClusterTable:
    """One generation's clusters by document number."""

    def __init__(self, groups: grouping.Groups, size: int):
        self.ids = groups.ids
        self.near = groups.near
        docnums = groups.docnums if groups.docnums is not None else np.full(len(groups.ids), -1, dtype=np.int64)
        known = (docnums >= 0) & (docnums < size)
        # Document number → the table row of its cluster's canonical article (-1: alone).
        self.cluster = np.full(size, -1, dtype=np.int64)
        sizes = np.bincount(groups.canonical, minlength=len(groups.ids)) if len(groups.ids) else np.zeros(0, np.int64)
        grouped = known & (sizes[groups.canonical] > 1)
        self.cluster[docnums[grouped]] = groups.canonical[grouped]
        self.row_of_doc = np.full(size, -1, dtype=np.int64)
        self.row_of_doc[docnums[known]] = np.flatnonzero(known)
        self.row_of_id = {article_id: i for i, article_id in enumerate(groups.ids)}
        self.docnums = docnums

    def key_of_id(self, group_id: str) -> Optional[tuple[int, int]]:
        """(cluster row or -1, document number) of the article named `group_id`, or None."""
        row = self.row_of_id.get(group_id)
        if row is None or self.docnums[row] < 0:
            return None
        docnum = int(self.docnums[row])
        return int(self.cluster[docnum]) if docnum < len(self.cluster) else -1, docnum


def read_table(generation: Path, size: int) -> Optional[ClusterTable]:
    """The cluster table of the generation at `generation` (None when it has none)."""
    groups = grouping.read_groups(generation)
    return ClusterTable(groups, size) if groups is not None else None


@dataclass
class Grouping:
    """What collapsing did to one search, and the clusters of its hits."""

    table: Optional[ClusterTable] = None
    collapsed: bool = False
    group: str = ""  # the cluster listed alone (group=<id>), if any
    articles: int = 0  # matching articles (after filters), before collapsing
    # Head document → the other matching members of its cluster, best-ranked first.
    members: dict[int, list[int]] = field(default_factory=dict)
    # Cluster (its canonical article's row) → how many of its articles match.
    sizes: dict[int, int] = field(default_factory=dict)

    @property
    def counts(self) -> str:
        """What `total` counts: "groups" (clusters and lone articles) or "articles"."""
        return "groups" if self.collapsed else "articles"

    def describe(self, article_id: str, searcher) -> dict[str, Any]:
        """The `group` of a hit: {id, size, members?}; size counts the cluster's
        matching articles (the hit included), members are listed for a head
        of a collapsed list."""
        table = self.table
        row = table.row_of_id.get(article_id) if table is not None else None
        docnum = int(table.docnums[row]) if row is not None else -1
        if docnum < 0 or docnum >= len(table.cluster) or table.cluster[docnum] < 0:
            return {"id": article_id, "size": 1}
        cluster = int(table.cluster[docnum])
        described: dict[str, Any] = {"id": table.ids[cluster], "size": self.sizes.get(cluster, 1)}
        if docnum in self.members:
            described["members"] = [_member(searcher, table, d) for d in self.members[docnum][:MEMBERS_LISTED]]
        return described

    def annotate(self, hits: Sequence[Any], searcher) -> "Grouping":
        """Sets each hit's `group`; returns itself (for the result)."""
        for hit in hits:
            hit.group = self.describe(hit.id, searcher)
        return self


def _member(searcher, table: ClusterTable, docnum: int) -> dict[str, Any]:
    stored = searcher.stored_fields(docnum)
    meta = stored_fields.meta(stored)
    row = table.row_of_doc[docnum]
    return {
        "id": stored.get("id"),
        "title": stored_fields.text(stored.get("title")) or "",
        "press": stored_fields.text(stored.get("press")),
        "published": stored_fields.iso_text(meta.get("published")),
        "url": stored_fields.string(stored.get("url")),
        "near_copy": bool(table.near[row]) if row >= 0 else False,
    }


def apply(table: Optional[ClusterTable], allowed: np.ndarray, ranked: Optional[list], request, sort: str,
          published: np.ndarray, undated: np.ndarray,
          score: Optional[Callable[[np.ndarray], list[tuple[float, int]]]], notices: list[str]):
    """The documents a search lists once clusters are collapsed (or one
    cluster alone), its precomputed ranking when still valid (else None), and
    the `Grouping` that annotates its hits.

    `allowed`: the matching documents after filters; `ranked`: (docnum, score)
    of the top matches when found in the same pass; `score(docs)`: (score,
    docnum) of `docs` by the search's ranking (None when there is none)."""
    view = Grouping(table=table, articles=len(allowed))
    if table is not None:
        rows, counts = np.unique(table.cluster[allowed], return_counts=True)
        view.sizes = {int(r): int(c) for r, c in zip(rows, counts) if r >= 0}
    group_id = request.group
    if group_id:
        view.group = group_id
        key = table.key_of_id(group_id) if table is not None else None
        if key is None:
            notices.append(UNKNOWN_GROUP_NOTICE)
            return allowed[:0], [], view
        row, docnum = key
        keep = table.cluster[allowed] == row if row >= 0 else allowed == docnum
        listed = allowed[keep]
        view.sizes = {row: len(listed)} if row >= 0 else {}
        # A ranking of the whole result's top is no ranking of the cluster's: ranked again.
        return listed, None, view
    if table is None or not request.collapse or not len(allowed):
        return allowed, ranked, view
    clusters = table.cluster[allowed]
    grouped = allowed[clusters >= 0]
    if not len(grouped):
        view.collapsed = True
        return allowed, ranked, view
    order = _best_first(grouped, sort, published, undated, score)
    ordered = grouped[order]
    keys = table.cluster[ordered]
    # The first of each cluster in rank order is its head; the rest, in that order, its members.
    _, first = np.unique(keys, return_index=True)
    heads = ordered[first]
    by_key: dict[int, list[int]] = {}
    for key, docnum in zip(keys.tolist(), ordered.tolist()):
        by_key.setdefault(key, []).append(docnum)
    view.members = {members[0]: members[1:] for members in by_key.values()}
    view.collapsed = True
    listed = np.sort(np.concatenate([allowed[clusters < 0], heads]))
    if len(listed) == len(allowed):
        return allowed, ranked, view
    if ranked is not None:
        # Still the best of what is listed, but no longer `limit` long: ranked again.
        ranked = None
    return listed, ranked, view


def _best_first(docs: np.ndarray, sort: str, published: np.ndarray, undated: np.ndarray,
                score: Optional[Callable[[np.ndarray], list[tuple[float, int]]]]) -> np.ndarray:
    """Positions of `docs`, best-ranked first (ties in document order)."""
    if sort == "relevance" and score is not None:
        scores = {docnum: value for value, docnum in score(docs)}
        values = np.array([scores.get(int(d), -np.inf) for d in docs], dtype=float)
        return np.lexsort((docs, -values))
    dates = published[docs]
    key = np.where(undated[docs], np.iinfo(np.int64).max, -dates if sort != "oldest" else dates)
    return np.lexsort((docs, key))
