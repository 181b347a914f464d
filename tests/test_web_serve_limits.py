"""F8: idle and half-sent connections never make `news-search serve` unreachable.

Against a real server process on 127.0.0.1 (tests/web_fixtures.py): with waitress's
defaults, 100 silent connections filled `connection_limit` and every later client
waited for minutes.  Each test is bounded: its sockets, its bytes and its waits are
counted, and a refused or stalled server fails it instead of hanging it."""

from __future__ import annotations

import json
import socket
import urllib.request
from contextlib import ExitStack

import pytest

from web_fixtures import running_server, web_index

HELD = 200


def open_socket(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("serve-limits")
    # A short request deadline, so the trickle test is quick; a long idle timeout, so
    # no held socket is closed while a slow machine answers; the connection limit as shipped.
    args = ("--request-deadline", "2", "--idle-timeout", "300")
    with running_server(web_index(tmp_path_factory), log_dir, extra_args=args) as running:
        yield running


def test_a_request_is_answered_while_200_idle_and_half_sent_sockets_are_held(server):
    base, process = server
    port = port_of(base)
    with ExitStack() as held:
        sockets = [held.enter_context(open_socket(port)) for _ in range(HELD)]
        for sock in sockets[1::2]:  # half of them start a request and stop mid-headers
            sock.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        with urllib.request.urlopen(f"{base}/api/search?q=%EB%B0%98%EB%8F%84%EC%B2%B4", timeout=60) as response:
            data = json.loads(response.read())
        assert response.status == 200 and data["total"] >= 12  # the 12 monthly export reports at least
        with urllib.request.urlopen(f"{base}/search?q=%EB%B0%98%EB%8F%84%EC%B2%B4", timeout=60) as response:
            assert "반도체" in response.read().decode("utf-8")
        # The held ones were kept, not dropped to make room: the last half-sent one
        # finishes its request and is answered.
        last = sockets[-1]
        last.sendall(b"1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := last.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and b'"hits"' in answer
    assert process.poll() is None


def test_a_request_trickled_byte_by_byte_is_cut_at_the_deadline(server):
    """Each byte is activity, so an idle timeout alone never ends this connection;
    the request deadline (2 s here) does.  Bounded by bytes: it must be closed
    before 60 bytes at one per 0.25 s (15 s, seven times the deadline)."""
    base, _ = server
    sock = open_socket(port_of(base))
    sent = 0
    closed = False
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ")
        sock.settimeout(0.25)
        while sent < 60 and not closed:
            try:
                sock.sendall(b"a")
                sent += 1
                closed = sock.recv(1024) == b""
            except socket.timeout:
                continue
            except OSError:  # reset, broken pipe: closed by the server
                closed = True
    finally:
        sock.close()
    assert closed, f"still open after {sent} trickled bytes"
    assert sent >= 4  # not refused at once: it was cut by the deadline


def test_silent_connections_are_closed_after_the_idle_timeout(tmp_path_factory):
    """Idle and half-sent sockets alike, at `--idle-timeout` (1 s here, checked every
    second): bounded by a 15 s wait for each to be closed."""
    log_dir = tmp_path_factory.mktemp("serve-idle")
    with running_server(web_index(tmp_path_factory), log_dir, extra_args=("--idle-timeout", "1")) as (base, _):
        idle, half = open_socket(port_of(base)), open_socket(port_of(base))
        try:
            half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for sock in (idle, half):
                sock.settimeout(15)
                try:
                    assert sock.recv(1024) == b""  # closed by the server, nothing sent
                except ConnectionResetError:
                    pass
        finally:
            idle.close()
            half.close()
