"""GET /patients/{id}/summary: one row per local day of the patient, oldest first."""
from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import assert_invalid, local_time, local_today
from conftest import entry, make_patient

PARIS = "Europe/Paris"
ROW_KEYS = {"date", "baclofen_mg", "max_craving", "drinks", "symptoms", "flags"}


def summary(clinician, patient_id, **query):
    answer = clinician.get(f"/patients/{patient_id}/summary", query_string=query)
    assert answer.status_code == 200, (
        f"GET /summary answered {answer.status_code}: {answer.get_data(as_text=True)[:300]} "
        "(on PostgreSQL, flags.flags_by_day selects DISTINCT over the JSON columns of flags)")
    return answer.json


@pytest.fixture
def paris(clinician):
    return make_patient(clinician, timezone=PARIS, prescription={"daily_dose_mg": 60, "max_daily_mg": 90,
                                                                 "approach": "flexible"})


def test_the_default_is_28_days_ending_today(clinician, paris):
    body = summary(clinician, paris.id)
    items = body["items"]
    assert len(items) == 28
    today = local_today(PARIS)
    assert [r["date"] for r in items] == [(today - dt.timedelta(days=27 - n)).isoformat() for n in range(28)]
    for row in items:
        assert set(row) == ROW_KEYS
        assert row["baclofen_mg"] == 0 and row["drinks"] == 0
        assert row["max_craving"] is None and row["symptoms"] == [] and row["flags"] == []
    assert body.get("next_cursor") is None


@pytest.mark.parametrize("days", [1, 7, 366])
def test_days_sets_the_number_of_rows(clinician, paris, days):
    items = summary(clinician, paris.id, days=days)["items"]
    assert len(items) == days
    assert items[-1]["date"] == local_today(PARIS).isoformat()
    dates = [dt.date.fromisoformat(r["date"]) for r in items]
    assert all(b - a == dt.timedelta(days=1) for a, b in zip(dates, dates[1:]))


@pytest.mark.parametrize("days", [0, 367, -1, "abc", 2.5])
def test_days_out_of_range_is_422(clinician, paris, days):
    assert_invalid(clinician.get(f"/patients/{paris.id}/summary", query_string={"days": days}), "days")


def test_the_last_row_is_the_patients_today_not_the_servers(clinician):
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: always two different days
        patient = make_patient(clinician, timezone=zone)
        assert summary(clinician, patient.id, days=1)["items"][0]["date"] == local_today(zone).isoformat()


def test_doses_count_on_the_local_day_they_were_taken(clinician, paris):
    day = local_today(PARIS) - dt.timedelta(days=3)
    late = local_time(PARIS, day, 23, 30)
    early = local_time(PARIS, day + dt.timedelta(days=1), 0, 30)
    answer = paris.post("/entries", json=entry(recorded_at=early, doses=[{"amount_mg": 20, "taken_at": late},
                                                                         {"amount_mg": 15}]))
    assert answer.status_code == 201, answer.get_json()
    paris.post("/entries", json=entry(recorded_at=local_time(PARIS, day, 9, 0), doses=[{"amount_mg": 10}]))
    rows = {r["date"]: r for r in summary(clinician, paris.id, days=7)["items"]}
    assert rows[day.isoformat()]["baclofen_mg"] == 30
    assert rows[(day + dt.timedelta(days=1)).isoformat()]["baclofen_mg"] == 15
    assert sum(r["baclofen_mg"] for r in rows.values()) == 45


def test_craving_drinks_and_symptoms_per_day(clinician, paris):
    day = local_today(PARIS) - dt.timedelta(days=2)
    next_day = day + dt.timedelta(days=1)
    for hour, fields in [
        (8, {"craving": 3, "alcohol_drinks": 1, "symptoms": [{"code": "drowsiness", "severity": 1}]}),
        (14, {"craving": 7, "symptoms": [{"code": "drowsiness", "severity": 3}, {"code": "nausea", "severity": 1}]}),
        (23, {"craving": 5, "alcohol_drinks": 2.5}),
    ]:
        minute = 45 if hour == 23 else 0
        assert paris.post("/entries", json=entry(recorded_at=local_time(PARIS, day, hour, minute),
                                                 **fields)).status_code == 201
    paris.post("/entries", json=entry(recorded_at=local_time(PARIS, next_day, 0, 15), craving=0, alcohol_drinks=4))
    rows = {r["date"]: r for r in summary(clinician, paris.id, days=5)["items"]}
    first, second = rows[day.isoformat()], rows[next_day.isoformat()]
    assert first["max_craving"] == 7
    assert first["drinks"] == 3.5
    assert first["symptoms"] == [{"code": "drowsiness", "severity": 3}, {"code": "nausea", "severity": 1}]
    assert second["max_craving"] == 0  # a craving of zero is a value, not a missing one
    assert second["drinks"] == 4 and second["symptoms"] == []
    assert rows[(day - dt.timedelta(days=1)).isoformat()]["max_craving"] is None

    outcomes = summary(clinician, paris.id, days=5)["outcomes"]  # over the same five local days
    assert (outcomes["days"], outcomes["days_with_entries"]) == (5, 2)
    assert outcomes["from"] == (local_today(PARIS) - dt.timedelta(days=4)).isoformat()
    assert outcomes["grams_per_day"] == 37.5  # 3.5 and 4 drinks of 10 g over the two days with entries
    assert outcomes["percent_days_abstinent"] == 0.0 and outcomes["mean_craving"] == 3.75


def test_entries_older_than_the_window_are_left_out(clinician, paris):
    old = local_today(PARIS) - dt.timedelta(days=10)
    paris.post("/entries", json=entry(recorded_at=local_time(PARIS, old, 12), doses=[{"amount_mg": 40}], craving=9))
    week = summary(clinician, paris.id, days=7)["items"]
    assert all(r["baclofen_mg"] == 0 and r["max_craving"] is None for r in week)
    month = {r["date"]: r for r in summary(clinician, paris.id)["items"]}
    assert month[old.isoformat()]["baclofen_mg"] == 40 and month[old.isoformat()]["max_craving"] == 9


def test_the_summary_follows_a_change_of_time_zone(clinician, paris):
    day = local_today(PARIS) - dt.timedelta(days=2)
    paris.post("/entries", json=entry(recorded_at=local_time(PARIS, day, 23, 30), doses=[{"amount_mg": 10}]))
    assert clinician.patch(f"/patients/{paris.id}", json={"timezone": "Asia/Tokyo"}).status_code == 200
    items = summary(clinician, paris.id, days=3)["items"]
    assert items[-1]["date"] == local_today("Asia/Tokyo").isoformat()


def test_stored_entries_move_to_their_day_in_the_new_time_zone(clinician, paris):
    # 23:30 in Paris is 07:30 the next morning in Tokyo: the entry and its dose move a day on.
    day = local_today(PARIS) - dt.timedelta(days=3)
    written = local_time(PARIS, day, 23, 30)
    stored = paris.post("/entries", json=entry(recorded_at=written, doses=[{"amount_mg": 10}], craving=9)).json
    assert stored["local_date"] == day.isoformat()
    assert clinician.patch(f"/patients/{paris.id}", json={"timezone": "Asia/Tokyo"}).status_code == 200

    next_day = (day + dt.timedelta(days=1)).isoformat()
    listed = clinician.get(f"/patients/{paris.id}/entries").json["items"]
    assert [(e["local_date"], [d["local_date"] for d in e["doses"]]) for e in listed] == [(next_day, [next_day])]
    rows = {r["date"]: r for r in summary(clinician, paris.id, days=7)["items"]}
    assert rows[next_day]["baclofen_mg"] == 10 and rows[next_day]["max_craving"] == 9
    assert rows[day.isoformat()]["baclofen_mg"] == 0 and rows[day.isoformat()]["max_craving"] is None


def test_each_row_lists_its_flags_as_briefs(clinician, paris):
    paris.post("/entries", json=entry(doses=[{"amount_mg": 300}], alcohol_drinks=10, craving=10))
    for row in summary(clinician, paris.id, days=2)["items"]:
        assert isinstance(row["flags"], list)
        for flag in row["flags"]:
            assert {"id", "rule", "severity", "status", "title"} <= set(flag)


def test_a_days_flags_carry_the_severity_matched_that_day(clinician, paris):
    """A flag whose severity rose later still shows on its earlier day at that day's severity."""
    today = local_today(PARIS)
    early, late = today - dt.timedelta(days=3), today - dt.timedelta(days=2)
    for day, drinks in ((early, 2), (late, 8)):  # alcohol with baclofen: moderate, then high (heavy day)
        at = local_time(PARIS, day, 12)
        answer = paris.post("/entries", json=entry(recorded_at=at, alcohol_drinks=drinks,
                                                   doses=[{"amount_mg": 20, "taken_at": at}]))
        assert answer.status_code == 201, answer.get_json()
    rows = {r["date"]: r for r in summary(clinician, paris.id, days=7)["items"]}
    early_flags, late_flags = rows[early.isoformat()]["flags"], rows[late.isoformat()]["flags"]
    assert [(f["rule"], f["severity"]) for f in early_flags] == [("alcohol_with_baclofen", "moderate")]
    assert [(f["rule"], f["severity"]) for f in late_flags] == [("alcohol_with_baclofen", "high")]
    assert early_flags[0]["id"] == late_flags[0]["id"]  # one flag, two days
    assert clinician.get(f"/flags/{early_flags[0]['id']}").json["severity"] == "high"
