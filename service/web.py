"""What every answer carries: a request id, security headers, and one log line without secrets."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

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
    app.before_request(_start)
    app.after_request(_finish)
