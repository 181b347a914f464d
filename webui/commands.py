"""`news-search serve`: the web UI and JSON API under waitress (a production WSGI
server; never Flask's debug server).  Builds the index from seeds/ first when
there is none yet, so a fresh clone serves with one command."""

from __future__ import annotations

import argparse
import sys

from search import DEFAULT_INDEX, IndexLayout, Reindexer, SearchService
from webui import MAX_CONTENT_LENGTH, create_app
from webui.server import CONNECTION_LIMIT, IDLE_TIMEOUT, REQUEST_DEADLINE, create_server, server_settings

SERVE_HELP = "serve the web UI and JSON API (waitress)"


def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR",
                   help="index folder (default: index/); built from seeds/ if it has no index yet")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--threads", type=int, default=4, metavar="N", help="request threads (default: 4)")
    p.add_argument("--connection-limit", type=int, default=CONNECTION_LIMIT, metavar="N",
                   help=f"open connections at most (default: {CONNECTION_LIMIT})")
    p.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT, metavar="SECONDS",
                   help=f"close a connection silent this long, idle or half-sent (default: {IDLE_TIMEOUT})")
    p.add_argument("--request-deadline", type=float, default=REQUEST_DEADLINE, metavar="SECONDS",
                   help=f"close a connection whose request is not whole this long after its first byte "
                        f"(default: {REQUEST_DEADLINE})")


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def run_serve(args: argparse.Namespace) -> int:
    if IndexLayout(args.index).current() is None:
        print(f"news-search serve: no index at {args.index} yet; building it first", file=sys.stderr, flush=True)
        report = Reindexer(args.index, progress=True, wait_for_lock=True).run(None)
        print(f"news-search serve: indexed {report.indexed} articles ({len(report.failed)} failed) "
              f"in {report.seconds:.1f} s", file=sys.stderr, flush=True)

    # The generation's arrays, ids and vocabulary are read before listening,
    # not by the first requests (which otherwise queued behind them).
    service = SearchService(args.index)
    service.warm()
    app = create_app(args.index, service=service)
    try:
        # Connection limits and timeouts that keep the server reachable: webui/server.py.
        settings = server_settings(args.host, args.port, args.threads, MAX_CONTENT_LENGTH,
                                   connection_limit=args.connection_limit, idle_timeout=args.idle_timeout)
        server = create_server(app, request_deadline=args.request_deadline, **settings)
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

