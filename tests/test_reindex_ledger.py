"""The reindex's one accounting class (search/reindex/report.py): every article
read lands in exactly one count, and the first of two articles with one id wins."""

from search.ingest.errors import LoadFailure, LoadWarning
from search.reindex.report import Ledger, ReindexReport
from search.reindex.units import Capped, Warned


def test_every_article_read_is_counted_once_and_the_first_id_wins():
    report = ReindexReport()
    articles: dict[str, list[str]] = {}
    lines: dict[str, str] = {}
    ledger = Ledger(report, articles, lines)

    assert ledger.indexed("a", "x.jsonl", "h1", "line-1", chars=100)
    assert ledger.unchanged("b", "y.txt", "h2")
    assert not ledger.indexed("a", "z.jsonl", "h9", "line-7", chars=50)  # a second "a"
    assert not ledger.unchanged("b", "w.txt", "h8")  # a second "b"
    ledger.failed(LoadFailure("bad.html", "no article text found"))
    ledger.kept("c", "gone-for-now.txt", "h3")
    ledger.removed()
    ledger.note(Warned(LoadWarning("x.jsonl", "2 undecodable bytes", 3)))
    ledger.note(Capped("a", "x.jsonl", 900_000))

    assert (report.indexed, report.unchanged, len(report.failed), len(report.duplicates)) == (1, 1, 1, 2)
    assert report.articles_seen == 5  # a, b, a again, b again, the failed page
    assert report.duplicates == [("a", "z.jsonl", "x.jsonl"), ("b", "w.txt", "y.txt")]
    assert report.characters == 100  # the duplicate's characters were not written
    assert articles == {"a": ["x.jsonl", "h1"], "b": ["y.txt", "h2"], "c": ["gone-for-now.txt", "h3"]}
    assert len(articles) == report.indexed + report.unchanged + report.kept
    assert lines == {"line-1": "a"}  # the duplicate's line is not recorded: it is read again next time
    assert (report.kept, report.removed) == (1, 1)
    assert report.capped == [("a", "x.jsonl", 900_000)] and len(report.warnings) == 1
