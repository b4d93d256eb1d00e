"""The audit trail: every clinician read and write of a patient's record, and nothing else."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from api_helpers import assert_invalid, assert_problem, count, random_id, rows, utc_now
from conftest import entry, make_patient

from service.models import AuditRecord

# What a clinician does to a record, and the action the trail must show for it.
TOUCHES = [
    ("GET", "/patients/{p}", None, "read"),
    ("PATCH", "/patients/{p}", {"anxiety": True}, "update"),
    ("GET", "/patients/{p}/entries", None, "read"),
    ("GET", "/patients/{p}/devices", None, "read"),
    ("POST", "/patients/{p}/prescriptions", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"},
     "create"),
    ("POST", "/patients/{p}/enrollment", None, "create"),
    ("GET", "/patients/{p}/summary", None, "read"),
    ("GET", "/patients/{p}/audit", None, "read"),
]


def trail(app, patient_id: str) -> list[AuditRecord]:
    return sorted(rows(app, AuditRecord, AuditRecord.patient_id == uuid.UUID(patient_id)), key=lambda r: r.id)


@pytest.mark.parametrize("method,path,body,action", TOUCHES)
def test_each_read_and_write_is_in_the_trail(app, clinician, patient, method, path, body, action):
    before = len(trail(app, patient.id))
    started = utc_now()
    filled = path.format(p=patient.id)
    answer = clinician.open(method, filled, json=body)
    assert answer.status_code < 400, answer.get_data(as_text=True)[:300]
    added = trail(app, patient.id)[before:]
    assert len(added) == 1, [(r.method, r.path) for r in added]
    record = added[0]
    assert (record.action, record.path, str(record.clinician_id)) == (action, "/api/v1" + filled, clinician.id)
    assert started - dt.timedelta(seconds=1) <= record.at <= utc_now() + dt.timedelta(seconds=1)
    # And the API shows it, first: this very read of the trail is written when it is answered.
    shown = clinician.get(f"/patients/{patient.id}/audit").json["items"][0]
    assert shown == {"at": shown["at"], "clinician_id": clinician.id, "clinician_name": "Dr Test", "action": action,
                     "path": "/api/v1" + filled}
    assert dt.datetime.fromisoformat(shown["at"]) == record.at


def test_the_trail_shows_at_clinician_action_and_path_newest_first(clinician, patient):
    clinician.get(f"/patients/{patient.id}")
    clinician.patch(f"/patients/{patient.id}", json={"depression": True})
    clinician.get(f"/patients/{patient.id}/entries")
    items = clinician.get(f"/patients/{patient.id}/audit").json["items"]
    assert all(set(r) == {"at", "clinician_id", "clinician_name", "action", "path"} for r in items)
    assert all(dt.datetime.fromisoformat(r["at"]).utcoffset() is not None for r in items)
    latest = [(r["action"], r["path"]) for r in items[:3]]
    base = f"/api/v1/patients/{patient.id}"
    assert latest == [("read", base + "/entries"), ("update", base), ("read", base)]
    # The oldest: the patient was created.
    assert (items[-1]["action"], items[-1]["path"]) == ("create", "/api/v1/patients")
    stamps = [r["at"] for r in items]
    assert stamps == sorted(stamps, reverse=True)


def test_deleting_a_device_is_in_the_trail(app, clinician, patient):
    devices = clinician.get(f"/patients/{patient.id}/devices").json
    assert devices["next_cursor"] is None  # a list like every other, in one page
    device = devices["items"][0]["id"]
    before = len(trail(app, patient.id))
    assert clinician.delete(f"/patients/{patient.id}/devices/{device}").status_code == 204
    added = trail(app, patient.id)[before:]
    assert [(r.action, r.path) for r in added] == [("delete", f"/api/v1/patients/{patient.id}/devices/{device}")]


def test_listing_patients_is_a_read_of_each(app, clinician, patient):
    other = make_patient(clinician)
    before = count(app, AuditRecord)
    assert clinician.get("/patients").status_code == 200
    added = rows(app, AuditRecord, AuditRecord.path == "/api/v1/patients", AuditRecord.action == "read")
    assert count(app, AuditRecord) == before + 2
    assert {str(r.patient_id) for r in added} == {patient.id, other.id}


@pytest.mark.parametrize("method,path,body", [
    ("PATCH", "/patients/{p}", {}),
    ("PATCH", "/patients/{p}", {"timezone": "Mars/Olympus"}),
    ("POST", "/patients/{p}/prescriptions", {"daily_dose_mg": 60, "max_daily_mg": 30, "approach": "fixed"}),
    ("GET", "/patients/{p}/entries?limit=0", None),
    ("GET", "/patients/{p}/entries?from=2026-13-01", None),
    ("GET", "/patients/{p}/summary?days=0", None),
])
def test_a_request_refused_before_it_reaches_the_record_adds_nothing(app, clinician, patient, method, path, body):
    before = count(app, AuditRecord)
    assert_invalid(clinician.open(method, path.format(p=patient.id), json=body))
    assert count(app, AuditRecord) == before


def test_a_request_that_fails_after_reaching_the_record_is_a_read_in_the_trail(app, clinician, patient):
    taken = make_patient(clinician).record["reference"]
    device = random_id()
    before = len(trail(app, patient.id))
    assert_problem(clinician.patch(f"/patients/{patient.id}", json={"reference": taken}), 409)
    assert_problem(clinician.delete(f"/patients/{patient.id}/devices/{device}"), 404)
    assert_invalid(clinician.get(f"/patients/{patient.id}/audit?cursor=forged"), "cursor")
    added = [(r.action, r.method, r.path) for r in trail(app, patient.id)[before:]]
    base = f"/api/v1/patients/{patient.id}"
    # Nothing was changed, so each is a read, whatever it asked for; and each is there once.
    assert added == [("read", "PATCH", base), ("read", "DELETE", f"{base}/devices/{device}"),
                     ("read", "GET", f"{base}/audit")]
    assert clinician.get(f"/patients/{patient.id}").json["reference"] != taken


def test_another_clinicians_attempt_adds_nothing(app, clinician, other_clinician, patient):
    before = count(app, AuditRecord)
    for path in ("", "/entries", "/summary", "/devices", "/audit"):
        assert_problem(other_clinician.get(f"/patients/{patient.id}{path}"), 404)
    assert_problem(other_clinician.patch(f"/patients/{patient.id}", json={"anxiety": True}), 404)
    assert count(app, AuditRecord) == before
    shown = clinician.get(f"/patients/{patient.id}/audit").json["items"]
    assert other_clinician.id not in {r["clinician_id"] for r in shown}


def test_the_patients_own_requests_are_not_clinician_reads(app, patient):
    before = count(app, AuditRecord)
    patient.get("/me")
    patient.post("/entries", json=entry(craving=2))
    patient.get("/entries")
    assert count(app, AuditRecord) == before


def test_a_patients_trail_holds_only_that_patient(app, clinician, patient):
    other = make_patient(clinician)
    clinician.get(f"/patients/{other.id}/entries")
    shown = clinician.get(f"/patients/{patient.id}/audit", query_string={"limit": 200}).json["items"]
    assert all(other.id not in r["path"] for r in shown)
