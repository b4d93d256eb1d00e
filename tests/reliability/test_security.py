"""What an attacker or a log reader could get: headers, request ids, logs without secrets."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from conftest import entry, make_patient
from reliability_kit import FailingWrites

NOTE = "my neighbour Ann Example saw me drink"


def test_security_headers_on_answers_and_problems(clinician):
    for answer in (clinician.get("/patients"), clinician.get("/patients/not-a-uuid")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_a_request_id_follows_the_request(clinician):
    answer = clinician.get("/patients/00000000-0000-0000-0000-000000000000",
                           headers={"X-Request-Id": "lb-1234"})
    assert answer.headers["X-Request-Id"] == "lb-1234"
    assert answer.json["request_id"] == "lb-1234"
    made_up = clinician.get("/patients", headers={"X-Request-Id": "bad id; DROP"})
    assert made_up.headers["X-Request-Id"] != "bad id; DROP"
    assert len(made_up.headers["X-Request-Id"]) == 32


def test_logs_carry_neither_tokens_nor_patients_words(app, clinician, caplog):
    caplog.set_level(logging.DEBUG)
    phone = make_patient(clinician)
    phone.post("/entries", json=entry(note=NOTE, craving=8))
    clinician.get(f"/patients/{phone.id}/entries")
    with FailingWrites(app, "entries"):
        failed = phone.post("/entries", json=entry(note=NOTE))
    assert failed.status_code == 503
    text = caplog.text
    assert phone.token not in text and clinician.token not in text
    assert "Ann Example" not in text


def test_sql_errors_do_not_echo_parameters(app):
    from service.extensions import db

    with app.app_context():
        try:
            db.session.execute(sa.text("SELECT * FROM no_such_table WHERE x = :v"), {"v": "Ann Example"})
        except sa.exc.SQLAlchemyError as error:
            assert "Ann Example" not in str(error)
        finally:
            db.session.rollback()


def test_tokens_are_compared_by_their_hash_only(app, clinician):
    from service.extensions import db
    from service.models import ClinicianToken

    with app.app_context():
        stored = db.session.scalars(sa.select(ClinicianToken.token_hash)).all()
    assert clinician.token not in stored
    assert all(len(h) == 64 for h in stored)


def test_the_request_log_escapes_control_characters(client, caplog):
    caplog.set_level(logging.INFO, logger="baclowatch.request")
    client.get("/api/v1/patients%0a0000 GET /forged 200%1b[2J", headers={"X-Request-Id": "escape-1"})
    [line] = [r.getMessage() for r in caplog.records if "escape-1" in r.getMessage()]
    assert "\n" not in line and "\x1b" not in line
    assert "/api/v1/patients\\x0a0000 GET /forged 200\\x1b[2J" in line
