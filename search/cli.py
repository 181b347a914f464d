"""`news-search`: a thin command line over the library (`search.indexer`, `search.service`)."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Callable, Optional

from search.index import IndexNotFound
from search.indexer import DEFAULT_SEEDS, ReindexLocked, reindex
from search.query import QueryError

DEFAULT_INDEX = Path(__file__).resolve().parent.parent / "index"

# Subcommands register here: name → (configure parser, run).  Other modules
# (the web server, the evaluation) add theirs with `register_command`.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def register_command(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
) -> None:
    COMMANDS[name] = (help, configure, run)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------ reindex


def _configure_reindex(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"article files or folders (.txt, .html/.htm, .jsonl), walked recursively; "
                        f"default: the paths of the last reindex, else {DEFAULT_SEEDS.name}/")
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR", help="index folder (default: index/)")
    p.add_argument("--incremental", action="store_true",
                   help="re-analyse only new or changed articles and drop those whose files are gone")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="analysis processes (default: one per CPU core)")
    p.add_argument("--analyzer", default="mecab", choices=["mecab", "kiwi"],
                   help="morphological analyser (default: mecab)")
    p.add_argument("--wait", action="store_true", help="wait for a running reindex instead of refusing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


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
        )
    except ReindexLocked as exc:
        print(f"news-search reindex: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(report.to_dict())
        return 0
    rate = report.indexed / report.seconds if report.seconds else 0.0
    kind = "incremental reindex" if report.incremental else "reindex"
    print(
        f"{kind} of {report.index}: {report.indexed} indexed, {report.unchanged} unchanged, "
        f"{report.removed} removed, {len(report.failed)} failed, {len(report.duplicates)} duplicate; "
        f"{report.total} articles in the index ({report.files_seen} files, {report.seconds:.1f} s, {rate:.0f} articles/s)"
    )
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
        print(f"  skipped {len(report.files_skipped)} file(s) of unsupported type (e.g. {report.files_skipped[0]})")
    for failure in report.failed:
        print(f"  failed: {failure}")
    for article_id, source, kept in report.duplicates:
        print(f"  duplicate: article {article_id} in {source} is already indexed from {kept}; kept the first")
    return 0


register_command("reindex", "build or update the index from article files", _configure_reindex, run_reindex)


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
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _terminal(html_text: str, color: bool) -> str:
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    return html.unescape(re.sub(r"<mark>(.*?)</mark>", lambda m: on + m.group(1) + off, html_text))


def run_search(args: argparse.Namespace) -> int:
    from search.service import SearchRequest, SearchService

    try:
        request = SearchRequest.from_params(
            q=args.query, reporter=args.reporter, press=args.press, date_from=args.date_from,
            date_to=args.date_to, sort=args.sort, page=args.page, size=args.size, exact=args.exact,
        )
        result = SearchService(args.index).search(request)
    except QueryError as exc:
        print(f"news-search search: {exc}", file=sys.stderr)
        return 2
    except IndexNotFound as exc:
        print(f"news-search search: {exc}", file=sys.stderr)
        return 1
    if args.json:
        data = result.to_dict()
        for hit in data["hits"]:
            hit.pop("title_html", None)
        _print_json(data)
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
    print(f"{result.total}건{relaxed} ({result.took_ms:.1f} ms) — page {result.page}/{result.pages}")
    for rank, hit in enumerate(result.hits, start=(result.page - 1) * result.size + 1):
        byline = " · ".join(x for x in [hit.press, ", ".join(hit.reporters), (hit.published or "")[:16].replace("T", " ")] if x)
        score = f"  score {hit.score:.2f}" if hit.score is not None else ""
        print(f"\n{rank}. {_terminal(hit.title_html, color)}")
        print(f"   {byline}{score}   [{hit.id}]")
        if hit.snippet:
            print(f"   {_terminal(hit.snippet, color)}")
        if hit.missing:
            print(f"   빠진 검색어: {', '.join(hit.missing)}")
    for name, label in (("reporter", "기자"), ("press", "언론사"), ("date", "날짜")):
        values = result.facets.get(name) or []
        if values:
            print(f"\n{label}: " + ", ".join(f"{v.value} ({v.count})" for v in values[:10]))
    return 0


register_command("search", "search the index from the terminal", _configure_search, run_search)


# ------------------------------------------------------------------ entry point


def build_parser() -> argparse.ArgumentParser:
    _load_plugins()
    parser = argparse.ArgumentParser(prog="news-search", description="Korean news full-text search")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (help_text, configure, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(run=run)
    return parser


def _load_plugins() -> None:
    """Commands defined next to the code they drive (serve, eval), if present."""
    import importlib

    for module in ("webui.commands", "search.evaluation"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
