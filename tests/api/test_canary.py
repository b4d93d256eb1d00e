"""A canary: nothing one test writes is there for the next (run these two in this order)."""
from __future__ import annotations

from api_helpers import count
from conftest import entry, make_clinician, make_patient

from service.extensions import db
from service.models import AuditRecord, Clinician, Entry, Patient

# What the first canary saw and left, per backend.
SEEN: dict[str, dict] = {}


def _counts(app) -> dict[str, int]:
    return {model.__name__: count(app, model) for model in (Clinician, Patient, Entry, AuditRecord)}


def test_canary_writes_rows(app, client):
    at_start = _counts(app)
    clinician = make_clinician(app, client, email="canary@example.org")
    patient = make_patient(clinician, reference="CANARY")
    assert patient.post("/entries", json=entry(craving=3)).status_code == 201
    left = _counts(app)
    assert left["Patient"] == at_start["Patient"] + 1 and left["Entry"] == at_start["Entry"] + 1
    with app.app_context():
        SEEN[db.engine.dialect.name] = {"at_start": at_start, "left": left}


def test_canary_finds_an_empty_database(app):
    at_start = _counts(app)
    assert at_start == {"Clinician": 0, "Patient": 0, "Entry": 0, "AuditRecord": 0}, \
        f"rows leaked from an earlier test: {at_start}"
    with app.app_context():
        backend = db.engine.dialect.name
    assert backend in SEEN, "run with test_canary_writes_rows, which must come first"
    assert SEEN[backend]["left"]["Patient"] >= 1  # the first canary did write
    assert SEEN[backend]["at_start"]["Patient"] == 0
