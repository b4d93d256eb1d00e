"""A clinic's own webhook receiver: its patients' urgent flags go there, signed with its secret,
and every other clinic's still go to the default receiver."""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_helpers import clinic, member
from conftest import entry, make_patient

from service.extensions import db
from service.models import Clinic, WebhookEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
from webhook_receiver import Receiver  # noqa: E402

URGENT = entry(symptoms=[{"code": "throat_tightness", "severity": 3}])
CLINIC_SECRET = "clinic-secret-7f3a9c1e"
DEFAULT_SECRET = "default-secret"


@pytest.fixture
def receivers(app):
    saved = {k: app.config.get(k) for k in ("BACLOWATCH_WEBHOOK_URL", "BACLOWATCH_WEBHOOK_SECRET",
                                             "WEBHOOK_BACKOFF_SECONDS")}
    clinics_own, default = Receiver(), Receiver()
    clinics_own.start()
    default.start()
    app.config.update(BACLOWATCH_WEBHOOK_URL=default.url, BACLOWATCH_WEBHOOK_SECRET=DEFAULT_SECRET,
                      WEBHOOK_BACKOFF_SECONDS=0)
    yield clinics_own, default
    clinics_own.stop()
    default.stop()
    app.config.update(saved)


def _signed_by(delivery: dict, secret: str) -> bool:
    parts = dict(part.split("=", 1) for part in delivery["headers"]["Baclowatch-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{delivery['body']}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts["v1"], expected)


def _work(app) -> None:
    result = app.test_cli_runner().invoke(args=["webhooks", "work", "--once"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def riverside(app, client):
    made = clinic(app)
    return {"admin": member(app, client, made, role="admin", name="Ada Admin"),
            "prescriber": member(app, client, made, name="Pat Rx")}


def test_the_secret_is_never_shown_and_not_stored_as_given(app, riverside):
    admin = riverside["admin"]
    assert admin.get("/clinic/webhook").json == {"url": None, "secret_set": False, "updated_at": None}
    put = admin.put("/clinic/webhook", json={"url": "https://hooks.example.org/in", "secret": CLINIC_SECRET})
    assert put.status_code == 200, put.get_json()
    assert put.json["url"] == "https://hooks.example.org/in" and put.json["secret_set"] is True
    assert CLINIC_SECRET not in put.get_data(as_text=True)
    assert CLINIC_SECRET not in admin.get("/clinic/webhook").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(sa.select(Clinic.webhook_secret).where(Clinic.webhook_url.is_not(None))).one()
    assert stored and CLINIC_SECRET not in stored


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://hooks.example.org/in", "secret": CLINIC_SECRET}, "url"),
    ({"url": "not a url", "secret": CLINIC_SECRET}, "url"),
    ({"url": "https://hooks.example.org/in"}, "secret"),
    ({"url": "https://hooks.example.org/in", "secret": ""}, "secret"),
])
def test_a_bad_receiver_is_refused_at_its_field_and_nothing_changes(riverside, body, field):
    answer = riverside["admin"].put("/clinic/webhook", json=body)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert riverside["admin"].get("/clinic/webhook").json["url"] is None


def test_a_clinics_events_go_to_its_own_receiver_and_the_others_to_the_default(app, client, clinician,
                                                                                riverside, receivers):
    own, default = receivers
    assert riverside["admin"].put("/clinic/webhook", json={"url": own.url, "secret": CLINIC_SECRET}).status_code == 200
    ours = make_patient(riverside["prescriber"])
    theirs = make_patient(clinician)  # a clinician of another clinic, with no receiver of its own
    assert ours.post("/entries", json=URGENT).status_code == 201
    assert theirs.post("/entries", json=URGENT).status_code == 201
    _work(app)
    assert len(own.received) == 1 and len(default.received) == 1
    assert _signed_by(own.received[0], CLINIC_SECRET) and not _signed_by(own.received[0], DEFAULT_SECRET)
    assert _signed_by(default.received[0], DEFAULT_SECRET)
    assert json.loads(own.received[0]["body"])["data"]["patient_id"] == ours.id
    assert json.loads(default.received[0]["body"])["data"]["patient_id"] == theirs.id


def test_a_clinic_receiver_alone_is_enough_and_removing_it_stops_new_events(app, riverside, receivers):
    own, _ = receivers
    app.config["BACLOWATCH_WEBHOOK_URL"] = None
    admin = riverside["admin"]
    assert admin.put("/clinic/webhook", json={"url": own.url, "secret": CLINIC_SECRET}).status_code == 200
    phone = make_patient(riverside["prescriber"])
    assert phone.post("/entries", json=URGENT).status_code == 201
    _work(app)
    assert len(own.received) == 1 and _signed_by(own.received[0], CLINIC_SECRET)

    assert admin.delete("/clinic/webhook").status_code == 204
    assert admin.get("/clinic/webhook").json["url"] is None
    other = make_patient(riverside["prescriber"])
    assert other.post("/entries", json=URGENT).status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 1  # no receiver: no event


def test_a_waiting_event_goes_where_the_clinic_says_when_it_is_sent(app, riverside, receivers):
    own, default = receivers
    phone = make_patient(riverside["prescriber"])
    assert phone.post("/entries", json=URGENT).status_code == 201  # recorded while only the default exists
    put = riverside["admin"].put("/clinic/webhook", json={"url": own.url, "secret": CLINIC_SECRET})
    assert put.status_code == 200
    _work(app)
    assert len(own.received) == 1 and default.received == []


def test_a_secret_sealed_under_another_secret_key_is_not_sent_unsigned(app, riverside, receivers):
    own, _ = receivers
    assert riverside["admin"].put("/clinic/webhook", json={"url": own.url, "secret": CLINIC_SECRET}).status_code == 200
    phone = make_patient(riverside["prescriber"])
    assert phone.post("/entries", json=URGENT).status_code == 201
    saved = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another key"
    try:
        _work(app)
    finally:
        app.config["SECRET_KEY"] = saved
    assert own.received == []
    status = json.loads(app.test_cli_runner().invoke(args=["webhooks", "status"]).output)
    assert status["pending"] == 1 and "SECRET_KEY" in status["oldest_pending"]["last_error"]
    _work(app)  # the key is back: it goes, signed
    assert len(own.received) == 1 and _signed_by(own.received[0], CLINIC_SECRET)
