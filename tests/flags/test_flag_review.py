"""One flag: GET /flags/{id} with its evidence, source and entries; POST /flags/{id}/review."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import entry
from flagkit import (assert_invalid, assert_problem, detail, entry_on, flag_in, listed, post_entry, queue,
                     review)

LORAZEPAM = [{"name": "lorazepam", "prescribed": False}]


@pytest.fixture
def flag(patient) -> dict:
    """An open unprescribed_substance flag of the patient."""
    return flag_in(post_entry(patient, entry(substances=LORAZEPAM)), "unprescribed_substance")


def rule_source(caller, code: str) -> dict:
    answer = caller.get("/rules")
    assert answer.status_code == 200, answer.get_json()
    return next(rule["source"] for rule in answer.json["rules"] if rule["code"] == code)


def aware(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"{text} has no UTC offset"
    return moment


# ------------------------------------------------------------------ GET /flags/{id}


def test_a_flag_shows_its_evidence_source_and_entries(clinician, patient):
    older = post_entry(patient, entry_on(2, hour=10, substances=LORAZEPAM, note="took one of my sister's"))
    newer = post_entry(patient, entry_on(1, hour=22, substances=[{"name": "Xanax", "prescribed": False}]))
    flag_id = flag_in(older, "unprescribed_substance")["id"]

    shown = detail(clinician, flag_id)

    assert shown["id"] == flag_id
    assert shown["patient_id"] == patient.id
    assert shown["rule"] == "unprescribed_substance"
    assert shown["severity"] == "high"
    assert shown["status"] == "open"
    assert shown["evidence"] == {"substances": ["lorazepam"], "sedatives": ["lorazepam"]}
    assert shown["source"] == rule_source(clinician, "unprescribed_substance")
    assert shown["source"]["document"] == "baclofen-aud.txt"
    assert "lorazepam" in shown["source"]["quote"]
    assert shown["occurrences"] == 2
    assert shown["entry_ids"] == [older["id"], newer["id"]]
    assert [e["id"] for e in shown["entries"]] == [older["id"], newer["id"]], "the matching entries, oldest first"
    assert shown["entries"][0]["substances"] == LORAZEPAM
    assert shown["entries"][0]["note"] == "took one of my sister's"
    assert shown["entries"][1]["substances"] == [{"name": "Xanax", "prescribed": False}]
    assert shown["reviews"] == []


def test_a_flag_shows_the_evidence_of_each_entry(clinician, patient):
    made = post_entry(patient, entry(doses=[{"amount_mg": 320}]))
    flag_id = flag_in(made, "dose_above_studied_max")["id"]

    shown = detail(clinician, flag_id)

    assert shown["evidence"]["daily_total_mg"] == 320
    assert [e["id"] for e in shown["entries"]] == [made["id"]]
    assert shown["entries"][0]["doses"][0]["amount_mg"] == 320
    assert "flags" not in shown["entries"][0]


def test_a_flag_shows_its_review_history(clinician, flag):
    review(clinician, flag["id"], "acknowledge")
    review(clinician, flag["id"], "resolve", note="Lorazepam from a friend; agreed to stop.")

    shown = detail(clinician, flag["id"])

    assert shown["status"] == "resolved"
    assert [(r["action"], r["note"], r["clinician_id"]) for r in shown["reviews"]] == [
        ("acknowledge", None, clinician.id),
        ("resolve", "Lorazepam from a friend; agreed to stop.", clinician.id)]
    first, second = (aware(r["at"]) for r in shown["reviews"])
    assert first <= second
    assert abs(dt.datetime.now(dt.timezone.utc) - second) < dt.timedelta(minutes=5)


# ------------------------------------------------------------------ POST /flags/{id}/review


def test_acknowledge_needs_no_note(clinician, flag):
    answer = review(clinician, flag["id"], "acknowledge")

    assert answer["id"] == flag["id"]
    assert answer["status"] == "acknowledged"
    assert [(r["action"], r["clinician_id"]) for r in answer["reviews"]] == [("acknowledge", clinician.id)]
    assert listed(clinician, flag["id"])["status"] == "acknowledged"
    assert queue(clinician, status="open") == []


def test_acknowledge_keeps_a_note_when_given(clinician, flag):
    answer = review(clinician, flag["id"], "acknowledge", note="Calling her this afternoon.")

    assert answer["reviews"][0]["note"] == "Calling her this afternoon."


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_closing_needs_a_note(clinician, flag, action, note):
    body = {"action": action} if note is None else {"action": action, "note": note}

    assert_invalid(clinician.post(f"/flags/{flag['id']}/review", json=body), "note")

    still = listed(clinician, flag["id"])
    assert still["status"] == "open"
    assert still["reviews"] == []


@pytest.mark.parametrize("action, status", [("resolve", "resolved"), ("dismiss", "dismissed")])
def test_closing_with_a_note(clinician, flag, action, status):
    answer = review(clinician, flag["id"], action, note="Seen in clinic today.")

    assert answer["status"] == status
    assert answer["reviews"][-1]["action"] == action
    assert answer["reviews"][-1]["note"] == "Seen in clinic today."
    assert queue(clinician) == []
    assert [f["id"] for f in queue(clinician, status=status)] == [flag["id"]]


def test_an_acknowledged_flag_can_be_resolved(clinician, flag):
    review(clinician, flag["id"], "acknowledge")

    answer = review(clinician, flag["id"], "resolve", note="Discussed; she will not take it again.")

    assert answer["status"] == "resolved"
    assert [r["action"] for r in answer["reviews"]] == ["acknowledge", "resolve"]


@pytest.mark.parametrize("closing", ["resolve", "dismiss"])
@pytest.mark.parametrize("action", ["acknowledge", "resolve", "dismiss"])
def test_a_closed_flag_cannot_be_reviewed_again(clinician, flag, closing, action):
    review(clinician, flag["id"], closing, note="Closed first.")

    answer = clinician.post(f"/flags/{flag['id']}/review", json={"action": action, "note": "And again."})

    body = assert_problem(answer, 409)
    assert {"resolve": "resolved", "dismiss": "dismissed"}[closing] in body["detail"]
    after = listed(clinician, flag["id"])
    assert after["status"] == {"resolve": "resolved", "dismiss": "dismissed"}[closing]
    assert [r["action"] for r in after["reviews"]] == [closing], "a refused review leaves no trace"


@pytest.mark.parametrize("body, field", [
    ({"action": "close", "note": "x"}, "action"),
    ({"action": "ACKNOWLEDGE"}, "action"),
    ({"note": "no action"}, "action"),
    ({"action": 1}, "action"),
    ({"action": "acknowledge", "status": "resolved"}, "status"),
    ({"action": "resolve", "note": "x" * 4001}, "note"),
])
def test_a_bad_review_is_422_naming_the_field(clinician, flag, body, field):
    assert_invalid(clinician.post(f"/flags/{flag['id']}/review", json=body), field)

    assert listed(clinician, flag["id"])["status"] == "open"


def test_patients_cannot_review_flags(patient, flag):
    assert_problem(patient.post(f"/flags/{flag['id']}/review", json={"action": "acknowledge"}), 403)
    assert_problem(patient.get(f"/flags/{flag['id']}"), 403)
