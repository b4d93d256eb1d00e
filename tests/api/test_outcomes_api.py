"""GET /patients/{id}/outcomes: drinking outcomes from entries the phone sent, beside the first 28 days of treatment."""
from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import assert_invalid, assert_problem

from conftest import answered, days_ago_at, entry, local_today, make_patient

MEASURES = ("percent_days_abstinent", "percent_heavy_drinking_days", "drinks_per_drinking_day", "grams_per_day",
            "who_risk_level", "mean_craving", "mean_baclofen_mg")


def log(phone, days_ago: int, hour: int = 12, **fields) -> dict:
    """Post an entry recorded at hour:00 of the patient's day `days_ago` days before today."""
    body = entry(**fields)
    body["recorded_at"] = days_ago_at(days_ago, hour).isoformat()
    answer = phone.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.json


def outcomes(clinician, patient_id, **query) -> dict:
    answer = clinician.get(f"/patients/{patient_id}/outcomes", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.json


def ago(days: int) -> str:
    return (local_today() - dt.timedelta(days=days)).isoformat()


def test_the_default_window_is_the_last_28_local_days(clinician, patient):
    log(patient, 28, alcohol_drinks=9)  # the day before the window: not counted
    log(patient, 27, alcohol_drinks=2)  # the window's first day
    log(patient, 1, alcohol_drinks=0, craving=3)
    found = outcomes(clinician, patient.id)
    assert found["from"] == ago(27) and found["to"] == ago(0)
    assert found["days"] == 28
    assert found["days_with_entries"] == 2
    assert found["percent_days_abstinent"] == 50.0
    assert found["drinks_per_drinking_day"] == 2.0
    assert found["grams_per_day"] == 10.0  # 20 g over two known days, standard drink 10 g


def test_days_without_entries_are_unknown_not_abstinent(clinician, patient):
    for days_ago in (1, 4, 8, 12, 16, 20, 24):
        log(patient, days_ago, alcohol_drinks=0, craving=2)
    found = outcomes(clinician, patient.id)
    assert (found["days"], found["days_with_entries"]) == (28, 7)
    assert found["percent_days_abstinent"] == 100.0
    assert found["percent_heavy_drinking_days"] == 0.0
    assert found["drinks_per_drinking_day"] is None
    assert found["who_risk_level"] == "abstinent"


def test_from_and_to_choose_the_window(clinician, patient):
    log(patient, 11, alcohol_drinks=8)
    log(patient, 10, alcohol_drinks=1)
    log(patient, 5, alcohol_drinks=3)
    log(patient, 4, alcohol_drinks=8)
    found = outcomes(clinician, patient.id, **{"from": ago(10), "to": ago(5)})
    assert found["from"] == ago(10) and found["to"] == ago(5)
    assert found["days"] == 6
    assert found["days_with_entries"] == 2
    assert found["drinks_per_drinking_day"] == 2.0
    assert found["grams_per_day"] == 20.0


def test_from_alone_runs_to_today_and_to_alone_ends_a_28_day_window(clinician, patient):
    log(patient, 3, alcohol_drinks=1)
    found = outcomes(clinician, patient.id, **{"from": ago(3)})
    assert (found["from"], found["to"], found["days"], found["days_with_entries"]) == (ago(3), ago(0), 4, 1)
    found = outcomes(clinician, patient.id, to=ago(4))
    assert (found["from"], found["to"], found["days"], found["days_with_entries"]) == (ago(31), ago(4), 28, 0)


def test_the_baseline_is_the_first_28_days_of_treatment_and_a_drop_is_negative(clinician):
    start = local_today() - dt.timedelta(days=40)
    phone = make_patient(clinician, treatment_start=start.isoformat())
    for days_ago in (40, 35, 30):  # baseline only (its last day is 13 days ago)
        log(phone, days_ago, alcohol_drinks=7, craving=8)
    for days_ago in (10, 5, 2):  # the default window only
        log(phone, days_ago, alcohol_drinks=1, craving=2)
    found = outcomes(clinician, phone.id)
    baseline = found["baseline"]
    assert baseline["from"] == start.isoformat()
    assert baseline["to"] == (start + dt.timedelta(days=27)).isoformat()
    assert (baseline["days"], baseline["days_with_entries"]) == (28, 3)
    assert baseline["grams_per_day"] == 70.0 and baseline["who_risk_level"] == "very_high"
    assert baseline["percent_heavy_drinking_days"] == 100.0 and baseline["mean_craving"] == 8.0
    assert found["grams_per_day"] == 10.0 and found["who_risk_level"] == "low"
    assert found["percent_heavy_drinking_days"] == 0.0 and found["mean_craving"] == 2.0
    assert found["who_level_change"] == -3


def test_more_drinking_than_at_baseline_is_a_positive_change(clinician):
    start = local_today() - dt.timedelta(days=40)
    phone = make_patient(clinician, treatment_start=start.isoformat(), sex="male")
    log(phone, 38, alcohol_drinks=3)  # 30 g: low for a man
    log(phone, 3, alcohol_drinks=7)  # 70 g: high for a man
    found = outcomes(clinician, phone.id)
    assert (found["baseline"]["who_risk_level"], found["who_risk_level"]) == ("low", "high")
    assert found["who_level_change"] == 2


def test_no_entries_answers_nulls_and_no_change(clinician, patient):
    found = outcomes(clinician, patient.id)
    for measures in (found, found["baseline"]):
        assert measures["days_with_entries"] == 0
        assert {name: measures[name] for name in MEASURES} == dict.fromkeys(MEASURES)
    assert found["who_level_change"] is None
    assert found["latest_scores"] == {}


def test_the_patients_sex_and_standard_drink_change_the_measures(clinician, patient):
    log(patient, 2, alcohol_drinks=3)  # 30 g at 10 g a drink
    found = outcomes(clinician, patient.id)
    assert (found["sex"], found["standard_drink_g"]) == ("unspecified", 10.0)
    assert (found["grams_per_day"], found["who_risk_level"], found["percent_heavy_drinking_days"]) == \
        (30.0, "medium", 0.0)
    assert clinician.patch(f"/patients/{patient.id}", json={"standard_drink_g": 14}).status_code == 200
    found = outcomes(clinician, patient.id)
    assert (found["grams_per_day"], found["who_risk_level"], found["percent_heavy_drinking_days"]) == \
        (42.0, "high", 100.0)
    assert clinician.patch(f"/patients/{patient.id}", json={"sex": "male"}).status_code == 200
    found = outcomes(clinician, patient.id)
    assert (found["sex"], found["standard_drink_g"]) == ("male", 14.0)
    assert (found["who_risk_level"], found["percent_heavy_drinking_days"]) == ("medium", 0.0)


def test_mean_craving_and_mean_baclofen_come_from_the_entries(clinician, patient):
    log(patient, 3, hour=9, craving=4, doses=[{"amount_mg": 20}])
    log(patient, 3, hour=19, craving=6, doses=[{"amount_mg": 30}])
    log(patient, 2, craving=2)  # a day with an entry and no dose: 0 mg that day
    found = outcomes(clinician, patient.id)
    assert found["days_with_entries"] == 2
    assert found["mean_craving"] == 4.0
    assert found["mean_baclofen_mg"] == 25.0


def test_latest_scores_after_a_questionnaire_response(clinician, patient):
    first = patient.post("/questionnaire-responses", json=answered(
        "pacs", [4, 4, 4, 4, 4], answered_at=days_ago_at(3).isoformat()))
    assert first.status_code == 201, first.get_json()
    assert outcomes(clinician, patient.id)["latest_scores"]["pacs"]["score"] == 20
    latest = patient.post("/questionnaire-responses", json=answered("pacs", [1, 1, 1, 1, 1]))
    assert latest.status_code == 201, latest.get_json()
    scores = outcomes(clinician, patient.id)["latest_scores"]
    assert set(scores) == {"pacs"}
    assert scores["pacs"]["score"] == 5
    assert scores["pacs"]["band"] == "low"
    assert dt.datetime.fromisoformat(scores["pacs"]["answered_at"]) == \
        dt.datetime.fromisoformat(latest.json["answered_at"])


def test_from_after_to_is_422(clinician, patient):
    answer = clinician.get(f"/patients/{patient.id}/outcomes", query_string={"from": ago(2), "to": ago(3)})
    assert_invalid(answer, "from")


def test_from_alone_after_today_or_too_far_back_is_422(clinician, patient):
    ahead = (local_today() + dt.timedelta(days=2)).isoformat()
    assert_invalid(clinician.get(f"/patients/{patient.id}/outcomes", query_string={"from": ahead}), "from")
    long_ago = (local_today() - dt.timedelta(days=800)).isoformat()
    assert_invalid(clinician.get(f"/patients/{patient.id}/outcomes", query_string={"from": long_ago}), "from")


@pytest.mark.parametrize("field, value", [
    ("from", "2026-13-01"), ("to", "2026-02-30"), ("from", "yesterday"), ("to", "20260101"), ("from", "")])
def test_a_bad_date_is_422(clinician, patient, field, value):
    answer = clinician.get(f"/patients/{patient.id}/outcomes", query_string={field: value})
    assert_invalid(answer, field)


def test_another_clinicians_patient_is_404(clinician, other_clinician, patient):
    log(patient, 2, alcohol_drinks=3)
    assert_problem(other_clinician.get(f"/patients/{patient.id}/outcomes"), 404)


def test_a_patient_cannot_read_outcomes(patient):
    assert patient.get(f"/patients/{patient.id}/outcomes").status_code == 403
