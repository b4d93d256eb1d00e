"""The domain's errors, and the one place that turns any error into problem+json (RFC 9457)."""
from __future__ import annotations

import logging
from http import HTTPStatus

import marshmallow as ma
from flask import Response, json
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
# Headers of an HTTP error worth keeping in the problem answer.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")
# What every database failure tells the client: nothing was stored, send it again in a few seconds.
TRY_AGAIN_SOON = {"Retry-After": "5"}


class ServiceError(Exception):
    """An error the caller can act on; raised where the fact is known."""

    status = 400

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class Unauthorized(ServiceError):
    status = 401

    def __init__(self, detail: str = "A valid bearer token is required.", **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="baclowatch"'})
        super().__init__(detail, **kwargs)


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404

    def __init__(self, detail: str = "No such resource.", **kwargs):
        super().__init__(detail, **kwargs)


class DuplicateKey(ServiceError):
    """A JSON object gives one key twice: parsers disagree on which value counts, so none does."""

    def __init__(self):
        super().__init__("The body gives the same key twice in one object; send each key once.")


class Conflict(ServiceError):
    status = 409


class Unavailable(ServiceError):
    status = 503


class CommitFailed(Unavailable):
    """The database refused or lost the request's COMMIT; the client may send it again."""

    def __init__(self):
        super().__init__("The database did not store the request; nothing was acknowledged. Try again shortly.",
                         headers=TRY_AGAIN_SOON)


class Invalid(ServiceError):
    """Fields that are well-formed JSON but break a rule (422)."""

    status = 422

    def __init__(self, errors: dict, detail: str = "The request has invalid fields."):
        super().__init__(detail, errors=errors)


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"doses.0.amount_mg": [...]}."""
    if isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, str):
        return {prefix or "body": [messages]}
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "body" if key == "_schema" and not prefix else (str(key) if not prefix else f"{prefix}.{key}")
            if key == "_schema" and prefix:
                name = prefix
            for field, msgs in flatten_errors(value, name).items():
                out.setdefault(field, []).extend(msgs)
    else:
        out[prefix or "body"] = [str(messages)]
    return out


def load_each(schema, items: list) -> tuple[list[tuple[int, dict, dict]], list]:
    """Load a batch's items one by one: each valid one as (index, raw, data), each invalid one's
    result (`invalid`, with its errors by field) in place; the other places are left None."""
    results: list = [None] * len(items)
    parsed = []
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            results[index] = {"client_id": None, "status": "invalid", "errors": {"body": ["Must be an object."]}}
            continue
        try:
            parsed.append((index, raw, schema.load(raw)))
        except ma.ValidationError as error:
            client_id = raw.get("client_id") if isinstance(raw.get("client_id"), str) else None
            results[index] = {"client_id": client_id, "status": "invalid", "errors": flatten_errors(error.messages)}
    return parsed, results


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    """Make an RFC 9457 answer."""
    from flask import g

    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    # A closing newline, as Flask ends JSON answers: in a terminal the prompt starts on its own line.
    response = Response(json.dumps(body) + "\n", status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_service_error(error: ServiceError) -> Response:
    return problem(error.status, error.detail, errors=error.errors, headers=error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    detail = error.description if status != 500 else "The server could not complete the request."
    messages = data.get("errors") or data.get("messages")
    if messages:
        if status == 400 and "json" in messages:
            detail = "The body is not valid JSON."
        else:
            errors = {}
            for msgs in messages.values():  # by location (json, query): field names are unique enough
                errors.update(flatten_errors(msgs))
            detail = "The request has invalid fields."
    if status == 429:
        detail = f"Too many requests ({error.description}); try again after Retry-After seconds."
    headers = {k: v for k, v in error.get_headers() if k in KEPT_HEADERS}
    headers.update(data.get("headers") or {})
    return problem(status, detail, errors=errors, headers=headers)


def _body_is_undecodable() -> bool:
    """Whether the request's JSON body cannot be decoded at all.

    The parser turns most bad JSON into a 400 itself, but not a body nested thousands of levels
    deep (RecursionError) or an integer of more digits than Python converts (ValueError).
    """
    from flask import has_request_context, request

    if not has_request_context() or not request.is_json:
        return False
    body = request.get_data(cache=True)
    if not body:
        return False
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return True
    return False


def handle_database_unavailable(error: Exception) -> Response:
    # Nothing of the request was committed, so the client can safely send it again.
    from flask import g

    log.error("database unavailable in request %s: %s", g.get("request_id"), type(error).__name__)
    return problem(503, "The database is unavailable; nothing was stored. Try again shortly.",
                   headers=TRY_AGAIN_SOON)


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, (ValueError, RecursionError)) and _body_is_undecodable():
        return problem(400, "The body is not valid JSON.")
    # Never the exception's text to a client: it can carry patient data or SQL.
    from flask import g

    log.exception("unhandled error in request %s", g.get("request_id"))
    return problem(500, "The server could not complete the request.")


def register(app) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
