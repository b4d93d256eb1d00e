"""When the rate-limit store (Redis) goes away, entries are still stored and limits stay per worker.

Each test runs a Redis of its own on a free port, so it can stop and restart it.
"""
from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from conftest import IN_CI, entry
from service.extensions import db
from service.models import Entry
from test_rate_limits import limited_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A throwaway redis-server on 127.0.0.1, nothing saved to disk."""

    def __init__(self, directory):
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: whether it answers now, not seconds of redis-py's backoff later.
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0))

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.directory),
                        "--logfile", str(self.directory / "redis.log")], check=True)
        deadline = time.monotonic() + 30
        while not self.answers():
            assert time.monotonic() < deadline, "the test's redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        deadline = time.monotonic() + 30
        while self.answers():
            assert time.monotonic() < deadline, "the test's redis-server did not stop"
            time.sleep(0.05)

    def answers(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.exceptions.RedisError:
            return False


@pytest.fixture
def own_redis(tmp_path):
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        reason = "redis-server is not installed"
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the Redis tests must run", pytrace=False)
        pytest.skip(reason)
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.answers():
        server.stop()


def _phone(app) -> tuple[object, dict]:
    runner, client = app.test_cli_runner(), app.test_client()
    made = runner.invoke(args=["clinicians", "create", f"c-{uuid.uuid4().hex[:6]}@example.org", "--name", "C"])
    token = json.loads(made.output.strip().splitlines()[-1])["token"]
    created = client.post("/api/v1/patients", json={"reference": "R", "treatment_start": "2026-01-01"},
                          headers={"Authorization": f"Bearer {token}"})
    enrolled = client.post("/api/v1/enroll", json={"code": created.json["enrollment"]["code"]})
    assert enrolled.status_code == 201, enrolled.json
    return client, {"Authorization": f"Bearer {enrolled.json['token']}"}


def _stored(app, client_id: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Entry)
                                 .where(Entry.client_id == uuid.UUID(client_id)))


def _counters_in_redis(server: OwnRedis, app) -> list:
    return server.client().keys(f"*{app.config['RATELIMIT_KEY_PREFIX']}*")


def test_entries_are_stored_while_the_store_is_away_and_counts_return_to_it(tmp_path, own_redis, caplog):
    caplog.set_level(logging.INFO)
    app = limited_app(tmp_path, REDIS_URL=own_redis.url, RATELIMIT_PATIENT="4 per minute")
    client, auth = _phone(app)
    before = client.post("/api/v1/entries", json=entry(), headers=auth)
    assert before.status_code == 201
    assert _counters_in_redis(own_redis, app), "the counters are not in Redis"

    own_redis.stop()
    body = entry()
    during = client.post("/api/v1/entries", json=body, headers=auth)
    assert during.status_code == 201, during.json
    assert _stored(app, body["client_id"]) == 1
    assert "Retry-After" not in during.headers
    assert during.headers["X-RateLimit-Limit"] == "4"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json == {"status": "degraded",
                           "checks": {"database": "ok", "rate_limit_store": "unavailable"}}
    # The limits still hold, counted by this worker alone.
    statuses = [client.post("/api/v1/entries", json=entry(), headers=auth).status_code for _ in range(4)]
    assert statuses[-1] == 429, statuses
    refused = client.post("/api/v1/entries", json=entry(), headers=auth)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    falling_back = [r for r in caplog.records if "falling back" in r.getMessage()]
    assert len(falling_back) == 1, "the outage is logged once, not on every request"

    own_redis.start()
    assert client.get("/healthz").json == {"status": "ok"}
    # The limiter looks at the store again by itself, backing off between looks (seconds, then
    # tens of seconds): the phone, refused by this worker's counts, is served once it has.
    deadline = time.monotonic() + 90
    while True:
        answer = client.post("/api/v1/entries", json=entry(), headers=auth)
        if answer.status_code == 201:
            break
        assert answer.status_code == 429
        assert time.monotonic() < deadline, "the limiter never went back to Redis"
        time.sleep(0.5)
    assert _counters_in_redis(own_redis, app), "the counts did not go back to Redis"


def test_an_entry_is_answered_when_the_store_goes_away_in_the_middle_of_it(tmp_path, own_redis):
    """The store answers the limit's check, then is gone before the answer gets its headers."""
    app = limited_app(tmp_path, REDIS_URL=own_redis.url)
    client, auth = _phone(app)
    with app.app_context():
        engine = db.engine

    def stop_redis(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO ENTRIES"):
            own_redis.stop()

    event.listen(engine, "before_cursor_execute", stop_redis)
    try:
        body = entry()
        answer = client.post("/api/v1/entries", json=body, headers=auth)
    finally:
        event.remove(engine, "before_cursor_execute", stop_redis)
    assert answer.status_code == 201, answer.json
    assert _stored(app, body["client_id"]) == 1
    again = client.post("/api/v1/entries", json=body, headers=auth)
    assert again.status_code in (200, 201)
    assert _stored(app, body["client_id"]) == 1, "sent again, it is stored once"


def test_a_failed_enrollment_is_answered_when_the_store_goes_away(tmp_path, own_redis):
    """Failed enrollments count after the answer is made: that count must not turn a 401 into a 500."""
    app = limited_app(tmp_path, REDIS_URL=own_redis.url)
    client = app.test_client()
    assert client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"}).status_code == 401
    own_redis.stop()
    assert client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"}).status_code == 401


def test_healthz_says_ok_with_the_store_up(tmp_path, own_redis):
    app = limited_app(tmp_path, REDIS_URL=own_redis.url)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}
