"""The service as production runs it: its own gunicorn settings, over real sockets."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest

from bench import gunicorn
from service import create_app

FORWARDED = "203.0.113.5"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One gunicorn worker behind one trusted proxy (the test), on a migrated SQLite file."""
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder / 'served.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    log_path = folder / "gunicorn.log"
    # One worker, so the in-memory rate-limit counters are the only ones.
    with gunicorn(url, 1, log_path, {"TRUSTED_PROXIES": "1", "RATELIMIT_ENROLL": "2 per minute"}) as port:
        yield port, log_path


def raw(port: int, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes as they are; return the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_the_access_log_escapes_control_characters(served):
    port, log_path = served
    status, _, _ = raw(port, b"GET /healthz%0a127.0.0.1%20%22GET%20/forged%22%20200%0d HTTP/1.1\r\n"
                             b"Host: x\r\nX-Request-Id: forge-test-1\r\nConnection: close\r\n\r\n")
    assert status == 404
    deadline = time.monotonic() + 10
    while "id=forge-test-1" not in log_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the request is not in the access log"
        time.sleep(0.05)
    lines = log_path.read_text(errors="replace").splitlines()
    [logged] = [line for line in lines if "forged" in line]
    assert logged.startswith('127.0.0.1 "GET /healthz'), "a path forged a line of the log"
    assert logged.endswith("id=forge-test-1")
    assert '/healthz\\x0a127.0.0.1 \\x22GET /forged\\x22 200\\x0d' in logged


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-N%d: 1\r\n" % n for n in range(120)) + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n", 400),
])
def test_what_gunicorn_refuses_is_problem_json_too(served, request_bytes, status):
    port, _ = served
    answered, headers, body = raw(port, request_bytes)
    assert answered == status
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status
    assert problem["title"]


def test_the_enroll_limit_counts_the_address_the_proxy_forwards(served):
    port, _ = served

    def attempt(forwarded_for: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("POST", "/api/v1/enroll", body=json.dumps({"code": "AAAA-BBBB-CCCC"}),
                     headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for})
        status = conn.getresponse().status
        conn.close()
        return status

    assert [attempt(FORWARDED) for _ in range(3)] == [401, 401, 429]
    assert attempt("203.0.113.6") == 401, "another client behind the same proxy has its own budget"


def test_slow_clients_do_not_hold_the_service(served):
    """Connections that send their headers a line at a time leave the service answering others."""
    port, _ = served
    slow = []
    for _ in range(6):
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        slow.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(1):
            for sock in slow:
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1.5)  # the slow connections are accepted and being read when the probe comes
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/healthz")
        answer = conn.getresponse()
        assert answer.status == 200
        assert json.loads(answer.read()) == {"status": "ok"}
        conn.close()
    except TimeoutError:
        pytest.fail("/healthz did not answer while slow clients were sending their headers")
    finally:
        stop.set()
        thread.join(5)
        for sock in slow:
            sock.close()
