"""An index opened by search.mapped reads its segment files in place, and
reads exactly what Whoosh's own `open_dir` reads: the same stored fields,
terms, postings and columns, and the same search results."""

import io
import mmap
import pickle

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import BufferFile
from whoosh.qparser import QueryParser as WhooshParser

from search.mapped import MappedStorage, MappedSubFile, ViewReader, open_index
from search.service import SearchService


def test_the_view_reader_reads_as_bytesio_does():
    data = bytes(range(256)) * 40 + b"line one\nline two\n\nlast"
    plain, view = io.BytesIO(data), ViewReader(memoryview(data))
    steps = [("read", 5), ("read", 0), ("tell",), ("seek", 100), ("read", 3000), ("seek", -10, 1),
             ("read", 4), ("seek", -30, 2), ("readline",), ("readline",), ("readline",), ("readline",),
             ("readline",), ("read", 10), ("read",), ("seek", 7), ("read", -1), ("seek", 10 ** 6), ("read", 4),
             ("seek", 3), ("readline", 5)]
    for step in steps:
        name, args = step[0], step[1:]
        assert getattr(view, name)(*args) == getattr(plain, name)(*args), step
    target_plain, target_view = bytearray(8), bytearray(8)
    plain.seek(20)
    view.seek(20)
    assert view.readinto(target_view) == plain.readinto(target_plain) and target_view == target_plain


def test_pickles_load_through_the_view_reader():
    values = [("종목", 3, [1.5, None]), {"a": b"\x00" * 300}, list(range(1000))]
    data = b"".join(pickle.dumps(v, protocol) for v, protocol in zip(values, (0, 2, 4)))
    reader = ViewReader(memoryview(data))
    assert [pickle.load(reader) for _ in values] == values
    assert reader.tell() == len(data)


def _leaves(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


def test_every_sub_file_is_a_view_of_the_segment_map(fixture_index):
    generation = SearchService(fixture_index).generation()
    assert isinstance(generation.index.storage, MappedStorage)
    leaves = _leaves(generation.searcher().reader())
    compound = [leaf for leaf, _ in leaves if leaf.segment().is_compound()]
    assert compound, "the fixture index has compound segments"
    for leaf in compound:
        opened = leaf._storage.open_file(leaf.segment().make_filename(".pst"))
        assert isinstance(opened, MappedSubFile)
        # A view of the map, not a copy: its buffer's owner is the mmap itself.
        assert isinstance(opened._buf, memoryview) and isinstance(opened._buf.obj, mmap.mmap)
        assert isinstance(opened.file, ViewReader)


def test_an_index_read_in_place_holds_what_whoosh_reads(fixture_index):
    path = SearchService(fixture_index).layout.require_current()
    plain_index, mapped_index = whoosh_index.open_dir(str(path)), open_index(path)
    with plain_index.reader() as plain, mapped_index.reader() as mapped:
        assert mapped.doc_count_all() == plain.doc_count_all() > 0
        assert [mapped.stored_fields(d) for d in range(plain.doc_count_all())] == \
            [plain.stored_fields(d) for d in range(plain.doc_count_all())]
        for fieldname in plain.schema.names():
            plain_terms = list(plain.lexicon(fieldname)) if fieldname in plain.indexed_field_names() else []
            assert list(mapped.lexicon(fieldname)) == plain_terms if plain_terms else True
            field = plain.schema[fieldname]
            for term in plain_terms:
                want, got = plain.postings(fieldname, term), mapped.postings(fieldname, term)
                assert list(got.all_ids()) == list(want.all_ids()), (fieldname, term)
                if field.format.supports("positions"):
                    want, got = plain.postings(fieldname, term), mapped.postings(fieldname, term)
                    assert list(got.items_as("positions")) == list(want.items_as("positions")), (fieldname, term)
            if field.scorable:
                assert [mapped.doc_field_length(d, fieldname) for d in range(plain.doc_count_all())] == \
                    [plain.doc_field_length(d, fieldname) for d in range(plain.doc_count_all())]
            if plain.has_column(fieldname):
                assert list(mapped.column_reader(fieldname, translate=False)) == \
                    list(plain.column_reader(fieldname, translate=False))
    with plain_index.searcher() as plain, mapped_index.searcher() as mapped:
        for text in ("반도체", "수출 OR 정부", "\"경제 성장\""):
            query = WhooshParser("content", plain_index.schema).parse(text)
            want = [(hit.docnum, hit.score) for hit in plain.search(query, limit=None)]
            assert [(hit.docnum, hit.score) for hit in mapped.search(query, limit=None)] == want
    plain_index.close()
    mapped_index.close()


def test_a_closed_index_with_a_view_still_held_does_not_fail(fixture_index):
    path = SearchService(fixture_index).layout.require_current()
    index = open_index(path)
    reader = index.reader()
    leaf = _leaves(reader)[0][0]
    kept = leaf._storage.open_file(leaf.segment().make_filename(".pst")) if leaf.segment().is_compound() else None
    reader.close()
    index.close()
    if kept is None:
        pytest.skip("no compound segment")
    assert kept.get(0, 4)  # the map stays until the last view goes


def test_pickles_read_from_a_window_are_whole_and_leave_the_position_after_them():
    # Short ones (within the window), one far longer than it, and an int after each.
    values = [(1, 2.5, b"x"), {"k": "값" * 5000}, [b"\x00" * 700, None], list(range(20000))]
    data = b"".join(pickle.dumps(v, protocol) + (7).to_bytes(4, "big") for v, protocol in zip(values, (2, 4, 5, 0)))
    view = MappedSubFile(memoryview(data))
    plain = BufferFile(data)
    for value in values:
        assert view.read_pickle() == plain.read_pickle() == value
        assert view.tell() == plain.tell()
        assert view.read_int() == plain.read_int() == 7
    truncated = MappedSubFile(memoryview(pickle.dumps(list(range(5000)))[:-40]))
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        truncated.read_pickle()
