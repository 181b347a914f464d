"""search.bulkwriter writes the segment Whoosh's own SegmentWriter would write for
the same documents: byte for byte when every block is compressed as Whoosh does (its level too),
and posting for posting with small blocks left uncompressed, with postings
spilled to run files, and when a commit merges older segments."""

import random
from pathlib import Path
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT
from whoosh.writing import SegmentWriter

import search.bulkwriter as bulkwriter
from search.bulkwriter import BulkSegmentWriter
from search.columnar import EXTENSION, ColumnarSegment
from search.index import build_schema, document_for
from search.model import Article

WORDS = ["삼성전자", "반도체", "수출", "협력", "인공지능", "데이터센터", "대한민국", "정부", "文 대통령", "MS",
         "180조원", "클라우드", "나섰다", "공장을", "세웠다", "삼성電", "2019년", "AI", "카카오", "네이버의"]


def articles(count: int, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    start = datetime(2018, 1, 1, tzinfo=timezone.utc)
    out = []
    for i in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 30))]
        out.append(Article(
            id=f"a{i}",
            title=" ".join(words[:4]) + f" {i}",
            subtitles=[" ".join(words[4:7])] if i % 3 == 0 else [],
            body=[" ".join(words[n:n + 6]) + "." for n in range(0, len(words), 6)],
            captions=["▲ " + words[0]] if i % 5 == 0 else [],
            reporters=[rng.choice(["조재범", "김기자", "이재용"])] if i % 4 else [],
            press=rng.choice(["예시일보", "뉴데일리경제", None]),
            published=start + timedelta(days=i) if i % 7 else None,
            url=f"https://news.example.kr/{i}" if i % 2 else None,
        ))
    return out


@pytest.fixture(scope="module")
def documents():
    # 300 articles: common words reach several 128-posting blocks.
    return [document_for(article) for article in articles(300)]


def build(folder, writer_class, documents, commits=1, schema=None, **options):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema or build_schema())
    share = -(-len(documents) // commits)
    for first in range(0, len(documents), share):
        writer = writer_class(ix, **options)
        for document in documents[first:first + share]:
            writer.add_document(**document)
        writer.commit(optimize=commits > 1 and first + share >= len(documents))
    return whoosh_index.open_dir(str(folder))


def segment_files(ix) -> dict[str, bytes]:
    (segment,) = ix._segments()
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    return {name[name.index("."):]: bytes(storage.open_file(name).read()) for name in storage.list()}


def everything(ix) -> dict:
    """Every term with its statistics and postings (with their blocks'
    statistics), every stored document and every field length."""
    reader = ix.reader()
    terms = {}
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        matcher = reader.postings(fieldname, text)
        postings = []
        while matcher.is_active():
            postings.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_max_weight(),
                             matcher.block_min_length(), matcher.block_max_length()))
            matcher.next()
        terms[fieldname, text] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                  info.max_weight(), info.min_id(), info.max_id(), postings)
    scorable = [name for name, field in ix.schema.items() if field.scorable]
    lengths = {(d, f): reader.doc_field_length(d, f) for d in range(reader.doc_count_all()) for f in scorable}
    totals = {f: reader.field_length(f) for f in scorable}
    return {"terms": terms, "stored": list(reader.all_stored_fields()), "lengths": lengths, "totals": totals}


def test_same_bytes_as_whoosh_when_every_block_is_compressed(tmp_path, monkeypatch, documents):
    monkeypatch.setattr(bulkwriter, "COMPRESS_FROM", 0)
    monkeypatch.setattr(bulkwriter, "COMPRESS_LEVEL", None)
    ours = segment_files(build(tmp_path / "ours", BulkSegmentWriter, documents))
    theirs = segment_files(build(tmp_path / "whoosh", SegmentWriter, documents))
    assert sorted(ours) == sorted(theirs)
    assert ".pst" in ours and ".trm" in ours and "._content_len.col" in ours
    for extension in theirs:
        assert ours[extension] == theirs[extension], extension


def test_same_postings_with_spilled_runs_and_uncompressed_small_blocks(tmp_path, monkeypatch, documents):
    spills = []
    spill = bulkwriter.TermPostings.spill
    monkeypatch.setattr(bulkwriter.TermPostings, "spill", lambda self: spills.append(1) or spill(self))
    monkeypatch.setattr(bulkwriter, "_POSTING_BYTES", 400)  # a budget of 1 MB then fills several times
    ours = build(tmp_path / "ours", BulkSegmentWriter, documents, limitmb=1)
    assert len(spills) >= 3  # the postings went through several run files
    theirs = build(tmp_path / "whoosh", SegmentWriter, documents)
    a, b = everything(ours), everything(theirs)
    assert len(a["terms"]) > 1000 and any(len(t[-1]) > 128 for t in a["terms"].values())
    assert a == b
    # Small blocks are stored uncompressed, and that is all that differs.
    assert segment_files(ours)[".pst"] != segment_files(theirs)[".pst"]


def test_merging_older_segments_gives_the_same_postings(tmp_path, documents):
    # Three commits, the last one merging the first two segments (postings of
    # merged segments reach the bulk writer through Whoosh's pool interface).
    ours = build(tmp_path / "ours", BulkSegmentWriter, documents, commits=3)
    theirs = build(tmp_path / "whoosh", SegmentWriter, documents, commits=3)
    assert len(ours._segments()) == len(theirs._segments()) == 1
    assert everything(ours) == everything(theirs)


def columnar_file(ix) -> Path:
    (segment,) = ix._segments()
    return Path(ix.storage.folder) / segment.make_filename(EXTENSION)


def test_columnar_file_the_same_from_our_positions_and_from_spilled_runs(tmp_path, monkeypatch, documents):
    # Written in one pass from the positions the writer kept, and through
    # spilled run files: the same bytes.
    direct = columnar_file(build(tmp_path / "direct", BulkSegmentWriter, documents)).read_bytes()
    monkeypatch.setattr(bulkwriter, "_POSTING_BYTES", 400)
    spilled = columnar_file(build(tmp_path / "spilled", BulkSegmentWriter, documents, limitmb=1)).read_bytes()
    assert len(direct) > 10_000
    assert direct == spilled


def test_columnar_positions_of_a_merged_segment_are_whooshs(tmp_path, documents):
    # A merge feeds postings through Whoosh's pool interface: there the
    # positions are decoded from Whoosh's posting values instead.
    ix = build(tmp_path / "merged", BulkSegmentWriter, documents, commits=3)
    segment = ColumnarSegment(columnar_file(ix))
    reader = ix.reader()
    checked = 0
    for text in reader.lexicon("content"):
        low, high = segment.term_slice("content", text)
        ends = segment.array("content", "pos_end")
        positions = segment.array("content", "pos")
        ours = {}
        for posting in range(low, high):
            start = int(ends[posting - 1]) if posting else 0
            ours[int(segment.array("content", "docs")[posting])] = positions[start:int(ends[posting])].tolist()
        assert ours == dict(reader.postings("content", text).items_as("positions")), text
        checked += 1
    assert checked > 50


def columnar_spans(segment: ColumnarSegment, text: bytes) -> dict[int, list]:
    """A term's (position, start, end) per document, from a columnar file."""
    low, high = segment.term_slice("content", text)
    postings = list(range(low, high))
    starts, ends, counts = segment.posting_spans("content", np.array(postings, dtype=np.int64))
    positions, _ = segment.posting_positions("content", np.array(postings, dtype=np.int64))
    out, at = {}, 0
    for posting, count in zip(postings, counts.tolist()):
        out[int(segment.array("content", "docs")[posting])] = list(zip(
            positions[at:at + count].tolist(), starts[at:at + count].tolist(), ends[at:at + count].tolist()))
        at += count
    return out


@pytest.mark.parametrize("commits", [1, 3])
def test_columnar_character_spans_are_whooshs_characters(tmp_path, documents, commits):
    # Every occurrence's character span in the columnar file is the one a
    # Characters posting of Whoosh's own writer holds for the same documents
    # (`content` with chars=True, as schema 5 had it): written from our tokens
    # (one commit) and carried through a merge of older segments (three
    # commits, the last one merging: Whoosh's postings hold positions only,
    # the spans come from the merged segments' columnar files).
    ours = build(tmp_path / "ours", BulkSegmentWriter, documents, commits=commits)
    schema = build_schema()
    schema._fields["content"] = TEXT(analyzer=schema["content"].analyzer, phrase=True, chars=True)
    theirs = build(tmp_path / "whoosh", SegmentWriter, documents, commits=commits, schema=schema)
    segment = ColumnarSegment(columnar_file(ours))
    assert segment.has_spans("content")
    assert segment.array("content", "span").dtype == np.uint8  # tokens are short
    assert segment.array("content", "start").dtype.itemsize <= 2  # and so are these articles
    reader = theirs.reader()
    checked = 0
    for text in reader.lexicon("content"):
        expected = dict(reader.postings("content", text).items_as("characters"))
        assert columnar_spans(segment, text) == {d: [tuple(c) for c in v] for d, v in expected.items()}, text
        checked += sum(map(len, expected.values()))
    assert checked > 2_000


def test_columnar_spans_past_two_bytes_are_kept_whole(tmp_path):
    # An article longer than 65,535 characters: its segment's starts take four
    # bytes, and the last word's span is still where the text has it.
    long = Article(id="long", title="긴 기사", body=["반도체 수출. " * 9_000, "클라우드 협력."])
    ix = build(tmp_path / "long", BulkSegmentWriter, [document_for(long)])
    segment = ColumnarSegment(columnar_file(ix))
    assert segment.array("content", "start").dtype == np.uint32
    text = "\n".join([long.title, long.body_text])
    (spans,) = columnar_spans(segment, "클라우드".encode("utf-8")).values()
    assert [text[start:end] for _, start, end in spans] == ["클라우드"]
    assert spans[0][1] > 65_535


@pytest.mark.parametrize("seed", range(6))
def test_position_values_are_whooshs_positions_encoding(seed):
    """The positional postings' values, built for all postings at once with
    array operations, are Whoosh's `Positions.encode` of each posting's
    positions, byte for byte: one position and many, deltas of one, two and
    four bytes, a delta beyond 32 bits and more than one pickle batch (1,000
    items) of positions, unsorted positions (negative deltas)."""
    from whoosh.formats import Positions

    rng = random.Random(seed)
    encode = Positions().encode
    postings = []
    for _ in range(rng.randint(1, 60)):
        count = rng.choice([1, 1, 1, 2, 3, 8, rng.randint(990, 2200) if seed % 2 else 4])
        top = rng.choice([200, 5_000, 70_000, 2**32 - 1])
        positions = sorted(rng.randint(0, top) for _ in range(count))
        if seed == 5:
            rng.shuffle(positions)
        postings.append(positions)
    flat = np.array([p for positions in postings for p in positions], dtype=np.int64)
    freqs = np.array([len(positions) for positions in postings])
    got = bulkwriter._position_values(flat, np.cumsum(freqs) - freqs, freqs)
    assert got == [encode(positions) for positions in postings]
