"""Who is handling a flag: acknowledging takes it, `assign` hands it to a team member, and the
queue filters by team and by assignee."""
from __future__ import annotations

import uuid

from api_helpers import add_team, assert_problem, clinic, enrol, join, member, phone_of
from conftest import entry

URGENT = {"symptoms": [{"code": "slow_breathing", "severity": 3}]}


def team_with_a_flag(app, client):
    made = clinic(app)
    prescriber, nurse = member(app, client, made, name="Pat Rx"), member(app, client, made, role="nurse",
                                                                        name="Nia Nurse")
    patient = enrol(prescriber)
    phone_of(client, patient).post("/entries", json=entry(**URGENT))
    flag = prescriber.get("/flags").json["items"][0]
    return made, prescriber, nurse, patient, flag


def test_acknowledging_takes_the_flag_and_the_queue_finds_it_as_mine(app, client):
    _, prescriber, nurse, _, flag = team_with_a_flag(app, client)
    assert flag["assignee_id"] is None
    assert [f["id"] for f in nurse.get("/flags?assignee=none").json["items"]] == [flag["id"]]
    taken = nurse.post(f"/flags/{flag['id']}/review", json={"action": "acknowledge"})
    assert taken.status_code == 200 and taken.json["assignee_id"] == nurse.id
    mine = nurse.get("/flags?status=acknowledged&assignee=me").json["items"]
    assert [f["id"] for f in mine] == [flag["id"]]
    assert prescriber.get("/flags?status=acknowledged&assignee=me").json["items"] == []
    assert nurse.get("/flags?status=acknowledged&assignee=none").json["items"] == []
    by_id = prescriber.get(f"/flags?status=acknowledged&assignee={nurse.id}").json["items"]
    assert [f["id"] for f in by_id] == [flag["id"]]


def test_a_flag_is_handed_to_a_member_of_the_patients_team(app, client):
    _, prescriber, nurse, _, flag = team_with_a_flag(app, client)
    handed = prescriber.post(f"/flags/{flag['id']}/review", json={"action": "assign", "clinician_id": nurse.id,
                                                                  "note": "Can you call her today?"})
    assert handed.status_code == 200, handed.get_json()
    assert handed.json["assignee_id"] == nurse.id and handed.json["status"] == "open"
    review = handed.json["reviews"][-1]
    assert (review["action"], review["assignee_id"], review["clinician_name"]) == ("assign", nurse.id, "Pat Rx")


def test_a_flag_is_never_handed_outside_the_team(app, client, clinician):
    made, prescriber, _, _, flag = team_with_a_flag(app, client)
    for whom in (clinician.id, str(uuid.uuid4())):
        refused = prescriber.post(f"/flags/{flag['id']}/review", json={"action": "assign", "clinician_id": whom})
        assert_problem(refused, 422)
        assert "clinician_id" in refused.json["errors"]
    assert_problem(prescriber.post(f"/flags/{flag['id']}/review", json={"action": "assign"}), 422)
    assert_problem(prescriber.post(f"/flags/{flag['id']}/review",
                                   json={"action": "acknowledge", "clinician_id": prescriber.id}), 422)
    assert prescriber.get(f"/flags/{flag['id']}").json["assignee_id"] is None


def test_a_closed_flag_is_not_handed_over(app, client):
    _, prescriber, nurse, _, flag = team_with_a_flag(app, client)
    assert prescriber.post(f"/flags/{flag['id']}/review", json={"action": "resolve", "note": "Seen."}).status_code == 200
    assert_problem(prescriber.post(f"/flags/{flag['id']}/review",
                                   json={"action": "assign", "clinician_id": nurse.id}), 409)


def test_the_queue_shows_one_team_at_a_time(app, client):
    made, prescriber, _, _, flag = team_with_a_flag(app, client)
    other = prescriber  # the prescriber joins a second team with a patient of its own
    night = _team_with(app, made["id"], other.id)
    second = enrol(other, team_id=night)
    phone_of(client, second).post("/entries", json=entry(**URGENT))
    assert {f["patient_id"] for f in other.get("/flags").json["items"]} == {flag["patient_id"], second["id"]}
    only_night = other.get(f"/flags?team_id={night}").json["items"]
    assert [f["patient_id"] for f in only_night] == [second["id"]]
    assert_problem(other.get("/flags?assignee=someone"), 422)


def _team_with(app, clinic_id: str, clinician_id: str) -> str:

    team = add_team(app, clinic_id, "Nights")
    join(app, clinician_id, team)
    return team


def test_the_upgrade_gives_acknowledged_flags_to_whoever_acknowledged_them(empty_database):
    from conftest import app_at_head, make_clinician, make_patient

    with app_at_head(empty_database) as app:
        client = app.test_client()
        doctor = make_clinician(app, client)
        make_patient(doctor).post("/entries", json=entry(**URGENT))
        flag = doctor.get("/flags").json["items"][0]
        assert doctor.post(f"/flags/{flag['id']}/review", json={"action": "acknowledge"}).status_code == 200
        runner = app.test_cli_runner()
        back = runner.invoke(args=["db", "downgrade", "0008"])
        assert back.exit_code == 0, back.output  # only acknowledgements: nothing a downgrade loses
        again = runner.invoke(args=["db", "upgrade"])
        assert again.exit_code == 0 and "applied 0009" in again.output, again.output
        assert doctor.get(f"/flags/{flag['id']}").json["assignee_id"] == doctor.id


def test_a_patient_who_moves_takes_their_flags_to_the_new_teams_queue(app, client):
    made, prescriber, nurse, patient, flag = team_with_a_flag(app, client)
    night = _team_with(app, made["id"], prescriber.id)
    assert prescriber.patch(f"/patients/{patient['id']}", json={"team_id": night}).status_code == 200
    assert [f["id"] for f in prescriber.get(f"/flags?team_id={night}").json["items"]] == [flag["id"]]
    assert prescriber.get(f"/flags?team_id={made['team_id']}").json["items"] == []
    assert nurse.get("/flags").json["items"] == [], "the old team no longer sees it"
    assert nurse.get(f"/flags/{flag['id']}").status_code == 404
