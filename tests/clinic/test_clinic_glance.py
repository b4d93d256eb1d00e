"""What a clinician reads at a glance: waits, local times, the patients list, a flag's context,
the severity of each day, and a refused review that stays in view.

Every time here is fixed relative to ANCHOR, noon UTC of yesterday, and the service's clock reads
ANCHOR: nothing depends on the hour the tests run at.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic_kit import doctor, browser, DIAZEPAM, SEIZURE, clinician_with_password, flag_id, post_form, queue_rows, signed_in, text
from conftest import entry, make_patient
from service import clock

ANCHOR = dt.datetime.combine(dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1), dt.time(12, 0),
                             tzinfo=dt.timezone.utc)
PARIS, NEW_YORK = "Europe/Paris", "America/New_York"


@pytest.fixture(autouse=True)
def at_anchor(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: ANCHOR)




def shown_at(moment: dt.datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def words(html: str) -> str:
    """The page's text with its tags taken out."""
    return re.sub(r"<[^>]+>", "", html)


def post(phone, at: dt.datetime, **fields) -> dict:
    body = entry(recorded_at=at.isoformat(), **fields)
    for dose in body.get("doses", []):
        dose.setdefault("taken_at", body["recorded_at"])
    answer = phone.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.json


@pytest.fixture
def two_patients(doctor):
    """P-bravo-2 in Paris with an urgent flag 3 hours old, P-alpha-1 in New York with a high one of 2 days."""
    bravo = make_patient(doctor, reference="P-bravo-2", timezone=PARIS,
                         treatment_start=(ANCHOR.date() - dt.timedelta(days=40)).isoformat())
    alpha = make_patient(doctor, reference="P-alpha-1", timezone=NEW_YORK,
                         treatment_start=(ANCHOR.date() - dt.timedelta(days=40)).isoformat())
    urgent_at, high_at = ANCHOR - dt.timedelta(hours=3), ANCHOR - dt.timedelta(days=2, hours=5)
    urgent = flag_id(post(bravo, urgent_at, **SEIZURE), "seizure_or_hallucinations")
    high = flag_id(post(alpha, high_at, **DIAZEPAM), "unprescribed_substance")
    return {"bravo": (bravo, urgent, urgent_at), "alpha": (alpha, high, high_at)}


def queue_cells(body: str, flag: str) -> dict:
    row = re.search(rf'data-flag-id="{flag}">(.*?)</tr>', body, re.S).group(1)
    return {label: re.sub(r"<[^>]+>", "", value).strip()
            for label, value in re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</t[dh]>', row, re.S)}


# ------------------------------------------------------------------ the queue


def test_the_queue_says_how_long_each_flag_has_waited_in_its_patients_local_time(two_patients, browser):
    body = text(browser.get("/clinic/"))
    _, urgent, urgent_at = two_patients["bravo"]
    _, high, high_at = two_patients["alpha"]
    assert [flag for _, flag in queue_rows(browser.get("/clinic/"))] == [urgent, high]
    bravo, alpha = queue_cells(body, urgent), queue_cells(body, high)
    assert bravo["Waiting"] == "3 h" and alpha["Waiting"] == "2 d"
    # Each patient's own local time, the zone named: not the server's, not UTC for everyone.
    assert bravo["First seen"] == shown_at(urgent_at, PARIS) and bravo["First seen"].endswith(("CET", "CEST"))
    assert alpha["First seen"] == shown_at(high_at, NEW_YORK) and alpha["First seen"].endswith(("EST", "EDT"))
    assert alpha["Patient"] == "P-alpha-1"
    assert '<span class="ref">P-alpha-1</span>' in body  # a reference never breaks at its hyphens


def test_the_flag_page_uses_the_same_time_rule(two_patients, browser):
    _, urgent, urgent_at = two_patients["bravo"]
    body = text(browser.get(f"/clinic/flags/{urgent}"))
    assert f"<dt>First seen</dt><dd>{shown_at(urgent_at, PARIS)}</dd>" in body
    assert "<dt>Waiting</dt><dd>3 h since the first matching entry</dd>" in body


def test_the_queue_sorts_by_patient_reference(two_patients, browser):
    _, urgent, _ = two_patients["bravo"]
    _, high, _ = two_patients["alpha"]
    assert [f for _, f in queue_rows(browser.get("/clinic/?sort=patient"))] == [high, urgent]
    assert [f for _, f in queue_rows(browser.get("/clinic/?sort=severity"))] == [urgent, high]
    assert browser.get("/clinic/?sort=colour").status_code == 400


@pytest.mark.parametrize("words, expected", [
    ("ALPHA", ["alpha"]), ("p-", ["bravo", "alpha"]), ("bravo-2", ["bravo"]), ("%", []), ("zz", []),
])
def test_the_queue_filters_by_part_of_a_patient_reference(two_patients, browser, words, expected):
    rows = queue_rows(browser.get("/clinic/", query_string={"reference": words}))
    assert [f for _, f in rows] == [two_patients[name][1] for name in expected]


def test_the_queue_pages_by_patient_reference_without_losing_a_flag(doctor, two_patients, browser):
    charlie = make_patient(doctor, reference="P-charlie-3", timezone="UTC")
    post(charlie, ANCHOR - dt.timedelta(hours=1), **DIAZEPAM)
    first = browser.get("/clinic/?sort=patient&limit=2")
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^"&]+)', first.get_data(as_text=True)).group(1)
    second = browser.get(f"/clinic/?sort=patient&limit=2&cursor={cursor}")
    shown = [f for _, f in queue_rows(first) + queue_rows(second)]
    assert shown[:2] == [two_patients["alpha"][1], two_patients["bravo"][1]] and len(shown) == 3


# ------------------------------------------------------------------ the patients list


def test_the_patients_list_shows_last_entry_open_flags_and_14_days(two_patients, browser):
    alpha = two_patients["alpha"][0]
    post(alpha, ANCHOR - dt.timedelta(days=20), craving=10)  # outside the 14 days
    post(alpha, ANCHOR - dt.timedelta(days=4, hours=2), craving=8)
    last = ANCHOR - dt.timedelta(hours=2)
    post(alpha, last, craving=3, alcohol_drinks=2)
    body = text(browser.get("/clinic/patients"))
    row = re.search(rf'<tr data-patient-id="{alpha.id}">(.*?)</tr>', body, re.S).group(1)
    assert f'class="when last-entry">{shown_at(last, NEW_YORK)}</td>' in row
    assert 'class="badge badge-high"' in row
    assert row.count('class="spark-craving"') == 2 and row.count('class="spark-drinks"') == 1
    assert "Last 14 days: craving logged on 2 days, highest 8 of 10, last 3; 2 drinks on 1 day." in row
    bravo_row = re.search(rf'<tr data-patient-id="{two_patients["bravo"][0].id}">(.*?)</tr>', body, re.S).group(1)
    assert "no craving logged; no drinks" in bravo_row and 'class="badge badge-urgent"' in bravo_row


def test_a_patient_without_entries_has_none_yet(doctor, browser):
    make_patient(doctor, reference="P-new")
    body = text(browser.get("/clinic/patients"))
    assert 'class="when last-entry">none yet</td>' in body


@pytest.mark.parametrize("words, shown", [("alpha", ["P-alpha-1"]), ("P-", ["P-bravo-2", "P-alpha-1"]), ("q", [])])
def test_the_patients_list_is_searchable_by_reference(two_patients, browser, words, shown):
    body = text(browser.get("/clinic/patients", query_string={"reference": words}))
    assert re.findall(r'<span class="ref">([^<]+)</span></a></th>', body) == shown
    assert f'value="{words}"' in body  # the words stay in the box
    if not shown:
        assert f"No patient's reference contains “{words}”." in body


# ------------------------------------------------------------------ a flag's page


def test_the_flag_page_shows_the_patients_context(doctor, browser):
    start = ANCHOR.date() - dt.timedelta(days=40)
    phone = make_patient(doctor, reference="P-context", timezone="UTC", renal_impairment=True, depression=False,
                         anxiety=True, treatment_start=start.isoformat(),
                         prescription={"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"})
    found = flag_id(post(phone, ANCHOR - dt.timedelta(days=3), symptoms=[{"code": "confusion", "severity": 2}]),
                    "confusion")
    body = text(browser.get(f"/clinic/flags/{found}"))
    context = words(body[body.index('id="context-heading"'):body.index('id="evidence-heading"')])
    assert f"60 mg a day, at most 90 mg (flexible), from {start.isoformat()} (today)" in context
    assert "Renal impairmentyes" in context
    assert "Depressionno" in context and "Anxietyyes" in context
    # A prescription changed since the flag's last day: the page gives both.
    doctor.post(f"/patients/{phone.id}/prescriptions", json={
        "daily_dose_mg": 30, "max_daily_mg": 45, "approach": "fixed", "effective_from": ANCHOR.date().isoformat()})
    body = words(text(browser.get(f"/clinic/flags/{found}")))
    last_day = (ANCHOR - dt.timedelta(days=3)).date().isoformat()
    assert (f"30 mg a day, at most 45 mg (fixed), from {ANCHOR.date().isoformat()} (today); on {last_day}, "
            f"the flag's last day: 60 mg a day, at most 90 mg (flexible)") in body


def test_symptom_severities_are_numbers_not_flag_words(doctor, browser):
    phone = make_patient(doctor, reference="P-words")
    found = flag_id(post(phone, ANCHOR - dt.timedelta(hours=1), symptoms=[{"code": "seizure", "severity": 2}]),
                    "seizure_or_hallucinations")
    body = text(browser.get(f"/clinic/flags/{found}"))
    assert "seizure (symptom severity 2 of 3)" in body
    assert "(moderate)" not in body and "(severe)" not in body and "(mild)" not in body


def test_the_review_actions_look_different(two_patients, browser):
    body = text(browser.get(f"/clinic/flags/{two_patients['bravo'][1]}"))
    buttons = re.findall(r'<button type="submit" name="action" value="(\w+)" class="action action-(\w+)"', body)
    assert buttons == [("acknowledge", "acknowledge"), ("resolve", "resolve"), ("dismiss", "dismiss")]
    css = (Path(__file__).resolve().parents[2] / "service/clinic/static/clinic.css").read_text(encoding="utf-8")
    looks = {a: re.search(rf"button\.action-{a} {{([^}}]+)}}", css).group(1) for a in ("acknowledge", "resolve", "dismiss")}
    assert len(set(looks.values())) == 3


# ------------------------------------------------------------------ a refused review stays in view


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_a_review_without_its_note_comes_back_at_the_form_focused(two_patients, browser, action):
    flag = two_patients["bravo"][1]
    page = f"/clinic/flags/{flag}"
    answer = post_form(browser, f"{page}/review", {"action": action, "note": "  "}, page=page)
    assert answer.status_code == 422
    body = text(answer)
    review = body[body.index('id="review"'):]
    error = review.index('id="review-errors"')
    box = re.search(r"<textarea [^>]*>", review)
    assert error < box.start()  # the message sits just above the box that autofocus scrolls to
    assert all(attribute in box.group(0) for attribute in
               ('aria-invalid="true"', 'aria-describedby="review-errors"', "autofocus"))
    assert f"A note is required to {action} a flag." in review[error:box.start()]


def test_a_refused_review_keeps_the_typed_note(two_patients, browser):
    flag = two_patients["bravo"][1]
    page = f"/clinic/flags/{flag}"
    answer = post_form(browser, f"{page}/review", {"action": "escalate", "note": "Rang her & left a message"},
                       page=page)
    assert answer.status_code == 422
    assert '>Rang her &amp; left a message</textarea>' in answer.get_data(as_text=True)
    # Closed meanwhile by someone else: the note is shown, not lost.
    post_form(browser, f"{page}/review", {"action": "dismiss", "note": "Duplicate."}, page=page)
    late = post_form(browser, f"{page}/review", {"action": "resolve", "note": "Seen in clinic today."}, page=page)
    assert late.status_code == 409
    assert '<blockquote class="unsaved-note">Seen in clinic today.</blockquote>' in late.get_data(as_text=True)



# ------------------------------------------------------------------ the chart's days


def test_each_day_of_the_chart_has_the_severity_matched_that_day(doctor, browser):
    phone = make_patient(doctor, reference="P-rising", timezone=PARIS,
                         treatment_start=(ANCHOR.date() - dt.timedelta(days=40)).isoformat())
    early, late = ANCHOR - dt.timedelta(days=3), ANCHOR - dt.timedelta(days=2)
    post(phone, early, alcohol_drinks=2, doses=[{"amount_mg": 20}])  # alcohol with baclofen: moderate
    found = flag_id(post(phone, late, alcohol_drinks=8, doses=[{"amount_mg": 20}]), "alcohol_with_baclofen")
    assert doctor.get(f"/flags/{found}").json["severity"] == "high"  # the flag rose
    body = text(browser.get(f"/clinic/patients/{phone.id}"))

    def marker(day: dt.datetime) -> str:
        date = day.astimezone(ZoneInfo(PARIS)).date().isoformat()
        return re.search(rf'data-date="{date}".*?data-severity="(\w+)"', body, re.S).group(1)

    assert marker(early) == "moderate" and marker(late) == "high"
    assert "moderate: Alcohol with baclofen" in body and "high: Alcohol with baclofen" in body


def test_the_review_history_names_a_colleague_and_a_hand_over(app, client, doctor, two_patients, browser):
    import uuid

    from service.extensions import db
    from service.models import TeamMember

    _, urgent, _ = two_patients["bravo"]
    colleague = clinician_with_password(app, client, name="Dr Colleague")
    team = doctor.get("/clinic").json["teams"][0]["id"]
    with app.app_context():  # into the doctor's team
        db.session.add(TeamMember(clinician_id=uuid.UUID(colleague.id), team_id=uuid.UUID(team)))
        db.session.commit()
    assert colleague.post(f"/flags/{urgent}/review", json={"action": "assign", "clinician_id": doctor.id,
                                                           "note": "Yours, she knows you"}).status_code == 200
    page = words(browser.get(f"/clinic/flags/{urgent}").get_data(as_text=True))
    assert "Assigned" in page and "by Dr Colleague" in page
