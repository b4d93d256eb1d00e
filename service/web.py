"""What every request and answer go through: a body read whole within its limit, JSON read
strictly, a request id, security headers, and one log line without secrets."""
from __future__ import annotations

import io
import json
import logging
import math
import re
import time
import typing as t
import uuid

import flask
from flask import Flask, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.utils import cached_property

from .errors import DuplicateKey

log = logging.getLogger("baclowatch.request")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Anything but printable ASCII, and the quote and backslash that delimit and escape fields.
_UNSAFE_IN_LOG = re.compile(r'[^\x20-\x7e]|["\\]')

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


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


def escape_for_log(text: str, encoding: str = "utf-8") -> str:
    """Write a client's text so it stays on its line and in its field: \\xNN for each unsafe byte.

    A path with %0a would otherwise start a line of its own (a forged entry), and escape codes
    would drive the terminal of whoever reads the log. `encoding` is how characters become bytes:
    latin-1 for WSGI strings (one character per byte received), UTF-8 for decoded text.
    """
    def escaped(match: re.Match) -> str:
        char = match.group()
        try:
            raw = char.encode(encoding)
        except UnicodeEncodeError:
            raw = char.encode("utf-8", "surrogatepass")
        return "".join(f"\\x{byte:02x}" for byte in raw)

    return _UNSAFE_IN_LOG.sub(escaped, text)


def _start() -> None:
    # A proxy's id is kept when it is sane, so one id follows a request through every log.
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/") or request.path in ("/", "/healthz"):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
        response.headers.setdefault("Cache-Control", "no-store")  # patient data stays out of caches
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # The path only: never headers (tokens) nor bodies (patients' words).
    log.info("%s %s %s %d %.1fms", g.get("request_id"), escape_for_log(request.method),
             escape_for_log(request.path), response.status_code, elapsed)
    return response


def rate_limit_headers(response):
    """Tell the client its rate limit: X-RateLimit-*, and Retry-After on the limiter's 429 only.

    Any other answer's Retry-After is the app's own (a 503 says when to try again) and is kept.
    """
    from limits.errors import StorageError

    from .extensions import app_limiter

    limiter = app_limiter(current_app)
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return response
    now = time.time()
    try:
        reset_at, remaining = current.window
    except StorageError:
        # The store went away after it answered the limit's check: the answer goes out whole,
        # and the next request finds the store away and counts in memory.
        reset_at, remaining = now + current.limit.get_expiry(), None
    response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
    if remaining is not None:
        response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(math.ceil(reset_at))
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(1, math.ceil(reset_at - now)))
    return response


def register(app: Flask) -> None:
    app.request_class = Request
    app.before_request(_start)
    app.after_request(_finish)
