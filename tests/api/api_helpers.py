"""Helpers the API tests share: what a problem answer looks like, a look into the database, and
clinics with their care teams and members."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa

from conftest import PATIENT_ZONE, Caller, local_today
from conftest import at_local, now_utc as utc_now  # noqa: F401  (the tests import them from here)
from service.extensions import db
from service.models import CareTeam, TeamMember

PROBLEM = "application/problem+json"


def assert_problem(answer, status: int) -> dict:
    """Check that the answer is an RFC 9457 problem with this status; return its body."""
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True)[:500])
    assert answer.mimetype == PROBLEM, answer.headers.get("Content-Type")
    body = answer.get_json(force=True)
    assert isinstance(body, dict), body
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem without {key}: {body}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def names(errors: dict, field: str) -> bool:
    """Whether a problem's `errors` name the field (itself or one of its parts, e.g. doses.0.amount_mg)."""
    return any(key == field or key.startswith(field + ".") for key in errors)


def assert_invalid(answer, field: str | None = None) -> dict:
    """Check for a 422 whose `errors` name the field; return the errors."""
    body = assert_problem(answer, 422)
    errors = body.get("errors")
    assert isinstance(errors, dict) and errors, body
    for key, messages in errors.items():
        assert isinstance(key, str)
        assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages), errors
    if field is not None:
        assert names(errors, field), f"the errors do not name {field!r}: {errors}"
    return errors


def assert_client_error(answer) -> None:
    """Odd input: a 4xx problem, never a 500."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.get_data(as_text=True)[:500])
    assert answer.mimetype == PROBLEM, answer.headers.get("Content-Type")


def rows(app, model, *where) -> list:
    """Read rows straight from the database, outside any request."""
    with app.app_context():
        found = list(db.session.scalars(sa.select(model).where(*where)))
        db.session.expunge_all()
        return found


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def local_time(zone: str, day: dt.date, hour: int, minute: int = 0) -> str:
    """An ISO time at this wall-clock time of the day in the zone, with its offset."""
    return at_local(day, hour, minute, zone).isoformat()


def random_id() -> str:
    return str(uuid.uuid4())


def walk(caller, path: str, limit: int, **query) -> list[list[dict]]:
    """Follow next_cursor from the first page to the last; return the pages."""
    pages, cursor = [], None
    for _ in range(1000):
        params = dict(query, limit=limit)
        if cursor:
            params["cursor"] = cursor
        answer = caller.get(path, query_string=params)
        assert answer.status_code == 200, answer.get_json()
        pages.append(answer.json["items"])
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the cursors never ended")


# -- clinics, care teams and their members, through the CLI and the API


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result, (json.loads(result.output.strip().splitlines()[-1]) if result.exit_code == 0 else None)


def clinic(app, name="Riverside Clinic") -> dict:
    result, made = cli(app, "clinics", "create", name)
    assert result.exit_code == 0, result.output
    return made


def member(app, client, made: dict, role="prescriber", team_id=None, name="Dr Member") -> Caller:
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    args = ["clinicians", "create", email, "--name", name, "--clinic", made["id"], "--role", role]
    if team_id or made.get("team_id"):
        args += ["--team", team_id or made["team_id"]]
    result, out = cli(app, *args)
    assert result.exit_code == 0, result.output
    return Caller(client, out["token"], id=out["id"], email=email)


def enrol(caller: Caller, **fields) -> dict:
    body = {"reference": f"P-{uuid.uuid4().hex[:8]}", "timezone": PATIENT_ZONE,
            "treatment_start": local_today().isoformat(), **fields}
    made = caller.post("/patients", json=body)
    assert made.status_code == 201, made.get_json()
    return made.json


def add_team(app, clinic_id: str, name: str) -> str:
    with app.app_context():
        team = CareTeam(id=uuid.uuid4(), clinic_id=uuid.UUID(clinic_id), name=name)
        db.session.add(team)
        db.session.commit()
        return str(team.id)


def join(app, clinician_id: str, team_id: str) -> None:
    with app.app_context():
        db.session.add(TeamMember(clinician_id=uuid.UUID(clinician_id), team_id=uuid.UUID(team_id)))
        db.session.commit()


def phone_of(client, patient: dict) -> Caller:
    enrolled = client.post("/api/v1/enroll", json={"code": patient["enrollment"]["code"], "device_name": "phone"})
    assert enrolled.status_code == 201, enrolled.get_json()
    return Caller(client, enrolled.json["token"])
