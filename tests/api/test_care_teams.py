"""Clinics and care teams: the members of a patient's team work the patient; nobody else sees it."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from api_helpers import add_team, assert_problem, cli, clinic, enrol, join, member, phone_of
from conftest import Caller, entry, local_today

from service.extensions import db
from service.models import Clinician

PATIENT_ID_PATHS = [("GET", "/patients/{p}"), ("GET", "/patients/{p}/entries"), ("GET", "/patients/{p}/summary"),
                    ("GET", "/patients/{p}/devices"), ("GET", "/patients/{p}/audit")]


def test_clinics_create_prints_the_clinic_and_its_first_team(app):
    made = clinic(app, "  Riverside Clinic ")
    assert made["name"] == "Riverside Clinic"
    assert uuid.UUID(made["id"]) and uuid.UUID(made["team_id"])


def test_a_nurse_of_the_team_works_the_prescribers_patient(app, client):
    made = clinic(app)
    prescriber, nurse = member(app, client, made), member(app, client, made, role="nurse")
    patient = enrol(prescriber)
    assert patient["team_id"] == made["team_id"]
    for method, path in PATIENT_ID_PATHS:
        assert nurse.open(method, path.format(p=patient["id"])).status_code == 200, path
    assert [p["id"] for p in nurse.get("/patients").json["items"]] == [patient["id"]]


def test_another_team_of_the_same_clinic_gets_404_like_a_missing_patient(app, client):
    made = clinic(app)
    prescriber = member(app, client, made)
    other_team = add_team(app, made["id"], "Night team")
    outsider = member(app, client, made, team_id=other_team)
    patient = enrol(prescriber)
    phone = phone_of(client, patient)
    phone.post("/entries", json=entry(symptoms=[{"code": "slow_breathing", "severity": 3}]))
    assert prescriber.get("/flags").json["items"], "the team sees the urgent flag"
    for method, path in PATIENT_ID_PATHS:
        answer = outsider.open(method, path.format(p=patient["id"]))
        missing = outsider.open(method, path.format(p=uuid.uuid4()))
        same = {k: v for k, v in answer.get_json().items() if k != "request_id"}
        assert answer.status_code == 404 and same == {k: v for k, v in missing.get_json().items() if k != "request_id"}
    assert outsider.get("/patients").json["items"] == []
    assert outsider.get("/flags").json["items"] == []


def test_a_reference_names_one_patient_in_the_whole_clinic(app, client, clinician):
    made = clinic(app)
    day, night = member(app, client, made), member(app, client, made, team_id=add_team(app, made["id"], "Night"))
    first = enrol(day, reference="MRN-1234")
    again = night.post("/patients", json={"reference": "MRN-1234", "treatment_start": local_today().isoformat()})
    assert again.status_code == 409 and "clinic already has" in again.json["detail"]
    other = enrol(night, reference="MRN-9")
    renamed = night.patch(f"/patients/{other['id']}", json={"reference": "MRN-1234"})
    assert renamed.status_code == 409
    assert day.get(f"/patients/{first['id']}").json["reference"] == "MRN-1234"
    assert enrol(clinician, reference="MRN-1234")["reference"] == "MRN-1234"  # another clinic's own


def test_clinicians_made_the_old_way_never_see_each_others_patients(clinician, other_clinician):
    patient = enrol(clinician)
    assert other_clinician.get(f"/patients/{patient['id']}").status_code == 404
    mine, theirs = clinician.get("/clinic").json, other_clinician.get("/clinic").json
    assert mine["id"] != theirs["id"] and mine["role"] == "prescriber"
    assert [t["id"] for t in mine["teams"]] == [patient["team_id"]]


def test_a_clinician_in_several_teams_says_which_takes_the_patient(app, client):
    made = clinic(app)
    both = member(app, client, made)
    second = add_team(app, made["id"], "Day team")
    join(app, both.id, second)
    unsaid = both.post("/patients", json={"reference": "R-1", "treatment_start": local_today().isoformat()})
    assert_problem(unsaid, 422)
    assert "team_id" in unsaid.json["errors"]
    placed = enrol(both, team_id=second)
    assert placed["team_id"] == second
    assert {t["name"] for t in both.get("/clinic").json["teams"]} == {"Riverside Clinic", "Day team"}


def test_a_patient_goes_only_to_a_team_of_the_caller(app, client, clinician):
    made = clinic(app)
    refused = clinician.post("/patients", json={"reference": "R-2", "treatment_start": local_today().isoformat(),
                                                "team_id": made["team_id"]})
    assert_problem(refused, 422)
    assert refused.json["errors"] == {"team_id": ["Not one of your care teams."]}


def test_a_clinician_in_no_team_is_told_to_ask_an_admin(app, client):
    made = clinic(app)
    result, out = cli(app, "clinicians", "create", "loose@example.org", "--name", "Dr Loose", "--clinic", made["id"])
    assert result.exit_code == 0, result.output
    loose = Caller(client, out["token"])
    answer = loose.post("/patients", json={"reference": "R-3", "treatment_start": local_today().isoformat()})
    assert_problem(answer, 422)
    assert "no care team" in answer.json["errors"]["team_id"][0]
    assert loose.get("/clinic").json["teams"] == []


def test_a_deactivated_clinicians_token_is_refused(app, clinician):
    with app.app_context():
        db.session.execute(sa.update(Clinician).where(Clinician.id == uuid.UUID(clinician.id)).values(active=False))
        db.session.commit()
    assert_problem(clinician.get("/patients"), 401)


@pytest.mark.parametrize("args, says", [
    (["--clinic", str(uuid.uuid4())], "no clinic"),
    (["--team", str(uuid.uuid4())], "a team is given with its clinic"),
    (["--role", "surgeon"], "surgeon"),
])
def test_clinicians_create_refuses_a_place_that_does_not_exist(app, args, says):
    result, _ = cli(app, "clinicians", "create", "x@example.org", "--name", "Dr X", *args)
    assert result.exit_code == 2 and says in result.output


def test_clinicians_create_refuses_a_team_of_another_clinic(app):
    first, second = clinic(app, "First"), clinic(app, "Second")
    result, _ = cli(app, "clinicians", "create", "y@example.org", "--name", "Dr Y", "--clinic", first["id"],
                    "--team", second["team_id"])
    assert result.exit_code == 2 and "no team" in result.output
