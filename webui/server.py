"""The waitress server `news-search serve` runs, with limits that keep it reachable.

Waitress's defaults let ~100 idle or half-sent connections make a server
unreachable: it stops accepting at `connection_limit` (100) open connections,
keeps a silent connection for `channel_timeout` (120 s, checked every 30 s), and
any byte received counts as activity, so a client trickling its headers one byte
at a time holds a connection for ever.  Here:

* `CONNECTION_LIMIT` open connections (poll() instead of select(), which cannot
  watch descriptors past 1,024; the process's open-file limit is raised to fit,
  or the connection limit lowered to what the limit allows);
* a connection silent for `IDLE_TIMEOUT` seconds is closed (checked every
  `CLEANUP_INTERVAL` seconds), whether idle between requests or half-sent;
* a request must arrive whole (request line, headers and its small body) within
  `REQUEST_DEADLINE` seconds of its first byte, however steadily it trickles.

A normal request is answered while hundreds of idle sockets are held
(tests/test_web_serve_limits.py).  The deadline needs waitress's channel and server
classes subclassed (their `channel_class` hook; stable across waitress 3.x, the
range pyproject.toml allows), so `create_server` builds the listening servers the
way `waitress.create_server` does, with ours.

With `serve --processes N` the listening sockets are bound once (`bind_sockets`)
before the worker processes are forked (webui/prefork.py), and each worker's
`create_server` listens on those same sockets: the kernel hands each new
connection to one of the processes waiting in accept().
"""

from __future__ import annotations

import socket
import time
from typing import Optional

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

CONNECTION_LIMIT = 1000
IDLE_TIMEOUT = 30
CLEANUP_INTERVAL = 5
REQUEST_DEADLINE = 30
# Descriptors the process needs besides the connections (index files, logs, pipes).
SPARE_FILES = 200


class DeadlineChannel(HTTPChannel):
    """A connection whose current request must be complete `REQUEST_DEADLINE`
    seconds after its first byte; otherwise it is closed (by the event loop, as
    waitress closes a timed-out channel)."""

    request_began: Optional[float] = None

    def received(self, data) -> bool:
        result = super().received(data)
        if self.request is None:
            self.request_began = None  # nothing half-received
        elif self.request_began is None:
            self.request_began = time.monotonic()
        return result

    def handle_read(self) -> None:
        super().handle_read()
        if self.request_began is not None and time.monotonic() - self.request_began > self.server.request_deadline:
            self.will_close = True


class DeadlineServer(TcpWSGIServer):
    channel_class = DeadlineChannel

    def __init__(self, *args, request_deadline: float = REQUEST_DEADLINE, **kwargs):
        self.request_deadline = request_deadline
        super().__init__(*args, **kwargs)


def open_file_limit(wanted: int) -> int:
    """Raises the soft open-file limit towards `wanted` (within the hard limit); the limit now in force."""
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to raise
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def server_settings(host: str, port: int, threads: int, max_request_body_size: int,
                    connection_limit: int = CONNECTION_LIMIT, idle_timeout: float = IDLE_TIMEOUT) -> dict:
    """The waitress adjustments `serve` uses."""
    files = open_file_limit(connection_limit + SPARE_FILES)
    return dict(
        host=host, port=port, threads=threads, ident="news-search",
        # The app takes GETs only; waitress would otherwise buffer request bodies of
        # up to 1 GB to disk before the app could refuse them.
        max_request_body_size=max_request_body_size,
        connection_limit=max(16, min(connection_limit, files - SPARE_FILES)),
        channel_timeout=idle_timeout,
        cleanup_interval=min(CLEANUP_INTERVAL, idle_timeout),
        asyncore_use_poll=True,
    )


def bind_sockets(**settings) -> list[socket.socket]:
    """The listening sockets of the addresses `settings` name (host, port), bound
    and listening the way waitress binds its own, for processes to share."""
    adj = Adjustments(**settings)
    bound: list[socket.socket] = []
    try:
        for family, socktype, proto, address in adj.listen:
            sock = socket.socket(family, socktype, proto)
            bound.append(sock)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(adj.backlog)
    except OSError:
        for sock in bound:
            sock.close()
        raise
    return bound


def create_server(app, request_deadline: float = REQUEST_DEADLINE, sockets: Optional[list[socket.socket]] = None,
                  **settings):
    """waitress.create_server for TCP, with `DeadlineServer` listening on each
    address; on `sockets` (from `bind_sockets`) instead of binding its own when given."""
    if sockets:
        settings = {k: v for k, v in settings.items() if k not in ("host", "port")}
        adj = Adjustments(sockets=sockets, **settings)
    else:
        adj = Adjustments(**settings)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    connections: dict = {}
    if sockets:
        servers = [DeadlineServer(app, connections, _sock=sock, bind_socket=False, dispatcher=dispatcher, adj=adj,
                                  sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
                                  request_deadline=request_deadline)
                   for sock in sockets]
    else:
        servers = [DeadlineServer(app, connections, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo,
                                  request_deadline=request_deadline)
                   for sockinfo in adj.listen]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(connections, adj, listening, dispatcher, servers[-1].log_info)
