"""Baclowatch: symptom monitoring for people treated with baclofen for alcohol use disorder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from . import config as settings
from . import web


def _secret_key(instance_path: str) -> str:
    # Cursors and sessions must verify on every worker and across restarts, so a key
    # that was not configured is made once and kept in the instance folder.
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    """Make the Baclowatch app; `config` overrides the settings the environment gives."""
    app = Flask(__name__, instance_relative_config=True)
    app.json.sort_keys = False  # answers keep the order of their schemas
    app.config.update(settings.FIXED)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    if app.config["TRUSTED_PROXIES"]:
        # Rate limits count per client address: behind a proxy that is the forwarded one, taken
        # from the proxies' own entries only (a client can write X-Forwarded-For too).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import models  # noqa: F401  (the models must be known before migrate and api)
    from .api import register_api
    from .clinic import register_clinic
    from .cli import register_cli
    from .db import enable_sqlite_pragmas
    from .extensions import db, migrate
    from .rules import semantic

    semantic.configure(app.config["NOTE_MODEL_PATH"], app.config["NOTE_MODEL_THREADS"])

    db.init_app(app)
    enable_sqlite_pragmas(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    web.register(app)
    register_api(app)
    register_clinic(app)
    register_cli(app)
    return app
