"""Every error is problem+json, and nothing a client can send gives a 500."""
from __future__ import annotations

import json

import pytest
from api_helpers import PROBLEM, assert_client_error, assert_invalid, assert_problem, random_id, rows
from conftest import entry

from service.models import Entry

# Every path that reads a body; {p} a patient id, {f} a flag id.
BODY_PATHS = [
    ("clinician", "POST", "/patients"),
    ("clinician", "PATCH", "/patients/{p}"),
    ("clinician", "POST", "/patients/{p}/prescriptions"),
    ("clinician", "POST", "/flags/{f}/review"),
    ("patient", "POST", "/entries"),
    ("patient", "POST", "/entries/batch"),
    ("public", "POST", "/enroll"),
]

ODD_BODIES = [
    "[]", "[1, 2, 3]", '"a string"', "null", "42", "-0.0", "true", "{}",
    '{"a": {"b": [{"c": [[[[{}]]]]}]}}',
    '{"craving": 1e400}',
    '{"craving": -1e400, "alcohol_drinks": 1e400}',
    '{"craving": NaN, "alcohol_drinks": Infinity}',
    '{"craving": ' + str(10 ** 100) + "}",
    '{"alcohol_drinks": ' + str(10 ** 400) + "}",
    '{"craving": ' + "9" * 5000 + "}",
    '{"doses": [{"amount_mg": ' + str(10 ** 400) + "}]}",
    '{"reference": "' + "x" * 100_000 + '"}',
    '{"code": "\\u0000", "note": "\\u0000", "reference": "\\u0000"}',
    '{"\\u0000": 1}',
    '{"reference": "\\ud800", "treatment_start": "2026-01-05", "note": "\\udfff", "code": "\\ud800", '
    '"device_name": "\\ud800", "action": "resolve"}',
    '{"entries": [' + ", ".join(["[]"] * 300) + "]}",
    '{"entries": [{"doses": ' + "[" * 500 + "]" * 500 + "}]}",
    "[" * 5000 + "]" * 5000,
    "[" * 100_000,
    '{"a": ' * 5000 + "1" + "}" * 5000,
    '{"daily_dose_mg": ' + str(10 ** 400) + ', "max_daily_mg": 1e400, "approach": "fixed"}',
    '{"action": ["acknowledge"], "note": {"x": 1}}',
    '{"timezone": "../../../../etc/passwd", "reference": "r", "treatment_start": "2026-01-01"}',
    '{"treatment_start": "99999-01-01", "reference": "r"}',
    '{"recorded_at": "9999-12-31T23:59:59-23:59", "client_id": "00000000-0000-0000-0000-000000000000", '
    '"craving": 1}',
]


def _caller(role, clinician, patient):
    return {"clinician": clinician, "patient": patient, "public": type(patient)(patient.client, None)}[role]


@pytest.mark.parametrize("raw", ODD_BODIES, ids=lambda raw: raw[:40])
def test_odd_bodies_never_give_a_500(app, clinician, patient, raw):
    for role, method, path in BODY_PATHS:
        caller = _caller(role, clinician, patient)
        answer = caller.open(method, path.format(p=patient.id, f=random_id()), data=raw,
                             content_type="application/json")
        if path == "/entries/batch" and answer.status_code == 200:
            # A well-formed batch of bad items: each is answered invalid on its own.
            assert {r["status"] for r in answer.json["results"]} == {"invalid"}, answer.json
            continue
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code, answer.get_json())
        assert answer.mimetype == PROBLEM, (method, path, answer.headers)
        if answer.status_code == 400:
            assert_problem(answer, 400)
        if answer.status_code == 422:
            assert_invalid(answer)
    assert rows(app, Entry) == []
    assert patient.get("/me").status_code == 200


def test_deeply_nested_arrays_are_400_or_422(patient):
    answer = patient.post("/entries", data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert answer.status_code in (400, 422), answer.status_code
    assert answer.mimetype == PROBLEM


@pytest.mark.parametrize("raw", ["{", '{"craving": 1,}', "{'craving': 1}", '{"craving": 1} trailing', "\xff\xfe",
                                 '{"craving": 01}'])
def test_malformed_json_is_400(patient, raw):
    answer = patient.post("/entries", data=raw, content_type="application/json")
    body = assert_problem(answer, 400)
    assert "errors" not in body or body["errors"]


def test_invalid_utf8_is_400(patient):
    answer = patient.post("/entries", data=b'{"note": "\xff\xfe"}', content_type="application/json")
    assert_problem(answer, 400)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/patients/x/y/z", "/nope", "/api/v2/patients",
                                  "/api/v1/entries/" + "x" * 5000])
def test_an_unknown_path_is_404(client, clinician, path):
    assert_problem(client.get(path, headers={"Authorization": f"Bearer {clinician.token}"}), 404)
    assert_problem(client.get(path), 404)


@pytest.mark.parametrize("method,path,allowed", [
    ("DELETE", "/patients", {"GET", "POST"}),
    ("PUT", "/patients/{p}", {"GET", "PATCH"}),
    ("GET", "/patients/{p}/prescriptions", {"POST"}),
    ("GET", "/entries/batch", {"POST"}),
    ("PATCH", "/entries", {"GET", "POST"}),
    ("GET", "/enroll", {"POST"}),
])
def test_a_wrong_method_is_405_with_allow(clinician, patient, method, path, allowed):
    answer = clinician.open(method, path.format(p=patient.id))
    assert_problem(answer, 405)
    listed = {m.strip() for m in answer.headers.get("Allow", "").split(",")}
    assert allowed <= listed, answer.headers.get("Allow")


def test_a_body_over_one_mib_is_413(app, patient):
    big = json.dumps(entry(note="x" * (1024 * 1024 + 1)))
    assert_problem(patient.post("/entries", data=big, content_type="application/json"), 413)
    assert rows(app, Entry) == []


def test_a_batch_just_under_one_mib_is_read(patient):
    items = [entry(note="x" * 2000) for _ in range(200)]  # about 470 KiB
    answer = patient.post("/entries/batch", json={"entries": items})
    assert answer.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/xml"])
def test_a_body_that_is_not_json_is_415(patient, content_type):
    answer = patient.post("/entries", data=json.dumps(entry(craving=1)), content_type=content_type)
    assert_problem(answer, 415)
    assert patient.get("/entries").json["items"] == []


def test_json_with_a_charset_is_fine(patient):
    answer = patient.post("/entries", data=json.dumps(entry(craving=1)),
                          content_type="application/json; charset=utf-8")
    assert answer.status_code == 201


@pytest.mark.parametrize("path", ["/entries", "/patients"])
def test_a_post_without_a_body_is_a_4xx_problem(clinician, patient, path):
    caller = patient if path == "/entries" else clinician
    answer = caller.post(path)
    assert_client_error(answer)
    assert answer.status_code in (400, 415, 422)


def test_a_422_names_its_fields_in_errors(patient):
    errors = assert_invalid(patient.post("/entries", json={"craving": 12, "doses": [{"amount_mg": 0}]}))
    assert {"client_id", "recorded_at", "craving", "doses.0.amount_mg"} <= set(errors)


def test_a_problem_never_echoes_a_note(patient):
    secret = "my secret diary " * 200
    answer = patient.post("/entries", json=entry(note=secret))
    assert answer.status_code == 422
    assert "secret diary" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("note", ["😴💊🍷", "مرحبا بالعالم", "e\u0301\u0301\u0301", "\u202eevil", "line\r\nbreak\t",
                                  "\ud7ff\ue000\uffff", "a\u2028b"])
def test_unicode_in_a_note_is_stored_as_sent(patient, note):
    answer = patient.post("/entries", json=entry(note=note))
    assert answer.status_code == 201, answer.get_json()
    assert answer.json["note"] == note
    assert patient.get("/entries").json["items"][0]["note"] == note


@pytest.mark.parametrize("field,value", [("note", "before\u0000after"), ("note", "\u0000"),
                                         ("substances", [{"name": "lora\u0000zepam", "prescribed": True}])])
def test_a_nul_character_is_refused_not_a_crash(app, patient, field, value):
    answer = patient.post("/entries", json=entry(craving=1, **{field: value}))
    assert_invalid(answer, field)
    assert rows(app, Entry) == []


@pytest.mark.parametrize("field", ["note", "substances"])
def test_a_lone_surrogate_is_refused_not_a_crash(app, patient, field):
    body = json.dumps(entry(craving=1))[:-1]
    if field == "note":
        body += ', "note": "a\\ud800b"}'
    else:
        body += ', "substances": [{"name": "\\udfff", "prescribed": true}]}'
    answer = patient.post("/entries", data=body, content_type="application/json")
    assert answer.status_code in (400, 422), (answer.status_code, answer.get_json())
    assert answer.mimetype == PROBLEM
    assert rows(app, Entry) == []


def test_a_lone_surrogate_in_a_reference_is_refused(clinician):
    answer = clinician.post("/patients", data='{"reference": "\\ud800", "treatment_start": "2026-01-05"}',
                            content_type="application/json")
    assert answer.status_code in (400, 422), answer.status_code
    assert clinician.get("/patients").json["items"] == []


LONG = "9" * 10_000


@pytest.mark.parametrize("role,path", [
    ("patient", "/entries"),
    ("clinician", "/patients"),
    ("clinician", "/patients/{p}/entries"),
    ("clinician", "/patients/{p}/audit"),
    ("clinician", "/flags"),
])
@pytest.mark.parametrize("query", [
    {"limit": 0}, {"limit": 201}, {"limit": "abc"}, {"limit": -1}, {"limit": 1.5}, {"limit": LONG},
    {"limit": "1e3"}, {"limit": ""},
    {"cursor": "x" * 100_000}, {"cursor": "abc"}, {"cursor": "abc.def"}, {"cursor": "\u0000"}, {"cursor": "W10"},
    {"cursor": "W10.AAAAAAAAAAAAAAAAAAAAAAAAAAA"}, {"cursor": "é" * 10},
])
def test_bad_list_parameters_are_422(clinician, patient, role, path, query):
    caller = patient if role == "patient" else clinician
    answer = caller.get(path.format(p=patient.id), query_string=query)
    assert_invalid(answer, next(iter(query)))


@pytest.mark.parametrize("query", [{"from": LONG}, {"to": "x" * 100_000}, {"from": "\u0000"},
                                   {"from": "2026-01-01T08:00:00+99:00"}])
def test_bad_ranges_are_422(clinician, patient, query):
    assert_invalid(clinician.get(f"/patients/{patient.id}/entries", query_string=query), next(iter(query)))


@pytest.mark.parametrize("query", [{"days": LONG}, {"days": "abc"}, {"days": ""}, {"days": -3}, {"days": 10 ** 100}])
def test_bad_summary_days_are_422(clinician, patient, query):
    assert_invalid(clinician.get(f"/patients/{patient.id}/summary", query_string=query), "days")


@pytest.mark.parametrize("query", [{"status": "x" * 10_000}, {"severity": "\u0000"}, {"patient_id": LONG}])
def test_bad_queue_filters_are_422(clinician, query):
    assert_invalid(clinician.get("/flags", query_string=query), next(iter(query)))


@pytest.mark.parametrize("role,path", [("patient", "/entries"), ("clinician", "/patients"),
                                       ("clinician", "/patients/{p}/summary"), ("clinician", "/flags")])
def test_unknown_query_parameters_are_refused_like_unknown_fields(clinician, patient, role, path):
    caller = patient if role == "patient" else clinician
    assert_invalid(caller.get(path.format(p=patient.id), query_string={"limt": "5"}), "limt")
    assert_invalid(caller.get(path.format(p=patient.id), query_string={"x" * 1000: "y"}))


def test_a_problem_ends_with_a_newline_as_every_json_answer_does(client):
    problem = client.get("/api/v1/patients")  # no token: 401
    assert_problem(problem, 401)
    assert problem.get_data(as_text=True).endswith("}\n")
    assert client.get("/healthz").get_data(as_text=True).endswith("}\n")


def _with_duplicate(body: dict, key: str, first) -> str:
    """The JSON of `body` with `key` given twice: `first`, then the body's own value."""
    text = json.dumps(body)
    return text[:1] + json.dumps(key) + ": " + json.dumps(first) + ", " + text[1:]


@pytest.mark.parametrize("role,method,path", BODY_PATHS)
def test_a_key_given_twice_is_400_on_every_body(clinician, patient, role, method, path):
    caller = _caller(role, clinician, patient)
    raw = '{"note": "first", "note": "second", "action": "acknowledge"}'
    answer = caller.open(method, path.format(p=patient.id, f=random_id()), data=raw, content_type="application/json")
    assert "same key twice" in assert_problem(answer, 400)["detail"], (method, path)


@pytest.mark.parametrize("raw", [
    '{"client_id": "%s", "recorded_at": "%s", "craving": 1, "craving": 9}',
    '{"client_id": "%s", "recorded_at": "%s", "doses": [{"amount_mg": 10, "amount_mg": 1000}]}',
    '{"client_id": "%s", "recorded_at": "%s", "craving": 1, "substances": [{"name": "a", "prescribed": true, '
    '"extra": {"x": 1, "x": 2}}]}',
], ids=["top level", "in a dose", "deep inside"])
def test_an_entry_with_a_key_given_twice_is_refused_not_collapsed(app, patient, raw):
    body = entry()
    answer = patient.post("/entries", data=raw % (body["client_id"], body["recorded_at"]),
                          content_type="application/json")
    assert_problem(answer, 400)
    assert rows(app, Entry) == []


def test_a_batch_item_with_a_key_given_twice_refuses_the_batch(app, patient):
    items = json.dumps({"entries": [entry(craving=1)]})
    raw = items.replace('"craving": 1', '"craving": 1, "craving": 9')
    assert_problem(patient.post("/entries/batch", data=raw, content_type="application/json"), 400)
    assert rows(app, Entry) == []


def test_a_patient_with_a_key_given_twice_in_its_prescription_is_refused(clinician):
    rx = '{"daily_dose_mg": 30, "max_daily_mg": 60, "max_daily_mg": 600, "approach": "fixed"}'
    raw = '{"reference": "P-DUP", "treatment_start": "2026-11-01", "prescription": ' + rx + "}"
    assert_problem(clinician.post("/patients", data=raw, content_type="application/json"), 400)
    assert_problem(clinician.post("/patients", data=_with_duplicate({"reference": "P-DUP",
                                                                     "treatment_start": "2026-11-01"},
                                                                    "reference", "P-OTHER"),
                                  content_type="application/json"), 400)
    assert clinician.get("/patients").json["items"] == []
