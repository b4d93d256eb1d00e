"""Bodies sent without Content-Length (chunked): bounded like any other, and bad framing is a 400."""
from __future__ import annotations

import io
import json
import socket
import threading

import pytest
from api_helpers import PROBLEM, assert_problem

LIMIT = 1024 * 1024
PATIENT = {"reference": "P-CHUNKED", "treatment_start": "2026-11-01"}


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    return b"".join(chunk(data[i:i + size]) for i in range(0, len(data), size)) + b"0\r\n\r\n"


def padded(value: dict, total: int) -> bytes:
    """The JSON of `value` followed by spaces, `total` bytes in all (valid JSON of that size)."""
    text = json.dumps(value).encode()
    return text + b" " * (total - len(text))


def post_raw(port: int, token: str, body: bytes, path: str = "/api/v1/patients") -> tuple[int, dict, bytes]:
    """POST a chunked body as given, byte for byte; return the status, headers and body of the answer."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        def send():
            try:
                sock.sendall(head + body)
                sock.shutdown(socket.SHUT_WR)  # a body cut short ends here, as when a phone loses its signal
            except OSError:
                pass  # the server may answer and close before reading everything

        sender = threading.Thread(target=send)
        sender.start()
        answer = b""
        while block := sock.recv(65536):
            answer += block
        sender.join(30)
    head_part, _, content = answer.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, content


GOOD = json.dumps(PATIENT).encode()
MALFORMED = {
    "chunk size not hex": b"zz\r\n" + GOOD + b"\r\n0\r\n\r\n",
    "chunk size negative": b"-5\r\n" + GOOD + b"\r\n0\r\n\r\n",
    "CRLF missing after a chunk": f"{len(GOOD):x}\r\n".encode() + GOOD + b"XX0\r\n\r\n",
    "chunk shorter than its size": f"{len(GOOD) + 50:x}\r\n".encode() + GOOD,
    "no last chunk": chunk(GOOD),
}


TOO_LARGE = {
    "one byte over, valid JSON when cut at the limit": chunked(padded(PATIENT, LIMIT + 1)),
    "1.5 MiB of padding": chunked(padded(PATIENT, LIMIT * 3 // 2)),
    "one chunk of 1 MiB and more": chunk(json.dumps({**PATIENT, "reference": "x" * LIMIT}).encode()) + b"0\r\n\r\n",
}


# One server for several bodies: gunicorn takes seconds to start.
def test_malformed_chunked_framing_is_400_without_a_traceback(gunicorn_served, clinician):
    port, log = gunicorn_served
    for name, body in MALFORMED.items():
        status, headers, content = post_raw(port, clinician.token, body)
        assert status == 400, (name, status, content[:300])
        assert headers["Content-Type"] == PROBLEM, name
        problem = json.loads(content)
        assert problem["status"] == 400 and "chunked" in problem["detail"], (name, problem)
        assert "Traceback" not in content.decode()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    assert clinician.get("/patients").json["items"] == []


def test_a_chunked_body_over_one_mib_is_413(gunicorn_served, clinician):
    port, _ = gunicorn_served
    for name, body in TOO_LARGE.items():
        status, headers, content = post_raw(port, clinician.token, body)
        assert status == 413, (name, status, content[:300])
        assert headers["Content-Type"] == PROBLEM, name
    assert clinician.get("/patients").json["items"] == []


def test_a_chunked_body_of_exactly_one_mib_is_read(gunicorn_served, clinician):
    port, _ = gunicorn_served
    status, _, content = post_raw(port, clinician.token, chunked(padded(PATIENT, LIMIT), size=1000))
    assert status == 201, content[:300]
    assert [p["reference"] for p in clinician.get("/patients").json["items"]] == ["P-CHUNKED"]


# The same body through Werkzeug's test client: a stream without Content-Length that the
# server says it has terminated, as gunicorn and Werkzeug's own server do for chunked bodies.


def post_streamed(clinician, stream):
    return clinician.post("/patients", input_stream=stream, content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT * 3 // 2])
def test_a_streamed_body_over_one_mib_is_413_in_the_app(clinician, size):
    assert_problem(post_streamed(clinician, io.BytesIO(padded(PATIENT, size))), 413)
    assert clinician.get("/patients").json["items"] == []


def test_a_streamed_body_of_exactly_one_mib_is_read_in_the_app(clinician):
    assert post_streamed(clinician, io.BytesIO(padded(PATIENT, LIMIT))).status_code == 201


class BrokenFraming(io.RawIOBase):
    """A server's decoded body that meets a bad chunk after some bytes."""

    def __init__(self):
        self.given = False

    def readable(self):
        return True

    def seek(self, offset, whence=0):
        return 0  # the test client measures the stream; Transfer-Encoding makes it ignore the length

    def readinto(self, buffer):
        if self.given:
            raise ValueError("Invalid chunk size")
        self.given = True
        buffer[:2] = b'{"'
        return 2


def test_a_framing_error_of_the_server_is_400_in_the_app(clinician):
    answer = post_streamed(clinician, BrokenFraming())
    assert "chunked" in assert_problem(answer, 400)["detail"]
