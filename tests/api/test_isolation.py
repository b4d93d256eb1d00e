"""Care teams: a clinician sees only their own patients; anyone else's is a 404, never a 403."""
from __future__ import annotations

import uuid

import pytest
from api_helpers import assert_problem, count, random_id, rows
from conftest import entry, make_patient

from service.models import AuditRecord, Device, EnrollmentCode, Patient, Prescription

# Every path that takes a patient id; {p} the patient, {d} one of its devices.
PATIENT_ID_PATHS = [
    ("GET", "/patients/{p}", None),
    ("PATCH", "/patients/{p}", {"reference": "taken-over", "depression": True}),
    ("POST", "/patients/{p}/prescriptions", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"}),
    ("POST", "/patients/{p}/enrollment", None),
    ("GET", "/patients/{p}/entries", None),
    ("GET", "/patients/{p}/summary", None),
    ("GET", "/patients/{p}/devices", None),
    ("DELETE", "/patients/{p}/devices/{d}", None),
    ("GET", "/patients/{p}/audit", None),
]


def _device(app, patient_id: str) -> uuid.UUID:
    return rows(app, Device, Device.patient_id == uuid.UUID(patient_id))[0].id


def _snapshot(app, patient_id: str) -> tuple:
    pid = uuid.UUID(patient_id)
    patient = rows(app, Patient, Patient.id == pid)[0]
    return (patient.reference, patient.depression, count(app, Prescription, Prescription.patient_id == pid),
            count(app, EnrollmentCode, EnrollmentCode.patient_id == pid),
            count(app, Device, Device.patient_id == pid, Device.revoked_at.is_(None)),
            count(app, AuditRecord, AuditRecord.patient_id == pid))


@pytest.mark.parametrize("method,path,body", PATIENT_ID_PATHS)
def test_another_clinicians_patient_is_404_on_every_path(app, other_clinician, patient, method, path, body):
    before = _snapshot(app, patient.id)
    answer = other_clinician.open(method, path.format(p=patient.id, d=_device(app, patient.id)), json=body)
    problem = assert_problem(answer, 404)
    assert patient.id not in answer.get_data(as_text=True)
    assert "errors" not in problem
    # Nothing changed, nothing was read into the trail, and the phone still works.
    assert _snapshot(app, patient.id) == before
    assert patient.get("/me").status_code == 200


@pytest.mark.parametrize("method,path,body", PATIENT_ID_PATHS)
def test_a_random_patient_id_is_404_on_every_path(app, clinician, patient, method, path, body):
    answer = clinician.open(method, path.format(p=random_id(), d=_device(app, patient.id)), json=body)
    assert_problem(answer, 404)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0", "%00", "..%2F..%2Fflags",
                                    "00000000-0000-0000-0000-00000000000g", "x" * 300])
@pytest.mark.parametrize("method,path,body", PATIENT_ID_PATHS)
def test_a_patient_id_that_is_no_uuid_is_404(clinician, method, path, body, bad_id):
    answer = clinician.open(method, path.format(p=bad_id, d=random_id()), json=body)
    assert_problem(answer, 404)


def test_the_same_wrong_answer_whether_the_patient_exists_or_not(other_clinician, patient):
    taken = other_clinician.get(f"/patients/{patient.id}")
    missing = other_clinician.get(f"/patients/{random_id()}")
    assert taken.status_code == missing.status_code == 404
    # Everything but the request's own id is the same.
    assert {k: v for k, v in taken.json.items() if k != "request_id"} == \
        {k: v for k, v in missing.json.items() if k != "request_id"}


def test_a_device_of_another_patient_is_404(app, clinician, patient):
    mine = make_patient(clinician)
    their_device = _device(app, patient.id)
    answer = clinician.delete(f"/patients/{mine.id}/devices/{their_device}")
    assert_problem(answer, 404)
    assert patient.get("/me").status_code == 200
    assert mine.get("/me").status_code == 200


def test_a_device_of_another_clinicians_patient_is_404_under_ones_own_patient(app, clinician, other_clinician,
                                                                               patient):
    theirs = make_patient(other_clinician)
    answer = clinician.delete(f"/patients/{patient.id}/devices/{_device(app, theirs.id)}")
    assert_problem(answer, 404)
    assert theirs.get("/me").status_code == 200


def test_the_patient_list_holds_only_ones_own(clinician, other_clinician):
    mine = {make_patient(clinician).id for _ in range(2)}
    theirs = {make_patient(other_clinician).id for _ in range(3)}
    assert {p["id"] for p in clinician.get("/patients").json["items"]} == mine
    assert {p["id"] for p in other_clinician.get("/patients").json["items"]} == theirs


def test_a_clinician_with_no_patients_sees_an_empty_list(other_clinician, patient):
    answer = other_clinician.get("/patients")
    assert answer.status_code == 200
    assert answer.json == {"items": [], "next_cursor": None}


def test_two_clinicians_may_use_the_same_reference_without_seeing_each_other(clinician, other_clinician):
    body = {"reference": "shared-ref", "treatment_start": "2026-01-05"}
    a = clinician.post("/patients", json=body)
    b = other_clinician.post("/patients", json=body)
    assert a.status_code == b.status_code == 201
    assert a.json["id"] != b.json["id"]
    assert [p["id"] for p in clinician.get("/patients").json["items"]] == [a.json["id"]]


def test_a_patient_sees_only_their_own_entries(clinician, patient):
    other = make_patient(clinician)
    mine = patient.post("/entries", json=entry(craving=4)).json["id"]
    theirs = other.post("/entries", json=entry(craving=6)).json["id"]
    assert [e["id"] for e in patient.get("/entries").json["items"]] == [mine]
    assert [e["id"] for e in other.get("/entries").json["items"]] == [theirs]
    assert [e["id"] for e in clinician.get(f"/patients/{other.id}/entries").json["items"]] == [theirs]


def test_a_client_id_is_a_key_per_patient(clinician, patient):
    other = make_patient(clinician)
    body = entry(craving=4)
    first = patient.post("/entries", json=body)
    second = other.post("/entries", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]


def test_another_clinician_sees_none_of_my_patients_flags(clinician, other_clinician, patient):
    patient.post("/entries", json=entry(craving=10, alcohol_drinks=12, doses=[{"amount_mg": 300}],
                                        note="I feel like ending it all"))
    assert other_clinician.get("/flags").json["items"] == []
    filtered = other_clinician.get("/flags", query_string={"patient_id": patient.id})
    assert filtered.status_code in (200, 404)
    if filtered.status_code == 200:
        assert filtered.json["items"] == []
    for flag in clinician.get("/flags").json["items"]:
        assert_problem(other_clinician.get(f"/flags/{flag['id']}"), 404)
        assert_problem(other_clinician.post(f"/flags/{flag['id']}/review", json={"action": "acknowledge"}), 404)
