"""The HTTP API: one blueprint per resource, all under /api/v1."""
from __future__ import annotations

from flask import Flask, current_app, request

from .. import auth, web
from ..errors import problem
from ..extensions import api, db, make_limiter

PREFIX = "/api/v1"
BODY_METHODS = ("POST", "PUT", "PATCH")


def _json_only():
    """Refuse a body that is not JSON (415), before anyone parses it."""
    if not request.path.startswith(PREFIX + "/"):
        return None  # the API's rule: the clinic's pages post forms
    if request.method in BODY_METHODS and (request.content_length or request.headers.get("Transfer-Encoding")):
        if not request.is_json:
            return problem(415, "Send the body as application/json.")
    return None


def _commit_or_roll_back(response):
    """One commit per request, with its audit trail; a failed request leaves nothing behind."""
    if response.status_code < 400:
        auth.write_audit_trail()
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _setting(name: str):
    return lambda: current_app.config[name]


def register_api(app: Flask) -> None:
    from . import catalogue, enroll, flags, health, me, patients

    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Symptom monitoring for people treated with baclofen for alcohol use disorder."},
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
    for module in (patients, flags, catalogue, enroll, me):
        # One budget per token (or address) across all the routes that share a setting.
        limiter.shared_limit(_setting(module.RATE_LIMIT), scope=module.RATE_LIMIT.lower(),
                             key_func=getattr(module, "RATE_KEY", None),
                             deduct_when=getattr(module, "RATE_LIMIT_COUNTS", None))(module.blp)
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    api.register_blueprint(health.blp)  # SPEC names GET /healthz at the root; the API prefix has it too
    api.register_blueprint(health.blp, url_prefix=PREFIX, name="api_health")
    app.before_request(_json_only)
    app.after_request(_commit_or_roll_back)
