"""An acknowledged entry is stored; a failure stores nothing by halves; migrations keep data."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa


from conftest import app_at_head, days_ago_at, entry, make_clinician, make_patient
from service import create_app
from service.extensions import db
from service.models import Dose, Entry, Flag, Occurrence, Review, WebhookEvent

from reliability_kit import FailingCommits, FailingWrites


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


@pytest.fixture
def fresh_app(empty_database):
    """The app on a database of its own, at head, that the test may migrate down."""
    with app_at_head(empty_database, BACLOWATCH_WEBHOOK_URL="http://127.0.0.1:9/hooks") as app:
        yield app


def revision(app) -> str:
    with app.app_context():
        with db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def test_a_downgrade_that_would_drop_reviews_refuses_unless_forced(fresh_app, monkeypatch, caplog):
    app, runner = fresh_app, fresh_app.test_cli_runner()
    clinician = make_clinician(app, app.test_client())
    phone = make_patient(clinician)
    answer = phone.post("/entries", json=entry(symptoms=[{"code": "throat_tightness", "severity": 3}]))
    flag = answer.json["flags"][0]
    assert clinician.post(f"/flags/{flag['id']}/review", json={"action": "acknowledge"}).status_code == 200
    with app.app_context():  # as if it had all come in two days ago
        db.session.execute(sa.update(Entry).values(
            received_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)))
        db.session.commit()
    head, before = revision(app), counts(app)

    refused = runner.invoke(args=["db", "downgrade", "base"])

    assert refused.exit_code != 0
    assert "webhook_events (1 rows)" in caplog.text and "force=1" in caplog.text, caplog.text
    # PostgreSQL rolls the whole downgrade back; SQLite keeps the steps before the refusal, which
    # dropped only empty tables (any data would have stopped them).
    assert revision(app) == (head if "postgresql" in str(app.config["SQLALCHEMY_DATABASE_URI"]) else "0003")
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 1
        db.session.remove()

    monkeypatch.setenv("BACLOWATCH_ALLOW_DATA_LOSS", "1")
    assert runner.invoke(args=["db", "downgrade", "0002"]).exit_code == 0  # the outbox goes
    monkeypatch.delenv("BACLOWATCH_ALLOW_DATA_LOSS")
    assert runner.invoke(args=["db", "downgrade", "0001"]).exit_code != 0, "the reviews are still there"
    forced = runner.invoke(args=["db", "downgrade", "-x", "force=1", "0001"])
    assert forced.exit_code == 0, forced.output
    assert revision(app) == "0001"

    # Back up and re-judged: the flag is back in the queue, and nobody is paged for a two-day-old sign.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(sa.select(Flag.severity)).all() == ["urgent"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 0
        db.session.remove()


def test_a_downgrade_over_empty_tables_needs_no_force(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def _commit_refusals(backend: str) -> list[str]:
    # PostgreSQL: a constraint (IntegrityError), a serialization failure and a connection lost at
    # COMMIT (OperationalError).
    return ["23514", "40001", "lost"] if backend == "postgresql" else ["foreign key"]


def test_a_commit_the_database_refuses_is_503_and_stores_nothing(app, backend, clinician):
    phone = make_patient(clinician)
    for sqlstate in _commit_refusals(backend):
        body = entry(alcohol_drinks=2, doses=[{"amount_mg": 10}])
        with FailingCommits(app, "entries", sqlstate):
            answer = phone.post("/entries", json=body)
            batch = phone.post("/entries/batch", json={"entries": [entry(craving=2), entry(craving=3)]})
        for refused in (answer, batch):
            assert refused.status_code == 503, (sqlstate, refused.status_code, refused.get_data(as_text=True))
            assert refused.content_type == "application/problem+json"
            assert refused.headers["Retry-After"]
            assert "refused at commit" not in refused.get_data(as_text=True)
        assert counts(app) == {"Entry": 0, "Dose": 0, "Flag": 0, "Occurrence": 0}, sqlstate
        again = phone.post("/entries", json=body)
        assert again.status_code == 201, "the retry is stored"
        with app.app_context():
            db.session.execute(sa.delete(Occurrence))
            db.session.execute(sa.delete(Flag))
            db.session.execute(sa.delete(Dose))
            db.session.execute(sa.delete(Entry))
            db.session.commit()


def test_a_patient_whose_commit_is_refused_is_not_enrolled(app, backend, clinician):
    body = {"reference": "P-COMMIT", "treatment_start": "2026-11-01"}
    with FailingCommits(app, "patients", _commit_refusals(backend)[0]):
        answer = clinician.post("/patients", json=body)
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.headers["Retry-After"]
    assert clinician.get("/patients").json["items"] == []
    assert clinician.post("/patients", json=body).status_code == 201


def test_stored_references_take_their_normal_form_without_a_clash(empty_database, caplog):
    """References stored before normalisation: each takes its normal form unless another patient of
    the same clinician has it; the upgrade never fails, and names the patients left as they were."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0004"]).exit_code == 0
    clinicians = sa.table("clinicians", sa.column("id", sa.Uuid), sa.column("email"), sa.column("name"),
                          sa.column("created_at", sa.DateTime))
    patients = sa.table("patients", *(sa.column(c, sa.Uuid) for c in ("id", "clinician_id")),
                        *(sa.column(c) for c in ("reference", "timezone", "treatment_start", "renal_impairment",
                                                 "depression", "anxiety")),
                        *(sa.column(c, sa.DateTime) for c in ("created_at", "updated_at")))
    one, two = uuid.uuid4(), uuid.uuid4()
    start = dt.datetime(2026, 11, 1, 9, 0)
    stored = [(one, "P-1"), (one, " P-1 "), (one, "ＰＸ-２"), (one, " Q"), (one, "Q "), (one, "Zoe\u0301"),
              (one, "P\u200b9"), (one, "\u3000"), (two, " P-1")]
    ids = [uuid.uuid4() for _ in stored]
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.insert(clinicians), [{"id": c, "email": f"{c.hex}@x.org", "name": "O", "created_at": start}
                                                 for c in (one, two)])
            conn.execute(sa.insert(patients), [
                {"id": pid, "clinician_id": c, "reference": ref, "timezone": "UTC",
                 "treatment_start": dt.date(2026, 10, 1), "renal_impairment": False, "depression": False,
                 "anxiety": False, "created_at": start + dt.timedelta(minutes=n), "updated_at": start}
                for n, (pid, (c, ref)) in enumerate(zip(ids, stored))])
    with caplog.at_level("WARNING"):
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = dict(db.session.execute(sa.select(patients.c.id, patients.c.reference)).all())
        db.session.remove()
        db.engine.dispose()
    assert [now[pid] for pid in ids] == ["P-1", " P-1 ", "PX-2", "Q", "Q ", "Zoé", "P\u200b9", "\u3000", "P-1"]
    left = {ids[1], ids[4], ids[6], ids[7]}
    warned = "\n".join(record.getMessage() for record in caplog.records)
    assert all(str(pid) in warned for pid in left), warned
    assert not any(str(pid) in warned for pid in set(ids) - left), warned
