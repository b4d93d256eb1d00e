"""A flag's life through the API: raised by entries, gathering occurrences, closed, raised again."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from conftest import entry
from flagkit import (count, entry_on, flag_in, listed, moment, only_flag, post_batch, post_entry, queue, review,
                     rules_of, same_moment)
from service.extensions import db
from service.models import Flag, Occurrence, Patient

LORAZEPAM = [{"name": "lorazepam", "prescribed": False}]


def catalogue(caller) -> dict:
    answer = caller.get("/rules")
    assert answer.status_code == 200, answer.get_json()
    return {rule["code"]: rule for rule in answer.json["rules"]}


def test_entry_answer_carries_its_flags_with_guidance(clinician, patient):
    made = post_entry(patient, entry(doses=[{"amount_mg": 320}]))

    assert rules_of(made) == {"dose_above_studied_max", "dose_above_prescribed"}
    rules = catalogue(clinician)
    studied = flag_in(made, "dose_above_studied_max")
    assert studied["severity"] == "urgent"
    assert studied["status"] == "open"
    assert studied["guidance"] == "Do not take any more baclofen today. Call your prescriber now."
    assert studied["guidance"] == rules["dose_above_studied_max"]["guidance"]
    assert studied["title"] == rules["dose_above_studied_max"]["title"]
    assert studied["rule_version"] == rules["dose_above_studied_max"]["version"]
    prescribed = flag_in(made, "dose_above_prescribed")
    assert prescribed["severity"] == "high"
    assert prescribed["guidance"] == rules["dose_above_prescribed"]["guidance"]
    # The flag on the entry is the one in the clinician's queue.
    shown = listed(clinician, studied["id"])
    assert shown["patient_id"] == patient.id
    assert shown["evidence"]["daily_total_mg"] == 320
    assert shown["evidence"]["studied_max_mg"] == 300
    assert shown["entry_ids"] == [made["id"]]


def test_entry_within_every_limit_carries_no_flags(clinician, patient):
    made = post_entry(patient, entry(doses=[{"amount_mg": 60}], craving=2))

    assert made["flags"] == []
    assert queue(clinician) == []


def test_each_batch_item_carries_its_own_flags(clinician, patient):
    quiet = entry_on(2, craving=2)
    drinking = entry_on(1, doses=[{"amount_mg": 30}], alcohol_drinks=2)
    unprescribed = entry(substances=LORAZEPAM)

    results = post_batch(patient, [quiet, drinking, unprescribed])

    by_client = {r["client_id"]: r for r in results}
    assert [r["status"] for r in results] == ["created"] * 3
    assert by_client[quiet["client_id"]]["entry"]["flags"] == []
    assert rules_of(by_client[drinking["client_id"]]["entry"]) == {"alcohol_with_baclofen"}
    assert flag_in(by_client[drinking["client_id"]]["entry"], "alcohol_with_baclofen")["severity"] == "moderate"
    assert rules_of(by_client[unprescribed["client_id"]]["entry"]) == {"unprescribed_substance"}
    assert {f["rule"] for f in queue(clinician)} == {"alcohol_with_baclofen", "unprescribed_substance"}


def test_matches_while_a_flag_is_open_are_occurrences_of_that_flag(app, clinician, patient):
    # Sent out of the order they were written: the flag's times follow recorded_at, not arrival.
    bodies = [entry_on(1, hour=9, substances=LORAZEPAM), entry_on(4, hour=8, substances=LORAZEPAM),
              entry_on(2, hour=20, substances=LORAZEPAM)]
    made = [post_entry(patient, body) for body in bodies]

    ids = {flag_in(m, "unprescribed_substance")["id"] for m in made}
    assert len(ids) == 1, "three matches while open must make one flag"
    flag = only_flag(clinician, patient.id, "unprescribed_substance")
    assert flag["id"] in ids
    assert flag["occurrences"] == 3
    assert sorted(flag["entry_ids"]) == sorted(m["id"] for m in made)
    assert same_moment(flag["first_seen_at"], moment(4, hour=8))
    assert same_moment(flag["last_seen_at"], moment(1, hour=9))
    assert count(app, Flag, Flag.patient_id == uuid.UUID(patient.id)) == 1


def test_an_acknowledged_flag_still_gathers_occurrences(clinician, patient):
    first = flag_in(post_entry(patient, entry_on(1, substances=LORAZEPAM)), "unprescribed_substance")
    review(clinician, first["id"], "acknowledge")

    again = post_entry(patient, entry(substances=LORAZEPAM))

    flag = flag_in(again, "unprescribed_substance")
    assert flag["id"] == first["id"]
    assert flag["status"] == "acknowledged"
    shown = listed(clinician, first["id"])
    assert shown["status"] == "acknowledged"
    assert shown["occurrences"] == 2
    assert shown["entry_ids"][-1] == again["id"]
    assert queue(clinician, status="open") == []


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_after_a_flag_is_closed_the_next_match_opens_a_new_flag(clinician, patient, action):
    first = flag_in(post_entry(patient, entry_on(1, substances=LORAZEPAM)), "unprescribed_substance")
    review(clinician, first["id"], action, note="Talked it through with the patient.")

    again = post_entry(patient, entry(substances=LORAZEPAM))

    fresh = flag_in(again, "unprescribed_substance")
    assert fresh["id"] != first["id"]
    assert fresh["status"] == "open"
    shown = listed(clinician, fresh["id"])
    assert shown["occurrences"] == 1
    assert shown["entry_ids"] == [again["id"]]
    closed = listed(clinician, first["id"])
    assert closed["status"] == {"resolve": "resolved", "dismiss": "dismissed"}[action]
    assert closed["occurrences"] == 1, "a closed flag must not gather the next match"
    # The one after that joins the new flag, not a third one.
    third = flag_in(post_entry(patient, entry(substances=[{"name": "tramadol", "prescribed": False}])),
                    "unprescribed_substance")
    assert third["id"] == fresh["id"]
    assert listed(clinician, fresh["id"])["occurrences"] == 2


def test_a_flag_severity_only_rises(clinician, patient):
    moderate = post_entry(patient, entry_on(2, doses=[{"amount_mg": 30}], alcohol_drinks=1))
    flag = flag_in(moderate, "alcohol_with_baclofen")
    assert flag["severity"] == "moderate"

    heavy = post_entry(patient, entry_on(1, doses=[{"amount_mg": 30}], alcohol_drinks=6))
    assert flag_in(heavy, "alcohol_with_baclofen")["id"] == flag["id"]
    assert flag_in(heavy, "alcohol_with_baclofen")["severity"] == "high"

    mild_again = post_entry(patient, entry(doses=[{"amount_mg": 30}], alcohol_drinks=1))
    assert flag_in(mild_again, "alcohol_with_baclofen")["id"] == flag["id"]
    shown = listed(clinician, flag["id"])
    assert shown["severity"] == "high", "a moderate match must not lower a high flag"
    assert shown["occurrences"] == 3
    assert shown["evidence"]["heavy_drinking_day"] is True, "the evidence shown is that of the strongest match"
    assert same_moment(shown["first_seen_at"], moment(2))
    assert same_moment(shown["last_seen_at"], dt.datetime.fromisoformat(mild_again["recorded_at"]))
    assert [f["id"] for f in queue(clinician, severity="high")] == [flag["id"]]
    assert queue(clinician, severity="moderate") == []


def test_a_flag_that_rises_to_urgent_moves_to_the_top_of_the_queue(clinician, patient):
    lorazepam = flag_in(post_entry(patient, entry_on(5, substances=LORAZEPAM)), "unprescribed_substance")
    confused = flag_in(post_entry(patient, entry_on(1, symptoms=[{"code": "confusion", "severity": 2}])),
                       "confusion")
    assert confused["severity"] == "high"
    assert [f["id"] for f in queue(clinician)] == [lorazepam["id"], confused["id"]]
    changed = clinician.patch(f"/patients/{patient.id}", json={"renal_impairment": True})
    assert changed.status_code == 200, changed.get_json()

    again = flag_in(post_entry(patient, entry(symptoms=[{"code": "confusion", "severity": 2}])), "confusion")

    assert again["id"] == confused["id"]
    assert again["severity"] == "urgent"
    assert [(f["id"], f["severity"]) for f in queue(clinician)] == [(confused["id"], "urgent"),
                                                                    (lorazepam["id"], "high")]


def _second_flag(patient_id, rule: str, status: str) -> Flag:
    at = dt.datetime.now(dt.timezone.utc)
    team_id = db.session.get(Patient, patient_id).team_id
    return Flag(id=uuid.uuid4(), patient_id=patient_id, team_id=team_id, rule=rule, rule_version=1, severity="high",
                severity_rank=2, status=status, title="Unprescribed substance", guidance="Tell your care team.",
                evidence={}, source={"document": "x", "quote": "y"}, occurrences=1, first_seen_at=at,
                last_seen_at=at)


@pytest.mark.parametrize("status", ["open", "acknowledged"])
def test_the_database_refuses_a_second_open_flag_for_a_patient_and_rule(app, clinician, patient, status):
    post_entry(patient, entry(substances=LORAZEPAM))
    patient_id = uuid.UUID(patient.id)

    with app.app_context():
        db.session.add(_second_flag(patient_id, "unprescribed_substance", status))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()

    assert count(app, Flag, Flag.patient_id == patient_id) == 1


@pytest.mark.parametrize("status", ["resolved", "dismissed"])
def test_the_database_keeps_any_number_of_closed_flags(app, clinician, patient, status):
    post_entry(patient, entry(substances=LORAZEPAM))
    patient_id = uuid.UUID(patient.id)

    with app.app_context():
        db.session.add(_second_flag(patient_id, "unprescribed_substance", status))
        db.session.add(_second_flag(patient_id, "unprescribed_substance", status))
        db.session.commit()

    assert count(app, Flag, Flag.patient_id == patient_id) == 3


# ------------------------------------------------------------------ replays


def test_replaying_an_entry_adds_no_occurrence(app, clinician, patient):
    body = entry(substances=LORAZEPAM, doses=[{"amount_mg": 320}])
    made = post_entry(patient, body)
    occurrences = count(app, Occurrence)

    replay = patient.post("/entries", json=body)

    assert replay.status_code == 200, replay.get_json()
    assert replay.json["id"] == made["id"]
    assert rules_of(replay.json) == rules_of(made) == {"unprescribed_substance", "dose_above_studied_max",
                                                       "dose_above_prescribed"}
    assert count(app, Occurrence) == occurrences
    for flag in made["flags"]:
        assert listed(clinician, flag["id"])["occurrences"] == 1


def test_replaying_an_entry_after_its_flag_was_closed_opens_nothing(app, clinician, patient):
    body = entry(substances=LORAZEPAM)
    made = post_entry(patient, body)
    flag = flag_in(made, "unprescribed_substance")
    review(clinician, flag["id"], "resolve", note="Prescribed by her GP after all.")

    replay = patient.post("/entries", json=body)

    assert replay.status_code == 200, replay.get_json()
    assert count(app, Flag) == 1
    assert queue(clinician) == []
    assert flag_in(replay.json, "unprescribed_substance")["status"] == "resolved"


def test_a_replay_with_another_body_is_refused_and_adds_no_occurrence(app, clinician, patient):
    body = entry(substances=LORAZEPAM)
    made = post_entry(patient, body)
    occurrences = count(app, Occurrence)

    changed = dict(body, substances=[{"name": "diazepam", "prescribed": False}])
    answer = patient.post("/entries", json=changed)

    assert answer.status_code == 409, answer.get_json()
    assert count(app, Occurrence) == occurrences
    assert listed(clinician, flag_in(made, "unprescribed_substance")["id"])["occurrences"] == 1


def test_a_replay_inside_a_batch_is_a_duplicate_with_no_new_occurrence(app, clinician, patient):
    old = entry_on(1, substances=LORAZEPAM)
    made = post_entry(patient, old)
    flag = flag_in(made, "unprescribed_substance")
    occurrences = count(app, Occurrence)

    new = entry(substances=LORAZEPAM)
    results = post_batch(patient, [old, new])

    assert [r["status"] for r in results] == ["duplicate", "created"]
    assert results[0]["entry"]["id"] == made["id"]
    assert flag_in(results[0]["entry"], "unprescribed_substance")["id"] == flag["id"]
    assert count(app, Occurrence) == occurrences + 1, "only the new entry adds an occurrence"
    assert listed(clinician, flag["id"])["occurrences"] == 2

    again = post_batch(patient, [old, new])

    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert count(app, Occurrence) == occurrences + 1
    assert listed(clinician, flag["id"])["occurrences"] == 2


def test_the_same_entry_twice_in_one_batch_counts_once(app, clinician, patient):
    body = entry(substances=LORAZEPAM)

    results = post_batch(patient, [body, dict(body)])

    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert results[0]["entry"]["id"] == results[1]["entry"]["id"]
    assert count(app, Occurrence) == 1
    assert only_flag(clinician, patient.id, "unprescribed_substance")["occurrences"] == 1


def test_a_batch_item_that_conflicts_adds_no_occurrence(app, clinician, patient):
    body = entry(substances=LORAZEPAM)
    changed = dict(body, substances=[{"name": "diazepam", "prescribed": False}])

    results = post_batch(patient, [body, changed])

    assert [r["status"] for r in results] == ["created", "conflict"]
    assert count(app, Occurrence) == 1
    flag = only_flag(clinician, patient.id, "unprescribed_substance")
    assert flag["occurrences"] == 1
    assert flag["evidence"]["substances"] == ["lorazepam"]
