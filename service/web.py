"""What every request and answer go through: a body read whole within its limit, JSON read
strictly, a request id, security headers, and one log line without secrets."""
from __future__ import annotations

import io
import json
import logging
import re
import time
import typing as t
import uuid

import flask
from flask import Flask, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.utils import cached_property

from .errors import DuplicateKey

log = logging.getLogger("baclowatch.request")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
RETRY_STATUSES = (429, 503)  # the answers whose Retry-After a client should wait for


class Request(flask.Request):
    """A request whose streamed body is held to the size limit and read whole, once.

    A body sent without Content-Length (`Transfer-Encoding: chunked`) is only bounded by
    MAX_CONTENT_LENGTH, and Werkzeug stops reading it at the limit without saying so: a
    larger body came through cut short (a 400, or accepted when the cut fell in trailing
    padding). It is read here to one byte past the limit, so a larger one is a 413.
    """

    @cached_property
    def stream(self) -> t.IO[bytes]:
        if self.content_length is not None or not self.environ.get("wsgi.input_terminated"):
            return super().stream
        limit = self.max_content_length
        body = bytearray()
        source = self.environ["wsgi.input"]
        try:
            while limit is None or len(body) <= limit:
                block = source.read(64 * 1024 if limit is None else min(64 * 1024, limit + 1 - len(body)))
                if not block:
                    break
                body += block
        except Exception as error:
            # The server decodes the chunks as they are read, and each server has its own error
            # for a bad chunk size, a missing CRLF or a body cut short: all are the client's.
            log.info("%s unreadable body: %s", g.get("request_id"), type(error).__name__)
            raise BadRequest("The body's chunked encoding is malformed.") from None
        if limit is not None and len(body) > limit:
            raise RequestEntityTooLarge()
        return io.BytesIO(bytes(body))


def _one_value_per_key(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise DuplicateKey()
    return found


def read_json(data: bytes):
    """Parse a JSON body as UTF-8; an object anywhere in it that gives a key twice is a 400.

    Python keeps the last of two values, other parsers the first: the body stored as received
    would not say what was judged.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A non-empty doc: webargs takes an empty one for "no body".
        raise json.JSONDecodeError(f"Not UTF-8: {error.reason}", doc=str(error.object), pos=error.start) from None
    return json.loads(text, object_pairs_hook=_one_value_per_key)


def _start() -> None:
    # A proxy's id is kept when it is sane, so one id follows a request through every log.
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.status_code not in RETRY_STATUSES:
        # The rate limiter puts its window's reset on every answer as Retry-After; a phone that
        # honours it would wait a minute after a success. Only a refusal tells when to come back.
        response.headers.pop("Retry-After", None)
    if request.path.startswith("/api/") or request.path in ("/", "/healthz"):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
        response.headers.setdefault("Cache-Control", "no-store")  # patient data stays out of caches
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # The path only: never headers (tokens) nor bodies (patients' words).
    log.info("%s %s %s %d %.1fms", g.get("request_id"), request.method, request.path, response.status_code, elapsed)
    return response


def register(app: Flask) -> None:
    app.request_class = Request
    app.before_request(_start)
    app.after_request(_finish)
