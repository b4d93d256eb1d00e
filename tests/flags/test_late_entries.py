"""Entries written offline and synced late are judged as of when and where they were written."""
from __future__ import annotations

import datetime as dt

from conftest import at_local, days_ago_at, entry, local_today, make_patient
from flagkit import (entry_on, flag_in, moment, only_flag, post_batch, post_entry, queue, rules_of, same_moment,
                     today)

RX_90 = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}


def test_a_late_entry_is_judged_by_the_prescription_in_effect_on_its_day(clinician, patient):
    raised = clinician.post(f"/patients/{patient.id}/prescriptions", json={
        "daily_dose_mg": 120, "max_daily_mg": 300, "approach": "flexible",
        "effective_from": (today() - dt.timedelta(days=1)).isoformat()})
    assert raised.status_code == 201, raised.get_json()

    morning = post_entry(patient, entry_on(3, hour=8, doses=[{"amount_mg": 60}]))
    evening = post_entry(patient, entry_on(3, hour=20, doses=[{"amount_mg": 50}]))

    assert morning["flags"] == []
    assert rules_of(evening) == {"dose_above_prescribed"}, \
        "110 mg three days ago was above the 90 mg maximum in effect that day"
    flag = only_flag(clinician, patient.id, "dose_above_prescribed")
    day = (today() - dt.timedelta(days=3)).isoformat()
    assert flag["evidence"] == {"date": day, "daily_total_mg": 110, "max_daily_mg": 90}
    assert same_moment(flag["first_seen_at"], moment(3, hour=20)), "a flag is seen when the entry was written"
    assert same_moment(flag["last_seen_at"], moment(3, hour=20))

    # The same doses today are within the newer prescription's 300 mg.
    post_entry(patient, entry(doses=[{"amount_mg": 60}]))
    now = post_entry(patient, entry(doses=[{"amount_mg": 50}]))
    assert now["flags"] == []
    assert only_flag(clinician, patient.id, "dose_above_prescribed")["occurrences"] == 1


def test_a_dose_belongs_to_the_day_it_was_taken_not_the_day_it_was_logged(clinician, patient):
    post_entry(patient, entry_on(1, hour=9, doses=[{"amount_mg": 60}]))

    # Logged now, taken yesterday evening: yesterday comes to 110 mg, today to nothing.
    late = post_entry(patient, entry(doses=[{"amount_mg": 50, "taken_at": moment(1, hour=21).isoformat()}]))

    assert rules_of(late) == {"dose_above_prescribed"}
    flag = only_flag(clinician, patient.id, "dose_above_prescribed")
    assert flag["evidence"]["date"] == (today() - dt.timedelta(days=1)).isoformat()
    assert flag["evidence"]["daily_total_mg"] == 110


def test_days_of_treatment_count_to_the_entry_own_day(clinician):
    patient = make_patient(clinician, treatment_start=(today() - dt.timedelta(days=30)).isoformat(),
                           prescription=RX_90)
    # Days 25, 26 and 27 of treatment, synced today (day 30): too early for persistent craving.
    early = [post_entry(patient, entry_on(days_ago, craving=8)) for days_ago in (5, 4, 3)]
    assert all(e["flags"] == [] for e in early)
    assert queue(clinician) == []

    # Days 28, 29 and 30: each now has three strong days among its last seven, after four weeks.
    later = [post_entry(patient, entry_on(days_ago, craving=8)) for days_ago in (2, 1, 0)]
    assert all(flag_in(e, "persistent_craving")["severity"] == "moderate" for e in later)
    flag = only_flag(clinician, patient.id, "persistent_craving")
    assert flag["occurrences"] == 3
    assert flag["evidence"]["day_of_treatment"] == 28


def test_a_week_of_craving_that_crosses_day_28_is_found_by_the_next_entry_whatever_it_carries(clinician):
    patient = make_patient(clinician, treatment_start=(today() - dt.timedelta(days=28)).isoformat(),
                           prescription=RX_90)
    early = [post_entry(patient, entry_on(days_ago, hour=8, craving=8, alcohol_drinks=6)) for days_ago in (3, 2, 1)]
    assert all(not {"persistent_craving", "continued_drinking"} & rules_of(e) for e in early)

    # Day 28 of treatment: a dose and nothing else.
    dose_only = post_entry(patient, entry(doses=[{"amount_mg": 20}]))

    assert {"persistent_craving", "continued_drinking"} <= rules_of(dose_only)
    assert len(only_flag(clinician, patient.id, "persistent_craving")["evidence"]["days"]) == 3


def test_daily_totals_follow_the_patient_time_zone(clinician):
    zone = "America/New_York"
    patient = make_patient(clinician, timezone=zone, prescription=RX_90)
    day = local_today(zone) - dt.timedelta(days=4)

    def at(days_after: int, hour: int, minute: int = 0) -> str:
        return at_local(day + dt.timedelta(days=days_after), hour, minute, zone).isoformat()

    # 23:00 and 01:00 the next morning: one UTC day, two local days -> no daily total above 90 mg.
    first = post_entry(patient, entry(recorded_at=at(0, 23), doses=[{"amount_mg": 60}]))
    second = post_entry(patient, entry(recorded_at=at(1, 1), doses=[{"amount_mg": 60}]))
    assert first["local_date"] == day.isoformat()
    assert second["local_date"] == (day + dt.timedelta(days=1)).isoformat()
    assert second["flags"] == []

    # 10:00 and 20:30 of one local day fall on two UTC days -> 120 mg on that local day.
    post_entry(patient, entry(recorded_at=at(2, 10), doses=[{"amount_mg": 60}]))
    evening = post_entry(patient, entry(recorded_at=at(2, 20, 30), doses=[{"amount_mg": 60}]))
    assert rules_of(evening) == {"dose_above_prescribed"}
    flag = only_flag(clinician, patient.id, "dose_above_prescribed")
    assert flag["evidence"]["date"] == (day + dt.timedelta(days=2)).isoformat()
    assert flag["evidence"]["daily_total_mg"] == 120


def test_a_batch_is_judged_in_the_order_entries_were_written(clinician, patient):
    steady = [entry_on(days_ago, hour=9, doses=[{"amount_mg": 60}]) for days_ago in range(3, 10)]
    symptom = entry(symptoms=[{"code": "muscle_stiffness", "severity": 2}])
    batch = [symptom, *steady]  # newest first, as a phone's outbox might send them

    results = post_batch(patient, batch)

    assert all(r["status"] == "created" for r in results), results
    assert all(r["entry"]["flags"] == [] for r in results[1:])
    flag = flag_in(results[0]["entry"], "baclofen_withdrawal")
    assert flag["severity"] == "high"
    listed = only_flag(clinician, patient.id, "baclofen_withdrawal")
    assert listed["evidence"]["mean_daily_mg_before"] == 60
    assert listed["evidence"]["total_last_3_days_mg"] == 0
    assert listed["entry_ids"] == [results[0]["entry"]["id"]]


def test_a_batch_flags_the_entry_that_crossed_the_limit_when_written(clinician, patient):
    morning = entry_on(1, hour=8, doses=[{"amount_mg": 60}])
    evening = entry_on(1, hour=20, doses=[{"amount_mg": 50}])

    results = post_batch(patient, [evening, morning])

    by_client = {r["client_id"]: r["entry"] for r in results}
    assert by_client[morning["client_id"]]["flags"] == [], "60 mg in the morning was within the 90 mg maximum"
    assert rules_of(by_client[evening["client_id"]]) == {"dose_above_prescribed"}
    flag = only_flag(clinician, patient.id, "dose_above_prescribed")
    assert flag["entry_ids"] == [by_client[evening["client_id"]]["id"]]
    assert same_moment(flag["first_seen_at"], moment(1, hour=20))


def test_a_batch_finds_what_posting_one_by_one_finds(app, clinician):
    """Judged together or one by one, in recorded_at order, the same entries raise the same flags."""
    rx = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}
    one, together = make_patient(clinician, prescription=rx), make_patient(clinician, prescription=rx)
    start = days_ago_at(12, hour=8)
    bodies = []
    for day in range(12):
        at = start + dt.timedelta(days=day)
        body = entry(recorded_at=at.isoformat(), doses=[{"amount_mg": 60 if day < 8 else 5}], craving=day % 10)
        if day in (3, 4):
            body["alcohol_drinks"] = 6
        if day == 5:
            body["symptoms"] = [{"code": "tremor", "severity": 2}, {"code": "sweating", "severity": 3}]
        if day == 11:
            body["symptoms"] = [{"code": "itching", "severity": 2}]
            body["doses"].append({"amount_mg": 400})
        bodies.append(body)
    for body in bodies:
        assert one.post("/entries", json=body).status_code == 201
    answer = together.post("/entries/batch", json={"entries": list(reversed(bodies))})
    assert {r["status"] for r in answer.json["results"]} == {"created"}

    def flags_of(phone):
        items = clinician.get(f"/flags?patient_id={phone.id}&limit=200").json["items"]
        return sorted((f["rule"], f["severity"], f["occurrences"]) for f in items)

    assert flags_of(one) == flags_of(together)
    assert len(flags_of(one)) >= 3
