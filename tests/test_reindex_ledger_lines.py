"""Ledger.unchanged_lines (search/reindex/report.py), the incremental run's
accounting of a run of JSONL lines indexed last time at the same place, held
to the plain way it replaced: one `unchanged` call per line, in order; the
same report, article table and line table, a second article with an id
already seen (in this run, or earlier in the same run of lines) reported as
a duplicate just the same."""

from search.reindex.report import Ledger, ReindexReport


def ledger():
    report = ReindexReport()
    return report, Ledger(report, {}, {})


def state(report, led):
    return (report.unchanged, report.indexed, report.duplicates, report.duplicate_lines, led.articles, led.lines)


def test_a_run_of_unchanged_lines_is_accounted_as_one_unchanged_call_each():
    hashes = {f"a{i}": f"h{i}" for i in range(8)}
    entries = [("a0", "k0"), ("a1", "k1"), ("a2", "k2"), ("a1", "k3"), ("a5", "k5"), ("a3", "k6")]
    fast_report, fast = ledger()
    plain_report, plain = ledger()
    for led in (fast, plain):
        led.indexed("a3", "x.jsonl", "h3-new", "k-earlier", chars=10, line=1)  # seen before in this run
        led.unchanged("a5", "y.jsonl", "h5")
    fast.unchanged_lines("c.jsonl", entries, hashes)
    for article_id, key in entries:
        plain.unchanged(article_id, "c.jsonl", hashes[article_id], key)
    assert state(fast_report, fast) == state(plain_report, plain)
    assert fast_report.unchanged == 1 + 3 and [d[0] for d in fast_report.duplicates] == ["a1", "a5", "a3"]
    assert fast.lines == {"k-earlier": "a3", "k0": "a0", "k1": "a1", "k2": "a2"}
