"""The flag page offers the dismissal reasons for a flag found in a note alone, as a plain form."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic_kit import doctor, browser, SEIZURE, clinician_with_password, flag_id, log, post_form, signed_in, text
from conftest import make_patient
from service.extensions import db
from service.models import Review

REASON_SELECT = '<select id="reason" name="reason">'



@pytest.fixture
def phone(doctor):
    return make_patient(doctor)



def stored_reasons(app) -> list:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(sa.select(Review.action, Review.reason))]


def test_a_flag_found_in_a_note_offers_the_reasons(phone, browser):
    found = flag_id(log(phone, {"note": "I had a seizure last night"}), "seizure_or_hallucinations")
    page = text(browser.get(f"/clinic/flags/{found}"))
    assert REASON_SELECT in page
    for words in ("About someone else, not the patient", "The note says the patient did not have it",
                  "The words meant something else", "Another reason", "No reason given"):
        assert words in page


def test_a_flag_chosen_in_the_app_offers_none(phone, browser):
    found = flag_id(log(phone, SEIZURE), "seizure_or_hallucinations")
    assert REASON_SELECT not in text(browser.get(f"/clinic/flags/{found}"))


def test_dismissing_with_a_reason_stores_it_and_shows_it_in_the_history(app, phone, browser):
    found = flag_id(log(phone, {"note": "I had a seizure last night"}), "seizure_or_hallucinations")
    page = f"/clinic/flags/{found}"
    answer = post_form(browser, f"{page}/review", {"action": "dismiss", "note": "Her brother's.",
                                                   "reason": "not_about_patient"}, page=page)
    assert answer.status_code == 302
    assert stored_reasons(app) == [("dismiss", "not_about_patient")]
    assert "Dismissed" in text(browser.get(page)) and "(about someone else, not the patient)" in text(browser.get(page))


def test_no_reason_chosen_is_no_reason(app, phone, browser):
    found = flag_id(log(phone, {"note": "I had a seizure last night"}), "seizure_or_hallucinations")
    page = f"/clinic/flags/{found}"
    answer = post_form(browser, f"{page}/review", {"action": "dismiss", "note": "Duplicate.", "reason": ""}, page=page)
    assert answer.status_code == 302
    assert stored_reasons(app) == [("dismiss", None)]


def test_a_reason_with_another_action_comes_back_with_the_form_kept(app, phone, browser):
    found = flag_id(log(phone, {"note": "I had a seizure last night"}), "seizure_or_hallucinations")
    page = f"/clinic/flags/{found}"
    answer = post_form(browser, f"{page}/review", {"action": "resolve", "note": "Seen today.", "reason": "negated"},
                       page=page)
    assert answer.status_code == 422
    shown = text(answer)
    assert "A reason is given only to dismiss a flag." in shown
    assert ">Seen today.</textarea>" in shown
    assert '<option value="negated" selected>' in shown
    assert stored_reasons(app) == []
