"""`news-search`: a thin command line over the library (`search.reindex`, `search.service`).

The subcommands are listed explicitly in `COMMANDS`: `reindex` and `search` here,
`eval` beside the evaluation (search/evaluation.py) and `serve` beside the web
server (webui/commands.py).  Nothing registers itself by being imported.

Each command's modules are imported when that command runs (or when a help
text lists them all): `reindex` starts without the query layer or Flask, which
cost an incremental run ~0.6 s of imports."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from typing import Callable, NamedTuple, Optional

import orjson

from search.index import IndexNotFound
from search.reindex import MAX_SHRINK_SHARE, ReindexLocked, ReindexRefused, reindex
from search.ingest.errors import printable
from search.model import MAX_INDEXED_TEXT_CHARS
from search.paths import DEFAULT_INDEX, DEFAULT_SEEDS


class Command(NamedTuple):
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------ reindex


# Exit status of `reindex` (also in README, Reliability).
EXIT_OK = 0  # published; every input file and line indexed (or unchanged)
EXIT_REFUSED = 1  # nothing published, the index served is unchanged (refused, locked, an error)
EXIT_PARTIAL = 3  # published, but some files or lines failed (listed); fix them and run again

REINDEX_EPILOG = f"""exit status:
  {EXIT_OK}  published; every input indexed (or unchanged)
  {EXIT_REFUSED}  nothing published, the index served is unchanged: an input is missing,
     unreadable or vanished during the run, the index would shrink by more than
     {MAX_SHRINK_SHARE:.0%} (see --allow-shrink), or another reindex holds the lock
  2  wrong usage
  {EXIT_PARTIAL}  published, with failed files or lines (each printed as a "failed:" line)

a single article's body, subtitles and captions are indexed up to
{MAX_INDEXED_TEXT_CHARS:,} characters; longer ones are cut and listed."""


def _configure_reindex(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = REINDEX_EPILOG
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"article files or folders (.txt, .html/.htm, .jsonl), walked recursively; "
                        f"default: the paths of the last reindex, else {DEFAULT_SEEDS.name}/")
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR", help="index folder (default: index/)")
    p.add_argument("--incremental", action="store_true",
                   help="re-analyse only new or changed articles and drop those whose files are gone "
                        "(articles of files that cannot be read are kept)")
    p.add_argument("--allow-shrink", action="store_true",
                   help="publish even if a PATH is missing or unreadable, vanished during the run, or the "
                        f"index loses more than {MAX_SHRINK_SHARE * 100:.0f}%% of its articles (refused otherwise)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="follow symbolic links that lead outside the folders given (reported, not followed, "
                        "by default)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="analysis processes (default: one per CPU core)")
    p.add_argument("--analyzer", default="mecab", choices=["mecab", "kiwi"],
                   help="morphological analyser (default: mecab)")
    p.add_argument("--wait", action="store_true", help="wait for a running reindex instead of refusing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def _report_json(data: dict) -> str:
    """The report as JSON, a key a line and a list item a line: json.dumps with
    `indent` runs the pure-Python encoder (1.9 s for the 18,000 duplicates of a
    100,000-line corpus); this calls a C one once per value, orjson's (json's C
    encoder took ~0.1 s for those 18,000 items)."""
    def value(item, depth: int) -> str:
        if isinstance(item, list) and item:
            inner = ",\n".join(" " * (depth + 2) + _value_json(x) for x in item)
            return "[\n" + inner + "\n" + " " * depth + "]"
        return _value_json(item)

    lines = [f"  {json.dumps(key, ensure_ascii=False)}: {value(item, 2)}" for key, item in data.items()]
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _value_json(item) -> str:
    """One value as compact JSON.  orjson refuses the lone surrogates of file
    names that are not UTF-8: json writes those as they are (escaped below)."""
    try:
        return orjson.dumps(item).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def _print_report_json(data) -> None:
    # File names that are not UTF-8 hold lone surrogates: escaped as \udcXX
    # they keep the JSON valid and the name recoverable.
    text = _report_json(data) if isinstance(data, dict) else json.dumps(data, ensure_ascii=False, indent=2)
    text = re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group(0)):04x}", text)
    sys.stdout.write(text + "\n")


def run_reindex(args: argparse.Namespace) -> int:
    try:
        report = reindex(
            args.paths or None,
            index_dir=args.index,
            incremental=args.incremental,
            backend=args.analyzer,
            workers=args.workers,
            progress=not args.quiet and not args.json,
            wait_for_lock=args.wait,
            allow_shrink=args.allow_shrink,
            follow_symlinks=args.follow_symlinks,
        )
    except ReindexLocked as exc:
        print(f"news-search reindex: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except ReindexRefused as exc:
        report = exc.report
    status = EXIT_OK if report.published and not report.failed else EXIT_PARTIAL if report.published else EXIT_REFUSED
    if args.json:
        _print_report_json(report.to_dict())
    else:
        _print_summary(report)
    if report.refused:
        print(f"news-search reindex: refused: {report.refused}", file=sys.stderr)
    return status


def _print_summary(report) -> None:
    rate = report.indexed / report.seconds if report.seconds else 0.0
    kind = "incremental reindex" if report.incremental else "reindex"
    where = printable(report.index)
    if report.published:
        outcome = f"{report.total} articles in the index"
    else:
        outcome = f"NOT PUBLISHED: the index still holds its {report.previous_total} articles; would have held {report.total}"
    print(
        f"{kind} of {where}: {report.indexed} indexed, {report.unchanged} unchanged, "
        f"{report.removed} removed, {len(report.failed)} failed, {len(report.duplicates)} duplicate; "
        f"{outcome} ({report.files_seen} files, {report.seconds:.1f} s, {rate:.0f} articles/s)"
    )
    if report.rebuild_reason:
        print(f"  re-analysed every article, not only the changed ones: {report.rebuild_reason}")
    # The bookkeeping, spelled out: every article read is accounted for.
    print(
        f"  {report.articles_seen} articles read = {report.indexed} indexed + {report.unchanged} unchanged + "
        f"{len(report.failed)} failed + {len(report.duplicates)} duplicate"
    )
    print(
        f"  {report.total} articles in the index = {report.indexed} indexed + {report.unchanged} unchanged + "
        f"{report.kept} kept (their file failed this time; the last good version stays)"
    )
    if report.files_skipped:
        print(f"  skipped {len(report.files_skipped)} file(s) of unsupported type (e.g. {printable(report.files_skipped[0])})")
    # Names and reasons come from the input: printable() escapes anything that
    # could forge a line of this summary or drive the terminal.
    for failure in report.failed:
        print(f"  failed: {failure}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    for article_id, source, chars in report.capped:
        print(f"  capped: article {printable(article_id)} in {printable(source)} has {chars:,} characters of text; "
              f"indexed the first {MAX_INDEXED_TEXT_CHARS:,}")
    for (article_id, source, kept), line in zip(report.duplicates, report.duplicate_lines_padded()):
        where = f"{printable(source)} line {line}" if line is not None else printable(source)
        print(f"  duplicate: article {printable(article_id)} in {where} is already indexed from "
              f"{printable(kept)}; kept the first")



# ------------------------------------------------------------------ search


def _configure_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="?", default="", help='e.g. 삼성전자 협력, "기술 협력", 기자:조재범, 삼성전자 -협력')
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR")
    p.add_argument("--reporter", action="append", default=[], metavar="R", help="only this reporter (repeat for OR)")
    p.add_argument("--press", action="append", default=[], metavar="P", help="only this press (repeat for OR)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after (YYYY[-MM[-DD]])")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before")
    p.add_argument("--sort", default="relevance", help="relevance | newest | oldest")
    p.add_argument("--page", default="1")
    p.add_argument("--size", default="10")
    p.add_argument("--exact", action="store_true",
                   help="search the query as typed (no 한/영 keyboard-layout correction)")
    p.add_argument("--all", action="store_true",
                   help="list every article (by default a same-event cluster shows once, as in the API)")
    p.add_argument("--group", default="", metavar="ID", help="only this same-event cluster (a hit's group id)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _terminal(html_text: str, color: bool) -> str:
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    return html.unescape(re.sub(r"<mark>(.*?)</mark>", lambda m: on + m.group(1) + off, html_text))


def run_search(args: argparse.Namespace) -> int:
    from search.query.tree import QueryError
    from search.render import search_result_json
    from search.service import SearchRequest, SearchService

    try:
        request = SearchRequest.from_params(
            q=args.query, reporter=args.reporter, press=args.press, date_from=args.date_from,
            date_to=args.date_to, sort=args.sort, page=args.page, size=args.size, exact=args.exact,
        )
        request.collapse, request.group = not args.all, args.group.strip()
        result = SearchService(args.index).search(request)
    except QueryError as exc:
        print(f"news-search search: {exc}", file=sys.stderr)
        return 2
    except IndexNotFound as exc:
        print(f"news-search search: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(search_result_json(result))
        return 0
    color = sys.stdout.isatty()
    if result.rewritten_from:
        print(f"! {result.query}(으)로 검색한 결과입니다. 원래 검색어로 검색: --exact {result.rewritten_from}")
    for notice in result.notices:
        print(f"! {notice}")
    if result.suggestion:
        print(f"? 이것을 찾으셨나요: {result.suggestion}")
    card = result.reporter_card
    if card:
        print(f"* {card.name} 기자 · 기사 {card.count:,}건 ({card.query})"
              + "".join(f"\n    최근 기사: {a.title} ({(a.published or '')[:10]})" for a in card.recent))
    relaxed = f" + 일부 단어가 빠진 기사 {result.relaxed_total}건" if result.relaxed_total else ""
    grouped = result.grouping
    folded = f" (같은 내용은 한 번씩, 기사 {grouped.articles}건)" if grouped and grouped.articles != result.total else ""
    print(f"{result.total}건{folded}{relaxed} ({result.took_ms:.1f} ms) — page {result.page}/{result.pages}")
    for rank, hit in enumerate(result.hits, start=(result.page - 1) * result.size + 1):
        byline = " · ".join(x for x in [hit.press, ", ".join(hit.reporters), (hit.published or "")[:16].replace("T", " ")] if x)
        score = f"  score {hit.score:.2f}" if hit.score is not None else ""
        print(f"\n{rank}. {_terminal(hit.title_html, color)}")
        print(f"   {byline}{score}   [{hit.id}]")
        if hit.snippet:
            print(f"   {_terminal(hit.snippet, color)}")
        if hit.missing:
            print(f"   빠진 검색어: {', '.join(hit.missing)}")
        if hit.group and hit.group.get("members"):
            print(f"   같은 내용 기사 {hit.group['size'] - 1}건: --group {hit.group['id']}")
    for name, label in (("reporter", "기자"), ("press", "언론사"), ("date", "날짜")):
        values = result.facets.get(name) or []
        if values:
            print(f"\n{label}: " + ", ".join(f"{v.value} ({v.count})" for v in values[:10]))
    return 0



# ------------------------------------------------------------------ entry point


def _reindex_command() -> Command:
    return Command("reindex", "build or update the index from article files", _configure_reindex, run_reindex)


def _search_command() -> Command:
    return Command("search", "search the index from the terminal", _configure_search, run_search)


def _serve_command() -> Command:
    from webui import commands as web_commands

    return Command("serve", web_commands.SERVE_HELP, web_commands.configure_serve, web_commands.run_serve)


def _eval_command() -> Command:
    from search import evaluation

    return Command("eval", evaluation.EVAL_HELP, evaluation.configure_eval, evaluation.run_eval)


# Name → the command, loaded (its modules imported) only when needed.
COMMANDS: tuple[tuple[str, Callable[[], Command]], ...] = (
    ("reindex", _reindex_command),
    ("search", _search_command),
    ("serve", _serve_command),
    ("eval", _eval_command),
)


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser of every command, or (`only`) of that one command: the
    arguments of a run of `only` parse the same either way (the usage line
    names COMMAND, not the list), and the other commands' modules stay unread."""
    parser = argparse.ArgumentParser(prog="news-search", description="Korean news full-text search")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, load in COMMANDS:
        if only is not None and name != only:
            continue
        command = load()
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(p)
        p.set_defaults(run=command.run)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    named = argv[0] if argv and argv[0] in dict(COMMANDS) else None
    args = build_parser(named).parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
