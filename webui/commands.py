"""`news-search serve`: the web UI and JSON API under waitress (a production WSGI
server; never Flask's debug server).  Builds the index from seeds/ first when
there is none yet, so a fresh clone serves with one command."""

from __future__ import annotations

import argparse
import os
import sys

from search import DEFAULT_INDEX, IndexLayout, Reindexer, SearchService
from webui import MAX_CONTENT_LENGTH, create_app
from webui.prefork import can_fork, run_workers
from webui.server import (CONNECTION_LIMIT, IDLE_TIMEOUT, REQUEST_DEADLINE, bind_sockets, create_server,
                          server_settings)

SERVE_HELP = "serve the web UI and JSON API (waitress)"
# Worker processes by default: one per core, at most this many (README, Performance).
MAX_DEFAULT_PROCESSES = 4


def default_processes() -> int:
    if not can_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=str(DEFAULT_INDEX), metavar="DIR",
                   help="index folder (default: index/); built from seeds/ if it has no index yet")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--processes", type=_positive, default=None, metavar="N",
                   help=f"worker processes sharing the port, each with its own request threads (default: one per "
                        f"CPU core, at most {MAX_DEFAULT_PROCESSES}: {default_processes()} here; 1 where there "
                        f"is no fork())")
    p.add_argument("--threads", type=int, default=4, metavar="N", help="request threads per process (default: 4)")
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
    processes = args.processes or default_processes()
    if processes > 1 and not can_fork():
        print("news-search serve: this platform cannot fork; serving with one process", file=sys.stderr, flush=True)
        processes = 1
    # Connection limits and timeouts that keep the server reachable: webui/server.py.
    settings = server_settings(args.host, args.port, args.threads, MAX_CONTENT_LENGTH,
                               connection_limit=args.connection_limit, idle_timeout=args.idle_timeout)
    try:
        if processes == 1:
            server = create_server(app, request_deadline=args.request_deadline, **settings)
            port = getattr(server, "effective_port", args.port)
        else:
            # Bound once, here; each worker process listens on the same sockets.
            sockets = bind_sockets(**settings)
            port = sockets[-1].getsockname()[1]
    except OSError as exc:
        print(f"news-search serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    # One machine-readable line (tests and scripts wait for it; --port 0 needs it).
    print(f"news-search: serving {args.index} at {_url(args.host, port)} (Ctrl+C stops)", flush=True)
    if processes > 1:
        def work() -> int:
            return _run(create_server(app, request_deadline=args.request_deadline, sockets=sockets, **settings))

        return run_workers(work, processes)
    return _run(server)


def _run(server) -> int:
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0

