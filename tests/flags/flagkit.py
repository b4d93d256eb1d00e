"""Helpers the flag tests share: entries on given days, the review queue, and a look into the database."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from conftest import PATIENT_ZONE, at_local, entry, now_utc
from service.extensions import db

PROBLEM = "application/problem+json"
RANK = {"urgent": 1, "high": 2, "moderate": 3}


# ------------------------------------------------------------------ time


def moment(days_ago: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A time at hour:minute of the patients' day `days_ago` days before today; today's is a minute ago."""
    if days_ago == 0:
        return now_utc() - dt.timedelta(minutes=1)
    if not 1 <= days_ago <= 89:
        raise ValueError("days_ago must be 0 to 89")
    return at_local(today() - dt.timedelta(days=days_ago), hour, minute)


def today() -> dt.date:
    """The patients' day of a minute ago, the day `moment(0)` falls on."""
    return (now_utc() - dt.timedelta(minutes=1)).astimezone(ZoneInfo(PATIENT_ZONE)).date()


def same_moment(text: str, expected: dt.datetime) -> bool:
    return dt.datetime.fromisoformat(text) == expected


# ------------------------------------------------------------------ entries


def entry_on(days_ago: int, hour: int = 12, minute: int = 0, **fields) -> dict:
    """An entry body recorded `days_ago` of the patients' days before today (doses default to that time)."""
    body = entry(**fields)
    body["recorded_at"] = moment(days_ago, hour, minute).isoformat()
    return body


def post_entry(patient, body: dict, status: int = 201) -> dict:
    answer = patient.post("/entries", json=body)
    assert answer.status_code == status, (answer.status_code, answer.get_json())
    return answer.json


def post_batch(patient, bodies: list[dict]) -> list[dict]:
    """Send a batch; return its results, each `created` (the batch here never repeats itself)."""
    answer = patient.post("/entries/batch", json={"entries": bodies})
    assert answer.status_code == 200, answer.get_json()
    results = answer.json["results"]
    assert len(results) == len(bodies)
    return results


def rules_of(entry_answer: dict) -> set[str]:
    return {flag["rule"] for flag in entry_answer["flags"]}


def flag_in(entry_answer: dict, rule: str) -> dict:
    found = [flag for flag in entry_answer["flags"] if flag["rule"] == rule]
    assert len(found) == 1, f"expected one {rule} flag on the entry, got {entry_answer['flags']}"
    return found[0]


# ------------------------------------------------------------------ the queue


def queue(clinician, **query) -> list[dict]:
    """Every flag of the queue with this query, following the cursors."""
    items, cursor = [], None
    for _ in range(100):
        params = dict(query, limit=200)
        if cursor:
            params["cursor"] = cursor
        answer = clinician.get("/flags", query_string=params)
        assert answer.status_code == 200, answer.get_json()
        items += answer.json["items"]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursors never ended")


def only_flag(clinician, patient_id, rule: str, status: str = "open") -> dict:
    found = [f for f in queue(clinician, status=status, patient_id=str(patient_id)) if f["rule"] == rule]
    assert len(found) == 1, f"expected one {status} {rule} flag, found {found}"
    return found[0]


def listed(clinician, flag_id) -> dict:
    """The flag as the queue lists it, whatever its status (the lifecycle tests read flags here)."""
    for status in ("open", "acknowledged", "resolved", "dismissed"):
        for flag in queue(clinician, status=status):
            if flag["id"] == flag_id:
                return flag
    raise AssertionError(f"flag {flag_id} is in none of the queue's statuses")


def detail(clinician, flag_id) -> dict:
    answer = clinician.get(f"/flags/{flag_id}")
    assert answer.status_code == 200, f"GET /flags/{flag_id} answered {answer.status_code}: {answer.get_json()}"
    return answer.json


def review(clinician, flag_id, action: str, note: str | None = None, status: int = 200) -> dict:
    body = {"action": action}
    if note is not None:
        body["note"] = note
    answer = clinician.post(f"/flags/{flag_id}/review", json=body)
    assert answer.status_code == status, (answer.status_code, answer.get_json())
    return answer.json


def assert_problem(answer, status: int) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True)[:500])
    assert answer.mimetype == PROBLEM, answer.headers.get("Content-Type")
    body = answer.get_json(force=True)
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem without {key}: {body}"
    assert body["status"] == status
    return body


def assert_invalid(answer, field: str) -> dict:
    body = assert_problem(answer, 422)
    errors = body.get("errors") or {}
    assert any(key == field or key.startswith(field + ".") for key in errors), \
        f"the errors do not name {field!r}: {body}"
    return errors


# ------------------------------------------------------------------ the database


def count(app, model, *where) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        db.session.rollback()
        return found


def as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def last_json_line(text: str) -> dict:
    lines = [line for line in text.strip().splitlines() if line.startswith("{")]
    assert lines, f"no JSON object in the output: {text!r}"
    return json.loads(lines[-1])
