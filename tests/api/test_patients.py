"""Patients, their context and their prescriptions, as the clinician records them."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from api_helpers import assert_invalid, assert_problem, local_today, utc_now
from conftest import make_patient



def new(clinician, **fields):
    body = {"reference": f"R-{uuid.uuid4().hex[:8]}", "treatment_start": "2026-01-05"}
    body.update(fields)
    return clinician.post("/patients", json=body)


# ------------------------------------------------------------------ create


def test_create_answers_the_patient_with_a_one_time_code(clinician):
    answer = new(clinician, reference="AUD-0001", treatment_start="2026-02-01")
    assert answer.status_code == 201, answer.get_json()
    body = answer.json
    uuid.UUID(body["id"])
    assert body["reference"] == "AUD-0001"
    assert body["treatment_start"] == "2026-02-01"
    # The defaults.
    assert body["timezone"] == "UTC"
    assert body["renal_impairment"] is False and body["depression"] is False and body["anxiety"] is False
    assert body["prescription"] is None and body["prescriptions"] == []
    assert body["open_flags"] == {"urgent": 0, "high": 0, "moderate": 0}
    code = body["enrollment"]["code"]
    assert isinstance(code, str) and len(code.replace("-", "")) >= 8
    expires = dt.datetime.fromisoformat(body["enrollment"]["expires_at"])
    assert expires.utcoffset() is not None
    assert abs(expires - (utc_now() + dt.timedelta(hours=72))) < dt.timedelta(minutes=1)


def test_create_keeps_every_field_given(clinician):
    answer = new(clinician, timezone="America/Sao_Paulo", renal_impairment=True, depression=True, anxiety=True,
                 prescription={"daily_dose_mg": 30, "max_daily_mg": 80, "approach": "fixed"})
    assert answer.status_code == 201, answer.get_json()
    body = answer.json
    assert body["timezone"] == "America/Sao_Paulo"
    assert (body["renal_impairment"], body["depression"], body["anxiety"]) == (True, True, True)
    assert body["prescription"]["daily_dose_mg"] == 30 and body["prescription"]["max_daily_mg"] == 80
    assert body["prescription"]["approach"] == "fixed"
    # A prescription given at creation starts with the treatment.
    assert body["prescription"]["effective_from"] == "2026-01-05"
    assert [rx["id"] for rx in body["prescriptions"]] == [body["prescription"]["id"]]
    again = clinician.get(f"/patients/{body['id']}").json
    assert again["timezone"] == "America/Sao_Paulo" and again["renal_impairment"] is True
    assert again["prescription"] == body["prescription"]


def test_each_create_gives_a_different_code(clinician):
    codes = {new(clinician).json["enrollment"]["code"] for _ in range(3)}
    assert len(codes) == 3


def test_a_reference_is_unique_per_clinician(clinician):
    assert new(clinician, reference="AUD-7").status_code == 201
    answer = new(clinician, reference="AUD-7", timezone="Europe/Paris")
    assert_problem(answer, 409)
    assert len(clinician.get("/patients").json["items"]) == 1


def test_two_clinicians_may_use_the_same_reference(clinician, other_clinician):
    assert new(clinician, reference="AUD-8").status_code == 201
    assert new(other_clinician, reference="AUD-8").status_code == 201


@pytest.mark.parametrize("field,value", [
    ("timezone", "Mars/Olympus"),
    ("timezone", "localtime"),  # the server's own zone: not a name that means the same everywhere
    ("timezone", ""),
    ("timezone", 1),
    ("reference", ""),
    ("reference", "x" * 65),
    ("reference", 42),
    ("reference", None),
    ("treatment_start", "2026-13-01"),
    ("treatment_start", "2026-02-30"),
    ("treatment_start", "05/01/2026"),
    ("treatment_start", "2026-01-05T00:00:00+00:00"),
    ("treatment_start", 20260105),
    ("treatment_start", "20260105"),  # ISO 8601's basic form: dates are YYYY-MM-DD
    ("treatment_start", "2026-W02-1"),
    ("treatment_start", "2026-005"),
    ("renal_impairment", "yes"),
    ("depression", "true"),
    ("anxiety", 1),
    ("anxiety", None),
    ("surname", "Dupont"),
    ("prescription", {"daily_dose_mg": 60, "max_daily_mg": 30, "approach": "fixed"}),
    ("prescription", "60 mg"),
])
def test_create_refuses_an_invalid_field(clinician, field, value):
    errors = assert_invalid(new(clinician, **{field: value}), field)
    assert clinician.get("/patients").json["items"] == []
    assert errors


@pytest.mark.parametrize("missing", ["reference", "treatment_start"])
def test_create_requires_reference_and_treatment_start(clinician, missing):
    body = {"reference": "R-1", "treatment_start": "2026-01-05"}
    del body[missing]
    assert_invalid(clinician.post("/patients", json=body), missing)


def test_a_reference_of_64_characters_is_fine(clinician):
    assert new(clinician, reference="x" * 64).status_code == 201


# ------------------------------------------------------------------ prescriptions


def rx(clinician, patient_id, **fields):
    body = {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "flexible"}
    body.update(fields)
    return clinician.post(f"/patients/{patient_id}/prescriptions", json=body)


def test_a_prescription_is_answered_with_its_fields(clinician):
    pid = new(clinician).json["id"]
    answer = rx(clinician, pid, daily_dose_mg=45, max_daily_mg=90, approach="fixed", effective_from="2026-01-10")
    assert answer.status_code == 201, answer.get_json()
    assert {k: answer.json[k] for k in ("daily_dose_mg", "max_daily_mg", "approach", "effective_from")} == \
        {"daily_dose_mg": 45, "max_daily_mg": 90, "approach": "fixed", "effective_from": "2026-01-10"}
    uuid.UUID(answer.json["id"])


def test_a_prescription_takes_effect_today_by_default(clinician):
    pid = new(clinician, timezone="Pacific/Kiritimati").json["id"]
    answer = rx(clinician, pid)
    assert answer.json["effective_from"] == local_today("Pacific/Kiritimati").isoformat()
    assert clinician.get(f"/patients/{pid}").json["prescription"]["id"] == answer.json["id"]


def test_the_current_prescription_is_the_one_in_effect_today(clinician):
    pid = new(clinician).json["id"]
    today = local_today("UTC")
    older = rx(clinician, pid, daily_dose_mg=30, effective_from=(today - dt.timedelta(days=20)).isoformat()).json
    newer = rx(clinician, pid, daily_dose_mg=50, effective_from=(today - dt.timedelta(days=2)).isoformat()).json
    future = rx(clinician, pid, daily_dose_mg=60, effective_from=(today + dt.timedelta(days=5)).isoformat()).json
    body = clinician.get(f"/patients/{pid}").json
    assert body["prescription"]["id"] == newer["id"]
    assert body["prescription"]["daily_dose_mg"] == 50
    assert [p["id"] for p in body["prescriptions"]] == [older["id"], newer["id"], future["id"]]


def test_a_prescription_recorded_later_but_effective_earlier_does_not_take_over(clinician):
    pid = new(clinician).json["id"]
    today = local_today("UTC")
    recent = rx(clinician, pid, effective_from=(today - dt.timedelta(days=1)).isoformat()).json
    backdated = rx(clinician, pid, effective_from=(today - dt.timedelta(days=30)).isoformat()).json
    body = clinician.get(f"/patients/{pid}").json
    assert body["prescription"]["id"] == recent["id"]
    assert {p["id"] for p in body["prescriptions"]} == {recent["id"], backdated["id"]}


def test_a_future_prescription_alone_is_not_current(clinician):
    pid = new(clinician).json["id"]
    future = rx(clinician, pid, effective_from=(local_today("UTC") + dt.timedelta(days=1)).isoformat()).json
    body = clinician.get(f"/patients/{pid}").json
    assert body["prescription"] is None
    assert [p["id"] for p in body["prescriptions"]] == [future["id"]]


def test_the_patient_sees_the_current_prescription(clinician, patient):
    today = local_today()
    current = rx(clinician, patient.id, daily_dose_mg=40, max_daily_mg=70,
                 effective_from=today.isoformat()).json
    rx(clinician, patient.id, daily_dose_mg=80, max_daily_mg=90,
       effective_from=(today + dt.timedelta(days=3)).isoformat())
    me = patient.get("/me")
    assert me.status_code == 200
    assert me.json["id"] == patient.id
    assert me.json["prescription"]["id"] == current["id"]
    # The app sees its own profile, not the clinician's notes on the patient.
    assert "depression" not in me.json and "renal_impairment" not in me.json


@pytest.mark.parametrize("field,body", [
    ("max_daily_mg", {"daily_dose_mg": 60, "max_daily_mg": 59.5, "approach": "fixed"}),
    ("daily_dose_mg", {"daily_dose_mg": 0, "max_daily_mg": 60, "approach": "fixed"}),
    ("daily_dose_mg", {"daily_dose_mg": -5, "max_daily_mg": 60, "approach": "fixed"}),
    ("daily_dose_mg", {"daily_dose_mg": "30", "max_daily_mg": 60, "approach": "fixed"}),
    ("max_daily_mg", {"daily_dose_mg": 30, "max_daily_mg": 1001, "approach": "fixed"}),
    ("approach", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "whenever"}),
    ("approach", {"daily_dose_mg": 30, "max_daily_mg": 60}),
    ("max_daily_mg", {"daily_dose_mg": 30, "approach": "fixed"}),
    ("effective_from", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed", "effective_from": "2026-13-01"}),
    ("effective_from", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed", "effective_from": "2026-W01-1"}),
    ("route", {"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed", "route": "oral"}),
])
def test_a_prescription_refuses_invalid_fields(clinician, field, body):
    pid = new(clinician).json["id"]
    assert_invalid(clinician.post(f"/patients/{pid}/prescriptions", json=body), field)
    assert clinician.get(f"/patients/{pid}").json["prescriptions"] == []


def test_max_equal_to_daily_is_fine(clinician):
    pid = new(clinician).json["id"]
    assert rx(clinician, pid, daily_dose_mg=60, max_daily_mg=60).status_code == 201


# ------------------------------------------------------------------ change


def test_patch_changes_the_fields_given_and_only_those(clinician):
    created = new(clinician, reference="before", timezone="Europe/Paris").json
    answer = clinician.patch(f"/patients/{created['id']}", json={"reference": "after", "depression": True,
                                                                 "treatment_start": "2026-03-01"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.json["reference"] == "after"
    assert answer.json["depression"] is True
    assert answer.json["treatment_start"] == "2026-03-01"
    assert answer.json["timezone"] == "Europe/Paris"
    assert answer.json["anxiety"] is False
    stored = clinician.get(f"/patients/{created['id']}").json
    assert (stored["reference"], stored["depression"], stored["treatment_start"]) == ("after", True, "2026-03-01")


def test_patch_can_set_a_boolean_back_to_false(clinician):
    pid = new(clinician, anxiety=True).json["id"]
    assert clinician.patch(f"/patients/{pid}", json={"anxiety": False}).json["anxiety"] is False
    assert clinician.get(f"/patients/{pid}").json["anxiety"] is False


def test_patch_changes_the_time_zone_and_thus_the_patients_day(clinician, patient):
    answer = clinician.patch(f"/patients/{patient.id}", json={"timezone": "Asia/Tokyo"})
    assert answer.json["timezone"] == "Asia/Tokyo"
    assert patient.get("/me").json["timezone"] == "Asia/Tokyo"
    logged = patient.post("/entries", json={"client_id": str(uuid.uuid4()), "recorded_at": utc_now().isoformat(),
                                            "craving": 1})
    assert logged.json["local_date"] == local_today("Asia/Tokyo").isoformat()


def test_patch_to_a_taken_reference_is_409_and_changes_nothing(clinician):
    new(clinician, reference="taken")
    pid = new(clinician, reference="mine").json["id"]
    answer = clinician.patch(f"/patients/{pid}", json={"reference": "taken", "anxiety": True})
    assert_problem(answer, 409)
    stored = clinician.get(f"/patients/{pid}").json
    assert stored["reference"] == "mine" and stored["anxiety"] is False


def test_patch_to_its_own_reference_is_fine(clinician):
    pid = new(clinician, reference="same").json["id"]
    assert clinician.patch(f"/patients/{pid}", json={"reference": "same"}).status_code == 200


def test_patch_to_a_reference_another_clinician_uses_is_fine(clinician, other_clinician):
    new(other_clinician, reference="theirs")
    pid = new(clinician, reference="mine").json["id"]
    assert clinician.patch(f"/patients/{pid}", json={"reference": "theirs"}).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({}, None),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"reference": ""}, "reference"),
    ({"reference": None}, "reference"),
    ({"depression": "yes"}, "depression"),
    ({"treatment_start": "2026-13-01"}, "treatment_start"),
    ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"clinician_id": "00000000-0000-0000-0000-000000000000"}, "clinician_id"),
])
def test_patch_refuses_an_empty_or_invalid_body(clinician, body, field):
    created = new(clinician, reference="kept").json
    assert_invalid(clinician.patch(f"/patients/{created['id']}", json=body), field)
    stored = clinician.get(f"/patients/{created['id']}").json
    assert stored["reference"] == "kept" and stored["timezone"] == "UTC"


# ------------------------------------------------------------------ the list


def test_the_list_shows_each_patient_with_open_flags_by_severity(clinician):
    made = [make_patient(clinician).id for _ in range(3)]
    answer = clinician.get("/patients")
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [p["id"] for p in items] == made  # oldest first: the order they were enrolled
    for item in items:
        assert set(item["open_flags"]) == {"urgent", "high", "moderate"}
        assert all(isinstance(n, int) and n >= 0 for n in item["open_flags"].values())
        assert {"id", "reference", "timezone", "treatment_start", "prescription"} <= set(item)
    assert answer.json["next_cursor"] is None


def test_open_flag_counts_follow_the_review_queue(clinician, patient):
    # Log something likely to raise flags; whatever the rules find, the counts must agree with the queue.
    patient.post("/entries", json={"client_id": str(uuid.uuid4()), "recorded_at": utc_now().isoformat(),
                                   "doses": [{"amount_mg": 200}], "alcohol_drinks": 10, "craving": 10})
    queue = clinician.get("/flags", query_string={"patient_id": patient.id, "limit": 200}).json["items"]
    expected = {"urgent": 0, "high": 0, "moderate": 0}
    for flag in queue:
        expected[flag["severity"]] += 1
    listed = clinician.get("/patients").json["items"][0]
    assert listed["open_flags"] == expected


# ------------------------------------------------------------------ references that only look alike

LOOK_ALIKES = [
    pytest.param("Zoé-1", "Zoe\u0301-1", "Zoé-1", id="NFC and NFD"),
    pytest.param("PX-12", "ＰＸ-１２", "PX-12", id="fullwidth"),
    pytest.param("P-017", "  P-017 ", "P-017", id="surrounding spaces"),
    pytest.param("P 017", "P\u00a0017", "P 017", id="no-break space"),
    pytest.param("P 017", "P  017", "P 017", id="two spaces inside"),
    pytest.param("P 017", "\u3000P\u2003017\t", "P 017", id="ideographic, em space and a tab around"),
]


@pytest.mark.parametrize("first,second,stored", LOOK_ALIKES)
def test_a_reference_that_only_looks_like_another_is_the_same(clinician, first, second, stored):
    made = new(clinician, reference=first)
    assert made.status_code == 201, made.get_json()
    assert made.json["reference"] == stored
    assert_problem(new(clinician, reference=second), 409)
    other = new(clinician)
    assert_problem(clinician.patch(f"/patients/{other.json['id']}", json={"reference": second}), 409)
    assert [p["reference"] for p in clinician.get("/patients").json["items"]] == [stored, other.json["reference"]]


@pytest.mark.parametrize("sent,stored", [("  ＰＸ-１２ ", "PX-12"), ("Zoe\u0301", "Zoé"), ("P\u00a0 017", "P 017")])
def test_a_reference_is_stored_in_its_normal_form(clinician, sent, stored):
    made = new(clinician, reference=sent)
    assert made.json["reference"] == stored
    changed = clinician.patch(f"/patients/{made.json['id']}", json={"reference": "  " + sent})
    assert changed.status_code == 200, changed.get_json()
    assert clinician.get(f"/patients/{made.json['id']}").json["reference"] == stored


INVISIBLE = [
    pytest.param("P-0\u200b17", id="zero-width space"),
    pytest.param("P-0\u200d17", id="zero-width joiner"),
    pytest.param("\ufeffP-017", id="byte order mark"),
    pytest.param("\u202eP-017", id="right-to-left override"),
    pytest.param("P-\u2066017\u2069", id="bidi isolate"),
    pytest.param("P-0\u00ad17", id="soft hyphen"),
    pytest.param("P-0\u2060", id="word joiner"),
    pytest.param("P-\u3164017", id="hangul filler"),
    pytest.param("P-017\ufe0f", id="variation selector"),
    pytest.param("P-017\U000e0041", id="tag character"),
    pytest.param("P-\ue000", id="private use"),
    pytest.param("P\t017", id="tab inside"),
    pytest.param("P\n017", id="line feed inside"),
    pytest.param("P\x7f017", id="delete"),
    pytest.param("P\x1b[31m017", id="escape sequence"),
    pytest.param("P\u2028017", id="line separator"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="spaces only"),
    pytest.param("\u3000\u00a0\u2003", id="wide and no-break spaces only"),
    pytest.param("\u200b", id="zero-width space only"),
    pytest.param("\ufdfa" * 4, id="64 characters or more once normalised"),
]


@pytest.mark.parametrize("reference", INVISIBLE)
def test_a_reference_with_invisible_or_control_characters_is_422(clinician, reference):
    assert_invalid(new(clinician, reference=reference), "reference")
    made = new(clinician, reference="P-OK")
    assert_invalid(clinician.patch(f"/patients/{made.json['id']}", json={"reference": reference}), "reference")
    assert [p["reference"] for p in clinician.get("/patients").json["items"]] == ["P-OK"]


def test_visible_letters_of_any_script_are_kept(clinician):
    for reference in ("Łódź-3", "患者-17", "مريض-4", "Ελένη 2", "O'Brien-5"):
        made = new(clinician, reference=reference)
        assert made.status_code == 201, (reference, made.get_json())
        assert made.json["reference"] == reference
