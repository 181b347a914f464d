"""search.grouping.candidate_keys gathers the LSH candidate pairs band by band,
merging the keys held whenever enough have come: the pairs are exactly those
of every band's pairs made unique at once (the plain reference), however
often the merge runs, and clustering from them gives `cluster`'s groups."""

from __future__ import annotations

import numpy as np
import pytest

from search import grouping
from test_recluster import corpus


@pytest.mark.parametrize("held", [1, 50, 10**9])
def test_candidate_pairs_are_every_bands_pairs_made_unique(monkeypatch, held):
    monkeypatch.setattr(grouping, "_KEYS_HELD_UP_TO", held)
    sketches = corpus(np.random.default_rng(5), 400)
    ids = list(sketches)
    signatures, _, signed = grouping._table(list(sketches.values()))
    rows = grouping._by_id(ids, np.flatnonzero(signed))
    bands, band_rows = grouping.lsh_parameters(grouping.EVENT_THRESHOLD)
    everything = [grouping._band_pairs(grouping.band_key(signatures, rows, band, band_rows), rows)
                  for band in range(bands)]
    plain = grouping._unique_pairs(everything, len(signatures))
    assert sum(map(len, everything)) > len(plain) > 100  # repeats across bands, merged away
    assert np.array_equal(grouping.candidate_pairs(signatures, rows, bands, band_rows), plain)
    groups = grouping.cluster(ids, list(sketches.values()))
    parent = np.arange(len(ids))
    grouping._join(parent, plain, signatures, groups.published, grouping.EVENT_THRESHOLD)
    reference = grouping._groups(ids, signatures, groups.published, signed, parent, grouping.NEAR_COPY_THRESHOLD)
    assert groups.canonical.tolist() == reference.canonical.tolist()
    assert groups.summary()["groups"] > 5
