#!/usr/bin/env python3
"""Measure how the served service answers while slow clients send their headers a line at a time.

Run from the project's root with its environment:

    .venv/bin/python tests/slow_clients.py                       # the service's gunicorn settings
    .venv/bin/python tests/slow_clients.py --sync                # the same with sync workers

It serves a fresh SQLite file with gunicorn on 127.0.0.1 (4 workers unless told), opens the slow
connections (each sends a request line, then one header line every --interval seconds, for
--seconds), and meanwhile asks GET /healthz once a second, one probe after the other, each
waiting up to --seconds + 10 s. Progress goes to stderr; stdout gets a summary line, then one JSON
object: probes sent, answered 200, and their median and slowest times in ms.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import gunicorn, say, upgrade

from service import create_app


def slow_client(port: int, number: int, interval: float, until: float, held: list) -> None:
    """Send a request's headers a line every `interval` seconds until `until`, then end them."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=interval + 30)
    except OSError:
        return
    with sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            held.append(number)
            line = 0
            while time.monotonic() < until:
                time.sleep(min(interval, max(0.0, until - time.monotonic())))
                sock.sendall(b"X-Slow-%d: %d\r\n" % (number, line))
                line += 1
            sock.sendall(b"Connection: close\r\n\r\n")
            while sock.recv(65536):
                pass
        except OSError:
            pass  # the server closed it: that bounds a slow client too


def probe(port: int, timeout: float) -> tuple[float, int | str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        status: int | str = response.status
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, status


def measure(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="baclowatch-slow-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'slow.db'}"
        upgrade(create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s"}))
        # gunicorn turns sync workers with threads into gthread ones: one thread each, then.
        extra = {"GUNICORN_CMD_ARGS": "--worker-class sync --threads 1"} if args.sync else {}
        log_path = Path(tmp) / "gunicorn.log"
        with gunicorn(url, args.workers, log_path, extra) as port:
            # Every worker has loaded the app: the figures are of the attack, not of a slow boot.
            deadline = time.monotonic() + 120
            while log_path.read_text(errors="replace").count("Worker ready") < args.workers:
                if time.monotonic() > deadline:
                    raise SystemExit("the workers did not all start within two minutes")
                time.sleep(0.2)
            until = time.monotonic() + args.seconds
            held: list[int] = []
            clients = [threading.Thread(target=slow_client, args=(port, n, args.interval, until, held), daemon=True)
                       for n in range(args.connections)]
            for thread in clients:
                thread.start()
            time.sleep(0.5)
            say(f"{len(held)} slow connections sending a header line every {args.interval:g} s for {args.seconds:g} s")
            times, statuses = [], []
            while time.monotonic() < until:
                elapsed, status = probe(port, args.seconds + 10)
                times.append(elapsed)
                statuses.append(status)
                say(f"  /healthz: {status} in {elapsed:.0f} ms")
                time.sleep(max(0.0, 1 - elapsed / 1000))
            for thread in clients:
                thread.join(args.interval + 40)
    answered = [t for t, s in zip(times, statuses) if s == 200]
    return {"workers_kind": "sync" if args.sync else "gthread, 8 threads", "workers": args.workers,
            "connections": args.connections, "interval_s": args.interval, "seconds": args.seconds,
            "probes": len(times), "answered": len(answered),
            "median_ms": round(statistics.median(times), 1) if times else None,
            "slowest_ms": round(max(times), 1) if times else None}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sync", action="store_true", help="sync workers instead of the settings' threaded ones")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=12, help="slow connections (default 12)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between header lines (default 2)")
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the attack lasts (default 40)")
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 500 or not 1 <= args.seconds <= 300 or not 0.1 <= args.interval <= 30:
        parser.error("connections 1-500, seconds 1-300, interval 0.1-30")
    return args


def main(argv=None) -> int:
    result = measure(parse_args(argv))
    print(f"{result['connections']} slow clients, {result['workers']} workers ({result['workers_kind']}): "
          f"/healthz answered {result['answered']} of {result['probes']} probes, median "
          f"{result['median_ms']} ms, slowest {result['slowest_ms']} ms")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
