"""Questionnaires: the instruments as served, responses stored once and scored, judged like entries
at each rule's boundaries, schedules and what is due in the patient's local time."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from conftest import answered, days_ago_at, entry, local_today, make_patient

from service.extensions import db
from service.models import Flag, Occurrence, WebhookEvent

PHQ9_CALM = [0] * 9


def phq9(total: int, item9: int | None = None) -> list[int]:
    """PHQ-9 answers adding up to `total`, item 9 answered `item9` (by default only what the other
    eight items cannot hold)."""
    item9 = max(0, total - 24) if item9 is None else item9
    answers, left = [0] * 8 + [item9], total - item9
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    assert left == 0 and sum(answers) == total
    return answers


def spread(total: int, items: int, top: int) -> list[int]:
    answers = []
    for _ in range(items):
        answers.append(min(top, total - sum(answers)))
    assert sum(answers) == total
    return answers


def send(phone, body: dict, status: int = 201) -> dict:
    answer = phone.post("/questionnaire-responses", json=body)
    assert answer.status_code == status, answer.get_json()
    return answer.json


def rules_of(answer: dict) -> dict:
    return {flag["rule"]: flag["severity"] for flag in answer["flags"]}


# ------------------------------------------------------------------ the instruments


def test_the_four_instruments_with_their_items_sources_and_licences(patient, clinician):
    for caller in (patient, clinician):
        listed = caller.get("/questionnaires")
        assert listed.status_code == 200
        items = {q["code"]: q for q in listed.json["items"]}
        assert list(items) == ["phq9", "gad7", "pacs", "auditc"]
        assert {code: len(q["items"]) for code, q in items.items()} == {"phq9": 9, "gad7": 7, "pacs": 5, "auditc": 3}
        for q in items.values():
            assert q["title"] and q["recall_period"] and q["source"] and q["licence"]
        assert [o["value"] for o in items["pacs"]["items"][0]["options"]] == list(range(7))
        assert "better off dead" in items["phq9"]["items"][8]["text"]


# ------------------------------------------------------------------ storing and replaying


def test_a_response_is_scored_banded_and_stored_once(patient):
    body = answered("gad7", [1, 1, 1, 1, 1, 1, 0])
    first = send(patient, body)
    assert (first["score"], first["band"], first["instrument"]) == (6, "mild", "gad7")
    assert first["answers"] == [1, 1, 1, 1, 1, 1, 0] and first["flags"] == []
    again = send(patient, body, 200)
    assert again["id"] == first["id"]
    other = patient.post("/questionnaire-responses", json={**body, "answers": [0] * 7})
    assert other.status_code == 409


@pytest.mark.parametrize("change, field", [
    ({"answers": [1] * 8}, "answers"),  # PHQ-9 has 9 items
    ({"answers": [1] * 8 + [4]}, "answers.8"),  # 0 to 3
    ({"answers": [1] * 8 + [True]}, "answers.8"),
    ({"answers": [1] * 8 + ["2"]}, "answers.8"),
    ({"answers": [1] * 8 + [1.5]}, "answers.8"),
    ({"instrument": "beck"}, "instrument"),
    ({"answered_at": "2026-01-01T12:00:00"}, "answered_at"),  # no offset
    ({"client_id": "not-a-uuid"}, "client_id"),
])
def test_bad_input_is_a_422_at_its_field_and_stores_nothing(app, patient, change, field):
    answer = patient.post("/questionnaire-responses", json={**answered("phq9", PHQ9_CALM), **change})
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.json["errors"], answer.json
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT COUNT(*) FROM questionnaire_responses")) == 0


def test_a_response_from_the_future_is_refused(patient):
    ahead = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
    answer = patient.post("/questionnaire-responses", json=answered("pacs", [0] * 5, answered_at=ahead))
    assert answer.status_code == 422 and "answered_at" in answer.json["errors"]


def test_only_a_patient_sends_responses(clinician):
    assert clinician.post("/questionnaire-responses", json=answered("pacs", [0] * 5)).status_code == 403


# ------------------------------------------------------------------ the rules at their boundaries


@pytest.mark.parametrize("item9, fires", [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_is_a_suicidal_thoughts_report_with_that_severity(patient, item9, fires):
    answer = send(patient, answered("phq9", phq9(item9 + 2, item9)))
    assert ("suicidal_thoughts" in rules_of(answer)) is fires
    if fires:
        flag = next(f for f in answer["flags"] if f["rule"] == "suicidal_thoughts")
        assert flag["severity"] == "urgent" and "crisis line" in flag["guidance"]


def test_the_suicide_item_names_questionnaire_item_and_answer_and_is_pushed(app, clinician, patient):
    app.config["BACLOWATCH_WEBHOOK_URL"] = "http://127.0.0.1:9/hooks"
    try:
        send(patient, answered("phq9", phq9(4, 2)))
    finally:
        app.config["BACLOWATCH_WEBHOOK_URL"] = None
    flag = clinician.get("/flags").json["items"][0]
    assert flag["rule"] == "suicidal_thoughts" and flag["entry_ids"] == [] and len(flag["response_ids"]) == 1
    evidence = flag["evidence"]
    assert (evidence["questionnaire"], evidence["item"], evidence["answer"]) == ("phq9", 9, 2)
    assert evidence["symptoms"] == {"suicidal_thoughts": 2} and evidence["answer_label"]
    with app.app_context():
        events = db.session.scalars(sa.select(WebhookEvent.type)).all()
    assert events == ["flag.urgent"]


def test_a_phq9_item_9_and_an_entry_share_one_suicidal_thoughts_flag(clinician, patient):
    send(patient, answered("phq9", phq9(3, 1)))
    logged = patient.post("/entries", json=entry(symptoms=[{"code": "suicidal_thoughts", "severity": 2}]))
    assert logged.status_code == 201
    flags = [f for f in clinician.get("/flags").json["items"] if f["rule"] == "suicidal_thoughts"]
    assert len(flags) == 1 and flags[0]["occurrences"] == 2
    assert len(flags[0]["entry_ids"]) == 1 and len(flags[0]["response_ids"]) == 1


@pytest.mark.parametrize("total, severity", [(14, None), (15, "moderate"), (19, "moderate"), (20, "high"),
                                             (27, "high")])
def test_depression_screen_from_15_high_from_20(patient, total, severity):
    answer = send(patient, answered("phq9", phq9(total)))
    assert rules_of(answer).get("depression_screen") == severity
    assert answer["score"] == total


@pytest.mark.parametrize("total, fires", [(14, False), (15, True), (21, True)])
def test_anxiety_screen_from_15(patient, total, fires):
    answer = send(patient, answered("gad7", spread(total, 7, 3)))
    assert rules_of(answer).get("anxiety_screen") == ("moderate" if fires else None)


@pytest.mark.parametrize("total, day_of_treatment, fires", [
    (19, 40, False), (20, 40, True), (30, 40, True), (20, 28, True), (20, 27, False), (30, 5, False)])
def test_craving_screen_from_20_on_day_28_or_later(clinician, total, day_of_treatment, fires):
    when = days_ago_at(1)
    start = when.date() - dt.timedelta(days=day_of_treatment)
    phone = make_patient(clinician, treatment_start=start.isoformat())
    answer = send(phone, answered("pacs", spread(total, 5, 6), answered_at=when.isoformat()))
    assert rules_of(answer).get("craving_screen") == ("moderate" if fires else None)
    if fires:
        flag = next(f for f in clinician.get("/flags").json["items"] if f["rule"] == "craving_screen")
        assert flag["evidence"]["day_of_treatment"] == day_of_treatment and flag["evidence"]["score"] == total


def test_screens_are_deduplicated_like_every_flag(clinician, patient):
    for _ in range(3):
        send(patient, answered("phq9", phq9(16)))
    flags = [f for f in clinician.get("/flags").json["items"] if f["rule"] == "depression_screen"]
    assert len(flags) == 1 and flags[0]["occurrences"] == 3
    flag_id = flags[0]["id"]
    assert clinician.post(f"/flags/{flag_id}/review", json={"action": "resolve", "note": "Seen at clinic."}
                          ).status_code == 200
    send(patient, answered("phq9", phq9(16)))
    assert len([f for f in clinician.get("/flags").json["items"] if f["rule"] == "depression_screen"]) == 1
    assert [f for f in clinician.get("/flags").json["items"] if f["rule"] == "depression_screen"][0]["id"] != flag_id


def test_a_response_moves_to_its_local_day_in_a_new_time_zone(clinician):
    phone = make_patient(clinician, timezone="UTC")
    late = days_ago_at(2, hour=23, minute=30, zone="UTC")
    assert send(phone, answered("pacs", [1] * 5, answered_at=late.isoformat()))["local_date"] == late.date().isoformat()
    assert clinician.patch(f"/patients/{phone.id}", json={"timezone": "Asia/Tokyo"}).status_code == 200
    listed = clinician.get(f"/patients/{phone.id}/questionnaire-responses").json["items"]
    assert listed[0]["local_date"] == (late.date() + dt.timedelta(days=1)).isoformat()


def test_auditc_is_banded_by_the_patients_sex_and_again_when_it_changes(clinician):
    phone = make_patient(clinician, sex="male")
    first = send(phone, answered("auditc", [1, 1, 1]))
    assert first["band"] == "negative"  # men screen positive from 4
    changed = clinician.patch(f"/patients/{phone.id}", json={"sex": "female"})
    assert changed.status_code == 200 and changed.json["sex"] == "female"
    listed = clinician.get(f"/patients/{phone.id}/questionnaire-responses").json["items"]
    assert listed[0]["band"] == "positive"  # women from 3


# ------------------------------------------------------------------ batch sync


def test_a_batch_answers_each_item_on_its_own(clinician, patient):
    known = answered("pacs", [1] * 5)
    send(patient, known)
    clash = answered("gad7", [0] * 7)
    send(patient, clash)
    fresh = answered("phq9", phq9(16), answered_at=days_ago_at(2).isoformat())
    batch = patient.post("/questionnaire-responses/batch", json={"responses": [
        fresh, known, {**clash, "answers": [1] * 7}, {"client_id": str(uuid.uuid4()), "instrument": "pacs"}, 7]})
    assert batch.status_code == 200, batch.get_json()
    results = batch.json["results"]
    assert [r["status"] for r in results] == ["created", "duplicate", "conflict", "invalid", "invalid"]
    assert results[0]["response"]["flags"][0]["rule"] == "depression_screen"
    assert "answers" in results[3]["errors"] and "answered_at" in results[3]["errors"]
    assert results[1]["response"]["score"] == 5


def test_a_batch_is_judged_in_order_of_answered_at(clinician, patient):
    late, early = answered("phq9", phq9(22), answered_at=days_ago_at(1).isoformat()), \
        answered("phq9", phq9(16), answered_at=days_ago_at(3).isoformat())
    assert patient.post("/questionnaire-responses/batch", json={"responses": [late, early]}).status_code == 200
    flag = next(f for f in clinician.get("/flags").json["items"] if f["rule"] == "depression_screen")
    assert flag["severity"] == "high" and flag["occurrences"] == 2
    assert flag["first_seen_at"] < flag["last_seen_at"]


# ------------------------------------------------------------------ the clinician's view


def test_the_team_lists_responses_newest_first_with_flags_and_an_instrument_filter(clinician, patient):
    send(patient, answered("pacs", [0] * 5, answered_at=days_ago_at(3).isoformat()))
    send(patient, answered("phq9", phq9(20), answered_at=days_ago_at(2).isoformat()))
    send(patient, answered("pacs", [2] * 5, answered_at=days_ago_at(1).isoformat()))
    listed = clinician.get(f"/patients/{patient.id}/questionnaire-responses").json["items"]
    assert [(r["instrument"], r["score"]) for r in listed] == [("pacs", 10), ("phq9", 20), ("pacs", 0)]
    assert [f["rule"] for f in listed[1]["flags"]] == ["depression_screen"]
    pacs = clinician.get(f"/patients/{patient.id}/questionnaire-responses", query_string={"instrument": "pacs",
                                                                                          "limit": 1}).json
    assert [r["score"] for r in pacs["items"]] == [10] and pacs["next_cursor"]
    rest = clinician.get(f"/patients/{patient.id}/questionnaire-responses",
                         query_string={"instrument": "pacs", "cursor": pacs["next_cursor"]}).json
    assert [r["score"] for r in rest["items"]] == [0] and rest["next_cursor"] is None


def test_reevaluate_judges_stored_responses_again(app, runner, clinician, patient):
    send(patient, answered("phq9", phq9(21, 1)))
    with app.app_context():
        db.session.execute(sa.delete(Occurrence))
        db.session.execute(sa.delete(Flag))
        db.session.commit()
    result = runner.invoke(args=["rules", "reevaluate"])
    assert result.exit_code == 0, result.output
    assert '"responses": 1' in result.output
    assert sorted(f["rule"] for f in clinician.get("/flags").json["items"]) == ["depression_screen",
                                                                                 "suicidal_thoughts"]
    again = runner.invoke(args=["rules", "reevaluate"])
    assert '"new_flags": 0' in again.output


# ------------------------------------------------------------------ schedules and what is due


def test_the_default_schedule_asks_gad7_only_of_a_patient_with_anxiety(clinician):
    calm = make_patient(clinician)
    anxious = make_patient(clinician, anxiety=True)
    assert clinician.get(f"/patients/{calm.id}/questionnaire-schedule").json == {
        "phq9": 14, "gad7": None, "pacs": 7, "auditc": 28}
    assert clinician.get(f"/patients/{anxious.id}/questionnaire-schedule").json["gad7"] == 14
    due = {d["instrument"] for d in calm.get("/questionnaires/due").json["items"]}
    assert due == {"phq9", "pacs", "auditc"}


def test_a_response_inside_the_interval_satisfies_it_and_nothing_is_due_twice(clinician):
    phone = make_patient(clinician)
    six_days_ago = days_ago_at(6)
    send(phone, answered("pacs", [0] * 5, answered_at=six_days_ago.isoformat()))
    assert "pacs" not in {d["instrument"] for d in phone.get("/questionnaires/due").json["items"]}
    seven = make_patient(clinician)
    send(seven, answered("pacs", [0] * 5, answered_at=days_ago_at(7).isoformat()))
    due = {d["instrument"]: d["due_since"] for d in seven.get("/questionnaires/due").json["items"]}
    assert due["pacs"] == local_today().isoformat()
    send(seven, answered("pacs", [0] * 5))
    assert "pacs" not in {d["instrument"] for d in seven.get("/questionnaires/due").json["items"]}


def test_a_never_answered_questionnaire_is_due_from_the_start_of_treatment(clinician):
    start = local_today() - dt.timedelta(days=3)
    phone = make_patient(clinician, treatment_start=start.isoformat())
    due = {d["instrument"]: d["due_since"] for d in phone.get("/questionnaires/due").json["items"]}
    assert due == {"phq9": start.isoformat(), "pacs": start.isoformat(), "auditc": start.isoformat()}
    later = make_patient(clinician, treatment_start=(local_today() + dt.timedelta(days=2)).isoformat())
    assert later.get("/questionnaires/due").json["items"] == []


def test_the_team_changes_the_schedule_and_what_is_due_follows(clinician):
    phone = make_patient(clinician)
    changed = clinician.put(f"/patients/{phone.id}/questionnaire-schedule", json={"pacs": None, "gad7": 7})
    assert changed.status_code == 200
    assert changed.json == {"phq9": 14, "gad7": 7, "pacs": None, "auditc": 28}
    assert {d["instrument"] for d in phone.get("/questionnaires/due").json["items"]} == {"phq9", "gad7", "auditc"}
    kept = clinician.put(f"/patients/{phone.id}/questionnaire-schedule", json={"auditc": 56}).json
    assert kept == {"phq9": 14, "gad7": 7, "pacs": None, "auditc": 56}


@pytest.mark.parametrize("body, field", [({}, "body"), ({"pacs": 0}, "pacs"), ({"pacs": "7"}, "pacs"),
                                         ({"beck": 7}, "beck"), ({"phq9": 400}, "phq9")])
def test_a_bad_schedule_is_refused_and_changes_nothing(clinician, patient, body, field):
    answer = clinician.put(f"/patients/{patient.id}/questionnaire-schedule", json=body)
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
    assert clinician.get(f"/patients/{patient.id}/questionnaire-schedule").json["pacs"] == 7


def test_another_clinicians_patient_is_404_for_responses_schedule_and_outcomes(clinician, other_clinician, patient):
    for method, path in (("GET", "questionnaire-responses"), ("GET", "questionnaire-schedule"),
                         ("PUT", "questionnaire-schedule"), ("GET", "outcomes")):
        answer = other_clinician.open(method, f"/patients/{patient.id}/{path}",
                                      json={"pacs": 7} if method == "PUT" else None)
        assert answer.status_code == 404, (method, path)
