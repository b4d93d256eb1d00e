"""The HTTP API: one blueprint per resource, all under /api/v1."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, request

from .. import auth, web
from ..errors import CommitFailed, problem
from ..extensions import api, db, make_limiter

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
BODY_METHODS = ("POST", "PUT", "PATCH")
DESCRIPTION = """\
Symptom monitoring for people treated with baclofen for alcohol use disorder.

Errors are `application/problem+json` (RFC 9457); each error answer below shows one.

## Rate limits

Each budget is a number of requests per minute; past it the answer is 429 until the minute is over.

| who | default (setting) | counted per |
| --- | --- | --- |
| clinicians, and `GET /api/v1/rules` | 600 (`RATELIMIT_CLINICIAN`) | token |
| patients' phones | 120 (`RATELIMIT_PATIENT`) | token |
| `POST /api/v1/enroll` (failed attempts only) | 10 (`RATELIMIT_ENROLL`) | client address |

A request without a token counts against its client address. Every answer of a limited operation,
errors too, carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix
time); a 429 also carries `Retry-After` (seconds until the window ends), as does a 503 (the
database failed: try again then). `GET /` and `GET /healthz` are not limited.
"""


def _json_only():
    """Refuse a body that is not JSON (415), before anyone parses it."""
    if not request.path.startswith(PREFIX + "/"):
        return None  # the API's rule: the clinic's pages post forms
    if request.method in BODY_METHODS and (request.content_length or request.headers.get("Transfer-Encoding")):
        if not request.is_json:
            return problem(415, "Send the body as application/json.")
    return None


def _commit_or_roll_back(response):
    """One commit per request, with its audit trail; a failed request leaves only its audit trail behind."""
    if response.status_code < 400:
        try:
            db.session.add_all(auth.audit_trail(succeeded=True))
            db.session.commit()
        except sa.exc.DBAPIError as error:
            # The database refused the COMMIT (a deferred constraint, a serialization failure) or
            # lost it with its connection: the answer made above was never true. Raised from here it
            # would bypass the error handlers and be a 500, so it is answered here, as any database
            # failure is: 503, try again.
            db.session.rollback()
            log.error("commit failed in request %s: %s", g.get("request_id"), type(error).__name__)
            return current_app.make_response(current_app.handle_user_exception(CommitFailed()))
        return response
    trail = auth.audit_trail(succeeded=False)  # made before the rollback expires the caller's rows
    db.session.rollback()
    if trail:
        try:
            db.session.add_all(trail)
            db.session.commit()
        except sa.exc.SQLAlchemyError:
            # The database that failed the request may fail this too: the answer stands, the loss is logged.
            db.session.rollback()
            log.exception("audit trail of failed request %s not stored", g.get("request_id"))
    return response


def _setting(name: str):
    return lambda: current_app.config[name]


def register_api(app: Flask) -> None:
    from . import answers, catalogue, clinic, enroll, flags, health, index, me, measures, patients

    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "clinicianToken": {"type": "http", "scheme": "bearer",
                               "description": "From `flask --app service clinicians create`"},
            "patientToken": {"type": "http", "scheme": "bearer", "description": "From POST /api/v1/enroll"},
        }},
    })
    # Test runs drive many clients from one address; a test that checks the limits turns them on.
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "baclowatch")
    # Registered before the limiter's own hook, so it runs after it (Flask runs them in reverse),
    # once a failed enrollment has been counted.
    app.after_request(web.rate_limit_headers)
    limiter = make_limiter(app)
    api.init_app(app)
    for module in (patients, measures, flags, clinic, catalogue, enroll, me, answers):
        # One budget per token (or address) across all the routes that share a setting.
        limiter.shared_limit(_setting(module.RATE_LIMIT), scope=module.RATE_LIMIT.lower(),
                             key_func=getattr(module, "RATE_KEY", None),
                             deduct_when=getattr(module, "RATE_LIMIT_COUNTS", None))(module.blp)
        module.blp.rate_limited = True
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    api.register_blueprint(index.blp)
    api.register_blueprint(health.blp)  # SPEC names GET /healthz at the root; the API prefix has it too
    api.register_blueprint(health.blp, url_prefix=PREFIX, name="api_health")
    app.before_request(_json_only)
    app.after_request(_commit_or_roll_back)
