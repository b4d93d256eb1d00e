"""The review queue page and a flag's page: the API's order, filters, evidence and reviews in place."""
from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from clinic_kit import (doctor, browser, DIAZEPAM, clinician_with_password, log, page_as_shown, post_form, queue_rows, signed_in, text,
                        three_flags)
from service.extensions import db
from service.models import AuditRecord, Flag



@pytest.fixture
def flags(doctor):
    """The doctor's patient with a moderate, a high and an urgent flag."""
    return three_flags(doctor, reference="P-QUEUE")



def test_the_queue_is_in_the_apis_order_urgent_first(doctor, flags, browser):
    _, ids = flags
    rows = queue_rows(browser.get("/clinic/"))
    assert [severity for severity, _ in rows] == ["urgent", "high", "moderate"]
    assert [flag for _, flag in rows] == [ids["urgent"], ids["high"], ids["moderate"]]
    assert [flag for _, flag in rows] == [f["id"] for f in doctor.get("/flags").json["items"]]


def test_severity_is_shown_as_a_word_and_a_colour(flags, browser):
    body = text(browser.get("/clinic/"))
    for severity in ("urgent", "high", "moderate"):
        assert re.search(rf'<span class="badge badge-{severity}">.*?{severity}</span>', body)
    assert "P-QUEUE" in body


@pytest.mark.parametrize("query, expected", [
    ("severity=urgent", ["urgent"]),
    ("severity=high&status=open", ["high"]),
    ("status=resolved", []),
    ("severity=", ["urgent", "high", "moderate"]),
])
def test_the_queue_filters_by_status_and_severity(flags, browser, query, expected):
    assert [s for s, _ in queue_rows(browser.get(f"/clinic/?{query}"))] == expected


def test_the_queue_filters_by_patient(doctor, flags, browser):
    other_phone, other_ids = three_flags(doctor, reference="P-OTHER")
    assert len(queue_rows(browser.get("/clinic/"))) == 6
    rows = queue_rows(browser.get(f"/clinic/?patient_id={other_phone.id}"))
    assert [flag for _, flag in rows] == [other_ids["urgent"], other_ids["high"], other_ids["moderate"]]
    page = text(browser.get(f"/clinic/?patient_id={other_phone.id}"))
    assert 'Flags of patient <span class="ref">P-OTHER</span> only.' in page


def test_a_bad_filter_is_a_page_saying_so(flags, browser):
    answer = browser.get("/clinic/?severity=catastrophic")
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    assert "Those filters are not valid" in text(answer)
    assert browser.get("/clinic/?colour=red").status_code == 400


def test_a_flag_opens_with_evidence_source_entries_and_history(doctor, flags, browser):
    _, ids = flags
    page = browser.get(f"/clinic/flags/{ids['high']}")
    assert page.status_code == 200
    body = text(page)
    api = doctor.get(f"/flags/{ids['high']}").json
    assert api["title"] in body
    assert api["source"]["quote"] in body and api["source"]["document"] == "baclofen-aud.txt"
    # The page names the document by its title, never by its file name.
    assert "<cite>Clinical experience of baclofen in alcohol dependence: A chart review</cite>" in body
    assert "baclofen-aud.txt" not in body
    assert api["guidance"] in body
    assert '<dl class="evidence">' in body
    for key in api["evidence"]:
        assert key.replace("_", " ").capitalize().split(" (")[0][:8] in body
    assert "diazepam (not prescribed)" in body  # the entry it came from
    assert "Not reviewed yet." in body
    assert '<label for="note">Note' in body


def test_resolving_with_a_note_takes_the_flag_out_of_the_queue(app, doctor, flags, browser):
    _, ids = flags
    answer = post_form(browser, f"/clinic/flags/{ids['urgent']}/review",
                       {"action": "resolve", "note": "Called him; seen in A&E, fine.", "back": "/clinic/?status=open"},
                       page=f"/clinic/flags/{ids['urgent']}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/clinic/?status=open"
    queue = browser.get("/clinic/?status=open")
    assert "Resolved: Seizure or hallucinations (P-QUEUE)." in text(queue)
    assert ids["urgent"] not in [flag for _, flag in queue_rows(queue)]
    detail = doctor.get(f"/flags/{ids['urgent']}").json
    assert detail["status"] == "resolved"
    assert detail["reviews"][0]["note"] == "Called him; seen in A&E, fine."
    assert detail["reviews"][0]["clinician_id"] == doctor.id
    page = text(browser.get(f"/clinic/flags/{ids['urgent']}"))
    assert "Resolved" in page and "Called him; seen in A&E, fine." in page
    assert "it takes no more reviews" in page


def test_acknowledging_needs_no_note_and_stays_on_the_flag(doctor, flags, browser):
    _, ids = flags
    answer = post_form(browser, f"/clinic/flags/{ids['high']}/review", {"action": "acknowledge", "note": ""})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"/clinic/flags/{ids['high']}")
    page = text(browser.get(answer.headers["Location"]))
    assert "Acknowledged: Unprescribed substance (P-QUEUE)." in page
    assert 'value="acknowledge"' not in page and 'value="resolve"' in page
    assert doctor.get(f"/flags/{ids['high']}").json["status"] == "acknowledged"


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_closing_without_a_note_shows_the_error_in_the_page(doctor, flags, browser, action):
    _, ids = flags
    answer = post_form(browser, f"/clinic/flags/{ids['moderate']}/review", {"action": action, "note": "   "})
    assert answer.status_code == 422
    assert f"A note is required to {action} a flag." in text(answer)
    assert 'aria-invalid="true"' in text(answer)
    assert doctor.get(f"/flags/{ids['moderate']}").json["status"] == "open"


def test_an_unknown_action_is_refused_in_the_page(doctor, flags, browser):
    _, ids = flags
    answer = post_form(browser, f"/clinic/flags/{ids['moderate']}/review", {"action": "delete", "note": "x"})
    assert answer.status_code == 422
    assert doctor.get(f"/flags/{ids['moderate']}").json["status"] == "open"


def test_reviewing_a_closed_flag_says_so(doctor, flags, browser):
    _, ids = flags
    page = f"/clinic/flags/{ids['moderate']}"
    post_form(browser, f"{page}/review", {"action": "dismiss", "note": "Known, discussed."}, page=page)
    again = post_form(browser, f"{page}/review", {"action": "resolve", "note": "Again"}, page="/clinic/")
    assert again.status_code == 409
    assert "already dismissed" in text(again)


def test_the_page_writes_the_same_audit_trail_as_the_api(app, doctor, flags, browser):
    phone, ids = flags
    browser.get(f"/clinic/flags/{ids['high']}")
    with app.app_context():
        trail = db.session.scalars(sa.select(AuditRecord).where(AuditRecord.path == f"/clinic/flags/{ids['high']}"))
        records = list(trail)
    assert [(str(r.patient_id), str(r.clinician_id), r.action) for r in records] == [(phone.id, doctor.id, "read")]
    served = doctor.get(f"/patients/{phone.id}/audit").json["items"]
    assert any(item["path"] == f"/clinic/flags/{ids['high']}" for item in served)


def test_another_clinicians_flag_is_a_404_page_and_cannot_be_reviewed(app, client, doctor, flags):
    _, ids = flags
    other = clinician_with_password(app, client, name="Dr Other")
    stranger = signed_in(app, other.email)
    assert queue_rows(stranger.get("/clinic/")) == []
    for flag in ids.values():
        answer = stranger.get(f"/clinic/flags/{flag}")
        assert answer.status_code == 404 and answer.mimetype == "text/html"
        assert page_as_shown(answer) == page_as_shown(stranger.get("/clinic/flags/00000000-0000-4000-8000-000000000000"))
    answer = post_form(stranger, f"/clinic/flags/{ids['urgent']}/review", {"action": "resolve", "note": "mine now"},
                       page="/clinic/")
    assert answer.status_code == 404
    with app.app_context():
        assert db.session.get(Flag, uuid.UUID(ids["urgent"])).status == "open"


def test_a_review_without_its_csrf_token_is_refused(doctor, flags, browser):
    _, ids = flags
    answer = browser.post(f"/clinic/flags/{ids['urgent']}/review", data={"action": "resolve", "note": "x"})
    assert answer.status_code == 400
    assert doctor.get(f"/flags/{ids['urgent']}").json["status"] == "open"


def test_a_second_match_after_closing_opens_a_new_flag_in_the_queue(doctor, flags, browser):
    phone, ids = flags
    page = f"/clinic/flags/{ids['high']}"
    post_form(browser, f"{page}/review", {"action": "resolve", "note": "Talked it through."}, page=page)
    again = log(phone, DIAZEPAM)
    new = next(f["id"] for f in again["flags"] if f["rule"] == "unprescribed_substance")
    assert new != ids["high"]
    assert new in [flag for _, flag in queue_rows(browser.get("/clinic/"))]
