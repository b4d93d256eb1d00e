"""The upgrade to clinics and care teams, on a database made by the revision before it, with rows."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from conftest import Caller, app_at_head

from service import auth, create_app
from service.extensions import db

BEFORE = "0007"


def _backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _made_before(url: str, backend: str) -> dict:
    """Two clinicians, each with a token, a patient and its entries, stored at revision 0007."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": url})
    assert app.test_cli_runner().invoke(args=["db", "upgrade", BEFORE]).exit_code == 0
    key = (lambda u: u.hex) if backend == "sqlite" else (lambda u: u)
    now = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone.utc)
    at = (lambda t: t.replace(tzinfo=None)) if backend == "sqlite" else (lambda t: t)
    made = {}
    with app.app_context(), db.engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn, only=["clinicians", "clinician_tokens", "patients", "entries"])
        clinicians, tokens, patients, entries = (tables.tables[n] for n in
                                                 ("clinicians", "clinician_tokens", "patients", "entries"))
        for who in ("ana", "ben"):
            clinician, patient = uuid.uuid4(), uuid.uuid4()
            token = f"{auth.CLINICIAN_PREFIX}{uuid.uuid4().hex}"
            conn.execute(clinicians.insert().values(id=key(clinician), email=f"{who}@example.org", name=f"Dr {who}",
                                                    created_at=at(now)))
            conn.execute(tokens.insert().values(id=key(uuid.uuid4()), clinician_id=key(clinician),
                                                token_hash=auth.digest(token), created_at=at(now)))
            conn.execute(patients.insert().values(
                id=key(patient), clinician_id=key(clinician), reference=f"REF-{who}", timezone="Europe/Paris",
                treatment_start=dt.date(2026, 10, 1), renal_impairment=False, depression=False, anxiety=False,
                created_at=at(now), updated_at=at(now)))
            for n in range(3):
                recorded = now - dt.timedelta(days=n)
                conn.execute(entries.insert().values(
                    id=key(uuid.uuid4()), patient_id=key(patient), client_id=key(uuid.uuid4()),
                    body={"craving": n}, body_hash="h" * 64, recorded_at=at(recorded),
                    local_date=recorded.date(), received_at=at(recorded), craving=n))
            made[who] = {"clinician": clinician, "patient": patient, "token": token}
    with app.app_context():
        db.engine.dispose()
    return made


def test_each_clinician_keeps_their_patients_and_nobody_sees_anothers(empty_database):
    made = _made_before(empty_database, _backend(empty_database))
    with app_at_head(empty_database) as app:
        client = app.test_client()
        for who, other in (("ana", "ben"), ("ben", "ana")):
            caller = Caller(client, made[who]["token"])
            listed = caller.get("/patients").json["items"]
            assert [p["id"] for p in listed] == [str(made[who]["patient"])]
            assert len(caller.get(f"/patients/{made[who]['patient']}/entries").json["items"]) == 3
            assert caller.get(f"/patients/{made[other]['patient']}").status_code == 404
            clinic = caller.get("/clinic").json
            assert clinic["name"] == f"Dr {who}" and clinic["role"] == "prescriber"
            kept = caller.get(f"/patients/{made[who]['patient']}").json  # 0012's defaults for stored patients
            assert (kept["sex"], kept["standard_drink_g"], kept["expected_every_days"]) == ("unspecified", 10, 3)
            assert caller.get(f"/patients/{made[who]['patient']}/outcomes?from=2026-10-01&to=2026-11-02").json[
                "days_with_entries"] == 3
            assert [t["id"] for t in clinic["teams"]] == [listed[0]["team_id"]]
        runner = app.test_cli_runner()
        back = runner.invoke(args=["db", "downgrade", BEFORE])
        assert back.exit_code == 0, back.output  # nothing but what the upgrade made: nothing lost
        again = runner.invoke(args=["db", "upgrade"])
        assert again.exit_code == 0, again.output
        assert Caller(client, made["ana"]["token"]).get("/patients").json["items"][0]["reference"] == "REF-ana"


def test_going_back_is_refused_once_teams_hold_more_than_the_upgrade_made(empty_database):
    made = _made_before(empty_database, _backend(empty_database))
    with app_at_head(empty_database) as app:
        runner = app.test_cli_runner()
        ana_team = Caller(app.test_client(), made["ana"]["token"]).get("/clinic").json["teams"][0]["id"]
        with app.app_context():
            db.session.execute(sa.text("INSERT INTO team_members (clinician_id, team_id, added_at) "
                                       "VALUES (:c, :t, :at)"),
                               {"c": made["ben"]["clinician"].hex if _backend(empty_database) == "sqlite"
                                else made["ben"]["clinician"],
                                "t": uuid.UUID(ana_team).hex if _backend(empty_database) == "sqlite"
                                else uuid.UUID(ana_team), "at": dt.datetime(2026, 11, 3)})
            db.session.commit()
        refused = runner.invoke(args=["db", "downgrade", BEFORE])
        assert refused.exit_code != 0
        if _backend(empty_database) == "sqlite":
            # No transactional DDL: the later revisions' steps, which drop only what they can
            # rebuild, stay done until the next upgrade puts them back.
            assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert Caller(app.test_client(), made["ben"]["token"]).get(
            f"/patients/{made['ana']['patient']}").status_code == 200, "ben now works ana's patient too"


def test_foreign_keys_are_on_again_after_a_migration_on_sqlite(tmp_path):
    # Migrations run with them off (SQLite copies a table to alter it); the app must never get a
    # connection without them, or a deleted patient would leave its entries behind.
    url = f"sqlite:///{tmp_path}/fk.db"
    with app_at_head(url) as app, app.app_context():
        for _ in range(3):  # whichever pooled connection comes back
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _clinic_with_a_reference_twice(url: str, backend: str) -> dict:
    """At revision 0010: one clinic whose two teams each hold a patient with reference MRN-7."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": url})
    assert app.test_cli_runner().invoke(args=["db", "upgrade", "0010"]).exit_code == 0
    key = (lambda u: u.hex) if backend == "sqlite" else (lambda u: u)
    at = dt.datetime(2026, 11, 2, 9, 30) if backend == "sqlite" else dt.datetime(2026, 11, 2, 9, 30,
                                                                                   tzinfo=dt.timezone.utc)
    clinic, patients = uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()]
    with app.app_context(), db.engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn, only=["clinics", "care_teams", "clinicians", "patients"])
        conn.execute(tables.tables["clinics"].insert().values(id=key(clinic), name="Riverside", created_at=at))
        for n, patient in enumerate(patients):
            team, clinician = uuid.uuid4(), uuid.uuid4()
            conn.execute(tables.tables["care_teams"].insert().values(id=key(team), clinic_id=key(clinic),
                                                                     name=f"Team {n}", created_at=at))
            conn.execute(tables.tables["clinicians"].insert().values(
                id=key(clinician), email=f"c{n}@example.org", name=f"Dr {n}", created_at=at, clinic_id=key(clinic),
                role="prescriber", active=True))
            conn.execute(tables.tables["patients"].insert().values(
                id=key(patient), clinician_id=key(clinician), team_id=key(team), reference="MRN-7",
                timezone="UTC", treatment_start=dt.date(2026, 10, 1), renal_impairment=False, depression=False,
                anxiety=False, created_at=at, updated_at=at))
    with app.app_context():
        db.engine.dispose()
    return {"app": app, "clinic": clinic, "patients": patients, "key": key}


def test_the_upgrade_to_references_unique_in_a_clinic_names_a_reference_held_twice(empty_database, caplog):
    made = _clinic_with_a_reference_twice(empty_database, _backend(empty_database))
    runner = made["app"].test_cli_runner()
    stopped = runner.invoke(args=["db", "upgrade"])
    assert stopped.exit_code != 0
    assert "2 patients with reference 'MRN-7'" in caplog.text  # flask-migrate logs the reason
    with made["app"].app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE patients SET reference = 'MRN-7b' WHERE id = :p"),
                         {"p": made["key"](made["patients"][1])})
        db.engine.dispose()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with made["app"].app_context():
        with db.engine.connect() as conn:
            clinics = conn.execute(sa.text("SELECT DISTINCT clinic_id FROM patients")).scalars().all()
        db.engine.dispose()
    assert [str(c).replace("-", "") for c in clinics] == [made["clinic"].hex]
