"""Who may call what: tokens, roles, enrollment codes, revocation, devices."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from api_helpers import assert_invalid, assert_problem, random_id, rows, utc_now
from conftest import Caller, entry, make_patient

from service.auth import digest
from service.enrollment import normalize
from service.extensions import db
from service.models import ClinicianToken, Device, EnrollmentCode

# Every clinician path, with a body where it takes one; {p} is a patient id, {d} a device id, {f} a flag id.
CLINICIAN_PATHS = [
    ("GET", "/patients", None),
    ("POST", "/patients", {"reference": "R-1", "treatment_start": "2026-01-05"}),
    ("GET", "/patients/{p}", None),
    ("PATCH", "/patients/{p}", {"depression": True}),
    ("POST", "/patients/{p}/prescriptions", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"}),
    ("POST", "/patients/{p}/enrollment", None),
    ("GET", "/patients/{p}/entries", None),
    ("GET", "/patients/{p}/summary", None),
    ("GET", "/patients/{p}/devices", None),
    ("DELETE", "/patients/{p}/devices/{d}", None),
    ("GET", "/patients/{p}/audit", None),
    ("GET", "/flags", None),
    ("GET", "/flags/{f}", None),
    ("POST", "/flags/{f}/review", {"action": "acknowledge"}),
]
PATIENT_PATHS = [
    ("GET", "/me", None),
    ("GET", "/entries", None),
    ("POST", "/entries", "entry"),
    ("POST", "/entries/batch", "batch"),
]


def _body(spec):
    if spec == "entry":
        return entry(craving=2)
    if spec == "batch":
        return {"entries": [entry(craving=2)]}
    return spec


def _device_id(app, patient_id) -> uuid.UUID:
    return rows(app, Device, Device.patient_id == uuid.UUID(patient_id))[0].id


def enrol(client, code: str, device_name: str = "second phone"):
    return client.post("/api/v1/enroll", json={"code": code, "device_name": device_name})


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize("path", ["/patients", "/me", "/entries", "/flags", "/rules"])
def test_no_token_is_401_with_a_challenge(client, path):
    answer = client.get("/api/v1" + path)
    assert_problem(answer, 401)
    assert answer.headers.get("WWW-Authenticate", "").startswith("Bearer"), answer.headers


@pytest.mark.parametrize("token", ["bwc_" + "x" * 43, "bwp_" + "x" * 43, "nonsense", "bwc_", "bwp_"])
def test_a_bad_token_is_401(client, clinician, token):
    for path in ("/patients", "/me"):
        answer = Caller(client, token).get(path)
        assert_problem(answer, 401)
        assert "Bearer" in answer.headers.get("WWW-Authenticate", "")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token {t}", "{t}", "Bearer{t}",
                                    "", "Bearer {t}x"])
def test_a_malformed_authorization_header_is_401(client, clinician, header):
    answer = client.get("/api/v1/patients", headers={"Authorization": header.format(t=clinician.token)})
    assert_problem(answer, 401)
    assert "Bearer" in answer.headers.get("WWW-Authenticate", "")


def test_the_bearer_scheme_is_case_insensitive(client, clinician):
    answer = client.get("/api/v1/patients", headers={"Authorization": f"bearer {clinician.token}"})
    assert answer.status_code == 200


@pytest.mark.parametrize("method,path,body", CLINICIAN_PATHS)
def test_a_patient_token_is_403_on_every_clinician_path(app, patient, method, path, body):
    filled = path.format(p=patient.id, d=_device_id(app, patient.id), f=random_id())
    answer = patient.open(method, filled, json=body)
    assert_problem(answer, 403)
    # Nothing happened: the phone still works and the record is as it was.
    assert patient.get("/me").status_code == 200


@pytest.mark.parametrize("method,path,body", PATIENT_PATHS)
def test_a_clinician_token_is_403_on_every_patient_path(clinician, patient, method, path, body):
    answer = clinician.open(method, path, json=_body(body))
    assert_problem(answer, 403)
    assert patient.get("/entries").json["items"] == []


def test_both_roles_may_read_the_rules(clinician, patient):
    assert clinician.get("/rules").status_code == 200
    assert patient.get("/rules").status_code == 200


# ------------------------------------------------------------------ enrollment codes


def test_an_enrollment_code_works_once(client, clinician):
    code = clinician.post("/patients", json={"reference": "once", "treatment_start": "2026-01-05"}).json[
        "enrollment"]["code"]
    first = enrol(client, code)
    assert first.status_code == 201, first.get_json()
    assert first.json["token"]
    second = enrol(client, code)
    assert 400 <= second.status_code < 500
    assert_problem(second, second.status_code)
    assert "token" not in second.get_json()


def test_enrolling_answers_the_patient_profile(client, clinician):
    created = clinician.post("/patients", json={"reference": "prof", "treatment_start": "2026-01-05",
                                                "timezone": "Europe/Paris"}).json
    answer = enrol(client, created["enrollment"]["code"])
    assert answer.status_code == 201
    assert answer.json["patient"]["id"] == created["id"]
    assert answer.json["patient"]["timezone"] == "Europe/Paris"
    me = Caller(client, answer.json["token"]).get("/me")
    assert me.status_code == 200 and me.json["id"] == created["id"]


def test_an_enrollment_code_as_read_aloud_still_works(client, clinician):
    code = clinician.post("/patients", json={"reference": "aloud", "treatment_start": "2026-01-05"}).json[
        "enrollment"]["code"]
    typed = " " + code.replace("-", " ").lower() + " "
    assert enrol(client, typed).status_code == 201


def test_an_enrollment_code_expires_after_72_hours(app, client, clinician):
    created = clinician.post("/patients", json={"reference": "late", "treatment_start": "2026-01-05"}).json
    expires = dt.datetime.fromisoformat(created["enrollment"]["expires_at"])
    assert abs(expires - (utc_now() + dt.timedelta(hours=72))) < dt.timedelta(minutes=1)
    with app.app_context():
        db.session.execute(sa.update(EnrollmentCode)
                           .where(EnrollmentCode.patient_id == uuid.UUID(created["id"]))
                           .values(expires_at=utc_now() - dt.timedelta(seconds=1)))
        db.session.commit()
    answer = enrol(client, created["enrollment"]["code"])
    assert 400 <= answer.status_code < 500, answer.get_json()
    assert_problem(answer, answer.status_code)


def test_a_code_just_before_its_expiry_still_works(app, client, clinician):
    created = clinician.post("/patients", json={"reference": "in-time", "treatment_start": "2026-01-05"}).json
    with app.app_context():
        db.session.execute(sa.update(EnrollmentCode)
                           .where(EnrollmentCode.patient_id == uuid.UUID(created["id"]))
                           .values(expires_at=utc_now() + dt.timedelta(minutes=1)))
        db.session.commit()
    assert enrol(client, created["enrollment"]["code"]).status_code == 201


def test_a_new_code_voids_older_unused_codes(client, clinician):
    created = clinician.post("/patients", json={"reference": "renew", "treatment_start": "2026-01-05"}).json
    old = created["enrollment"]["code"]
    fresh = clinician.post(f"/patients/{created['id']}/enrollment")
    assert fresh.status_code == 201, fresh.get_json()
    assert set(fresh.json) >= {"code", "expires_at"} and fresh.json["code"] != old
    assert 400 <= enrol(client, old).status_code < 500
    assert enrol(client, fresh.json["code"]).status_code == 201


def test_a_new_code_leaves_enrolled_phones_working(clinician, patient):
    assert clinician.post(f"/patients/{patient.id}/enrollment").status_code == 201
    assert patient.get("/me").status_code == 200


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 12345}, {"code": "x" * 65},
                                  {"code": "ABCD-EFGH-JKMN", "extra": 1}])
def test_enroll_validates_its_body(client, body):
    assert_invalid(client.post("/api/v1/enroll", json=body))


def test_an_unknown_code_is_refused(client):
    answer = enrol(client, "ABCD-EFGH-JKMN")
    assert 400 <= answer.status_code < 500
    assert_problem(answer, answer.status_code)


# ------------------------------------------------------------------ secrets at rest


def _every_stored_text(app) -> str:
    with app.app_context():
        parts = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                parts.extend(json.dumps(value, default=str) for value in row)
        return "\n".join(parts)


def test_tokens_and_codes_are_stored_only_as_hashes(app, client, clinician, patient):
    fresh = clinician.post(f"/patients/{patient.id}/enrollment").json["code"]  # an unused code
    used = patient.record["enrollment"]["code"]
    secrets = [clinician.token, patient.token, fresh, used, normalize(fresh), normalize(used)]
    stored = _every_stored_text(app)
    for secret in secrets:
        assert secret not in stored, "a raw token or code is stored"
    # What is stored is each one's hash.
    assert rows(app, ClinicianToken, ClinicianToken.token_hash == digest(clinician.token))
    assert rows(app, Device, Device.token_hash == digest(patient.token))
    assert rows(app, EnrollmentCode, EnrollmentCode.code_hash == digest(normalize(fresh)))


# ------------------------------------------------------------------ revocation


def test_revoke_kills_every_token_of_the_clinician_at_once(app, runner, clinician, other_clinician, patient):
    second = runner.invoke(args=["clinicians", "token", clinician.email])
    assert second.exit_code == 0, second.output
    second_token = json.loads(second.stdout)["token"]
    assert Caller(clinician.client, second_token).get("/patients").status_code == 200

    result = runner.invoke(args=["clinicians", "revoke", clinician.email])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["revoked_tokens"] == 2
    assert_problem(clinician.get("/patients"), 401)
    assert_problem(clinician.get(f"/patients/{patient.id}"), 401)
    assert_problem(Caller(clinician.client, second_token).get("/patients"), 401)
    # Only that clinician: a colleague and the patient's phone go on.
    assert other_clinician.get("/patients").status_code == 200
    assert patient.get("/me").status_code == 200


def test_a_new_token_after_a_revoke_works_and_the_old_stays_dead(runner, clinician, patient):
    assert runner.invoke(args=["clinicians", "revoke", clinician.email]).exit_code == 0
    result = runner.invoke(args=["clinicians", "token", clinician.email])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["id"] == clinician.id
    fresh = Caller(clinician.client, made["token"])
    answer = fresh.get("/patients")
    assert answer.status_code == 200
    assert [p["id"] for p in answer.json["items"]] == [patient.id]
    assert_problem(clinician.get("/patients"), 401)


@pytest.mark.parametrize("command", ["revoke", "token"])
def test_revoke_and_token_refuse_an_unknown_email(runner, command):
    result = runner.invoke(args=["clinicians", command, "nobody@example.org"])
    assert result.exit_code != 0
    assert "nobody@example.org" in result.output


# ------------------------------------------------------------------ devices


def _second_phone(clinician, patient, name="tablet") -> Caller:
    code = clinician.post(f"/patients/{patient.id}/enrollment").json["code"]
    answer = enrol(clinician.client, code, name)
    assert answer.status_code == 201
    return Caller(clinician.client, answer.json["token"])


def test_the_device_list_shows_name_and_times(clinician, patient):
    before = utc_now()
    tablet = _second_phone(clinician, patient)
    assert tablet.get("/me").status_code == 200
    answer = clinician.get(f"/patients/{patient.id}/devices")
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [d["device_name"] for d in items] == ["test phone", "tablet"]
    for device in items:
        assert set(device) == {"id", "device_name", "enrolled_at", "last_seen_at"}
        uuid.UUID(device["id"])
        enrolled = dt.datetime.fromisoformat(device["enrolled_at"])
        seen = dt.datetime.fromisoformat(device["last_seen_at"])
        assert enrolled.utcoffset() is not None and seen >= enrolled
    tablet_row = items[1]
    assert dt.datetime.fromisoformat(tablet_row["enrolled_at"]) >= before - dt.timedelta(seconds=1)


def test_deleting_a_device_kills_its_token_and_spares_the_others(app, clinician, patient):
    tablet = _second_phone(clinician, patient)
    devices = clinician.get(f"/patients/{patient.id}/devices").json["items"]
    phone_id = next(d["id"] for d in devices if d["device_name"] == "test phone")

    answer = clinician.delete(f"/patients/{patient.id}/devices/{phone_id}")
    assert answer.status_code == 204
    assert answer.get_data() == b""
    assert_problem(patient.get("/me"), 401)
    assert_problem(patient.post("/entries", json=entry(craving=1)), 401)
    assert tablet.get("/me").status_code == 200
    assert tablet.post("/entries", json=entry(craving=1)).status_code == 201
    left = clinician.get(f"/patients/{patient.id}/devices").json["items"]
    assert [d["device_name"] for d in left] == ["tablet"]
    # Deleting it again: it is gone.
    assert_problem(clinician.delete(f"/patients/{patient.id}/devices/{phone_id}"), 404)


def test_deleting_an_unknown_device_is_404(clinician, patient):
    assert_problem(clinician.delete(f"/patients/{patient.id}/devices/{random_id()}"), 404)
    assert patient.get("/me").status_code == 200


def test_a_second_patient_of_the_same_clinician_keeps_working(clinician, patient):
    other = make_patient(clinician)
    device = clinician.get(f"/patients/{patient.id}/devices").json["items"][0]["id"]
    assert clinician.delete(f"/patients/{patient.id}/devices/{device}").status_code == 204
    assert other.get("/me").status_code == 200
