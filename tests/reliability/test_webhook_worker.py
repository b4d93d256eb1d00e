"""`flask webhooks work` as it runs in production: a process of its own, against a PostgreSQL
server that goes away and comes back, stopped by a signal while a delivery is under way."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import entry, make_clinician, make_patient
from private_postgres import PrivatePostgres
from service import create_app
from service.extensions import db
from service.models import WebhookEvent
from webhook_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: the most any step below may take before the test fails


@pytest.fixture
def server():
    pg = PrivatePostgres()
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()


@pytest.fixture
def receiver():
    rx = Receiver()
    rx.start()
    yield rx
    rx.stop()


def until(condition, what: str, worker=None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) while waiting for {what}", pytrace=False)
        time.sleep(0.1)
    pytest.fail(f"no {what} within {WAIT} s", pytrace=False)


def urgent_flag(clinician) -> str:
    """A new patient's urgent flag (a patient's second match would add to the first flag)."""
    answer = make_patient(clinician).post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 3}]))
    assert answer.status_code == 201, answer.get_json()
    return next(f["id"] for f in answer.json["flags"] if f["severity"] == "urgent")


def event_of(app, flag_id: str) -> uuid.UUID:
    with app.app_context():
        try:
            return db.session.scalars(sa.select(WebhookEvent.id).where(WebhookEvent.flag_id == uuid.UUID(flag_id))).one()
        finally:
            db.session.remove()


def status_of(app, event_id: uuid.UUID) -> tuple[str, int]:
    with app.app_context():
        try:
            event = db.session.get(WebhookEvent, event_id)
            return event.status, event.attempts
        finally:
            db.session.remove()


def start_worker(server, receiver, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=server.url, BACLOWATCH_WEBHOOK_URL=receiver.url, SECRET_KEY="worker-test",
               WEBHOOK_BACKOFF_SECONDS="1")
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "service", "webhooks", "work",
                                   "--interval", "0.2"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return worker, log


def test_the_worker_rides_out_a_database_outage_and_stops_after_its_delivery(server, receiver, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": server.url, "SECRET_KEY": "worker-test",
                      "BACLOWATCH_WEBHOOK_URL": receiver.url})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    clinician = make_clinician(app, app.test_client())
    worker, log = start_worker(server, receiver, tmp_path)
    try:
        before = urgent_flag(clinician)
        until(lambda: before in receiver.delivered_flags(), "delivery before the outage", worker)

        # The database goes away while a slow receiver holds a delivery, for 10 s.
        receiver.delay = lambda body: 2
        during = event_of(app, urgent_flag(clinician))
        until(lambda: str(during) in receiver.arrived, "delivery under way", worker)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # this process's own connections are not what the test is about
        server.stop()
        away = time.monotonic()
        while time.monotonic() - away < 10:
            assert worker.poll() is None, f"the worker died with the database away:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
        server.start()
        receiver.delay = lambda body: 0

        after = urgent_flag(clinician)
        until(lambda: after in receiver.delivered_flags(), "delivery after the outage", worker)
        assert "database is not answering" in log.read_text(), "the outage is not in the worker's log"
        # The delivery that finished while the database was away is recorded, not sent again.
        until(lambda: status_of(app, during) == ("delivered", 1), "the record of the delivery made during the outage",
              worker)
        assert receiver.arrived.count(str(during)) == 1

        # Stopped while a slow receiver holds a delivery: that delivery ends, once, and is recorded.
        receiver.delay = lambda body: 3 if body["type"] == "flag.urgent" else 0
        last_event = event_of(app, urgent_flag(clinician))
        until(lambda: str(last_event) in receiver.arrived, "delivery under way", worker)
        worker.send_signal(signal.SIGTERM)
        worker.wait(WAIT)
        assert worker.returncode == 0, log.read_text()[-3000:]
        assert receiver.delivered_ids().count(str(last_event)) == 1
        assert receiver.arrived.count(str(last_event)) == 1
        assert status_of(app, last_event) == ("delivered", 1)
        with app.app_context():
            counts = json.loads(app.test_cli_runner().invoke(args=["webhooks", "status"]).output)
            assert counts["pending"] == 0 and counts["delivered"] == 4
            db.session.remove()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(WAIT)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
