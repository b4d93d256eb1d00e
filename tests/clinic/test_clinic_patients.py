"""The patients' pages: context, prescriptions, the 28-day chart with its flags, and the entries."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic_kit import doctor, browser, DAY_GROUP, SEIZURE, clinician_with_password, log, page_as_shown, signed_in, text
from conftest import local_today, make_patient

PARIS = "Europe/Paris"



@pytest.fixture
def phone(doctor):
    """A patient on 30 mg a day, at most 60, with a day above the maximum and an urgent flag."""
    made = make_patient(doctor, reference="P-CHART", timezone=PARIS, depression=True,
                        prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "flexible",
                                      "effective_from": (local_today(PARIS) - dt.timedelta(days=40)).isoformat()})
    doctor.post(f"/patients/{made.id}/prescriptions", json={
        "daily_dose_mg": 40, "max_daily_mg": 80, "approach": "fixed",
        "effective_from": (local_today(PARIS) - dt.timedelta(days=10)).isoformat()})
    log(made, {"doses": [{"amount_mg": 50}, {"amount_mg": 50}], "craving": 8}, seconds_ago=5)
    log(made, {"craving": 2, "note": "Feeling calmer"}, seconds_ago=4)
    log(made, SEIZURE, seconds_ago=3)
    return made



def test_the_patients_list_shows_open_flags(phone, browser):
    body = text(browser.get("/clinic/patients"))
    assert "P-CHART" in body and "Europe/Paris" in body
    assert 'class="badge badge-urgent"' in body and 'class="badge badge-high"' in body
    assert "40 mg a day, at most 80 mg (fixed)" in body


def test_a_patients_page_has_context_and_prescription_history(phone, browser):
    answer = browser.get(f"/clinic/patients/{phone.id}")
    assert answer.status_code == 200
    body = text(answer)
    assert "Patient P-CHART" in body
    assert re.search(r"<dt>Depression</dt><dd>yes</dd>", body)
    assert re.search(r"<dt>Renal impairment</dt><dd>no</dd>", body)
    rows = re.findall(r"<tr><td>(\d{4}-\d{2}-\d{2})</td><td>([\d.]+ mg)</td><td>([\d.]+ mg)</td>", body)
    assert [(dose, most) for _, dose, most in rows] == [("30 mg", "60 mg"), ("40 mg", "80 mg")]


def test_the_chart_has_one_group_per_local_day_for_28_days(phone, browser):
    body = browser.get(f"/clinic/patients/{phone.id}").get_data(as_text=True)
    days = DAY_GROUP.findall(body)
    assert len(days) == 28
    assert days == sorted(days) and len(set(days)) == 28
    assert days[-1] == local_today(PARIS).isoformat()
    assert '<svg id="daily-chart"' in body and 'role="img"' in body
    assert '<title id="chart-title">' in body and '<desc id="chart-desc">' in body


def test_the_chart_shows_todays_total_against_the_maximum_and_the_flags(phone, browser):
    body = browser.get(f"/clinic/patients/{phone.id}").get_data(as_text=True)
    today = re.search(r'<g class="day([^"]*)" data-date="[^"]+"\s+data-baclofen-mg="100" data-craving="8"'
                      r'\s+data-drinks="0" data-flags="(\d+)"', body)
    assert today, "today's group should carry 100 mg and a craving of 8"
    assert "over-max" in today.group(1) and "flagged" in today.group(1)
    assert int(today.group(2)) >= 2  # dose_above_prescribed and seizure_or_hallucinations
    assert 'data-severity="urgent"' in body
    assert 'class="prescribed-max"' in body and "max 60 mg" in body and "max 80 mg" in body
    assert 'fill="url(#hatch-over)"' in body


def test_the_chart_has_a_data_table_and_the_entries_below(phone, browser):
    body = text(browser.get(f"/clinic/patients/{phone.id}"))
    assert "The same 28 days as a table" in body
    assert "<strong>above the maximum</strong>" in body
    assert "urgent: Seizure or hallucinations" in body
    entries = body[body.index('id="entries-heading"'):]
    assert entries.index("seizure (symptom severity 3 of 3)") < entries.index("Feeling calmer")  # newest first
    assert "50 mg at" in entries


def test_a_patient_with_no_entries_has_an_empty_chart(doctor, browser):
    empty = make_patient(doctor, reference="P-EMPTY")
    body = text(browser.get(f"/clinic/patients/{empty.id}"))
    assert len(DAY_GROUP.findall(body)) == 28
    assert "No entries yet." in body
    assert "No prescription recorded" in body


def test_another_clinicians_patient_is_the_same_404_page_as_none(app, client, phone):
    other = clinician_with_password(app, client, name="Dr Other")
    stranger = signed_in(app, other.email)
    assert "P-CHART" not in text(stranger.get("/clinic/patients"))
    assert "P-CHART" not in text(stranger.get("/clinic/"))
    theirs = stranger.get(f"/clinic/patients/{phone.id}")
    nobody = stranger.get("/clinic/patients/00000000-0000-4000-8000-000000000000")
    assert theirs.status_code == nobody.status_code == 404
    assert page_as_shown(theirs) == page_as_shown(nobody)
    assert stranger.get(f"/clinic/?patient_id={phone.id}").status_code == 200
    assert "Seizure" not in text(stranger.get(f"/clinic/?patient_id={phone.id}"))


def test_entries_page_through_with_the_apis_cursor(doctor, browser):
    made = make_patient(doctor, reference="P-MANY")
    for n in range(3):
        log(made, {"craving": n}, seconds_ago=10 - n)
    first = text(browser.get(f"/clinic/patients/{made.id}?limit=2"))
    more = re.search(r'href="([^"]+)#entries-heading">Older entries', first)
    assert more
    second = text(browser.get(more.group(1)))
    assert "Older entries" not in second
    assert browser.get(f"/clinic/patients/{made.id}?cursor=forged").status_code == 422
