"""Fixtures: the app on real SQLite and real PostgreSQL, built by migrations, emptied after each test."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from service import create_app
from throwaway_database import make_database
from service.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("BACLOWATCH_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The zone of every test patient that does not name its own. Set it far from UTC
# (Pacific/Kiritimati is UTC+14, Pacific/Pago_Pago UTC-11) to show that no test takes the
# server's day for the patient's.
PATIENT_ZONE = os.environ.get("BACLOWATCH_TEST_TIMEZONE", "UTC")
ZoneInfo(PATIENT_ZONE)  # a misspelt zone fails the run here, not in a hundred tests
# Set by tests/at-time. libfaketime shifts the deadlines of sleeps and socket waits as well as the
# time of day, which breaks servers and waits (EINVAL, or hours of sleep) but none of them judges a
# day: tests that serve the app over a socket run in the ordinary pass only.
FAKED_CLOCK = os.environ.get("BACLOWATCH_FAKED_CLOCK")
SERVING_FIXTURES = {"served", "gunicorn_served"}


def pytest_collection_modifyitems(config, items):
    if not FAKED_CLOCK:
        return
    serving = [item for item in items if SERVING_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if serving:
        config.hook.pytest_deselected(items=serving)
        items[:] = [item for item in items if item not in serving]


def _postgres_or_skip() -> sa.Engine:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        reason = f"PostgreSQL is not reachable at {PG_ADMIN_URL.split('@')[-1]} ({error.orig.__class__.__name__})"
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run", pytrace=False)
        pytest.skip(reason)
    return engine


class Databases:
    """One migrated database per backend for the whole run, made on first use."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.apps: dict[str, object] = {}
        self.cleanup: list = []

    def url(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp.mktemp('sqlite') / 'test.db'}"
        name, drop = make_database(_postgres_or_skip(), "baclowatch_test")
        self.cleanup.append(drop)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def app(self, backend: str):
        if backend not in self.apps:
            app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": self.url(backend),
                              "SECRET_KEY": "test-secret"})
            result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            self.apps[backend] = app
        return self.apps[backend]

    def close(self):
        for app in self.apps.values():
            with app.app_context():
                db.engine.dispose()
        for drop in self.cleanup:
            drop()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory)
    yield dbs
    dbs.close()


def empty_all_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def app(request, databases):
    """The app on one backend; every row a test wrote is gone after it."""
    app = databases.app(request.param)
    yield app
    empty_all_tables(app)


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URL of a database of the test's own with no tables yet, on each backend; dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/own.db"
        return
    name, drop = make_database(_postgres_or_skip(), "baclowatch_own")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        drop()


@contextlib.contextmanager
def app_at_head(url: str, **config):
    """The app on `url`, migrated to head, for a test that may migrate it down and up."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": url, **config})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def served(app):
    """The app behind a real threaded HTTP server on 127.0.0.1; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def gunicorn_served(app, tmp_path):
    """The app served by gunicorn with its own settings (one worker) on 127.0.0.1.

    Yields (port, log path). gunicorn, not Werkzeug, decodes chunked bodies in production,
    with errors of its own; tests of what reaches the app from the wire use this.
    """
    import contextlib
    import http.client
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"],
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", REDIS_URL="", RATELIMIT_PATIENT="10000 per minute",
               RATELIMIT_CLINICIAN="10000 per minute", RATELIMIT_ENROLL="10000 per minute")
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf",
                                    "service:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):  # up to a minute on a busy machine
            assert process.poll() is None, log_path.read_text()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            with contextlib.suppress(OSError, http.client.HTTPException), contextlib.closing(conn):
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer:\n" + log_path.read_text())
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def backend(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ------------------------------------------------------------------ callers


class Caller:
    """A test client that speaks as one token, under /api/v1."""

    def __init__(self, client, token: str | None, **info):
        self.client = client
        self.token = token
        self.__dict__.update(info)

    def _headers(self, headers):
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def open(self, method, path, headers=None, **kwargs):
        return self.client.open("/api/v1" + path, method=method, headers=self._headers(headers), **kwargs)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def patch(self, path, **kw):
        return self.open("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.open("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


def make_clinician(app, client, email=None, name="Dr Test") -> Caller:
    email = email or f"clin-{uuid.uuid4().hex[:8]}@example.org"
    result = app.test_cli_runner().invoke(args=["clinicians", "create", email, "--name", name])
    assert result.exit_code == 0, result.output
    import json

    made = json.loads(result.output.strip().splitlines()[-1])
    return Caller(client, made["token"], id=made["id"], email=email)


def make_patient(clinician: Caller, **fields) -> Caller:
    """Create a patient through the API and enrol a phone; return the phone's caller."""
    zone = fields.get("timezone", PATIENT_ZONE)
    body = {"reference": f"P-{uuid.uuid4().hex[:8]}", "timezone": zone,
            "treatment_start": (local_today(zone) - dt.timedelta(days=40)).isoformat()}
    body.update(fields)
    created = clinician.post("/patients", json=body)
    assert created.status_code == 201, created.get_json()
    enrolled = clinician.client.post("/api/v1/enroll", json={"code": created.json["enrollment"]["code"],
                                                             "device_name": "test phone"})
    assert enrolled.status_code == 201, enrolled.get_json()
    return Caller(clinician.client, enrolled.json["token"], id=created.json["id"], record=created.json)


@pytest.fixture
def clinician(app, client) -> Caller:
    return make_clinician(app, client)


@pytest.fixture
def other_clinician(app, client) -> Caller:
    return make_clinician(app, client, name="Dr Other")


@pytest.fixture
def patient(clinician) -> Caller:
    return make_patient(clinician, prescription={"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"})


# ------------------------------------------------------------------ time
#
# A test's times come from a fixed time of day on a recent day, never from "now minus N days":
# ten hourly entries from two days ago straddle midnight when the tests run in the evening.
# Only "a minute ago" (the default recorded_at) follows the wall clock, for tests about now.


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def local_today(zone: str = PATIENT_ZONE) -> dt.date:
    """The day it is now in the zone: a patient's today."""
    return now_utc().astimezone(ZoneInfo(zone)).date()


def at_local(day: dt.date, hour: int = 12, minute: int = 0, zone: str = PATIENT_ZONE) -> dt.datetime:
    """The time at hour:minute of this day in the zone."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def days_ago_at(days_ago: int, hour: int = 12, minute: int = 0, zone: str = PATIENT_ZONE) -> dt.datetime:
    """The time at hour:minute in the zone, `days_ago` of its days before its today.

    Whatever the hour the tests run at, it falls on that local day and the API takes it as an
    entry's time: before today, so never ahead of the clock, and within the last 90 days.
    """
    if not 1 <= days_ago <= 89:
        raise ValueError("days_ago must be 1 to 89: today's hour may be still to come, and an entry "
                         "may be at most 90 days old")
    return at_local(local_today(zone) - dt.timedelta(days=days_ago), hour, minute, zone)


def answered(instrument: str, answers: list, **fields) -> dict:
    """A questionnaire response body: a fresh client_id, answered a minute ago."""
    return {"client_id": str(uuid.uuid4()), "instrument": instrument, "answers": answers,
            "answered_at": (now_utc() - dt.timedelta(minutes=1)).isoformat(), **fields}


def entry(**fields) -> dict:
    """An entry body: a fresh client_id, recorded a minute ago, with the given fields."""
    body = {"client_id": str(uuid.uuid4()), "recorded_at": (now_utc() - dt.timedelta(minutes=1)).isoformat()}
    body.update(fields)
    if len(body) == 2:
        body["craving"] = 3
    return body
