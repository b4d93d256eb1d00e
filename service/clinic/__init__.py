"""The clinic page: server-rendered pages for clinicians, on the same domain code as the API."""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from . import models  # noqa: F401  (its table must be known to migrations)
from .signin import SESSION_LIFETIME

bp = Blueprint("clinic", __name__, url_prefix="/clinic", template_folder="templates",
               static_folder="static")
csrf = CSRFProtect()


def register_clinic(app: Flask) -> None:
    """Mount the clinic page at /clinic/ with its session cookie and CSRF protection."""
    app.config.update(
        SESSION_COOKIE_NAME="baclowatch_clinic",
        SESSION_COOKIE_PATH="/clinic/",  # the API never needs it: it takes bearer tokens
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure outside debug, test apps included: browsers treat http://127.0.0.1 and
        # localhost as secure origins, so the browser tests still get their cookie back.
        SESSION_COOKIE_SECURE=not app.debug,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # Only the clinic's forms carry CSRF tokens: the JSON API authenticates with bearer
        # tokens, which a browser never sends by itself, so the check is made by the clinic's
        # own hook (see views.before_clinic_request), not app-wide.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
    )
    csrf.init_app(app)
    from . import admin, views  # noqa: F401  (the routes join the blueprint)

    app.register_blueprint(bp)
