"""The extensions, made once and bound to the app in create_app."""
from __future__ import annotations

import http

import flask_smorest
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from schemas.problem import ProblemSchema

from . import errors

# Named constraints, so migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("public", "clinician", "patient", "authenticated")
PROBLEM_STATUSES_AUTH = (401, 403, 404, 429)
PROBLEM_STATUSES_BODY = (400, 413, 415)


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        errors.register(self._app)

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)

    def _register_responses(self):
        # Every error answer is application/problem+json, and the document says so.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, errors.PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class Blueprint(flask_smorest.Blueprint):
    """A blueprint whose every route is open to exactly one role."""

    # Each schema's own Meta decides about unknown fields, in the query string too (webargs
    # would drop unknown query parameters silently, hiding a client's typo).
    ARGUMENTS_PARSER = FlaskParser(unknown=None)

    def __init__(self, name: str, import_name: str, *, role: str, **kwargs):
        if role not in ROLES:
            raise ValueError(f"blueprint {name!r} must say which role may call it, one of {ROLES}")
        super().__init__(name, import_name, **kwargs)
        self.role = role
        self._prepare_doc_cbks.append(self._prepare_problem_doc)
        if role != "public":
            from .auth import require_role

            self.before_request(lambda: require_role(role))

    def arguments(self, schema, *args, **kwargs):
        # Given a class, webargs makes a new schema on every request: make it once here.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def _prepare_problem_doc(self, doc, doc_info, *, method, **kwargs):
        responses = doc.setdefault("responses", {})
        statuses = list(PROBLEM_STATUSES_AUTH) if self.role != "public" else [429]
        if method in ("post", "put", "patch") and "arguments" in doc_info:
            statuses += PROBLEM_STATUSES_BODY
        for status in statuses:
            responses.setdefault(status, http.HTTPStatus(status).name)
        if self.role == "public":
            doc["security"] = []
        elif self.role == "authenticated":
            doc["security"] = [{"clinicianToken": []}, {"patientToken": []}]
        else:
            doc["security"] = [{f"{self.role}Token": []}]
        return doc


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
api = Api()


def _store_options(uri: str) -> dict:
    """How the limiter talks to Redis: briefly, so a store that is away costs a request little."""
    if not uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # One immediate retry (a pooled connection is stale after a Redis restart), never redis-py's
    # default backoff of seconds; storage errors come wrapped, as limits.errors.StorageError.
    return {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 1),
            "wrap_exceptions": True}


def make_limiter(app) -> Limiter:
    """Make the app's own limiter: its storage and switches are per app, not per process.

    A patient's entry never fails because the rate-limit store is away: the limiter then counts
    in this worker's memory (the same limits, per worker), logs that once, and looks at the store
    again by itself, at intervals doubling from 1 s to 32 s, until it answers. Errors of the store
    are swallowed wherever it is used, since some uses come after the request has committed.
    """
    from .auth import rate_key

    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # The limiter's own headers would put a Retry-After on every answer: web.py writes them.
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", _store_options(app.config["RATELIMIT_STORAGE_URI"]))
    limiter = Limiter(key_func=rate_key)
    limiter.init_app(app)
    return limiter


def app_limiter(app) -> Limiter | None:
    """The app's limiter, if rate limits are on."""
    limiter = next(iter(app.extensions.get("limiter", ())), None)
    return limiter if limiter is not None and limiter.enabled and limiter.initialized else None


def rate_limit_store_answers(app) -> bool:
    """Whether the rate limits' store answers now (always, when it is this process's memory)."""
    limiter = app_limiter(app)
    return limiter is None or limiter.storage.check()
