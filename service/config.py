"""Settings, read from the environment once when the app is made."""
from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def from_environment(instance_path: str) -> dict:
    """Return the settings the environment gives, with the embedded defaults."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'baclowatch.db')}"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        # Hosting platforms hand out libpq URLs; psycopg 3 is our driver.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "BACLOWATCH_WEBHOOK_URL": os.environ.get("BACLOWATCH_WEBHOOK_URL"),
        "BACLOWATCH_WEBHOOK_SECRET": os.environ.get("BACLOWATCH_WEBHOOK_SECRET"),
        "BACLOWATCH_ESCALATE_AFTER_MINUTES": _int("BACLOWATCH_ESCALATE_AFTER_MINUTES", 15),
        "WEBHOOK_BACKOFF_SECONDS": _int("WEBHOOK_BACKOFF_SECONDS", 10),
        "WEBHOOK_TIMEOUT_SECONDS": _int("WEBHOOK_TIMEOUT_SECONDS", 10),
        "WEBHOOK_LEASE_SECONDS": _int("WEBHOOK_LEASE_SECONDS", 60),
        "WEBHOOK_CONCURRENCY": _int("WEBHOOK_CONCURRENCY", 4),
        # How many proxies in front append to X-Forwarded-For (and set X-Forwarded-Proto): the
        # client address is the one the outermost of them saw. 0: the peer is the client.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "RATELIMIT_ENROLL": os.environ.get("RATELIMIT_ENROLL", "10 per minute"),
        "RATELIMIT_PATIENT": os.environ.get("RATELIMIT_PATIENT", "120 per minute"),
        "RATELIMIT_CLINICIAN": os.environ.get("RATELIMIT_CLINICIAN", "600 per minute"),
        # The note reader's sentence encoder (ONNX): by default the one in service/rules/models/.
        # Threads: ONNX Runtime's, per worker process.
        "NOTE_MODEL_PATH": os.environ.get("NOTE_MODEL_PATH") or None,
        "NOTE_MODEL_THREADS": _int("NOTE_MODEL_THREADS", 2),
    }


# Fixed settings: the contract of SPEC.md, not something a deployment tunes.
FIXED = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Errors and logs never carry SQL parameters: they would hold patients' notes.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "API_TITLE": "Baclowatch",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    # The document and its interactive reference, served without a token; the reference's
    # script and styles come from the installed flask-swagger-ui package, served by the app at
    # OPENAPI_SWAGGER_UI_URL (service/api/reference.py), never from another host.
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
}
