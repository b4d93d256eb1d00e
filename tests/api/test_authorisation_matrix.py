"""Who may call what, as one matrix: every route of the API × every kind of caller, with the status
each gets. A route added without its row fails `test_every_route_has_its_row`.

The callers: an admin of the clinic who is not in the patient's team, a prescriber and a nurse of
the team, a member of another team of the same clinic, a clinician of another clinic, the
patient's phone, no token, and a deactivated clinician of the team.
"""
from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from api_helpers import add_team, clinic, enrol, member, phone_of
from conftest import Caller, answered, entry, local_today

from service.extensions import db
from service.models import Clinician

CALLERS = ("admin_outside", "prescriber_in", "nurse_in", "other_team", "other_clinic", "patient", "none",
           "deactivated")
CLINICIANS = ("admin_outside", "prescriber_in", "nurse_in", "other_team", "other_clinic")
RX = {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"}


def _refused(**statuses) -> dict:
    return {"patient": 403, "none": 401, "deactivated": 401, **statuses}


def team_route(ok: int, **special) -> dict:
    """The patient's team works it; anyone else gets the 404 of a patient that does not exist."""
    return {**_refused(prescriber_in=ok, nurse_in=ok, admin_outside=404, other_team=404, other_clinic=404), **special}


def any_clinician(ok: int) -> dict:
    return _refused(**{who: ok for who in CLINICIANS})


def admin_only(ok: int) -> dict:
    return {**_refused(**{who: 403 for who in CLINICIANS}), "admin_outside": ok}


def phone(ok: int) -> dict:
    return {**{who: 403 for who in CLINICIANS}, "patient": ok, "none": 401, "deactivated": 401}


# (method, path): (expected statuses by caller, body or a function of the world making one)
MATRIX = {
    ("GET", "/patients"): (any_clinician(200), None),
    ("POST", "/patients"): (any_clinician(201),
                            lambda w: {"reference": f"R-{uuid.uuid4().hex[:6]}",
                                       "treatment_start": local_today().isoformat()}),
    ("GET", "/patients/{patient_id}"): (team_route(200), None),
    ("PATCH", "/patients/{patient_id}"): (team_route(200), {"depression": True}),
    ("POST", "/patients/{patient_id}/prescriptions"): (
        team_route(201, nurse_in=403, admin_outside=403), RX),
    ("POST", "/patients/{patient_id}/enrollment"): (team_route(201), None),
    ("GET", "/patients/{patient_id}/entries"): (team_route(200), None),
    ("GET", "/patients/{patient_id}/summary"): (team_route(200), None),
    ("GET", "/patients/{patient_id}/devices"): (team_route(200), None),
    ("DELETE", "/patients/{patient_id}/devices/{device_id}"): (team_route(204), None),
    ("GET", "/patients/{patient_id}/audit"): (team_route(200), None),
    ("GET", "/patients/{patient_id}/questionnaire-responses"): (team_route(200), None),
    ("GET", "/patients/{patient_id}/questionnaire-schedule"): (team_route(200), None),
    ("PUT", "/patients/{patient_id}/questionnaire-schedule"): (team_route(200), {"pacs": 7}),
    ("GET", "/patients/{patient_id}/outcomes"): (team_route(200), None),
    ("GET", "/flags"): (any_clinician(200), None),
    ("GET", "/flags/{flag_id}"): (team_route(200), None),
    ("POST", "/flags/{flag_id}/review"): (team_route(200), {"action": "acknowledge"}),
    ("GET", "/clinic"): (any_clinician(200), None),
    ("GET", "/clinic/webhook"): (admin_only(200), None),
    ("PUT", "/clinic/webhook"): (admin_only(200), {"url": "https://hooks.example.org/in", "secret": "s" * 32}),
    ("DELETE", "/clinic/webhook"): (admin_only(204), None),
    ("GET", "/clinicians"): (any_clinician(200), None),
    ("POST", "/clinicians"): (admin_only(201),
                              lambda w: {"email": f"{uuid.uuid4().hex[:8]}@example.org", "name": "New",
                                         "role": "nurse"}),
    ("PATCH", "/clinicians/{clinician_id}"): (admin_only(200), {"role": "nurse"}),
    ("GET", "/teams"): (any_clinician(200), None),
    ("POST", "/teams"): (admin_only(201), lambda w: {"name": f"Team {uuid.uuid4().hex[:6]}"}),
    ("PUT", "/teams/{team_id}/members/{clinician_id}"): (admin_only(204), None),
    ("DELETE", "/teams/{team_id}/members/{clinician_id}"): (admin_only(204), None),
    ("GET", "/rules"): ({**{who: 200 for who in CLINICIANS}, "patient": 200, "none": 401, "deactivated": 401}, None),
    ("GET", "/questionnaires"): (
        {**{who: 200 for who in CLINICIANS}, "patient": 200, "none": 401, "deactivated": 401}, None),
    ("GET", "/questionnaires/due"): (phone(200), None),
    ("POST", "/questionnaire-responses"): (phone(201), lambda w: answered("pacs", [1, 1, 1, 1, 1])),
    ("POST", "/questionnaire-responses/batch"): (phone(200), lambda w: {"responses": [answered("gad7", [0] * 7)]}),
    ("GET", "/me"): (phone(200), None),
    ("GET", "/entries"): (phone(200), None),
    ("POST", "/entries"): (phone(201), lambda w: entry(craving=2)),
    ("POST", "/entries/batch"): (phone(200), lambda w: {"entries": [entry(craving=2)]}),
}
# Open to anyone by design: enrollment (a code is the credential), health, the document and its page.
PUBLIC = {("POST", "/enroll"), ("GET", "/healthz"), ("GET", "/openapi.json"), ("GET", "/docs"),
          ("GET", "/docs/<path:filename>"), ("GET", "/docs/assets/<path:filename>"), ("GET", "/")}


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<uuid:(\w+)>", r"{\1}", rule.rule[len("/api/v1"):] or "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    return found


def test_every_route_has_its_row(app):
    routes = _routes(app)
    missing = sorted(r for r in routes if r not in MATRIX and r not in PUBLIC)
    assert not missing, f"routes without a row in the authorisation matrix: {missing}"
    assert not sorted(r for r in MATRIX if r not in routes), "rows for routes that are gone"


@pytest.fixture
def world(app, client):
    made = clinic(app)
    outside_team = add_team(app, made["id"], "Outside")
    w = {
        "prescriber_in": member(app, client, made, name="Pat Rx"),
        "nurse_in": member(app, client, made, role="nurse", name="Nia Nurse"),
        "admin_outside": member(app, client, made, role="admin", team_id=outside_team, name="Ada Admin"),
        "other_team": member(app, client, made, team_id=outside_team, name="Otto Other"),
        "deactivated": member(app, client, made, name="Dee Gone"),
        "spare": member(app, client, made, role="nurse", team_id=outside_team, name="Sam Spare"),
        "none": Caller(client, None),
    }
    result = app.test_cli_runner().invoke(args=["clinicians", "create", "far@example.org", "--name", "Far Away"])
    w["other_clinic"] = Caller(client, __import__("json").loads(result.output.strip().splitlines()[-1])["token"])
    w["patient_record"] = enrol(w["prescriber_in"])
    w["patient"] = phone_of(client, w["patient_record"])
    w["patient"].post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 3}]))
    w["flag_id"] = w["prescriber_in"].get("/flags").json["items"][0]["id"]
    w["team_id"] = outside_team
    with app.app_context():
        db.session.execute(sa.update(Clinician).where(Clinician.id == uuid.UUID(w["deactivated"].id))
                           .values(active=False))
        db.session.commit()
    return w


def _fill(path: str, w: dict, client) -> str:
    values = {"patient_id": w["patient_record"]["id"], "flag_id": w["flag_id"], "team_id": w["team_id"],
              "clinician_id": w["spare"].id}
    if "{device_id}" in path:  # a phone of its own for each call: deleting one ends it
        name = f"spare {uuid.uuid4().hex[:8]}"
        code = w["prescriber_in"].post(f"/patients/{values['patient_id']}/enrollment").json["code"]
        assert client.post("/api/v1/enroll", json={"code": code, "device_name": name}).status_code == 201
        values["device_id"] = next(d["id"] for d in w["prescriber_in"].get(
            f"/patients/{values['patient_id']}/devices").json["items"] if d["device_name"] == name)
    return path.format(**values)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
def test_each_caller_gets_the_status_of_the_matrix(app, client, world, route):
    method, path = route
    expected, body = MATRIX[route]
    got = {}
    for who in CALLERS:
        filled = _fill(path, world, client)
        payload = body(world) if callable(body) else body
        answer = world[who].open(method, filled, json=payload)
        got[who] = answer.status_code
    assert got == {who: expected[who] for who in CALLERS}
