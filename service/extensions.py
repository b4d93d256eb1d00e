"""The extensions, made once and bound to the app in create_app."""
from __future__ import annotations

import functools
import http
import json

import flask_smorest
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest.utils import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from flask_sqlalchemy import SQLAlchemy
from marshmallow import validate
from sqlalchemy import MetaData

from schemas import examples
from schemas.problem import ProblemSchema

from . import errors
from .web import read_json

# Named constraints, so migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("public", "clinician", "patient", "authenticated")
PROBLEM_STATUSES_AUTH = (401, 403, 404)
PROBLEM_STATUSES_BODY = (400, 413, 415)
# What every answer of a limited route carries (web.rate_limit_headers), errors too.
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests the budget allows in its window",
                          "schema": {"type": "integer", "minimum": 1}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window",
                              "schema": {"type": "integer", "minimum": 0}},
    "X-RateLimit-Reset": {"description": "When the window ends, in seconds since 1970-01-01 UTC",
                          "schema": {"type": "integer", "minimum": 0}},
}
# Only a refusal says when to come back: the limiter's 429 (and a 503's own Retry-After).
RETRY_AFTER = {"Retry-After": {"description": "Seconds until the window ends: wait that long before trying again",
                               "schema": {"type": "integer", "minimum": 1}}}
# The answers only limited routes give; /healthz gives none of them.
RATE_LIMITED_STATUSES = (*PROBLEM_STATUSES_AUTH, *PROBLEM_STATUSES_BODY, 409, 422, 429)


def exclusive_bounds(converter, field, ret, **kwargs) -> dict:
    """Document the bounds a Range excludes (amount_mg > 0): apispec writes every bound as inclusive.

    OpenAPI 3.1 (JSON Schema) makes the exclusive bound a number of its own; 3.0 a flag beside
    `minimum`. `ret` holds what earlier converters wrote, so 3.1's inclusive bound is taken out.
    """
    out = {}
    new_style = (converter.openapi_version.major, converter.openapi_version.minor) >= (3, 1)
    for rule in field.validators:
        if not isinstance(rule, validate.Range):
            continue
        for bound, inclusive, name in ((rule.min, rule.min_inclusive, "minimum"),
                                       (rule.max, rule.max_inclusive, "maximum")):
            if bound is None or inclusive:
                continue
            exclusive = "exclusive" + name.capitalize()
            if new_style:
                ret.pop(name, None)
                out[exclusive] = field._serialize(bound, None, None)
            else:
                out[exclusive] = True
    return out


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(exclusive_bounds)

    def _register_error_handlers(self):
        errors.register(self._app)

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)

    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        # One Api serves every app made in a process; each app serves its own document.
        app.extensions["baclowatch-openapi"] = self.spec

    def _openapi_json(self):
        from flask import current_app

        spec = current_app.extensions["baclowatch-openapi"]
        return current_app.response_class(json.dumps(spec.to_dict(), indent=2), mimetype="application/json")

    def _register_swagger_ui_rule(self, blueprint):
        super()._register_swagger_ui_rule(blueprint)
        from .api import reference

        reference.add_asset_rule(blueprint, self.config["OPENAPI_SWAGGER_UI_PATH"])

    def _openapi_swagger_ui(self):
        from .api import reference

        return reference.page(self._make_doc_blueprint_name())

    def _register_responses(self):
        for name in examples.EXAMPLES:
            self.spec.components.example(name, examples.component(name), lazy=True)
        for name, header in {**RATE_LIMIT_HEADERS, **RETRY_AFTER}.items():
            self.spec.components.header(name, header, lazy=True)
        # Every error answer is application/problem+json, and the document says so.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                if status in examples.PROBLEMS:
                    response["examples"] = examples.refs(*examples.PROBLEMS[status])
                prepare_response(response, self.spec, errors.PROBLEM)
            if status in RATE_LIMITED_STATUSES:
                response["headers"] = {name: name for name in RATE_LIMIT_HEADERS}
            if status == 429:
                response["headers"].update({name: name for name in RETRY_AFTER})
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class Parser(FlaskParser):
    """Webargs' parser with our JSON reading: a key given twice is refused, not collapsed."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return read_json(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """A blueprint whose every route is open to exactly one role."""

    # Each schema's own Meta decides about unknown fields, in the query string too (webargs
    # would drop unknown query parameters silently, hiding a client's typo).
    ARGUMENTS_PARSER = Parser(unknown=None)
    # Set by register_api where it puts the blueprint under a limit, before its routes are documented.
    rate_limited = False

    def __init__(self, name: str, import_name: str, *, role: str, **kwargs):
        if role not in ROLES:
            raise ValueError(f"blueprint {name!r} must say which role may call it, one of {ROLES}")
        super().__init__(name, import_name, **kwargs)
        self.role = role
        self._prepare_doc_cbks.append(self._prepare_problem_doc)
        if role != "public":
            from .auth import require_role

            self.before_request(lambda: require_role(role))

    def only(self, *clinic_roles: str):
        """Open the route to clinicians of these clinic roles only (403 for the others), on top of
        the blueprint's role: declared where the route is, so it cannot be forgotten in its body."""
        from .auth import require_clinic_role

        def decorate(view):
            @functools.wraps(view)
            def checked(*args, **kwargs):
                require_clinic_role(*clinic_roles)
                return view(*args, **kwargs)

            return checked

        return decorate

    def arguments(self, schema, *args, **kwargs):
        # Given a class, webargs makes a new schema on every request: make it once here.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

    def _prepare_problem_doc(self, doc, doc_info, *, method, **kwargs):
        responses = doc.setdefault("responses", {})
        statuses = list(PROBLEM_STATUSES_AUTH) if self.role != "public" else []
        if method in ("post", "put", "patch") and "arguments" in doc_info:
            statuses += PROBLEM_STATUSES_BODY
        if self.rate_limited:
            statuses.append(429)
            for response in responses.values():
                if isinstance(response, dict):  # the route's own answers; shared ones carry them already
                    response.setdefault("headers", {}).update({name: name for name in RATE_LIMIT_HEADERS})
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
