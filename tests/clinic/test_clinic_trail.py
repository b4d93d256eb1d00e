"""The audit trail of the clinic page and the API when a review fails after the record was shown."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic_kit import doctor, browser, clinician_with_password, post_form, signed_in, text, three_flags
from service.extensions import db
from service.models import AuditRecord, Review



@pytest.fixture
def flags(doctor):
    return three_flags(doctor)



def trail_of(app, path: str) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        found = db.session.scalars(sa.select(AuditRecord).where(AuditRecord.path == path).order_by(AuditRecord.id))
        return [(str(r.patient_id), str(r.clinician_id), r.action, r.method) for r in found]


def reviews(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Review))


def test_a_review_refused_for_its_missing_note_is_in_the_trail_once(app, doctor, flags, browser):
    phone, ids = flags
    path = f"/clinic/flags/{ids['moderate']}/review"
    answer = post_form(browser, path, {"action": "resolve", "note": ""})
    assert answer.status_code == 422
    assert phone.record["reference"] in text(answer)  # the page shows the record again, with the error
    assert reviews(app) == 0  # nothing of the review is kept ...
    assert trail_of(app, path) == [(phone.id, doctor.id, "read", "POST")]  # ... but the reading is


def test_a_review_of_a_closed_flag_is_in_the_trail_once(app, doctor, flags, browser):
    phone, ids = flags
    path = f"/clinic/flags/{ids['high']}/review"
    assert post_form(browser, path, {"action": "dismiss", "note": "Known."}).status_code == 302
    assert post_form(browser, path, {"action": "resolve", "note": "Again"}).status_code == 409
    assert reviews(app) == 1
    # The dismissal changed the record; the refused second review only read it.
    assert trail_of(app, path) == [(phone.id, doctor.id, "create", "POST"), (phone.id, doctor.id, "read", "POST")]


def test_a_successful_review_is_in_the_trail_once(app, doctor, flags, browser):
    phone, ids = flags
    path = f"/clinic/flags/{ids['urgent']}/review"
    assert post_form(browser, path, {"action": "acknowledge", "note": ""}).status_code == 302
    assert trail_of(app, path) == [(phone.id, doctor.id, "create", "POST")]


def test_the_api_keeps_the_same_trail_for_a_review_it_refuses(app, doctor, flags):
    phone, ids = flags
    flag = ids["high"]
    assert doctor.get(f"/flags/{flag}").status_code == 200
    assert doctor.post(f"/flags/{flag}/review", json={"action": "dismiss", "note": "Known."}).status_code == 200
    refused = doctor.post(f"/flags/{flag}/review", json={"action": "resolve", "note": "Again"})
    assert refused.status_code == 409
    assert trail_of(app, f"/api/v1/flags/{flag}") == [(phone.id, doctor.id, "read", "GET")]
    assert trail_of(app, f"/api/v1/flags/{flag}/review") == [(phone.id, doctor.id, "create", "POST"),
                                                            (phone.id, doctor.id, "read", "POST")]
    # A body refused before the flag is looked up reaches no record, so it is in no trail.
    no_note = doctor.post(f"/flags/{ids['moderate']}/review", json={"action": "resolve"})
    assert no_note.status_code == 422
    assert trail_of(app, f"/api/v1/flags/{ids['moderate']}/review") == []


def test_another_clinicians_refused_review_is_in_no_trail(app, client, doctor, flags):
    _, ids = flags
    stranger = signed_in(app, clinician_with_password(app, client, name="Dr Other").email)
    path = f"/clinic/flags/{ids['urgent']}/review"
    assert post_form(stranger, path, {"action": "resolve", "note": "mine"}).status_code == 404
    assert trail_of(app, path) == []  # the 404 reached no record
