"""`read_groups` gathers a table's signatures from the generation's signatures
file in one take: the rows it gives are those of the plain construction (a
zeroed table, the file's rows placed by index, the table's own rows on top),
whatever the mapping between the table's rows and the file's."""

import numpy as np
import pytest

from search import grouping


def write_table(folder, file_signatures, file_rows, patched, rng):
    n = len(file_rows)
    np.save(folder / grouping.SIGNATURES_FILE, file_signatures)
    np.savez(folder / grouping.GROUPS_FILE, ids=np.array([f"a{i}" for i in range(n)], dtype=str),
             published=rng.integers(0, 10**9, n), signed=np.ones(n, dtype=bool),
             canonical=np.arange(n, dtype=np.int32), near=np.zeros(n, dtype=bool),
             docnums=np.arange(n, dtype=np.int64), chained_by_id=np.array(True),
             file_rows=file_rows, patched_signatures=patched)


def plain_signatures(file_signatures, file_rows, patched):
    table = np.zeros((len(file_rows), grouping.NUM_PERM), dtype=np.uint32)
    inside = np.flatnonzero(file_rows >= 0)
    table[inside] = file_signatures[file_rows[inside]]
    table[file_rows < 0] = patched
    return table


@pytest.mark.parametrize("seed", range(6))
def test_signatures_read_are_those_of_the_plain_construction(tmp_path, seed):
    rng = np.random.default_rng(seed)
    length = int(rng.integers(0, 40))
    n = int(rng.integers(1, 50))
    file_signatures = rng.integers(0, 2**32, (length, grouping.NUM_PERM), dtype=np.uint32)
    # Rows of the file in another order, some gone, some rows held by the table itself.
    file_rows = rng.integers(0, length, n) if length else np.full(n, -1)
    file_rows[rng.random(n) < 0.3] = -1
    file_rows = file_rows.astype(np.int64)
    patched = rng.integers(0, 2**32, (int(np.count_nonzero(file_rows < 0)), grouping.NUM_PERM), dtype=np.uint32)
    write_table(tmp_path, file_signatures, file_rows, patched, rng)
    table = grouping.read_groups(tmp_path)
    assert table is not None
    assert np.array_equal(table.signatures, plain_signatures(file_signatures, file_rows, patched))
    assert table.signatures.dtype == np.uint32 and table.signatures.flags.writeable


def test_a_table_in_the_order_of_its_file_is_mapped_not_gathered(tmp_path):
    rng = np.random.default_rng(7)
    file_signatures = rng.integers(0, 2**32, (5, grouping.NUM_PERM), dtype=np.uint32)
    file_rows = np.array([0, 1, -1, 3, 4])
    patched = rng.integers(0, 2**32, (1, grouping.NUM_PERM), dtype=np.uint32)
    write_table(tmp_path, file_signatures, file_rows, patched, rng)
    table = grouping.read_groups(tmp_path)
    assert isinstance(table.signatures, np.memmap)
    assert np.array_equal(table.signatures, plain_signatures(file_signatures, file_rows, patched))
    assert np.array_equal(np.load(tmp_path / grouping.SIGNATURES_FILE), file_signatures)  # copy-on-write: file untouched
