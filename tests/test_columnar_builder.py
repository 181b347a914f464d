"""search.columnar.ColumnarBuilder streams each array of a segment's columnar
file through a temporary file instead of holding it: the file it writes is,
byte for byte, the one a plain builder writes from whole in-memory arrays (the
reference below, the layout of search/columnar.py's docstring), across many
flushes and read-back chunks, with character starts that need one, two or
four bytes, and with a field whose spans are dropped when a posting without
them comes."""

import json
import random
import struct
from array import array

import numpy as np
import pytest
from whoosh.compat import dumps

from search import columnar
from search.columnar import MAGIC, ColumnarBuilder, ColumnarSegment


def reference_file(terms_by_field: dict, fields, positional, doc_count: int, lengths: dict) -> bytes:
    """The columnar file from whole arrays: per field its sorted terms, their
    postings, positions and spans (spans narrowed to the type of the largest)."""
    arrays = {}
    for fieldname in sorted(fields):
        terms = terms_by_field.get(fieldname, [])
        blob = b"".join(t for t, *_ in terms)
        arrays[f"{fieldname}.terms"] = np.frombuffer(blob, dtype=np.uint8)
        arrays[f"{fieldname}.term_end"] = np.cumsum([len(t) for t, *_ in terms], dtype=np.int64)
        arrays[f"{fieldname}.post_end"] = np.cumsum([len(d) for _, d, *_ in terms], dtype=np.int64)
        arrays[f"{fieldname}.docs"] = np.array([x for _, d, *_ in terms for x in d], dtype=np.uint32)
        arrays[f"{fieldname}.tf"] = np.array([x for _, _, w, *_ in terms for x in w], dtype=np.float32)
        if fieldname in positional:
            occurrences = [o for *_, occ in terms for posting in occ for o in posting]
            counts = [len(posting) for *_, occ in terms for posting in occ]
            arrays[f"{fieldname}.pos"] = np.array([o[0] for o in occurrences], dtype=np.uint32)
            arrays[f"{fieldname}.pos_end"] = np.cumsum(counts, dtype=np.int64)
            if all(o[1] is not None for o in occurrences):
                for name, values in (("start", [o[1] for o in occurrences]),
                                     ("span", [o[2] - o[1] for o in occurrences])):
                    largest = max(values, default=0)
                    dtype = np.uint8 if largest < 256 else np.uint16 if largest < 65536 else np.uint32
                    arrays[f"{fieldname}.{name}"] = np.array(values, dtype=dtype)
        column = np.zeros(doc_count, dtype=np.float32)
        found = lengths.get(fieldname)
        if found is not None:
            column[:len(found)] = [n or 0 for n in found]
        arrays[f"{fieldname}.length"] = column
    header, offset, body = {"doc_count": doc_count, "arrays": {}}, 0, b""
    for name, values in arrays.items():
        header["arrays"][name] = [values.dtype.str, offset, int(values.size)]
        data = values.tobytes() + b"\0" * (-values.nbytes % 8)
        offset += len(data)
        body += data
    encoded = json.dumps(header).encode("utf-8")
    head = MAGIC + struct.pack("<Q", len(encoded)) + encoded
    return head + b"\0" * (-len(head) % 8) + body


def random_terms(rng: random.Random, count: int, doc_count: int, largest_start: int, positional: bool) -> list:
    """(term bytes, docs, weights, occurrences per posting) in term order."""
    out = []
    for number in range(count):
        docs = sorted(rng.sample(range(doc_count), rng.choice([1, 1, 2, 3, 40])))
        occurrences = []
        for _ in docs:
            positions = sorted(rng.sample(range(5000), rng.randint(1, 4)))
            occurrences.append([(p, s, s + rng.randint(1, 300 if rng.random() < 0.01 else 12))
                                for p, s in zip(positions, sorted(rng.sample(range(largest_start), len(positions))))])
        weights = [float(len(o)) if positional else float(rng.randint(1, 9)) for o in occurrences]
        out.append((f"t{number:05d}".encode(), docs, weights, occurrences))
    return out


@pytest.mark.parametrize("few", [0, columnar._FEW_OCCURRENCES, 10**9])
@pytest.mark.parametrize("largest_start", [200, 60_000, 300_000])
def test_streamed_file_is_the_plain_builders(tmp_path, monkeypatch, largest_start, few):
    # `few`: a term's positions added by array slices up to this many values,
    # by numpy past it (0: numpy only; 10**9: slices only; both against the reference).
    monkeypatch.setattr(columnar, "_FEW_OCCURRENCES", few)
    monkeypatch.setattr(columnar._Column, "FLUSH_BYTES", 64)  # many flushes
    monkeypatch.setattr(columnar._Column, "CHUNK_ITEMS", 37)  # many read-back chunks
    rng = random.Random(largest_start)
    doc_count = 120
    terms = {"content": random_terms(rng, 300, doc_count, largest_start, True),
             "bigrams": random_terms(rng, 200, doc_count, largest_start, False)}
    lengths = {"content": [rng.randint(0, 90) or None for _ in range(doc_count)]}
    builder = ColumnarBuilder(fields=("bigrams", "content", "initials"), positional=("content",), folder=tmp_path)
    builder.lengths.update(lengths)
    for fieldname in ("bigrams", "content"):
        for tbytes, docs, weights, occurrences in terms[fieldname]:
            flat = array("I", [v for posting in occurrences for o in posting for v in o])
            builder.add(fieldname, tbytes, array("I", docs), array("f", weights),
                        positions=flat if fieldname == "content" else None)
    builder.write(tmp_path / "x.cols", doc_count)
    expected = reference_file(terms, ("bigrams", "content", "initials"), ("content",), doc_count, lengths)
    assert (tmp_path / "x.cols").read_bytes() == expected
    start = ColumnarSegment(tmp_path / "x.cols").array("content", "start")
    assert start.dtype.itemsize == (1 if largest_start < 256 else 2 if largest_start <= 65536 else 4)
    assert [p.name for p in tmp_path.iterdir()] == ["x.cols"]  # no temporary file left behind


def test_a_posting_without_spans_drops_the_fields_spans(tmp_path, monkeypatch):
    # Postings decoded from Whoosh's `Positions` values (a merged segment
    # without spans) after some with spans: the field's file has positions only.
    monkeypatch.setattr(columnar._Column, "FLUSH_BYTES", 64)
    builder = ColumnarBuilder(fields=("content",), positional=("content",), folder=tmp_path)
    builder.add("content", b"a", array("I", [0, 2]), array("f", [1.0, 2.0]),
                positions=array("I", [3, 10, 14, 1, 0, 4, 8, 30, 33]))
    values = [b"\0\0\0\2" + dumps([5, 2], 2)]  # frequency 2, position deltas 5 and 2
    builder.add("content", b"b", array("I", [1]), array("f", [2.0]), values=values)
    builder.write(tmp_path / "x.cols", 3)
    segment = ColumnarSegment(tmp_path / "x.cols")
    assert not segment.has_spans("content")
    assert segment.array("content", "pos").tolist() == [3, 1, 8, 5, 7]
    assert segment.array("content", "pos_end").tolist() == [1, 3, 5]
    assert segment.array("content", "docs").tolist() == [0, 2, 1]
