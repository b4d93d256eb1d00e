"""The commands for the people who run the service: clinicians, the demo, db upgrade, help texts."""
from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import uuid

import pytest
import sqlalchemy as sa
import yaml
from alembic.script import ScriptDirectory
from api_helpers import count, rows
from conftest import BACKENDS, Caller
from werkzeug.security import check_password_hash

from service import clock, create_app
from service.extensions import db
from service.models import Clinician, ClinicianToken, Entry, Patient


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


# ------------------------------------------------------------------ help texts


def test_set_password_help_states_the_minimum_length(runner):
    result = runner.invoke(args=["clinicians", "set-password", "--help"])
    assert result.exit_code == 0
    assert "at least 12 characters" in result.output
    assert "standard input" in result.output


def test_openapi_write_help_says_json_or_yaml(runner):
    result = runner.invoke(args=["openapi", "write", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "JSON" in text and "YAML" in text and "--format yaml" in text
    assert "[json|yaml]" in text


@pytest.mark.parametrize("fmt, load", [("json", json.loads), ("yaml", yaml.safe_load)])
def test_openapi_write_writes_the_format_asked(runner, tmp_path, fmt, load):
    target = tmp_path / f"openapi.{fmt}"
    result = runner.invoke(args=["openapi", "write", "--format", fmt, str(target)])
    assert result.exit_code == 0, result.output
    document = load(target.read_text())
    assert document["info"]["title"] == "Baclowatch"
    assert "/api/v1/patients" in document["paths"]


def test_the_other_db_commands_are_still_there(runner):
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["db", "--help"]).output
    for command in ("upgrade", "downgrade", "current", "check", "history", "migrate"):
        assert command in listed


# ------------------------------------------------------------------ db upgrade


def _head(app) -> str:
    with app.app_context():
        migrate = app.extensions["migrate"]
        return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_heads()[0]


def test_db_upgrade_on_a_database_at_head_says_there_is_nothing_to_do(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"database {_url_shown(app)}: already at {_head(app)} (the newest); nothing to do"]


def _url_shown(app) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=True)


@pytest.fixture(params=BACKENDS)
def empty_app(request, databases):
    """An app on a database of its own with no tables at all."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": databases.url(request.param)})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_db_upgrade_names_each_migration_it_applies(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade", "0002"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines[0] == f"database {_url_shown(empty_app)}: upgraded from nothing (an empty database) to 0002"
    assert [line.split(":")[0] for line in lines[1:]] == ["  applied 0001", "  applied 0002"]
    assert "flags, occurrences and reviews" in lines[2]

    rest = runner.invoke(args=["db", "upgrade"])
    assert rest.exit_code == 0, rest.output
    lines = rest.output.strip().splitlines()
    head = _head(empty_app)
    assert lines[0] == f"database {_url_shown(empty_app)}: upgraded from 0002 to {head} (the newest)"
    assert lines[-1].startswith(f"  applied {head}: ")
    assert not any(line.startswith(("  applied 0001", "  applied 0002")) for line in lines)


def test_db_upgrade_never_shows_the_database_password(databases):
    if "postgresql" not in BACKENDS:
        pytest.skip("only PostgreSQL URLs carry a password here, and BACLOWATCH_TEST_BACKENDS leaves it out")
    # The test server trusts local connections, so any password gets in and nothing may show it.
    url = sa.make_url(databases.url("postgresql")).set(password="not-for-the-screen")
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    try:
        result = other.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "upgraded from nothing" in result.output
        assert "not-for-the-screen" not in result.output
        assert f"database {url.render_as_string(hide_password=True)}: " in result.output
        assert ":***@" in result.output
    finally:
        with other.app_context():
            db.engine.dispose()


# ------------------------------------------------------------------ demo


@pytest.fixture
def noon(monkeypatch):
    """Make the service's clock say noon UTC (today, or `days_ago` before), whatever the hour."""
    today = dt.datetime.now(dt.timezone.utc).date()

    def set_to(days_ago: int = 0) -> None:
        moment = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(12), tzinfo=dt.timezone.utc)
        monkeypatch.setattr(clock, "now", lambda: moment)

    set_to(0)
    return set_to


EXPORT = re.compile(r"^export (CLINICIAN|PHONE|PATIENT)=(\S+)$")


def run_demo(runner, *args) -> tuple[dict, str]:
    """Run `demo`; return the variables its standard output exports, and its standard error."""
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    matched = [EXPORT.match(line) for line in lines]
    assert all(matched), f"standard output must be only export lines:\n{result.stdout}"
    exported = {m.group(1): shlex.split(m.group(2))[0] for m in matched}
    assert sorted(exported) == ["CLINICIAN", "PATIENT", "PHONE"]
    return exported, result.stderr


def demo_password(stderr: str) -> str | None:
    found = re.search(r"clinic page password: (\S+)", stderr)
    return found.group(1) if found else None


@pytest.fixture
def demo(runner, client, noon):
    exported, stderr = run_demo(runner)
    return exported, Caller(client, exported["CLINICIAN"]), Caller(client, exported["PHONE"]), stderr


def test_demo_prints_exports_that_work(demo):
    exported, clinician, patient, _ = demo
    listed = clinician.get("/patients")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json["items"]] == [exported["PATIENT"]]
    me = patient.get("/me")
    assert me.status_code == 200 and me.json["id"] == exported["PATIENT"]
    assert me.json["prescription"] is not None


def test_demo_says_on_standard_error_what_it_made(app, demo):
    _, _, _, stderr = demo
    assert "Made the demo clinician demo.clinician@example.org" in stderr
    assert "Made the demo patient demo-patient" in stderr and "56 entries over 28 days" in stderr
    password = demo_password(stderr)
    assert password and check_password_hash(_password_hash(app, "demo.clinician@example.org"), password)
    assert 'eval "$(.venv/bin/flask --app service demo)"' in stderr


def test_demo_seeds_weeks_of_entries(demo):
    exported, clinician, patient, _ = demo
    entries = clinician.get(f"/patients/{exported['PATIENT']}/entries", query_string={"limit": 200}).json["items"]
    assert len(entries) == 56
    assert patient.get("/entries").json["items"]
    assert len({e["local_date"] for e in entries}) == 28


def test_demo_summary_has_28_rows_with_baclofen(demo):
    exported, clinician, _, _ = demo
    answer = clinician.get(f"/patients/{exported['PATIENT']}/summary")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    items = answer.json["items"]
    assert len(items) == 28
    assert sum(1 for r in items if r["baclofen_mg"] > 0) >= 20
    assert any(r["max_craving"] is not None for r in items)


def test_demo_again_keeps_the_patient_and_the_password_and_says_so(app, runner, client, demo):
    first, first_clinician, first_phone, _ = demo
    password_before = _password_hash(app, "demo.clinician@example.org")
    again, stderr = run_demo(runner)

    assert again["PATIENT"] == first["PATIENT"]
    assert count(app, Clinician, Clinician.email == "demo.clinician@example.org") == 1
    assert count(app, Patient) == 1
    assert count(app, Entry) == 56
    assert _password_hash(app, "demo.clinician@example.org") == password_before
    assert demo_password(stderr) is None
    assert "Kept the demo clinician demo.clinician@example.org" in stderr
    assert "kept the clinic page password" in stderr and "--reset-password" in stderr
    assert "Kept the demo patient demo-patient" in stderr and "its 56 entries (none added" in stderr
    assert "the tokens of earlier runs still work" in stderr
    # Fresh tokens for this shell; the ones printed before keep working.
    assert again["CLINICIAN"] != first["CLINICIAN"] and again["PHONE"] != first["PHONE"]
    for caller in (first_clinician, Caller(client, again["CLINICIAN"])):
        assert [p["id"] for p in caller.get("/patients").json["items"]] == [first["PATIENT"]]
    for caller in (first_phone, Caller(client, again["PHONE"])):
        assert caller.get("/me").json["id"] == first["PATIENT"]


def test_demo_reset_password_sets_and_prints_a_new_one(app, runner, demo):
    _, _, _, stderr = demo
    old = demo_password(stderr)
    _, stderr = run_demo(runner, "--reset-password")
    new = demo_password(stderr)
    assert new and new != old
    stored = _password_hash(app, "demo.clinician@example.org")
    assert check_password_hash(stored, new) and not check_password_hash(stored, old)
    assert count(app, Patient) == 1


def test_demo_days_later_fills_the_days_since(app, runner, client, noon):
    noon(days_ago=3)
    first, _ = run_demo(runner)
    noon(days_ago=0)
    again, stderr = run_demo(runner)
    assert again["PATIENT"] == first["PATIENT"]
    assert count(app, Patient) == 1
    assert count(app, Entry) == 56 + 2 * 3
    assert "6 of them added now, for the 3 days that had none" in stderr
    summary = Caller(client, again["CLINICIAN"]).get(f"/patients/{again['PATIENT']}/summary").json["items"]
    # The summary ends today, which the demo leaves to the phone; the three days before it are filled.
    assert summary[-1]["baclofen_mg"] == 0
    assert all(row["baclofen_mg"] > 0 for row in summary[-4:-1])


def test_demo_json_prints_one_object_instead(app, runner, client, noon):
    result = runner.invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["made"] == ["clinician", "password", "patient"] and made["entries_added"] == 56
    assert check_password_hash(_password_hash(app, made["clinician_email"]), made["password"])
    assert Caller(client, made["patient_token"]).get("/me").json["id"] == made["patient_id"]
    again = json.loads(runner.invoke(args=["demo", "--json"]).stdout)
    assert (again["made"], again["password"], again["patient_id"]) == ([], None, made["patient_id"])
