"""The commands for the people who run the service: clinicians and the demo."""
from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from api_helpers import count, rows
from conftest import Caller
from werkzeug.security import check_password_hash

from service.extensions import db
from service.models import Clinician, ClinicianToken


def create(runner, email, name="Dr Lee"):
    return runner.invoke(args=["clinicians", "create", email, "--name", name])


def test_create_prints_one_json_object_with_a_working_token(app, runner, client):
    result = create(runner, "lee@example.org", "Dr Lee")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    made = json.loads(lines[0])
    assert isinstance(made, dict)
    uuid.UUID(made["id"])
    assert made["token"]
    answer = Caller(client, made["token"]).get("/patients")
    assert answer.status_code == 200 and answer.json["items"] == []
    stored = rows(app, Clinician, Clinician.id == uuid.UUID(made["id"]))[0]
    assert (stored.email, stored.name) == ("lee@example.org", "Dr Lee")


def test_each_created_clinician_has_its_own_token(runner):
    a = json.loads(create(runner, "a@example.org").stdout)
    b = json.loads(create(runner, "b@example.org").stdout)
    assert a["id"] != b["id"] and a["token"] != b["token"]


@pytest.mark.parametrize("again", ["lee@example.org", "LEE@example.org", " lee@example.org "])
def test_create_refuses_a_duplicate_email(app, runner, again):
    assert create(runner, "lee@example.org").exit_code == 0
    result = create(runner, again, "Dr Lee Again")
    assert result.exit_code != 0
    assert "exists" in result.output
    assert "token" not in result.stdout
    assert count(app, Clinician) == 1
    assert count(app, ClinicianToken) == 1


@pytest.mark.parametrize("email", ["not-an-email", "", "x" * 250 + "@example.org"])
def test_create_refuses_what_is_not_an_email(app, runner, email):
    result = create(runner, email)
    assert result.exit_code != 0
    assert count(app, Clinician) == 0


def test_create_requires_a_name(app, runner):
    result = runner.invoke(args=["clinicians", "create", "lee@example.org"])
    assert result.exit_code != 0
    assert "--name" in result.output
    assert count(app, Clinician) == 0


def _password_hash(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(Clinician.password_hash).where(Clinician.email == email))


def test_set_password_reads_stdin_and_stores_a_hash(app, runner, clinician):
    password = "correct horse battery staple"
    result = runner.invoke(args=["clinicians", "set-password", clinician.email], input=password + "\n")
    assert result.exit_code == 0, result.output
    assert password not in result.output
    stored = _password_hash(app, clinician.email)
    assert stored and password not in stored
    assert check_password_hash(stored, password)
    assert not check_password_hash(stored, "correct horse battery stapler")


def test_set_password_keeps_spaces_inside_the_password(app, runner, clinician):
    password = "  spaces around  "
    assert runner.invoke(args=["clinicians", "set-password", clinician.email], input=password + "\r\n").exit_code == 0
    assert check_password_hash(_password_hash(app, clinician.email), password)


@pytest.mark.parametrize("short", ["", "short", "elevenchars"])
def test_set_password_refuses_a_short_password(app, runner, clinician, short):
    result = runner.invoke(args=["clinicians", "set-password", clinician.email], input=short + "\n")
    assert result.exit_code != 0
    assert "12" in result.output
    assert _password_hash(app, clinician.email) is None


def test_set_password_refuses_an_unknown_email(runner):
    result = runner.invoke(args=["clinicians", "set-password", "nobody@example.org"], input="long enough password\n")
    assert result.exit_code != 0
    assert "nobody@example.org" in result.output


def test_a_new_password_replaces_the_old(app, runner, clinician):
    runner.invoke(args=["clinicians", "set-password", clinician.email], input="the first password\n")
    runner.invoke(args=["clinicians", "set-password", clinician.email], input="the second password\n")
    stored = _password_hash(app, clinician.email)
    assert check_password_hash(stored, "the second password")
    assert not check_password_hash(stored, "the first password")


# ------------------------------------------------------------------ demo


@pytest.fixture
def demo(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout.strip().splitlines()[-1])
    return made, Caller(client, made["clinician_token"]), Caller(client, made["patient_token"])


def test_demo_prints_tokens_that_work(demo):
    made, clinician, patient = demo
    listed = clinician.get("/patients")
    assert listed.status_code == 200
    assert made["patient_id"] in [p["id"] for p in listed.json["items"]]
    me = patient.get("/me")
    assert me.status_code == 200 and me.json["id"] == made["patient_id"]
    assert me.json["prescription"] is not None


def test_demo_seeds_weeks_of_entries(demo):
    made, clinician, patient = demo
    entries = clinician.get(f"/patients/{made['patient_id']}/entries", query_string={"limit": 200}).json["items"]
    assert len(entries) >= 28
    assert patient.get("/entries").json["items"]
    days = {e["local_date"] for e in entries}
    assert len(days) >= 14


def test_demo_summary_has_28_rows_with_baclofen(demo):
    made, clinician, _ = demo
    answer = clinician.get(f"/patients/{made['patient_id']}/summary")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    items = answer.json["items"]
    assert len(items) == 28
    assert sum(1 for r in items if r["baclofen_mg"] > 0) >= 20
    assert any(r["max_craving"] is not None for r in items)


def test_demo_twice_reuses_the_clinician_and_adds_a_patient(app, runner, client, demo):
    made, first_clinician, _ = demo
    again = runner.invoke(args=["demo", "--days", "2"])
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout.strip().splitlines()[-1])
    assert count(app, Clinician, Clinician.email == made["clinician_email"]) == 1
    listed = Caller(client, second["clinician_token"]).get("/patients").json["items"]
    assert {made["patient_id"], second["patient_id"]} <= {p["id"] for p in listed}
    assert first_clinician.get("/patients").status_code == 200
