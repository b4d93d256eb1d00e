"""Flags seen from the patient's side of the API: open counts, the entries list, the daily summary."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from conftest import entry, make_patient
from flagkit import entry_on, flag_in, post_entry, queue, review, rules_of, today

RX_90 = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}
LORAZEPAM = [{"name": "lorazepam", "prescribed": False}]
ZERO = {"urgent": 0, "high": 0, "moderate": 0}


def listed_patients(clinician) -> dict:
    answer = clinician.get("/patients", query_string={"limit": 200})
    assert answer.status_code == 200, answer.get_json()
    return {p["id"]: p for p in answer.json["items"]}


def counts_in_queue(clinician, patient_id) -> dict:
    counted = Counter(f["severity"] for f in queue(clinician, patient_id=patient_id))
    return {severity: counted.get(severity, 0) for severity in ZERO}


def summary(clinician, patient_id, days: int) -> dict:
    answer = clinician.get(f"/patients/{patient_id}/summary", query_string={"days": days})
    assert answer.status_code == 200, (answer.status_code, answer.get_json())
    return {row["date"]: row for row in answer.json["items"]}


def test_the_patient_list_counts_open_flags_by_severity(clinician, other_clinician):
    flagged = make_patient(clinician, prescription=RX_90)
    quiet = make_patient(clinician, prescription=RX_90)
    theirs = make_patient(other_clinician, prescription=RX_90)
    made = post_entry(flagged, entry(doses=[{"amount_mg": 320}]))
    post_entry(flagged, entry_on(1, symptoms=[{"code": "low_mood", "severity": 2}]))
    post_entry(flagged, entry_on(2, symptoms=[{"code": "low_mood", "severity": 2}]))  # same flag again
    post_entry(quiet, entry(craving=2))
    post_entry(theirs, entry(substances=LORAZEPAM))

    patients = listed_patients(clinician)

    assert set(patients) == {flagged.id, quiet.id}
    assert patients[flagged.id]["open_flags"] == {"urgent": 1, "high": 1, "moderate": 1}
    assert patients[flagged.id]["open_flags"] == counts_in_queue(clinician, flagged.id)
    assert patients[quiet.id]["open_flags"] == ZERO
    assert listed_patients(other_clinician)[theirs.id]["open_flags"] == {"urgent": 0, "high": 1, "moderate": 0}
    one = clinician.get(f"/patients/{flagged.id}")
    assert one.status_code == 200, one.get_json()
    assert one.json["open_flags"] == patients[flagged.id]["open_flags"]

    review(clinician, flag_in(made, "dose_above_studied_max")["id"], "resolve", note="Seen; dose lowered.")
    review(clinician, flag_in(made, "dose_above_prescribed")["id"], "dismiss", note="Same event as the urgent one.")

    after = listed_patients(clinician)[flagged.id]["open_flags"]
    assert after == {"urgent": 0, "high": 0, "moderate": 1}
    assert after == counts_in_queue(clinician, flagged.id)


def test_the_entries_list_carries_each_entry_flags(clinician, patient):
    plain = post_entry(patient, entry_on(3, craving=4))
    first = post_entry(patient, entry_on(2, substances=LORAZEPAM))
    heavy = post_entry(patient, entry_on(1, doses=[{"amount_mg": 320}]))
    again = post_entry(patient, entry(substances=LORAZEPAM))
    lorazepam_flag = flag_in(first, "unprescribed_substance")["id"]
    review(clinician, lorazepam_flag, "resolve", note="Stopped taking it.")

    answer = clinician.get(f"/patients/{patient.id}/entries")
    assert answer.status_code == 200, answer.get_json()
    by_id = {e["id"]: e for e in answer.json["items"]}

    assert [e["id"] for e in answer.json["items"]] == [again["id"], heavy["id"], first["id"], plain["id"]]
    assert by_id[plain["id"]]["flags"] == []
    assert rules_of(by_id[heavy["id"]]) == {"dose_above_studied_max", "dose_above_prescribed"}
    assert [f["severity"] for f in by_id[heavy["id"]]["flags"]] == ["urgent", "high"]
    # Both lorazepam entries belong to the one flag, shown with its current status.
    assert flag_in(by_id[first["id"]], "unprescribed_substance")["id"] == lorazepam_flag
    assert flag_in(by_id[again["id"]], "unprescribed_substance")["id"] == lorazepam_flag
    assert flag_in(by_id[again["id"]], "unprescribed_substance")["status"] == "resolved"
    assert flag_in(by_id[heavy["id"]], "dose_above_studied_max")["guidance"] == \
        "Do not take any more baclofen today. Call your prescriber now."

    own = patient.get("/entries")
    assert own.status_code == 200, own.get_json()
    assert {e["id"]: e["flags"] for e in own.json["items"]} == {i: e["flags"] for i, e in by_id.items()}


def test_the_summary_puts_flags_on_their_local_days(clinician, patient):
    post_entry(patient, entry_on(5, craving=3))
    post_entry(patient, entry_on(3, substances=LORAZEPAM))
    post_entry(patient, entry_on(1, substances=[{"name": "Valium", "prescribed": False}]))
    heavy = post_entry(patient, entry(doses=[{"amount_mg": 320}]))

    rows = summary(clinician, patient.id, 7)

    def day(days_ago: int) -> str:
        return (today() - dt.timedelta(days=days_ago)).isoformat()

    assert len(rows) == 7
    flags_by_day = {d: {f["rule"] for f in row["flags"]} for d, row in rows.items()}
    assert flags_by_day == {
        day(6): set(), day(5): set(), day(4): set(),
        day(3): {"unprescribed_substance"}, day(2): set(), day(1): {"unprescribed_substance"},
        day(0): {"dose_above_studied_max", "dose_above_prescribed"},
    }
    # One flag, shown on both days it was seen.
    assert rows[day(3)]["flags"][0]["id"] == rows[day(1)]["flags"][0]["id"]
    assert rows[day(0)]["baclofen_mg"] == 320
    assert {f["id"] for f in rows[day(0)]["flags"]} == {f["id"] for f in heavy["flags"]}


def test_the_summary_of_a_patient_without_flags_has_no_flags(clinician, patient):
    post_entry(patient, entry_on(2, doses=[{"amount_mg": 60}], craving=2))

    rows = summary(clinician, patient.id, 5)

    assert len(rows) == 5
    assert all(row["flags"] == [] for row in rows.values())
    assert rows[(today() - dt.timedelta(days=2)).isoformat()]["baclofen_mg"] == 60
