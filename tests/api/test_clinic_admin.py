"""A clinic's admin manages its clinicians and teams; only a prescriber sets doses; a patient moves
between its clinician's teams."""
from __future__ import annotations

import uuid

from api_helpers import assert_problem, clinic, enrol, member
from conftest import Caller, local_today

RX = {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"}


def staff(app, client):
    made = clinic(app)
    return made, member(app, client, made, role="admin", name="Ada Admin"), member(app, client, made, name="Pat Rx"), \
        member(app, client, made, role="nurse", name="Nia Nurse")


def test_an_admin_adds_a_clinician_who_can_work_at_once(app, client):
    made, admin, _, _ = staff(app, client)
    added = admin.post("/clinicians", json={"email": "New@Example.org", "name": "Noor New", "role": "nurse",
                                            "team_ids": [made["team_id"]]})
    assert added.status_code == 201, added.get_json()
    assert added.json["email"] == "new@example.org" and added.json["team_ids"] == [made["team_id"]]
    newcomer = Caller(client, added.json["token"])
    assert newcomer.get("/clinic").json["role"] == "nurse"
    again = admin.post("/clinicians", json={"email": "new@example.org", "name": "Other", "role": "nurse"})
    assert_problem(again, 409)


def test_only_an_admin_manages_the_clinic(app, client):
    made, _, prescriber, nurse = staff(app, client)
    for caller in (prescriber, nurse):
        assert_problem(caller.post("/clinicians", json={"email": "x@example.org", "name": "X", "role": "nurse"}), 403)
        assert_problem(caller.patch(f"/clinicians/{nurse.id}", json={"active": False}), 403)
        assert_problem(caller.post("/teams", json={"name": "Nights"}), 403)
        assert_problem(caller.open("PUT", f"/teams/{made['team_id']}/members/{caller.id}"), 403)
    assert nurse.get("/patients").status_code == 200, "the refusal changed nothing of their own access"


def test_deactivating_a_clinician_ends_their_tokens_at_once_and_keeps_them_listed(app, client):
    _, admin, prescriber, _ = staff(app, client)
    patient = enrol(prescriber)
    changed = admin.patch(f"/clinicians/{prescriber.id}", json={"active": False})
    assert changed.status_code == 200 and changed.json["active"] is False
    assert_problem(prescriber.get("/patients"), 401)
    listed = {c["id"]: c for c in admin.get("/clinicians").json["items"]}
    assert listed[prescriber.id]["active"] is False
    assert admin.get(f"/patients/{patient['id']}").status_code == 200, "the patient stays with the team"


def test_a_clinic_keeps_at_least_one_active_admin(app, client):
    _, admin, prescriber, _ = staff(app, client)
    for change in ({"active": False}, {"role": "nurse"}):
        refused = admin.patch(f"/clinicians/{admin.id}", json=change)
        assert_problem(refused, 409)
        assert "at least one active admin" in refused.json["detail"]
    assert admin.patch(f"/clinicians/{prescriber.id}", json={"role": "admin"}).status_code == 200
    assert admin.patch(f"/clinicians/{admin.id}", json={"role": "nurse"}).status_code == 200
    assert Caller(client, prescriber.token).get("/clinic").json["role"] == "admin"
    assert_problem(prescriber.patch(f"/clinicians/{prescriber.id}", json={"active": False}), 409)


def test_another_clinics_clinician_or_team_is_404(app, client, clinician):
    made, admin, _, _ = staff(app, client)
    assert_problem(admin.patch(f"/clinicians/{clinician.id}", json={"role": "nurse"}), 404)
    elsewhere = clinician.get("/clinic").json["teams"][0]["id"]
    assert_problem(admin.open("PUT", f"/teams/{elsewhere}/members/{admin.id}"), 404)
    assert_problem(admin.post("/clinicians", json={"email": "z@example.org", "name": "Z", "role": "nurse",
                                                   "team_ids": [elsewhere]}), 404)


def test_team_membership_decides_who_sees_a_patient(app, client):
    made, admin, prescriber, _ = staff(app, client)
    patient = enrol(prescriber)
    nights = admin.post("/teams", json={"name": "Nights"})
    assert nights.status_code == 201
    assert_problem(admin.post("/teams", json={"name": "Nights"}), 409)
    night_nurse = member(app, client, made, role="nurse", team_id=nights.json["id"], name="Nell Night")
    assert night_nurse.get(f"/patients/{patient['id']}").status_code == 404
    assert admin.open("PUT", f"/teams/{made['team_id']}/members/{night_nurse.id}").status_code == 204
    assert admin.open("PUT", f"/teams/{made['team_id']}/members/{night_nurse.id}").status_code == 204, "twice"
    assert night_nurse.get(f"/patients/{patient['id']}").status_code == 200
    teams = {t["name"]: t for t in admin.get("/teams").json["items"]}
    assert night_nurse.id in teams["Riverside Clinic"]["member_ids"]
    assert admin.open("DELETE", f"/teams/{made['team_id']}/members/{night_nurse.id}").status_code == 204
    assert night_nurse.get(f"/patients/{patient['id']}").status_code == 404


def test_a_clinician_who_is_not_admin_sees_the_members_of_their_own_teams(app, client):
    made, admin, prescriber, nurse = staff(app, client)
    other = admin.post("/teams", json={"name": "Elsewhere"}).json["id"]
    loner = member(app, client, made, team_id=other, name="Lou Loner")
    seen = {c["id"] for c in nurse.get("/clinicians").json["items"]}
    assert {prescriber.id, nurse.id, admin.id} <= seen and loner.id not in seen
    assert loner.id in {c["id"] for c in admin.get("/clinicians").json["items"]}


def test_only_a_prescriber_sets_a_prescription(app, client):
    _, _, prescriber, nurse = staff(app, client)
    patient = enrol(nurse)
    assert_problem(nurse.post(f"/patients/{patient['id']}/prescriptions", json=RX), 403)
    assert_problem(nurse.patch(f"/patients/{patient['id']}", json={"prescription": RX}), 403)
    refused = nurse.post("/patients", json={"reference": "R-rx", "treatment_start": local_today().isoformat(),
                                            "prescription": RX})
    assert_problem(refused, 403)
    assert nurse.get("/patients").json["items"][0]["id"] == patient["id"], "the refused patient was not stored"
    assert prescriber.post(f"/patients/{patient['id']}/prescriptions", json=RX).status_code == 201
    assert nurse.get(f"/patients/{patient['id']}").json["prescription"]["daily_dose_mg"] == 30


def test_a_patient_moves_to_another_of_the_callers_teams_only(app, client):
    made, admin, prescriber, _ = staff(app, client)
    patient = enrol(prescriber)
    nights = admin.post("/teams", json={"name": "Nights"}).json["id"]
    assert_problem(prescriber.patch(f"/patients/{patient['id']}", json={"team_id": nights}), 422)
    assert admin.open("PUT", f"/teams/{nights}/members/{prescriber.id}").status_code == 204
    moved = prescriber.patch(f"/patients/{patient['id']}", json={"team_id": nights})
    assert moved.status_code == 200 and moved.json["team_id"] == nights
    assert_problem(admin.get(f"/patients/{patient['id']}"), 404)  # the admin is not in Nights
    assert_problem(prescriber.patch(f"/patients/{patient['id']}", json={"team_id": str(uuid.uuid4())}), 422)
