"""An acknowledged entry is stored; a failure stores nothing by halves; migrations keep data."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa


from conftest import days_ago_at, entry, make_patient
from service import create_app
from service.extensions import db
from service.models import Dose, Entry, Flag, Occurrence

from reliability_kit import FailingWrites


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Entry, Dose, Flag, Occurrence)}


@pytest.mark.parametrize("table", ["doses", "flag_occurrences"])
def test_a_failed_write_mid_batch_stores_nothing_and_the_retry_stores_all(app, clinician, table):
    """The batch's entries are written, then a later write fails: nothing of the batch remains."""
    phone = make_patient(clinician)
    start = days_ago_at(2, hour=8)  # ten hours of one local day: one drinking day, whenever the test runs
    bodies = [entry(recorded_at=(start + dt.timedelta(hours=n)).isoformat(), doses=[{"amount_mg": 10}],
                    alcohol_drinks=1) for n in range(10)]
    with FailingWrites(app, table):
        answer = phone.post("/entries/batch", json={"entries": bodies})
    assert answer.status_code == 503
    assert answer.content_type == "application/problem+json"
    assert answer.headers["Retry-After"]
    assert counts(app) == {"Entry": 0, "Dose": 0, "Flag": 0, "Occurrence": 0}, "nothing was acknowledged"
    retried = phone.post("/entries/batch", json={"entries": bodies})
    assert [r["status"] for r in retried.json["results"]] == ["created"] * 10
    stored = counts(app)
    assert stored["Entry"] == 10 and stored["Dose"] == 10
    assert stored["Flag"] == 1 and stored["Occurrence"] == 10  # alcohol with baclofen, every entry counted


def test_an_entry_is_never_stored_without_its_judgement(app, clinician):
    phone = make_patient(clinician)
    body = entry(symptoms=[{"code": "difficulty_breathing", "severity": 3}])
    with FailingWrites(app, "flags"):
        answer = phone.post("/entries", json=body)
    assert answer.status_code == 503
    assert counts(app)["Entry"] == 0, "an entry stored but not judged would be a missed warning sign"
    again = phone.post("/entries", json=body)
    assert again.status_code == 201
    assert [f["rule"] for f in again.json["flags"]] == ["anaphylaxis"]


def test_every_acknowledged_entry_is_there_afterwards(app, clinician):
    phone = make_patient(clinician)
    acknowledged = []
    for n in range(20):
        body = entry(craving=n % 11)
        with FailingWrites(app, "entries", allow=0 if n % 4 == 0 else 99):
            answer = phone.post("/entries", json=body)
        if answer.status_code in (200, 201):
            acknowledged.append(answer.json["id"])
        else:
            assert answer.status_code == 503
    listed = {item["id"] for item in phone.get("/entries?limit=200").json["items"]}
    assert len(acknowledged) == 15
    assert set(acknowledged) == listed


def test_migrations_run_forward_on_a_database_with_data(tmp_path):
    """A database at the first migration, with a clinician, a patient and an entry, goes to head."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.db"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0001"]).exit_code == 0
    clinician_id, patient_id, entry_id = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO clinicians (id, email, name, created_at) VALUES (:i, 'o@x.org', 'O', :t)"),
                         {"i": clinician_id, "t": now})
            conn.execute(sa.text(
                "INSERT INTO patients (id, clinician_id, reference, timezone, treatment_start, renal_impairment,"
                " depression, anxiety, created_at, updated_at) VALUES (:p, :c, 'OLD-1', 'UTC', '2026-10-01',"
                " 0, 0, 0, :t, :t)"), {"p": patient_id, "c": clinician_id, "t": now})
            conn.execute(sa.text(
                "INSERT INTO entries (id, patient_id, client_id, body, body_hash, recorded_at, local_date,"
                " received_at, craving) VALUES (:e, :p, :c, '{}', 'h', :t, '2026-11-20', :t, 9)"),
                {"e": entry_id, "p": patient_id, "c": uuid.uuid4().hex, "t": now})
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Entry.craving).where(Entry.id == uuid.UUID(entry_id))) == 9
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 0
    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
