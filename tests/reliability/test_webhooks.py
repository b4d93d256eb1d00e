"""Urgent flags reach a real HTTP receiver on 127.0.0.1, whatever state it is in."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time

import pytest
import sqlalchemy as sa

from conftest import entry, make_patient
from service import webhooks
from service.extensions import db
from service.models import Flag, WebhookEvent
from webhook_receiver import Receiver

SECRET = "receiver-secret"


@pytest.fixture
def receiver(app):
    rx = Receiver()
    saved = {k: app.config.get(k) for k in ("BACLOWATCH_WEBHOOK_URL", "BACLOWATCH_WEBHOOK_SECRET",
                                             "WEBHOOK_BACKOFF_SECONDS", "BACLOWATCH_ESCALATE_AFTER_MINUTES",
                                             "WEBHOOK_TIMEOUT_SECONDS", "WEBHOOK_LEASE_SECONDS",
                                             "WEBHOOK_CONCURRENCY")}
    app.config.update(BACLOWATCH_WEBHOOK_URL=rx.url, BACLOWATCH_WEBHOOK_SECRET=SECRET, WEBHOOK_BACKOFF_SECONDS=0,
                      BACLOWATCH_ESCALATE_AFTER_MINUTES=15)
    yield rx
    rx.stop()
    app.config.update(saved)


def work_once(runner):
    result = runner.invoke(args=["webhooks", "work", "--once"])
    assert result.exit_code == 0, result.output
    return result


def status(runner) -> dict:
    result = runner.invoke(args=["webhooks", "status"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def verify(delivery: dict) -> dict:
    header = delivery["headers"]["Baclowatch-Signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(SECRET.encode(), f"{parts['t']}.{delivery['body']}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "the signature does not verify"
    return json.loads(delivery["body"])


def test_urgent_flag_arrives_through_refusal_and_500(app, clinician, runner, receiver):
    phone = make_patient(clinician)
    answer = phone.post("/entries", json=entry(symptoms=[{"code": "throat_tightness", "severity": 3}],
                                               note="my lips are swelling"))
    assert answer.status_code == 201
    assert [f["rule"] for f in answer.json["flags"]] == ["anaphylaxis"]
    # The request did not wait for anyone: nothing was sent, the event waits in the outbox.
    assert receiver.received == []
    assert status(runner)["pending"] == 1

    work_once(runner)  # the receiver is down: connection refused
    waiting = status(runner)
    assert waiting["pending"] == 1 and waiting["oldest_pending"]["attempts"] == 1
    assert "Refused" in waiting["oldest_pending"]["last_error"] or "refused" in waiting["oldest_pending"]["last_error"]

    receiver.answer = 500
    receiver.start()
    work_once(runner)
    assert len(receiver.received) == 1 and receiver.delivered() == []
    assert status(runner)["pending"] == 1

    receiver.answer = 302  # a redirect did not take the event, and is not followed
    work_once(runner)
    assert len(receiver.received) == 2 and receiver.followed == []
    assert status(runner)["oldest_pending"]["last_error"] == "HTTP 302"

    receiver.answer = 204
    work_once(runner)
    assert status(runner) == {"pending": 0, "delivered": 1, "failed": 0, "oldest_pending": None}
    delivered = receiver.delivered()
    assert len(delivered) == 1
    body = verify(delivered[0])
    assert delivered[0]["headers"]["Baclowatch-Event-Id"] == body["id"]
    assert body["type"] == "flag.urgent"
    assert body["data"]["rule"] == "anaphylaxis" and body["data"]["severity"] == "urgent"
    assert body["data"]["patient_id"] == phone.id
    assert body["data"]["patient_reference"] == phone.record["reference"]
    assert "lips" not in delivered[0]["body"], "no free text from the patient leaves in a webhook"
    # The same event id on every attempt: the receiver can dedupe.
    assert {r["headers"]["Baclowatch-Event-Id"] for r in receiver.received} == {body["id"]}

    work_once(runner)  # nothing more to send
    assert len(receiver.received) == 3  # the 500, the redirect, the delivery


def test_events_exist_only_for_urgent_flags(app, clinician, receiver):
    phone = make_patient(clinician)
    phone.post("/entries", json=entry(substances=[{"name": "lorazepam", "prescribed": False}]))  # high
    phone.post("/entries", json=entry(note="I want to end it all"))  # urgent (if the note is read)
    phone.post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 2}]))  # urgent
    with app.app_context():
        urgent = db.session.scalars(sa.select(Flag.id).where(Flag.severity == "urgent")).all()
        events = db.session.scalars(sa.select(WebhookEvent)).all()
        assert sorted(e.flag_id for e in events) == sorted(urgent)
        assert {e.type for e in events} == {"flag.urgent"}


def test_a_flag_rising_to_urgent_is_pushed_once(app, receiver):
    from conftest import make_clinician

    clinician = make_clinician(app, app.test_client())
    phone = make_patient(clinician, renal_impairment=False)
    phone.post("/entries", json=entry(symptoms=[{"code": "confusion", "severity": 2}]))  # high
    clinician.patch(f"/patients/{phone.id}", json={"renal_impairment": True})
    phone.post("/entries", json=entry(symptoms=[{"code": "confusion", "severity": 2}]))  # now urgent
    phone.post("/entries", json=entry(symptoms=[{"code": "confusion", "severity": 1}]))  # still urgent
    with app.app_context():
        flag = db.session.scalars(sa.select(Flag).where(Flag.rule == "confusion")).one()
        assert flag.severity == "urgent" and flag.occurrences == 3
        events = db.session.scalars(sa.select(WebhookEvent)).all()
        assert [e.type for e in events] == ["flag.urgent"]


def test_escalation_once_when_left_unacknowledged(app, clinician, runner, receiver):
    receiver.start()
    phone = make_patient(clinician)
    phone.post("/entries", json=entry(symptoms=[{"code": "seizure", "severity": 3}]))
    other = make_patient(clinician)
    other.post("/entries", json=entry(symptoms=[{"code": "seizure", "severity": 3}]))
    work_once(runner)
    assert len(receiver.delivered()) == 2
    with app.app_context():
        # Both flags became urgent 20 minutes ago; one of them has been acknowledged since.
        db.session.execute(sa.update(Flag).values(
            urgent_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)))
        db.session.commit()
    flags = clinician.get("/flags").json["items"]
    acknowledged = next(f for f in flags if f["patient_id"] == other.id)
    assert clinician.post(f"/flags/{acknowledged['id']}/review", json={"action": "acknowledge"}).status_code == 200
    work_once(runner)
    work_once(runner)
    escalated = [verify(r) for r in receiver.delivered() if json.loads(r["body"])["type"] == "flag.escalated"]
    assert len(escalated) == 1
    assert escalated[0]["data"]["patient_id"] == phone.id


def test_a_receiver_down_for_24_hours_fails_the_event_and_retry_brings_it_back(app, clinician, runner, receiver):
    phone = make_patient(clinician)
    phone.post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 3}]))
    with app.app_context():
        db.session.execute(sa.update(WebhookEvent).values(
            give_up_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
        db.session.commit()
    work_once(runner)
    assert status(runner)["failed"] == 1
    work_once(runner)
    assert status(runner)["failed"] == 1, "a failed event waits for a person"
    retried = runner.invoke(args=["webhooks", "retry", "--failed"])
    assert json.loads(retried.output) == {"due_again": 1}
    receiver.start()
    work_once(runner)
    assert status(runner)["delivered"] == 1
    assert len(receiver.delivered()) == 1


def test_backoff_grows_and_is_capped(app):
    with app.app_context():
        app.config["WEBHOOK_BACKOFF_SECONDS"] = 10
        delays = [webhooks.backoff(n) for n in range(1, 15)]
        assert 10 <= delays[0] <= 12.5, "the first retry waits at least the base"
        assert 80 <= delays[3] <= 100
        assert all(d <= 3600 for d in delays) and 2880 <= delays[-1] <= 3600
        capped = {round(webhooks.backoff(20), 3) for _ in range(20)}
        assert len(capped) > 1, "events that failed together do not all retry together"


def test_parallel_workers_never_deliver_one_event_twice(app, clinician, receiver, backend):
    receiver.start()
    for _ in range(12):
        make_patient(clinician).post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 3}]))

    def work():
        with app.app_context():
            webhooks.run_round()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    ids = [r["headers"]["Baclowatch-Event-Id"] for r in receiver.delivered()]
    assert len(ids) == 12
    assert len(set(ids)) == 12, "an event was delivered twice"


def urgent_flags(clinician, count: int) -> list[str]:
    made = []
    for _ in range(count):
        answer = make_patient(clinician).post("/entries", json=entry(
            symptoms=[{"code": "slow_breathing", "severity": 3}]))
        made.append(answer.json["flags"][0]["id"])
    return made


def pending(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).where(WebhookEvent.status == "pending"))
        finally:
            db.session.remove()


def test_a_delivery_slower_than_the_lease_is_made_once(app, clinician, receiver):
    """Two workers, a receiver that takes twice the lease to answer: each event arrives once."""
    app.config.update(WEBHOOK_LEASE_SECONDS=1, WEBHOOK_CONCURRENCY=1)
    receiver.delay = lambda body: 2
    receiver.start()
    urgent_flags(clinician, 3)
    deadline = time.monotonic() + 60

    def work():
        with app.app_context():
            while pending(app) and time.monotonic() < deadline:
                webhooks.run_round()
                time.sleep(0.05)

    first = threading.Thread(target=work)
    first.start()
    while not receiver.arrived and time.monotonic() < deadline:
        time.sleep(0.02)
    second = threading.Thread(target=work)  # starts while the first worker's delivery is under way
    second.start()
    first.join(60)
    second.join(60)
    assert pending(app) == 0
    assert len(receiver.arrived) == 3, f"an event was sent while another worker was delivering it: {receiver.arrived}"
    assert sorted(receiver.delivered_ids()) == sorted(set(receiver.delivered_ids()))
    assert status(app.test_cli_runner())["delivered"] == 3


def test_a_hanging_receiver_holds_up_no_other_event(app, clinician, runner, receiver):
    app.config.update(WEBHOOK_TIMEOUT_SECONDS=3)
    hanging, *others = urgent_flags(clinician, 6)  # the hanging one is the oldest, claimed first
    receiver.hold = lambda body: body["data"]["flag_id"] == hanging
    receiver.start()

    counts = json.loads(work_once(runner).output.strip().splitlines()[-1])

    assert counts["delivered"] == 5 and counts["retrying"] == 1
    assert sorted(receiver.delivered_flags()) == sorted(others)
    abandoned = [n for n, (what, _) in enumerate(receiver.timeline) if what == "abandoned"]
    answered = [n for n, (what, _) in enumerate(receiver.timeline) if what == "answered"]
    assert len(abandoned) == 1 and len(answered) == 5
    assert max(answered) < abandoned[0], "the other events waited for the hanging receiver"
    waiting = status(runner)["oldest_pending"]
    assert waiting["attempts"] == 1 and "timed out" in waiting["last_error"]


def test_work_without_a_default_url_says_only_clinics_receivers_get_events(app, runner):
    saved = app.config.get("BACLOWATCH_WEBHOOK_URL")
    app.config["BACLOWATCH_WEBHOOK_URL"] = None
    try:
        result = runner.invoke(args=["webhooks", "work", "--once"])
    finally:
        app.config["BACLOWATCH_WEBHOOK_URL"] = saved
    assert result.exit_code == 0, result.output  # clinics may have receivers of their own
    assert "BACLOWATCH_WEBHOOK_URL is not set" in result.output
