"""The document at /api/v1/openapi.json, its reference page at /api/v1/docs, and its examples.

The examples must be true: each validates against its schema in the document, the requests load
through their schemas, and the service, sent the same requests, answers with the same shapes, flags,
statuses and problem details.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from api_helpers import assert_problem
from conftest import make_patient

from schemas import examples as ex
from schemas.entry import BatchCreateSchema, EntryCreateSchema
from schemas.flag import ReviewCreateSchema
from service import config as settings
from service import create_app
from service.api.reference import PAGE_CSP
from service.extensions import RATE_LIMIT_HEADERS, RETRY_AFTER

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = yaml.safe_load((ROOT / "openapi.yaml").read_text())
PROBLEM = "application/problem+json"
STATUS_NAMES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                413: "REQUEST_ENTITY_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "UNPROCESSABLE_ENTITY",
                429: "TOO_MANY_REQUESTS"}


def _fetch(client, path: str) -> tuple[int, bytes]:
    """GET a file; closing the answer closes the file it streams."""
    with client.get(path) as answer:
        return answer.status_code, answer.get_data()


def _operations():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        section, kind, name = node["$ref"].split("/")[1:]
        node = DOCUMENT[section][kind][name]
    return node


def _media_types():
    """Every body and answer of the document that has examples: (where, schema, {name: value})."""
    bodies = [(f"{method} {path} request", operation.get("requestBody", {}))
              for path, method, operation in _operations()]
    bodies += [(f"{method} {path} {status}", _resolve(response))
               for path, method, operation in _operations() for status, response in operation["responses"].items()]
    for where, body in bodies:
        for media_type in body.get("content", {}).values():
            if "examples" in media_type:
                values = {name: _resolve(example)["value"] for name, example in media_type["examples"].items()}
                yield where, media_type["schema"], values


# --- the document and the page -----------------------------------------------------------------

def test_the_served_document_is_openapi_yaml_and_needs_no_token(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.get_json() == DOCUMENT


def test_the_reference_page_loads_only_its_own_files(client):
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    assert answer.headers["Content-Security-Policy"] == PAGE_CSP
    assert "unsafe-inline" not in PAGE_CSP and "unsafe-eval" not in PAGE_CSP
    html = answer.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script would need the CSP's leave"
    assert " style=" not in html and "<style" not in html
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(links) >= 5, links
    for link in links:
        assert link.startswith("/"), f"{link} is not the app's own"
        assert _fetch(client, link)[0] == 200, link
    assets = client.application.config["OPENAPI_SWAGGER_UI_URL"]
    assert [link for link in links if link.startswith(assets)], f"no file from {assets}"
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in scripts), scripts
    assert b"SwaggerUIBundle" in _fetch(client, scripts[0])[1]


def test_swagger_ui_files_come_from_the_package_and_nothing_else_does(client):
    status, css = _fetch(client, "/api/v1/docs/assets/swagger-ui.css")
    assert status == 200 and b".swagger-ui" in css
    assert _fetch(client, "/api/v1/docs/assets/../../../pyproject.toml")[0] == 404
    assert _fetch(client, "/api/v1/docs/assets/nothing.js")[0] == 404


# --- the examples --------------------------------------------------------------------------------

def test_every_example_validates_against_its_schema_in_the_document():
    checked = set()
    for where, schema, values in _media_types():
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": DOCUMENT["components"]},
                                                       validate_formats=True)
        for name, value in values.items():
            errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]
            assert not errors, f"example {name} of {where}: {errors}"
            checked.add(name)
    assert checked == set(ex.EXAMPLES), f"examples no answer or body shows: {set(ex.EXAMPLES) - checked}"


def test_every_problem_answer_has_an_example_of_its_status():
    for status, name in STATUS_NAMES.items():
        media_type = DOCUMENT["components"]["responses"][name]["content"][PROBLEM]
        assert media_type["examples"], status
        for example in media_type["examples"].values():
            assert _resolve(example)["value"]["status"] == status


def test_the_request_examples_load_through_their_schemas(monkeypatch):
    # Entries older than 90 days are refused: read the examples as on the morning after them.
    monkeypatch.setattr("service.clock.now", lambda: dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc))
    assert EntryCreateSchema().load(ex.ENTRY_REQUEST)["craving"] == 6
    assert len(BatchCreateSchema().load(ex.BATCH_REQUEST)["entries"]) == 4
    assert ReviewCreateSchema().load(ex.REVIEW_REQUEST)["action"] == "resolve"
    invalid = EntryCreateSchema().validate(ex.INVALID_ENTRY_REQUEST)
    assert invalid == ex.BATCH_RESULTS["results"][3]["errors"]


def _shape(value):
    """The keys and kinds of a value, without the values (ids and times differ from run to run)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def _days_later(body: dict, days: int) -> dict:
    """The body with its times moved by whole days: the same local times of day, on other dates."""
    moved = copy.deepcopy(body)
    later = lambda text: (dt.datetime.fromisoformat(text) + dt.timedelta(days=days)).isoformat()  # noqa: E731
    moved["recorded_at"] = later(moved["recorded_at"])
    for dose in moved.get("doses") or []:
        dose["taken_at"] = later(dose["taken_at"])
    return moved


@pytest.fixture
def phone_of_p017(clinician):
    """The examples' patient: Europe/Paris, depression, 30 mg a day and at most 60."""
    return make_patient(clinician, reference=f"P-017-{uuid.uuid4().hex[:6]}", timezone="Europe/Paris",
                        depression=True,
                        prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "flexible"})


def test_the_entry_batch_and_flag_examples_are_what_the_service_answers(clinician, phone_of_p017):
    # The examples' last time (the 25th, 08:15 in Paris) lands on yesterday: past, whatever the hour.
    days = (dt.date.today() - dt.date(2026, 11, 25)).days - 1
    answer = phone_of_p017.post("/entries", json=_days_later(ex.ENTRY_REQUEST, days))
    assert answer.status_code == 201, answer.get_json()
    assert _shape(answer.json) == _shape(ex.ENTRY)
    brief = lambda flags: [{k: f[k] for k in ("rule", "rule_version", "severity", "status", "title", "guidance")}  # noqa: E731
                           for f in flags]
    assert brief(answer.json["flags"]) == brief(ex.ENTRY["flags"])

    batch = {"entries": [_days_later(item, days) for item in ex.BATCH_REQUEST["entries"]]}
    results = phone_of_p017.post("/entries/batch", json=batch)
    assert results.status_code == 200, results.get_json()
    assert _shape(results.json) == _shape(ex.BATCH_RESULTS)
    assert [r["status"] for r in results.json["results"]] == ["created", "duplicate", "conflict", "invalid"]
    for got, shown in zip(results.json["results"], ex.BATCH_RESULTS["results"]):
        assert got["client_id"] == shown["client_id"]
        assert got.get("errors") == shown.get("errors")

    flag_id = next(f["id"] for f in answer.json["flags"] if f["rule"] == ex.FLAG["rule"])
    page = clinician.get(f"/flags?patient_id={phone_of_p017.id}").json
    listed = next(f for f in page["items"] if f["id"] == flag_id)
    assert _shape(listed) == _shape(ex.FLAG)
    detail = clinician.get(f"/flags/{flag_id}").json
    assert _shape(detail) == _shape(ex.FLAG_DETAIL)
    day = (dt.date(2026, 11, 24) + dt.timedelta(days=days)).isoformat()
    assert detail["evidence"] == {**ex.ALCOHOL_EVIDENCE, "days": [{**ex.ALCOHOL_EVIDENCE["days"][0], "date": day}]}
    for key in ("rule", "severity", "status", "title", "guidance", "source", "occurrences"):
        assert detail[key] == ex.FLAG_DETAIL[key], key
    reviewed = clinician.post(f"/flags/{flag_id}/review", json=ex.REVIEW_REQUEST)
    assert reviewed.status_code == 200
    assert _shape(reviewed.json) == _shape(ex.RESOLVED_FLAG)
    assert reviewed.json["status"] == "resolved"
    assert reviewed.json["reviews"][0]["note"] == ex.RESOLVED_FLAG["reviews"][0]["note"]


def _said(name: str) -> dict:
    value = dict(ex.EXAMPLES[name][1])
    value.pop("request_id")
    return value


def _as_said(answer, status: int) -> dict:
    body = assert_problem(answer, status)
    assert re.fullmatch(r"[0-9a-f]{32}", body.pop("request_id"))
    return body


def test_each_problem_example_is_what_the_service_says(client, clinician, phone_of_p017):
    phone = phone_of_p017
    bad_json = phone.post("/entries", data="{", headers={"Content-Type": "application/json"})
    assert _as_said(bad_json, 400) == _said("BadRequest")
    assert _as_said(client.get("/api/v1/entries"), 401) == _said("Unauthorized")
    assert _as_said(phone.get("/patients"), 403) == _said("Forbidden")
    assert _as_said(clinician.get(f"/patients/{uuid.uuid4()}"), 404) == _said("NotFound")

    body = {"client_id": str(uuid.uuid4()),
            "recorded_at": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat(),
            "alcohol_drinks": 1, "doses": [{"amount_mg": 10}]}
    assert phone.post("/entries", json=body).status_code == 201
    assert _as_said(phone.post("/entries", json={**body, "alcohol_drinks": 2}), 409) == _said("EntryConflict")
    again = {"reference": phone.record["reference"], "treatment_start": "2026-01-01"}
    assert _as_said(clinician.post("/patients", json=again), 409) == _said("ReferenceConflict")
    flag_id = clinician.get(f"/flags?patient_id={phone.id}").json["items"][0]["id"]
    assert clinician.post(f"/flags/{flag_id}/review", json={"action": "resolve", "note": "Called."}).status_code == 200
    closed = clinician.post(f"/flags/{flag_id}/review", json={"action": "acknowledge"})
    assert _as_said(closed, 409) == _said("ClosedFlag")

    too_large = phone.post("/entries", data=b"[" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert _as_said(too_large, 413) == _said("TooLarge")
    form = phone.post("/entries", data="craving=3", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _as_said(form, 415) == _said("NotJson")
    invalid = phone.post("/entries", json={"client_id": "x", "recorded_at": "2026-11-24T21:30:00", "craving": 12})
    assert _as_said(invalid, 422) == _said("InvalidFields")


# --- rate limits -----------------------------------------------------------------------------------

def test_the_document_says_which_operations_are_limited():
    for path, method, operation in _operations():
        limited = not (path.endswith("/healthz") or path == "/")  # pointers and health answer anyone
        assert ("429" in operation["responses"] or 429 in operation["responses"]) == limited, (method, path)
        for status, response in operation["responses"].items():
            if str(status) == "default":
                continue
            headers = set(_resolve(response).get("headers", {}))
            expected = set(RATE_LIMIT_HEADERS) | (set(RETRY_AFTER) if str(status) == "429" else set())
            assert headers == (expected if limited else set()), (method, path, status)


def test_the_rate_limit_headers_are_those_the_service_sends(tmp_path, monkeypatch):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.db",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                      "RATELIMIT_PATIENT": "2 per minute"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    client = app.test_client()
    answers = [client.get("/api/v1/entries", headers={"Authorization": "Bearer bwp_made-up"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    for answer in answers:
        sent = {name for name in answer.headers.keys() if name.startswith("X-RateLimit-") or name == "Retry-After"}
        assert sent == set(RATE_LIMIT_HEADERS) | (set(RETRY_AFTER) if answer.status_code == 429 else set()), sent
        for name in RATE_LIMIT_HEADERS:
            assert int(answer.headers[name]) >= 0, name
    shown = _said("TooManyRequests")
    said = _as_said(answers[2], 429)
    assert said == {**shown, "detail": shown["detail"].replace("120 per 1 minute", "2 per 1 minute")}
    monkeypatch.delenv("RATELIMIT_PATIENT", raising=False)
    assert settings.from_environment(str(tmp_path))["RATELIMIT_PATIENT"] == "120 per minute", (
        "the example names the default budget")
    health = client.get("/healthz")
    assert not [name for name in health.headers.keys() if name.startswith("X-RateLimit-")]
