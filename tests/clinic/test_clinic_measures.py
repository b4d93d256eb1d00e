"""Measurement-based care on the clinic page: questionnaire scores over time, drinking outcomes beside
the baseline, the silent patient, the forms that set what is asked, and flags from questionnaires and
from the sweep read in words."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import clinic_kit
from clinic_kit import MEASURED_ZONE as PARIS
from clinic_kit import answer_questionnaire, clinician_with_password, log, measured_patient, post_form, signed_in, text
from conftest import local_today, make_patient, now_utc
from service import clock, sweep
from service.clinic import present, scores
from service.extensions import db
from service.models import QuestionnaireSchedule

doctor, browser = clinic_kit.doctor, clinic_kit.browser  # the clinic's fixtures, by name
RX = {"daily_dose_mg": 30, "max_daily_mg": 90, "approach": "flexible"}
OUTCOME_ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td></tr>')
POINT = re.compile(r'<g class="score-point" data-date="([\d-]+)" data-score="(\d+)" data-band="([^"]+)">')
BAND = re.compile(r'<g class="band" data-band="([^"]+)" data-low="(\d+)" data-high="(\d+)">')


@pytest.fixture
def measured(doctor):
    """Drinking that fell from the baseline to the last four weeks, and questionnaires (clinic_kit)."""
    return measured_patient(doctor)


def figure(page: str, code: str) -> str:
    found = re.search(rf'<figure class="score-chart" id="scores-{code}".*?</figure>', page, re.S)
    assert found, f"no {code} chart"
    return found.group(0)


# ------------------------------------------------------------------ questionnaire scores


def test_each_answered_questionnaire_has_its_chart_with_bands_and_points(measured, browser):
    page = browser.get(f"/clinic/patients/{measured.id}").get_data(as_text=True)
    assert 'id="scores-gad7"' not in page and 'id="scores-pacs"' not in page, "never answered: no chart"
    phq9 = figure(page, "phq9")
    assert BAND.findall(phq9) == [("minimal", "0", "4"), ("mild", "5", "9"), ("moderate", "10", "14"),
                                  ("moderately severe", "15", "19"), ("severe", "20", "27")]
    assert re.findall(r'<text class="band-name"[^>]*>([^<]+)</text>', phq9) == [
        "minimal", "mild", "moderate", "moderately severe", "severe"]
    days = [(local_today(PARIS) - dt.timedelta(days=n)).isoformat() for n in (40, 20, 3)]
    assert POINT.findall(phq9) == [(days[0], "16", "moderately severe"), (days[1], "9", "mild"),
                                   (days[2], "4", "minimal")]
    assert 'role="img"' in phq9 and '<title id="scores-phq9-title">' in phq9 and '<desc id="scores-phq9-desc">' in phq9
    assert "Latest: 4 (minimal)" in phq9
    cells = re.findall(r"<tr><td class=\"when\">([^<]+)</td><td>(\d+)</td><td>([^<]+)</td></tr>", phq9)
    assert [(score, band) for _, score, band in cells] == [("16", "moderately severe"), ("9", "mild"), ("4", "minimal")]
    assert all(when.endswith(("CET", "CEST")) for when, _, _ in cells)


def test_audit_c_is_read_against_the_bands_of_the_patients_sex(app, doctor, measured, browser):
    auditc = figure(browser.get(f"/clinic/patients/{measured.id}").get_data(as_text=True), "auditc")
    assert BAND.findall(auditc) == [("negative", "0", "3"), ("positive", "4", "12")]
    assert [band for _, _, band in POINT.findall(auditc)] == ["negative"]
    assert "with the bands for men" in auditc

    assert doctor.patch(f"/patients/{measured.id}", json={"sex": "female"}).status_code == 200
    auditc = figure(browser.get(f"/clinic/patients/{measured.id}").get_data(as_text=True), "auditc")
    assert BAND.findall(auditc) == [("negative", "0", "2"), ("positive", "3", "12")]
    assert [band for _, _, band in POINT.findall(auditc)] == ["positive"]


def test_a_patient_who_answered_nothing_lately_is_told_so(doctor, browser):
    phone = make_patient(doctor, timezone=PARIS)
    body = text(browser.get(f"/clinic/patients/{phone.id}"))
    assert "No questionnaire answered in the last 90 days." in body
    assert 'class="score-chart"' not in body


def test_a_questionnaire_last_answered_before_the_90_days_is_named_with_its_score(app, doctor, monkeypatch):
    phone = make_patient(doctor, timezone=PARIS)
    answer_questionnaire(phone, "gad7", [3, 3, 3, 3, 3, 0, 0], days_ago=60)  # 15, severe
    answered_on = (local_today(PARIS) - dt.timedelta(days=60)).isoformat()
    later = now_utc() + dt.timedelta(days=40)
    monkeypatch.setattr(clock, "now", lambda: later)
    body = text(signed_in(app, doctor.email).get(f"/clinic/patients/{phone.id}"))
    assert 'id="scores-gad7"' not in body and "No questionnaire answered in the last 90 days." in body
    assert f'Answered before:\n    GAD-7 15 (severe) on <span class="date">{answered_on}</span>.' in body


def test_a_score_chart_lays_its_bands_over_the_whole_scale_and_writes_the_newest_score():
    first = dt.date(2026, 1, 1)
    last = first + dt.timedelta(days=89)
    answers = [SimpleNamespace(instrument="gad7", local_date=first + dt.timedelta(days=n), score=score, band="",
                               answered_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=n))
               for n, score in ((0, 21), (1, 0), (89, 15))]
    drawn = scores.score_charts(answers, first, last, "unspecified")[0]
    bands = drawn.bands
    assert bands[0].y + bands[0].height == pytest.approx(scores.TOP + scores.PLOT_HEIGHT)
    assert bands[-1].y == pytest.approx(scores.TOP)
    assert all(a.y == pytest.approx(b.y + b.height) for a, b in zip(bands, bands[1:]))
    assert [b.shade for b in bands] == [0, 1, 3, 4]
    top, bottom, newest = drawn.points
    assert top.y < newest.y < bottom.y and scores.LEFT < top.x < bottom.x < newest.x < scores.PLOT_RIGHT
    assert top.label_y > top.y, "a score at the top is written under its point"
    assert newest.labelled and bottom.labelled, "written from the newest back, each where it has room"
    assert not top.labelled, "the day before a written score has no room for its own"
    assert [t.label for t in drawn.score_ticks] == ["0", "5", "10", "15", "21"]
    assert drawn.date_ticks[-1].value == last


# ------------------------------------------------------------------ drinking outcomes


def outcome_rows(page: str) -> dict:
    panel = re.search(r'<section aria-labelledby="outcomes-heading".*?</section>', page, re.S).group(0)
    return {name: (now, then) for name, now, then in OUTCOME_ROW.findall(panel)}


def test_the_outcomes_panel_sets_the_last_28_days_beside_the_baseline(measured, browser):
    page = text(browser.get(f"/clinic/patients/{measured.id}"))
    assert outcome_rows(page) == {
        "Days with entries": ("3 of 28", "3 of 28"),
        "Days abstinent": ("66.67%", "0%"),
        "Heavy drinking days": ("0%", "100%"),
        "Drinks per drinking day": ("2", "9.33"),
        "Alcohol a day": ("6.67 g", "93.33 g"),
        "WHO risk level": ("low", "high"),
        "Mean craving": ("2 of 10", "7 of 10"),
        "Mean baclofen a day": ("60 mg", "10 mg"),
    }
    assert re.search(r'<strong class="change">down 2 levels</strong>\s*<span class="quiet">\(high → low\)</span>', page)
    assert '<dd class="sex">male</dd>' in page and '<dd class="standard-drink">10 g of ethanol</dd>' in page
    assert "<dt>Heavy drinking day</dt><dd>60 g or more</dd>" in page
    start = local_today(PARIS) - dt.timedelta(days=60)
    assert f"{start.isoformat()}</span> to <span class=\"date\">{(start + dt.timedelta(days=27)).isoformat()}" in page


def test_unknown_outcomes_read_as_a_dash_with_what_a_day_without_an_entry_means(doctor, browser):
    phone = make_patient(doctor, timezone=PARIS, standard_drink_g=14)
    page = text(browser.get(f"/clinic/patients/{phone.id}"))
    rows = outcome_rows(page)
    assert rows.pop("Days with entries") == ("0 of 28", "0 of 28")
    assert set(rows.values()) == {("—", "—")} and len(rows) == 7
    assert '<strong class="change">—</strong>' in page
    assert "A day without an entry is unknown: it counts neither as abstinent nor as drinking." in page
    assert '<dd class="sex">unspecified (counted with the limits for women, the more careful ones)</dd>' in page
    assert '<dd class="standard-drink">14 g of ethanol</dd>' in page


@pytest.mark.parametrize("change, words", [(-2, "down 2 levels"), (-1, "down 1 level"), (0, "no change"),
                                           (1, "up 1 level"), (3, "up 3 levels"), (None, "—")])
def test_a_change_of_who_level_is_said_in_words(change, words):
    assert present.level_change_words(change) == words


# ------------------------------------------------------------------ the silent patient

SILENT = re.compile(r'<span class="badge badge-silent"><span aria-hidden="true">◌ </span>Silent since '
                    r'<span class="date">([\d-]+)</span></span>')


def silent_patient(app, doctor):
    """A patient who logged once, and the sweep four days later: (phone, when the sweep ran, when the
    entry was received)."""
    phone = make_patient(doctor, reference="P-QUIET", timezone=PARIS, prescription=RX)
    received = dt.datetime.fromisoformat(log(phone, {"craving": 4})["received_at"])
    later = now_utc() + dt.timedelta(days=4)
    with app.app_context():
        assert sweep.sweep(now=later) == {"silent": 1, "opened": 1, "resolved": 0}
    return phone, later, received


def test_a_silent_patient_is_marked_in_the_list_and_on_their_page_until_they_log(app, doctor, browser):
    watched_weekly = make_patient(doctor, reference="P-WEEKLY", timezone=PARIS, expected_every_days=7)
    log(watched_weekly, {"craving": 1})
    phone, later, _ = silent_patient(app, doctor)
    day = later.astimezone(ZoneInfo(PARIS)).date().isoformat()

    listed = browser.get("/clinic/patients").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-patient-id="([0-9a-f-]{36})">(.*?)</tr>', listed, re.S))
    assert SILENT.findall(rows[phone.id]) == [day]
    assert SILENT.findall(rows[watched_weekly.id]) == []
    page = browser.get(f"/clinic/patients/{phone.id}").get_data(as_text=True)
    assert SILENT.findall(re.search(r"<h1>.*?</h1>", page, re.S).group(0)) == [day]
    assert "The sweep found no entry received for longer than expected" in page

    log(phone, {"craving": 3})
    assert SILENT.findall(browser.get("/clinic/patients").get_data(as_text=True)) == []
    assert SILENT.findall(browser.get(f"/clinic/patients/{phone.id}").get_data(as_text=True)) == []


def test_a_silent_flag_says_what_the_sweep_saw_in_the_patients_time(app, doctor, browser):
    phone, later, received = silent_patient(app, doctor)
    flag = doctor.get(f"/flags?patient_id={phone.id}").json["items"][0]
    assert flag["rule"] == "silent_patient"
    page = text(browser.get(f"/clinic/flags/{flag['id']}"))
    assert "<dt>Expected</dt>\n  <dd>an entry at least every 3 days</dd>" in page
    assert "<dt>Days without an entry</dt>\n  <dd>4 days</dd>" in page
    assert f"<dt>Last entry received</dt>\n  <dd>{present.local(received, PARIS)}</dd>" in page
    assert "<dt>Urgent flag in the 7 days before the last entry</dt>\n  <dd>no</dd>" in page
    assert "Entries it came from" not in page and "<table class=\"entries\">" not in page
    assert re.search(r"The service's sweep, which looks for patients who stopped logging, raised it\s+"
                     + re.escape(present.local(later, PARIS)), page)
    assert "Nothing: this warning sign reaches the care team, not the patient." in page
    assert "since the silence began" in page

    log(phone, {"craving": 2})  # the service resolves it itself
    history = re.search(r'<ol class="reviews">(.*?)</ol>', text(browser.get(f"/clinic/flags/{flag['id']}")), re.S)
    assert re.search(r"<strong>Resolved</strong> [^<]+ by the service: <q>The patient logged again.</q>",
                     history.group(1))


# ------------------------------------------------------------------ flags from questionnaires


def test_a_phq9_item_9_flag_shows_the_item_and_the_answer_in_words(doctor, browser):
    phone = make_patient(doctor, timezone=PARIS)
    made = answer_questionnaire(phone, "phq9", [3, 3, 3, 3, 3, 2, 2, 2, 2])  # 23: severe, and item 9 answered 2
    flags = {f["rule"]: f["id"] for f in made["flags"]}
    assert set(flags) == {"suicidal_thoughts", "depression_screen"}

    page = text(browser.get(f"/clinic/flags/{flags['suicidal_thoughts']}"))
    evidence = re.search(r'<section aria-labelledby="evidence-heading">.*?</section>', page, re.S).group(0)
    assert "<dd>Patient Health Questionnaire-9 (PHQ-9)</dd>" in evidence
    assert ("<dd>9. “Thoughts that you would be better off dead or of hurting yourself in some way”</dd>"
            in evidence)
    assert "<dd>More than half the days (2 of 3)</dd>" in evidence
    assert "Item text" not in evidence and "Answer label" not in evidence
    assert "Entries it came from" not in page
    responses = re.search(r'<table class="responses">.*?</table>', page, re.S).group(0)
    assert "<td>PHQ-9</td>" in responses and "<td>23 of 27</td>" in responses and "<td>severe</td>" in responses
    assert "since the first matching questionnaire response" in page

    page = text(browser.get(f"/clinic/flags/{flags['depression_screen']}"))
    assert "<dt>Score</dt>\n  <dd>23 of 27</dd>" in page and "<dt>Band</dt>\n  <dd>severe</dd>" in page


# ------------------------------------------------------------------ what is asked, and when a silence is flagged


def schedule_form(**choices) -> dict:
    """The schedule form as the page sends it: every instrument's box and choice, changed by `choices`
    (code=days, or code=None for not asked)."""
    form = {}
    for code, days in {"phq9": 14, "gad7": None, "pacs": 7, "auditc": 28, **choices}.items():
        form[f"{code}-choice"] = "off" if days is None else "every"
        form[code] = "" if days is None else str(days)
    return form


def test_the_schedule_form_sets_only_what_differs(app, doctor, browser):
    phone = make_patient(doctor, reference="P-ASKED", timezone=PARIS)
    page = f"/clinic/patients/{phone.id}"
    saved = post_form(browser, f"/clinic/patients/{phone.id}/schedule", schedule_form(phq9=7, pacs=None), page)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(page)
    shown = text(browser.get(page))
    assert "Questionnaires for P-ASKED changed: PHQ-9 every 7 days, PACS not asked." in shown
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json == {
        "phq9": 7, "gad7": None, "pacs": None, "auditc": 28}
    with app.app_context():
        stored = set(db.session.scalars(sa.select(QuestionnaireSchedule.instrument)))
    assert stored == {"phq9", "pacs"}
    # GAD-7 kept its default: asked once the patient is known to have anxiety.
    assert doctor.patch(f"/patients/{phone.id}", json={"anxiety": True}).status_code == 200
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json["gad7"] == 14
    assert re.search(r'<input id="phq9-days" name="phq9" class="days" [^>]*value="7"', shown)
    assert re.search(r'name="pacs-choice" value="off" checked', shown)

    again = post_form(browser, f"/clinic/patients/{phone.id}/schedule",
                      schedule_form(phq9=7, pacs=None, gad7=14), page)
    assert again.status_code == 302
    assert "nothing changed" in text(browser.get(page))


def test_a_refused_schedule_comes_back_at_its_fields_with_what_was_typed(doctor, browser):
    phone = make_patient(doctor, timezone=PARIS)
    page = f"/clinic/patients/{phone.id}"
    refused = post_form(browser, f"/clinic/patients/{phone.id}/schedule",
                        dict(schedule_form(phq9=0), **{"pacs": "", "auditc": "2.5"}), page)
    assert refused.status_code == 422
    body = text(refused)
    assert re.search(r'<div class="error" role="alert" id="phq9-errors"><p>Must be greater than or equal to 1 and '
                     r'less than or equal to 365.</p></div>', body)
    assert re.search(r'id="pacs-errors"><p>Give the number of days, or choose “Not asked”.</p>', body)
    assert re.search(r'id="auditc-errors"><p>Not a valid integer.</p>', body)
    assert re.search(r'<input id="phq9-days" [^>]*value="0" aria-invalid="true" aria-describedby="phq9-errors" '
                     r'autofocus>', body)
    assert re.search(r'<input id="auditc-days" [^>]*value="2.5" aria-invalid="true"', body)
    assert 'id="gad7-errors"' not in body
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json == {
        "phq9": 14, "gad7": None, "pacs": 7, "auditc": 28}


def monitoring_form(expected="3", sex="unspecified", grams="10", choice="every") -> dict:
    return {"expected_every_days-choice": choice, "expected_every_days": expected, "sex": sex,
            "standard_drink_g": grams}


def test_the_monitoring_form_sets_silence_sex_and_standard_drink(doctor, browser):
    phone = make_patient(doctor, reference="P-SET", timezone=PARIS)
    page = f"/clinic/patients/{phone.id}"
    saved = post_form(browser, f"/clinic/patients/{phone.id}/monitoring",
                      monitoring_form(choice="off", sex="male", grams="14"), page)
    assert saved.status_code == 302
    record = doctor.get(f"/patients/{phone.id}").json
    assert (record["expected_every_days"], record["sex"], record["standard_drink_g"]) == (None, "male", 14.0)
    shown = text(browser.get(page))
    assert "Saved for P-SET: no silence flagged; sex male; a standard drink of 14 g." in shown
    assert '<dd class="sex">male</dd>' in shown and "<dt>Silence flagged</dt><dd>never (off)" in shown

    post_form(browser, f"/clinic/patients/{phone.id}/monitoring", monitoring_form("5", "female", "12.5"), page)
    record = doctor.get(f"/patients/{phone.id}").json
    assert (record["expected_every_days"], record["sex"], record["standard_drink_g"]) == (5, "female", 12.5)


def test_a_refused_monitoring_form_comes_back_at_its_fields(doctor, browser):
    phone = make_patient(doctor, timezone=PARIS)
    page = f"/clinic/patients/{phone.id}"
    refused = post_form(browser, f"/clinic/patients/{phone.id}/monitoring", monitoring_form("", "other", "0"), page)
    assert refused.status_code == 422
    body = text(refused)
    assert 'id="expected_every_days-errors"><p>Give the number of days, or choose “Off”.</p>' in body
    assert 'id="sex-errors"><p>Must be one of: female, male, unspecified.</p>' in body
    assert re.search(r'id="standard_drink_g-errors"><p>Must be greater than or equal to 1 and less than or equal '
                     r'to 100.</p>', body)
    assert re.search(r'<input id="expected_every_days-days" [^>]*value="" aria-invalid="true" '
                     r'aria-describedby="expected_every_days-errors" autofocus>', body)
    assert re.search(r'<input id="standard-drink" [^>]*value="0" aria-invalid="true"', body)
    record = doctor.get(f"/patients/{phone.id}").json
    assert (record["expected_every_days"], record["sex"], record["standard_drink_g"]) == (3, "unspecified", 10.0)


@pytest.mark.parametrize("form, path", [("schedule", "schedule"), ("monitoring", "monitoring")])
def test_the_forms_need_their_csrf_token(doctor, browser, form, path):
    phone = make_patient(doctor, timezone=PARIS)
    data = schedule_form(phq9=7) if form == "schedule" else monitoring_form(sex="male")
    refused = browser.post(f"/clinic/patients/{phone.id}/{path}", data=data)
    assert refused.status_code == 400 and "The form has expired" in text(refused)
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json["phq9"] == 14
    assert doctor.get(f"/patients/{phone.id}").json["sex"] == "unspecified"


@pytest.mark.parametrize("path", ["schedule", "monitoring"])
def test_another_teams_patient_is_not_found(app, client, doctor, path):
    phone = make_patient(doctor, timezone=PARIS)
    stranger = signed_in(app, clinician_with_password(app, client, name="Dr Elsewhere").email)
    assert stranger.get(f"/clinic/patients/{phone.id}").status_code == 404
    data = schedule_form(phq9=7) if path == "schedule" else monitoring_form(sex="male")
    refused = post_form(stranger, f"/clinic/patients/{phone.id}/{path}", data)
    assert refused.status_code == 404 and "Not found" in text(refused)
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json["phq9"] == 14
    assert doctor.get(f"/patients/{phone.id}").json["sex"] == "unspecified"

