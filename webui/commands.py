"""`news-search serve`: the web UI and JSON API under waitress (a production WSGI
server; never Flask's debug server).  Builds the index from seeds/ first when
there is none yet, so a fresh clone serves with one command."""

from __future__ import annotations

import argparse
import sys

from search.cli import DEFAULT_INDEX, register_command
from search.index import IndexLayout
from search.indexer import reindex


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR",
                   help="index folder (default: index/); built from seeds/ if it has no index yet")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--threads", type=int, default=4, metavar="N", help="request threads (default: 4)")


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def run_serve(args: argparse.Namespace) -> int:
    if IndexLayout(args.index).current() is None:
        print(f"news-search serve: no index at {args.index} yet; building it first", file=sys.stderr, flush=True)
        report = reindex(None, index_dir=args.index, progress=True, wait_for_lock=True)
        print(f"news-search serve: indexed {report.indexed} articles ({len(report.failed)} failed) "
              f"in {report.seconds:.1f} s", file=sys.stderr, flush=True)

    import waitress

    from webui import MAX_CONTENT_LENGTH, create_app

    app = create_app(args.index)
    try:
        # The app takes GETs only; waitress would otherwise buffer request bodies of
        # up to 1 GB to disk before the app could refuse them.
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads,
                                        ident="news-search", max_request_body_size=MAX_CONTENT_LENGTH)
    except OSError as exc:
        print(f"news-search serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    # One machine-readable line (tests and scripts wait for it; --port 0 needs it).
    port = getattr(server, "effective_port", args.port)
    print(f"news-search: serving {args.index} at {_url(args.host, port)} (Ctrl+C stops)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


register_command("serve", "serve the web UI and JSON API (waitress)", _configure, run_serve)
