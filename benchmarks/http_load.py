"""HTTP load against `news-search serve`: `clients` threads with keep-alive
connections on loopback, each sending the benchmark queries to
`GET /api/search?q=…` until `requests` are done or `seconds` have passed.

    python -m benchmarks.http_load INDEX QUERIES [--processes N]

prints one run's figures (the load average with them) as JSON."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Optional

from benchmarks.measure import percentile, rss_bytes, tree_cpu_seconds, tree_pss_bytes, tree_rss_bytes

ROOT = Path(__file__).resolve().parents[1]


def serve_available() -> Optional[str]:
    """None when this checkout has a `serve` command, else why not."""
    probe = subprocess.run([sys.executable, "-m", "search", "serve", "--help"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return "this checkout has no `news-search serve` command yet (the web UI issue adds it)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/search?q=" + urllib.parse.quote("검색"))
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"serve did not answer on port {port} within {timeout:.0f} s")


def _load(port: int, queries: list[str], order: list[int], clients: int, seconds: float) -> dict:
    """`clients` keep-alive connections sending queries[i] for i in `order`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    todo = iter(order)
    deadline = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                number = next(todo, None)
            if number is None:
                return
            q = queries[number]
            started = time.perf_counter()
            try:
                connection.request("GET", "/api/search?q=" + urllib.parse.quote(q))
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
                json.loads(body)
            except Exception as exc:  # counted, and the connection renewed
                with lock:
                    errors.append(f"{q}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    done = len(latencies) + len(errors)
    return {
        "requests": done,
        "errors": len(errors),
        "error_examples": errors[:5],
        "requests_per_s": done / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def _measured(pid: int, phase) -> dict:
    """A load phase's figures, with the server's CPU per request (its worker processes included)."""
    before = tree_cpu_seconds(pid)
    result = phase()
    result["server_cpu_ms_per_request"] = (tree_cpu_seconds(pid) - before) * 1000 / max(1, result["requests"])
    return result


def run_http_load(index_dir: Path, queries: list[str], clients: int = 8, requests: int = 4000,
                  seconds: float = 60.0, processes: Optional[int] = None) -> dict:
    """`serve` with its default options (`processes` adds --processes N)."""
    port = _free_port()
    options = [] if processes is None else ["--processes", str(processes)]
    process = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", str(index_dir),
                                "--port", str(port), *options], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(port, process)
        # First every query once (the server has never seen them: its result
        # cache is empty), then the same queries again until `requests` are
        # done (answered mostly from the cache, as repeated searches are).
        cold = _measured(process.pid, lambda: _load(port, queries, list(range(len(queries))), clients, seconds))
        repeats = [i % len(queries) for i in range(max(0, requests - len(queries)))]
        warm = _measured(process.pid, lambda: _load(port, queries, repeats, clients, seconds)) if repeats else None
        return {
            "clients": clients,
            "cold": cold,
            "repeated": warm,
            "requests": cold["requests"] + (warm["requests"] if warm else 0),
            "errors": cold["errors"] + (warm["errors"] if warm else 0),
            # RSS counts a page shared by the worker processes once per process;
            # PSS divides it among them (None where the kernel cannot say).
            "serving_rss_bytes": tree_rss_bytes(process.pid),
            "serving_pss_bytes": tree_pss_bytes(process.pid),
            "server_rss_bytes": rss_bytes(process.pid),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: Optional[list[str]] = None) -> int:
    import argparse

    from benchmarks.measure import machine_load
    from benchmarks.run import read_queries

    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args(argv)
    before = machine_load()
    result = run_http_load(args.index, read_queries(args.queries), clients=args.clients, requests=args.requests,
                           processes=args.processes)
    print(json.dumps({"processes": args.processes, "load_before": before, "load_after": machine_load(),
                      **result}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
