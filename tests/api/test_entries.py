"""What patients log: stored once, as received, on the patient's own day; every rule of SPEC "An entry"."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from api_helpers import assert_invalid, assert_problem, local_time, local_today, rows, utc_now
from conftest import entry, make_patient

from service.models import Dose, Entry


def ago(**delta) -> str:
    return (utc_now() - dt.timedelta(**delta)).isoformat()


def ahead(**delta) -> str:
    return (utc_now() + dt.timedelta(**delta)).isoformat()


# ------------------------------------------------------------------ storing


def test_an_entry_is_stored_with_its_fields(patient):
    body = entry(craving=6, doses=[{"amount_mg": 20, "taken_at": ago(hours=3)}, {"amount_mg": 12.5}],
                 alcohol_drinks=1.5, symptoms=[{"code": "drowsiness", "severity": 2}],
                 substances=[{"name": "lorazepam", "prescribed": True}], note="Slept badly.")
    answer = patient.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    got = answer.json
    uuid.UUID(got["id"])
    assert got["client_id"] == body["client_id"]
    assert dt.datetime.fromisoformat(got["recorded_at"]) == dt.datetime.fromisoformat(body["recorded_at"])
    assert got["craving"] == 6 and got["alcohol_drinks"] == 1.5 and got["note"] == "Slept badly."
    assert got["symptoms"] == [{"code": "drowsiness", "severity": 2}]
    assert got["substances"] == [{"name": "lorazepam", "prescribed": True}]
    assert sorted(d["amount_mg"] for d in got["doses"]) == [12.5, 20]
    assert isinstance(got["flags"], list)
    received = dt.datetime.fromisoformat(got["received_at"])
    assert abs(received - utc_now()) < dt.timedelta(minutes=1)
    # The same as the lists show it.
    listed = patient.get("/entries").json["items"][0]
    assert {k: listed[k] for k in ("id", "craving", "doses", "note")} == {k: got[k] for k in ("id", "craving",
                                                                                             "doses", "note")}


def test_the_body_is_kept_exactly_as_received(app, patient):
    body = entry(craving=3, doses=[{"amount_mg": 12.5}], alcohol_drinks=0, note="Ça va — 😴 مرحبا  \n  ",
                 symptoms=[{"severity": 1, "code": "headache"}], substances=[])
    answer = patient.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    stored = rows(app, Entry, Entry.id == uuid.UUID(answer.json["id"]))[0]
    assert stored.body == body
    assert stored.note == body["note"]


def test_local_date_is_the_patients_day(clinician):
    tokyo = make_patient(clinician, timezone="Asia/Tokyo")
    day = utc_now().date() - dt.timedelta(days=2)
    late = f"{day.isoformat()}T23:30:00+00:00"  # 08:30 the next morning in Tokyo
    answer = tokyo.post("/entries", json=entry(recorded_at=late, craving=2))
    assert answer.status_code == 201, answer.get_json()
    assert answer.json["local_date"] == (day + dt.timedelta(days=1)).isoformat()
    early = f"{day.isoformat()}T14:59:00+00:00"  # 23:59 in Tokyo, the same day
    assert tokyo.post("/entries", json=entry(recorded_at=early, craving=2)).json["local_date"] == day.isoformat()


def test_local_date_follows_the_zone_not_the_offset_the_phone_sent(clinician):
    paris = make_patient(clinician, timezone="Europe/Paris")
    day = utc_now().date() - dt.timedelta(days=3)
    # Written at 23:30 in New York: already the next day in Paris.
    at = dt.datetime(day.year, day.month, day.day, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    answer = paris.post("/entries", json=entry(recorded_at=at.isoformat(), craving=1))
    assert answer.json["local_date"] == (day + dt.timedelta(days=1)).isoformat()


def test_a_dose_is_taken_at_recorded_at_unless_it_says_otherwise(app, clinician):
    tokyo = make_patient(clinician, timezone="Asia/Tokyo")
    day = utc_now().date() - dt.timedelta(days=2)
    recorded = f"{day.isoformat()}T15:30:00+00:00"  # 00:30 in Tokyo, the next day
    body = entry(recorded_at=recorded, doses=[{"amount_mg": 10}, {"amount_mg": 20,
                                                                  "taken_at": f"{day.isoformat()}T14:00:00+00:00"}])
    answer = tokyo.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    doses = {d["amount_mg"]: d for d in answer.json["doses"]}
    assert dt.datetime.fromisoformat(doses[10]["taken_at"]) == dt.datetime.fromisoformat(recorded)
    assert doses[10]["local_date"] == (day + dt.timedelta(days=1)).isoformat()
    assert doses[20]["local_date"] == day.isoformat()  # 23:00 in Tokyo
    stored = rows(app, Dose, Dose.entry_id == uuid.UUID(answer.json["id"]))
    assert sorted((d.amount_mg, d.local_date) for d in stored) == [(10, day + dt.timedelta(days=1)), (20, day)]
    # The body as received still has no taken_at on the first dose.
    assert rows(app, Entry, Entry.id == uuid.UUID(answer.json["id"]))[0].body == body


# ------------------------------------------------------------------ idempotency


def test_the_same_client_id_and_body_again_is_200_and_the_same_entry(app, patient):
    body = entry(craving=5, doses=[{"amount_mg": 10}])
    first = patient.post("/entries", json=body)
    again = patient.post("/entries", json=body)
    assert first.status_code == 201
    assert again.status_code == 200, again.get_json()
    assert again.json["id"] == first.json["id"]
    assert again.json["doses"] == first.json["doses"]
    assert "flags" in again.json
    assert len(patient.get("/entries").json["items"]) == 1
    assert len(rows(app, Dose, Dose.entry_id == uuid.UUID(first.json["id"]))) == 1


def test_the_same_body_with_its_keys_in_another_order_is_the_same(patient):
    body = entry(craving=5, note="x")
    first = patient.post("/entries", json=body)
    again = patient.post("/entries", json=dict(reversed(list(body.items()))))
    assert again.status_code == 200 and again.json["id"] == first.json["id"]


@pytest.mark.parametrize("change", [{"craving": 6}, {"note": "added"}, {"recorded_at": "other"}])
def test_the_same_client_id_with_another_body_is_409(patient, change):
    body = entry(craving=5)
    first = patient.post("/entries", json=body)
    changed = dict(body, **change)
    if change.get("recorded_at"):
        changed["recorded_at"] = ago(minutes=7)
    answer = patient.post("/entries", json=changed)
    assert_problem(answer, 409)
    items = patient.get("/entries").json["items"]
    assert [e["id"] for e in items] == [first.json["id"]]
    assert items[0]["craving"] == 5


def test_a_conflict_is_409_however_often_it_is_sent(patient):
    body = entry(craving=5)
    patient.post("/entries", json=body)
    for _ in range(2):
        assert_problem(patient.post("/entries", json=dict(body, craving=9)), 409)
    assert patient.post("/entries", json=body).status_code == 200


# ------------------------------------------------------------------ every rule of "An entry"


def _without(body, *names):
    return {k: v for k, v in body.items() if k not in names}


@pytest.mark.parametrize("field,body", [
    ("client_id", lambda: _without(entry(craving=1), "client_id")),
    ("client_id", lambda: entry(client_id="not-a-uuid", craving=1)),
    ("client_id", lambda: entry(client_id=12345, craving=1)),
    ("client_id", lambda: entry(client_id=None, craving=1)),
    ("recorded_at", lambda: _without(entry(craving=1), "recorded_at")),
    ("recorded_at", lambda: entry(recorded_at=(utc_now() - dt.timedelta(minutes=1)).replace(tzinfo=None).isoformat(),
                                  craving=1)),
    ("recorded_at", lambda: entry(recorded_at="yesterday", craving=1)),
    ("recorded_at", lambda: entry(recorded_at=utc_now().date().isoformat(), craving=1)),
    ("recorded_at", lambda: entry(recorded_at=1764000000, craving=1)),
    ("recorded_at", lambda: entry(recorded_at=ahead(minutes=6), craving=1)),
    ("recorded_at", lambda: entry(recorded_at=ago(days=91), craving=1)),
    ("recorded_at", lambda: entry(recorded_at="9999-12-31T23:59:59-23:59", craving=1)),
    ("body", lambda: {"client_id": str(uuid.uuid4()), "recorded_at": ago(minutes=1)}),
    ("body", lambda: {"client_id": str(uuid.uuid4()), "recorded_at": ago(minutes=1), "craving": None,
                      "doses": None, "note": None}),
    ("craving", lambda: entry(craving=-1)),
    ("craving", lambda: entry(craving=11)),
    ("craving", lambda: entry(craving=5.5)),
    ("craving", lambda: entry(craving="5")),
    ("craving", lambda: entry(craving=True)),
    ("doses", lambda: entry(doses=[{"amount_mg": 0}])),
    ("doses", lambda: entry(doses=[{"amount_mg": -10}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 1000.5}])),
    ("doses", lambda: entry(doses=[{"amount_mg": "10"}])),
    ("doses", lambda: entry(doses=[{"amount_mg": True}])),
    ("doses", lambda: entry(doses=[{}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 10, "taken_at": "2026-01-01T08:00:00"}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 10, "taken_at": ahead(minutes=10)}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 10, "taken_at": ago(days=91)}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 10, "pill": "white"}])),
    ("doses", lambda: entry(doses=[{"amount_mg": 10}] * 25)),
    ("doses", lambda: entry(doses={"amount_mg": 10})),
    ("doses", lambda: entry(doses=[10])),
    ("alcohol_drinks", lambda: entry(alcohol_drinks=-1)),
    ("alcohol_drinks", lambda: entry(alcohol_drinks=101)),
    ("alcohol_drinks", lambda: entry(alcohol_drinks=100.01)),
    ("alcohol_drinks", lambda: entry(alcohol_drinks="2")),
    ("alcohol_drinks", lambda: entry(alcohol_drinks=False)),
    ("symptoms", lambda: entry(symptoms=[{"code": "unicorn_fever", "severity": 1}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache", "severity": 0}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache", "severity": 4}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache", "severity": 1.5}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache", "severity": "2"}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache"}])),
    ("symptoms", lambda: entry(symptoms=[{"code": "headache", "severity": 1}, {"code": "headache", "severity": 3}])),
    ("symptoms", lambda: entry(symptoms=["headache"])),
    ("substances", lambda: entry(substances=[{"name": "lorazepam"}])),
    ("substances", lambda: entry(substances=[{"prescribed": False}])),
    ("substances", lambda: entry(substances=[{"name": "", "prescribed": False}])),
    ("substances", lambda: entry(substances=[{"name": "lorazepam", "prescribed": "no"}])),
    ("note", lambda: entry(note="x" * 2001)),
    ("note", lambda: entry(note=42)),
    ("mood", lambda: entry(craving=2, mood="fine")),
])
def test_an_invalid_entry_is_422_naming_the_field(app, patient, field, body):
    answer = patient.post("/entries", json=body())
    assert_invalid(answer, field)
    assert patient.get("/entries").json["items"] == []
    assert rows(app, Entry) == []


@pytest.mark.parametrize("fields", [
    lambda: {"recorded_at": ahead(minutes=4), "craving": 2},
    lambda: {"recorded_at": ago(days=89), "craving": 2},
    lambda: {"doses": [{"amount_mg": 10, "taken_at": ahead(minutes=4)}]},
    lambda: {"doses": [{"amount_mg": 10, "taken_at": ago(days=89)}]},
    lambda: {"craving": 0},
    lambda: {"craving": 10},
    lambda: {"doses": [{"amount_mg": 1000}]},
    lambda: {"doses": [{"amount_mg": 0.5}]},
    lambda: {"doses": [{"amount_mg": 5}] * 24},
    lambda: {"alcohol_drinks": 0},
    lambda: {"alcohol_drinks": 100},
    lambda: {"alcohol_drinks": 2.5},
    lambda: {"symptoms": [{"code": "headache", "severity": 1}, {"code": "nausea", "severity": 3}]},
    lambda: {"substances": [{"name": "lorazepam", "prescribed": False}]},
    lambda: {"note": "x" * 2000},
    lambda: {"note": ""},
])
def test_a_valid_edge_is_201(patient, fields):
    answer = patient.post("/entries", json=entry(**fields()))
    assert answer.status_code == 201, answer.get_json()


def test_a_dose_list_of_24_doses_is_stored_whole(app, patient):
    answer = patient.post("/entries", json=entry(doses=[{"amount_mg": 5}] * 24))
    assert len(answer.json["doses"]) == 24
    assert len(rows(app, Dose, Dose.entry_id == uuid.UUID(answer.json["id"]))) == 24


def test_an_empty_dose_list_counts_as_content(patient):
    # "doses": [] says "no baclofen since the last entry", which is worth logging.
    answer = patient.post("/entries", json={"client_id": str(uuid.uuid4()), "recorded_at": ago(minutes=1),
                                            "doses": []})
    assert answer.status_code == 201, answer.get_json()


def test_a_time_with_another_offset_is_the_same_moment(patient):
    moment = utc_now() - dt.timedelta(hours=1)
    answer = patient.post("/entries", json=entry(recorded_at=moment.astimezone(
        dt.timezone(dt.timedelta(hours=-9, minutes=-30))).isoformat(), craving=1))
    assert dt.datetime.fromisoformat(answer.json["recorded_at"]) == moment


# ------------------------------------------------------------------ reading


def test_the_patients_entries_come_newest_first(patient):
    made = {}
    for minutes in (30, 10, 50, 20):
        made[minutes] = patient.post("/entries", json=entry(recorded_at=ago(minutes=minutes), craving=1)).json["id"]
    items = patient.get("/entries").json["items"]
    assert [e["id"] for e in items] == [made[10], made[20], made[30], made[50]]
    assert all("flags" in e for e in items)


def test_the_clinician_reads_the_entries_with_their_flags(clinician, patient):
    made = patient.post("/entries", json=entry(craving=4)).json
    answer = clinician.get(f"/patients/{patient.id}/entries")
    assert answer.status_code == 200
    assert [e["id"] for e in answer.json["items"]] == [made["id"]]
    assert isinstance(answer.json["items"][0]["flags"], list)
    assert answer.json["next_cursor"] is None


@pytest.fixture
def paris_days(clinician):
    """A patient in Paris with one entry at 23:30 local on each of the last four days (oldest first)."""
    paris = make_patient(clinician, timezone="Europe/Paris")
    today = local_today("Europe/Paris")
    days = [today - dt.timedelta(days=n) for n in (4, 3, 2, 1)]
    ids = []
    for day in days:
        answer = paris.post("/entries", json=entry(recorded_at=local_time("Europe/Paris", day, 23, 30), craving=3))
        assert answer.json["local_date"] == day.isoformat()
        ids.append(answer.json["id"])
    return paris, days, ids


def test_entries_between_two_local_days_inclusive(clinician, paris_days):
    paris, days, ids = paris_days
    answer = clinician.get(f"/patients/{paris.id}/entries",
                           query_string={"from": days[1].isoformat(), "to": days[2].isoformat()})
    assert answer.status_code == 200, answer.get_json()
    assert [e["id"] for e in answer.json["items"]] == [ids[2], ids[1]]
    assert {e["local_date"] for e in answer.json["items"]} == {days[1].isoformat(), days[2].isoformat()}


def test_entries_from_a_day_or_to_a_day_alone(clinician, paris_days):
    paris, days, ids = paris_days
    since = clinician.get(f"/patients/{paris.id}/entries", query_string={"from": days[2].isoformat()}).json
    assert [e["id"] for e in since["items"]] == [ids[3], ids[2]]
    until = clinician.get(f"/patients/{paris.id}/entries", query_string={"to": days[0].isoformat()}).json
    assert [e["id"] for e in until["items"]] == [ids[0]]
    one = clinician.get(f"/patients/{paris.id}/entries",
                        query_string={"from": days[3].isoformat(), "to": days[3].isoformat()}).json
    assert [e["id"] for e in one["items"]] == [ids[3]]


def test_entries_between_two_times_inclusive(clinician, paris_days):
    paris, days, ids = paris_days
    start = local_time("Europe/Paris", days[1], 23, 30)  # exactly the second entry
    end = dt.datetime.fromisoformat(local_time("Europe/Paris", days[2], 23, 30)).astimezone(
        dt.timezone(dt.timedelta(hours=-3))).isoformat()  # the third, written with another offset
    answer = clinician.get(f"/patients/{paris.id}/entries", query_string={"from": start, "to": end})
    assert answer.status_code == 200, answer.get_json()
    assert [e["id"] for e in answer.json["items"]] == [ids[2], ids[1]]
    narrower = clinician.get(f"/patients/{paris.id}/entries", query_string={
        "from": local_time("Europe/Paris", days[1], 23, 31), "to": end}).json
    assert [e["id"] for e in narrower["items"]] == [ids[2]]


def test_an_empty_range_is_an_empty_list(clinician, paris_days):
    paris, days, _ = paris_days
    answer = clinician.get(f"/patients/{paris.id}/entries",
                           query_string={"from": days[3].isoformat(), "to": days[0].isoformat()})
    assert answer.status_code == 200
    assert answer.json == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("query,field", [
    ({"from": "2026-13-01"}, "from"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "2026-W01-1"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-01-01T08:00:00"}, "from"),  # a time without its offset
    ({"to": "9999-12-31T23:59:59-23:59"}, "to"),
    ({"from": "0001-01-01T00:00:00+23:59"}, "from"),
])
def test_a_bad_bound_is_422(clinician, patient, query, field):
    assert_invalid(clinician.get(f"/patients/{patient.id}/entries", query_string=query), field)


def test_the_widest_dates_are_fine(clinician, patient):
    patient.post("/entries", json=entry(craving=1))
    answer = clinician.get(f"/patients/{patient.id}/entries", query_string={"from": "0001-01-01",
                                                                            "to": "9999-12-31"})
    assert answer.status_code == 200
    assert len(answer.json["items"]) == 1


def test_a_sign_found_only_by_the_semantic_layer_reaches_the_clinician_with_its_example(clinician, patient):
    note = "Woke up on the kitchen floor with a bitten tongue and had wet myself"
    stored = patient.post("/entries", json=entry(note=note))
    assert stored.status_code == 201, stored.get_json()
    flags = clinician.get(f"/flags?patient_id={patient.id}").json["items"]
    seizure = next(f for f in flags if f["rule"] == "seizure_or_hallucinations")
    evidence = seizure["evidence"]
    assert evidence["note_words"] == {"seizure": note}
    assert evidence["note_semantic"]["seizure"]["example"]
    assert 0 < evidence["note_semantic"]["seizure"]["similarity"] <= 1
