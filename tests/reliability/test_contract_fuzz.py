"""Schemathesis over the whole openapi.yaml: no 5xx, and every answer as the document says."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import entry, make_clinician, make_patient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 25  # per operation and backend: bounded so CI stays fast

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))
# Tokens are this test's to give (tests/api checks missing and bad ones), not the fuzzer's to drop.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture
def world(app, client):
    """Real callers and records, so fuzzed requests reach past authentication and lookups."""
    clinician = make_clinician(app, client)
    phone = make_patient(clinician, prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"})
    phone.post("/entries", json=entry(substances=[{"name": "lorazepam", "prescribed": False}]))
    flag_id = clinician.get("/flags").json["items"][0]["id"]
    return {"clinician": clinician.token, "patient": phone.token, "patient_id": phone.id, "flag_id": flag_id}


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _token(case, world) -> str | None:
    security = case.operation.definition.raw.get("security", [])
    names = {name for requirement in security for name in requirement}
    if "clinicianToken" in names:
        return world["clinician"]
    if "patientToken" in names:
        return world["patient"]
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, served, world):
    for name in ("patient_id", "flag_id"):
        # A generated id that is a UUID becomes a real one, so the request reaches the record;
        # a malformed one stays, to be refused.
        if case.path_parameters and _is_uuid(case.path_parameters.get(name)):
            case.path_parameters[name] = world[name]
    token = _token(case, world)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Valid-looking data can still be refused for what a schema cannot say (a time 91 days old,
    # a closed flag): acceptance of every schema-valid body is not part of the contract.
    case.call_and_validate(base_url=served, headers=headers, excluded_checks=[positive_data_acceptance])
