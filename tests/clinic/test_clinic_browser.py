"""The clinic page in a real browser (Debian's Chromium, driven by Playwright), with JavaScript off.

Screenshots land in test-results/clinic/ for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from zoneinfo import ZoneInfo
from pathlib import Path

import pytest

from clinic_kit import (DIAZEPAM, DRINKS_WITH_DOSE, SEIZURE, care_teams, clinician_with_password, log,
                        measured_patient)
from conftest import IN_CI, Caller, entry, make_patient
from service import sweep

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "clinic"
RANK = {"urgent": 1, "high": 2, "moderate": 3}


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true the browser tests must run (.ci/run installs Debian's chromium)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        # Chromium never loads a page under libfaketime (tests/at-time fakes the clock of every
        # process the tests start); with JavaScript off it works out no day of its own, so it keeps
        # the real clock while the service, which does, runs on the faked one.
        real_clock = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS, env=real_clock)
        yield browser
        browser.close()


@pytest.fixture
def demo(app, client):
    """The README's demo: a clinician with a printed password and four weeks of a patient's entries,
    plus an urgent flag logged from the patient's phone today."""
    result = app.test_cli_runner().invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output.strip().splitlines()[-1])
    clinician = Caller(client, made["clinician_token"], email=made["clinician_email"], password=made["password"])
    log(Caller(client, made["patient_token"]), SEIZURE, seconds_ago=2)
    return clinician, made["patient_id"]


@pytest.fixture
def page_of(chromium):
    contexts = []

    def new_page(width: int = 1280, height: int = 900):
        # No JavaScript: every page but the chart must work without it, and the chart needs none.
        context = chromium.new_context(java_script_enabled=False, viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def shoot(page, name: str, backend: str, full: bool = True, **options) -> None:
    page.screenshot(path=str(SHOTS / f"{backend}-{name}.png"), full_page=full, **options)


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # imported only where Chromium runs

    return playwright_expect(locator)


def in_view(page, locator) -> bool:
    """Whether the element lies within the window as it is scrolled (not merely somewhere on the page)."""
    box, size = locator.bounding_box(), page.viewport_size
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= size["height"]


def sign_in_with_the_keyboard(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/clinic/")
    assert page.url.startswith(f"{base}/clinic/sign-in")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/clinic/")


def queue_severities(page) -> list[str]:
    return [row.get_attribute("class").split("severity-")[1] for row in page.locator("tr.flag-row").all()]


def test_a_clinician_works_the_queue_and_reads_a_patients_chart(demo, served, page_of, backend):
    clinician, patient_id = demo
    page = page_of()
    page.goto(f"{served}/clinic/")
    shoot(page, "1-sign-in", backend)
    sign_in_with_the_keyboard(page, served, clinician.email, clinician.password)

    # The queue, urgent first, in the API's own order.
    severities = queue_severities(page)
    assert severities[0] == "urgent" and len(severities) >= 3
    assert severities == sorted(severities, key=RANK.get)
    api_order = [item["id"] for item in clinician.get("/flags").json["items"]]
    shown = [row.get_attribute("data-flag-id") for row in page.locator("tr.flag-row").all()]
    assert shown == api_order
    assert page.locator("tr.flag-row").first.locator(".badge").inner_text().strip().endswith("urgent")
    shoot(page, "2-queue", backend)

    # Open the urgent flag: evidence, source passage, entries, review history.
    urgent_id = shown[0]
    page.locator("tr.flag-row").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/clinic/flags/{urgent_id}(\?|$)"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Seizure or hallucinations")
    assert page.locator("dl.evidence").first.is_visible()
    assert page.locator(".source blockquote").inner_text().strip()
    assert "seizure (symptom severity 3 of 3)" in page.locator("table.entries").inner_text()
    assert page.get_by_text("Not reviewed yet.").is_visible()
    shoot(page, "3-flag", backend)

    # A resolve without a note is refused where the clinician is looking: the page comes back
    # scrolled to the form, the note box focused and described by the error just above it.
    page.get_by_role("button", name="Resolve").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "A note is required to resolve a flag."
    note = page.get_by_label("Note")
    expect(note).to_be_focused()
    expect(note).to_have_attribute("aria-describedby", "review-errors")
    assert in_view(page, alert) and in_view(page, note)
    shoot(page, "4-flag-note-missing", backend, full=False)
    page.get_by_label("Note").fill("Called the patient: seen in the emergency department, stable.")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(r"/clinic/(\?.*)?$"))
    assert "Resolved: Seizure or hallucinations" in page.get_by_role("status").inner_text()
    assert urgent_id not in [row.get_attribute("data-flag-id") for row in page.locator("tr.flag-row").all()]
    shoot(page, "5-queue-after-resolve", backend)
    assert clinician.get(f"/flags/{urgent_id}").json["status"] == "resolved"

    # The patient's page: context, prescriptions, and the chart drawn with 28 days.
    page.get_by_role("link", name="Patients").click()
    page.locator("table.patients tbody th a").first.click()
    page.wait_for_url(f"{served}/clinic/patients/{patient_id}")
    chart = page.locator("svg#daily-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 1000 and box["height"] > 400
    assert chart.locator("g[data-date]").count() == 28
    assert chart.locator("g.flagged").count() >= 3
    assert chart.locator("rect.baclofen").count() >= 27
    assert chart.locator("path.prescribed-max").count() == 1
    assert page.locator("table.entries tbody tr").count() == 50
    shoot(page, "6-patient", backend)
    page.emulate_media(media="print")
    shoot(page, "7-patient-print", backend)
    page.emulate_media(media="screen")
    chart.screenshot(path=str(SHOTS / f"{backend}-8-chart.png"))

    # Signing out ends the session: the queue asks to sign in again.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{served}/clinic/sign-in")
    page.goto(f"{served}/clinic/")
    assert page.url.startswith(f"{served}/clinic/sign-in")


def test_a_second_clinician_never_sees_the_first_ones_patients(app, client, demo, served, page_of, backend):
    _, patient_id = demo
    other = clinician_with_password(app, client, name="Dr Second")
    page = page_of()
    sign_in_with_the_keyboard(page, served, other.email, "correct horse battery staple")
    assert page.locator("tr.flag-row").count() == 0
    assert page.get_by_text("No open flags.").is_visible()
    page.get_by_role("link", name="Patients").click()
    assert "demo-" not in page.content()
    answer = page.goto(f"{served}/clinic/patients/{patient_id}")
    assert answer.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    shoot(page, "9-other-clinician-404", backend)
    flag_id = demo[0].get("/flags").json["items"][0]["id"]
    assert page.goto(f"{served}/clinic/flags/{flag_id}").status == 404
    assert page.goto(f"{served}/clinic/flags/{uuid.uuid4()}").status == 404


LONG_REFERENCE = "north-clinic-2026-0417-b"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def second_patient(demo):
    """Beside the demo's patient, one in New York with a long hyphenated reference, two flags and
    a week of entries, each at a fixed time of its local day."""
    clinician, _ = demo
    phone = make_patient(clinician, reference=LONG_REFERENCE, timezone="America/New_York",
                         prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "fixed"})
    zone = ZoneInfo("America/New_York")
    yesterday = dt.datetime.now(zone).date() - dt.timedelta(days=1)
    for back in range(7, 0, -1):
        day = yesterday - dt.timedelta(days=back - 1)
        at = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone).isoformat()
        fields = {"craving": 2 + back % 5, "doses": [{"amount_mg": 20, "taken_at": at}]}
        if back == 3:
            fields.update(DRINKS_WITH_DOSE, doses=[{"amount_mg": 20, "taken_at": at}])
        if back == 1:
            fields.update(DIAZEPAM)
        answer = phone.post("/entries", json=entry(recorded_at=at, **fields))
        assert answer.status_code == 201, answer.get_json()
    return phone


def one_line(locator) -> bool:
    """Whether every match lies on one line: no reference broken across two."""
    return all(box["height"] < 32 for box in (item.bounding_box() for item in locator.all()) if box)


@pytest.mark.parametrize("device", WIDTHS)
def test_the_queue_a_flag_and_the_patients_read_at_desktop_and_phone_width(demo, second_patient, served, page_of,
                                                                          backend, device):
    clinician, _ = demo
    width, height = WIDTHS[device]
    page = page_of(width, height)
    sign_in_with_the_keyboard(page, served, clinician.email, clinician.password)

    # The queue: every row within the width, its wait and its patient's local time with the zone named.
    rows = page.locator("tr.flag-row")
    assert rows.count() >= 4
    for row in rows.all():
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    assert one_line(page.locator("tr.flag-row .ref"))
    waits = [cell.inner_text().strip() for cell in page.locator("td.waited").all()]
    assert all(re.fullmatch(r"under 1 min|\d+ (min|h|d)", w) for w in waits), waits
    new_york = page.locator("tr.flag-row", has_text=LONG_REFERENCE).first
    assert re.search(r"\d{2}:\d{2} E[SD]T", new_york.locator("td.when").first.inner_text())
    shoot(page, f"10-queue-{device}", backend)

    # Filter and sort by reference with the keyboard alone.
    page.get_by_label("Patient reference").fill("NORTH")
    page.get_by_label("Order by").select_option("patient")
    page.get_by_label("Patient reference").press("Enter")
    page.wait_for_url(re.compile(r"reference=NORTH"))
    assert {row.locator(".ref").inner_text() for row in page.locator("tr.flag-row").all()} == {LONG_REFERENCE}
    shoot(page, f"11-queue-filtered-{device}", backend)

    # A flag: the patient's context, the document's title, three reviews that look different.
    page.locator("tr.flag-row").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/clinic/flags/"))
    context = page.locator("section", has=page.get_by_role("heading", name="Patient context"))
    assert "60 mg" in context.inner_text() and "Renal impairment" in context.inner_text()
    assert page.locator(".source cite").inner_text() == (
        "Clinical experience of baclofen in alcohol dependence: A chart review")
    looks = {}
    for action in ("Acknowledge", "Resolve", "Dismiss"):
        button = page.get_by_role("button", name=action)
        assert button.bounding_box()["x"] + button.bounding_box()["width"] <= width + 1
        looks[action] = button.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderStyle].join(' ')")
    assert len(set(looks.values())) == 3, looks
    shoot(page, f"12-flag-{device}", backend)

    # The patients: last entry, open flags and the fortnight drawn; a search narrows the list.
    page.get_by_role("link", name="Patients").click()
    table_rows = page.locator("table.patients tbody tr")
    assert table_rows.count() == 2
    assert one_line(page.locator("table.patients .ref"))
    ours = page.locator("tr", has_text=LONG_REFERENCE)
    assert ours.locator("svg.sparkline circle.spark-craving").count() == 7
    assert ours.locator("svg.sparkline rect.spark-drinks").count() == 1
    assert re.search(r"\d{2}:\d{2} E[SD]T", ours.locator("td.last-entry").inner_text())
    shoot(page, f"13-patients-{device}", backend)
    page.get_by_label("Patient reference").fill("north")
    page.get_by_label("Patient reference").press("Enter")
    page.wait_for_url(re.compile(r"reference=north"))
    assert table_rows.count() == 1


# ------------------------------------------------------------------ care teams

SUFFIX = {"desktop": "", "phone": "-390"}


@pytest.fixture
def teams(app, client):
    return care_teams(app, client)


def within(page, locator, width: int) -> bool:
    """Whether every match lies inside the window's width (nothing pushed off to the side)."""
    boxes = [item.bounding_box() for item in locator.all()]
    return all(box["x"] >= 0 and box["x"] + box["width"] <= width + 1 for box in boxes if box)


def no_sideways_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("device", WIDTHS)
def test_a_clinician_of_two_teams_filters_the_queue_and_hands_a_flag_over(teams, served, page_of, backend,
                                                                        device):
    width, height = WIDTHS[device]
    page = page_of(width, height)
    sign_in_with_the_keyboard(page, served, teams.pat.email, "correct horse battery staple")

    # Both teams' flags, each row with its team and who handles it; then the Night team's unassigned.
    rows = page.locator("tr.flag-row")
    assert rows.count() == 6
    assert {cell.inner_text().strip() for cell in page.locator("td.team").all()} == {"Riverside Clinic", "Night team"}
    assert {cell.inner_text().strip() for cell in page.locator("td.handler").all()} == {"Unassigned"}
    shoot(page, f"teams-queue-all{SUFFIX[device]}", backend)  # every team's flags, each row with its team
    assert within(page, rows, width) and no_sideways_scroll(page, width)
    page.get_by_label("Care team").select_option(label="Night team")
    page.get_by_label("Handled by").select_option(label="unassigned")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"team_id={teams.night}.*assignee=none|assignee=none.*team_id={teams.night}"))
    assert [row.get_attribute("data-flag-id") for row in rows.all()] == [
        teams.night_flags[s] for s in ("urgent", "high", "moderate")]
    assert within(page, page.locator(".filters select"), width)
    shoot(page, f"teams-queue{SUFFIX[device]}", backend)

    # The urgent flag goes to Owen, with a note; the page says so and names him as its handler.
    rows.first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/clinic/flags/{teams.night_flags['urgent']}"))
    assert page.locator("dd.handler").inner_text().startswith("Unassigned")
    assert page.locator("dd.team").inner_text() == "Night team"
    choices = page.get_by_label("Assign to").locator("option").all_inner_texts()
    assert [c.strip() for c in choices] == ["Choose a member", "Owen Night", "Pat Prescriber (you)"]
    page.get_by_label("Assign to").select_option(label="Owen Night")
    page.locator("#assign-note").fill("Owen, she asked for a call before 6 pm.")
    for control in ("#assignee", "#assign-note", "button.action-assign"):
        assert within(page, page.locator(control), width), control
    page.get_by_role("button", name="Assign").click()
    page.wait_for_url(re.compile(rf"/clinic/flags/{teams.night_flags['urgent']}"))
    assert "Assigned to Owen Night: Seizure or hallucinations (P-NIGHT)." in page.get_by_role("status").inner_text()
    assert page.locator("dd.handler").inner_text().startswith("Owen Night")
    assert "by you to Owen Night" in page.locator("ol.reviews").inner_text()
    assert no_sideways_scroll(page, width)
    shoot(page, f"teams-flag-assign{SUFFIX[device]}", backend)
    assert teams.pat.get(f"/flags/{teams.night_flags['urgent']}").json["assignee_id"] == teams.owen.id

    # Owen is deactivated while the next flag's page is open: the refusal comes back at the field,
    # focused and in view, with the note kept.
    page.goto(f"{served}/clinic/flags/{teams.night_flags['high']}")
    page.get_by_label("Assign to").select_option(label="Owen Night")
    page.locator("#assign-note").fill("For Owen")
    assert teams.ada.patch(f"/clinicians/{teams.owen.id}", json={"active": False}).status_code == 200
    page.get_by_role("button", name="Assign").click()
    alert = page.locator("#assign-errors")
    assert alert.inner_text().strip() == "Give a member of the patient's care team."
    expect(page.get_by_label("Assign to")).to_be_focused()
    assert in_view(page, alert) and in_view(page, page.get_by_label("Assign to"))
    assert page.locator("#assign-note").input_value() == "For Owen"
    assert [c.strip() for c in page.get_by_label("Assign to").locator("option").all_inner_texts()] == [
        "Choose a member", "Pat Prescriber (you)"]
    shoot(page, f"teams-flag-assign-refused{SUFFIX[device]}", backend, full=False)


@pytest.mark.parametrize("device", WIDTHS)
def test_an_admin_manages_the_clinic_from_its_page(app, teams, served, page_of, backend, device):
    width, height = WIDTHS[device]
    page = page_of(width, height)
    sign_in_with_the_keyboard(page, served, teams.ada.email, "correct horse battery staple")
    page.get_by_role("link", name="Clinic admin").click()
    page.wait_for_url(f"{served}/clinic/admin")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Clinic admin")
    staff = page.locator("table.staff tbody tr")
    assert staff.count() == 4
    assert within(page, staff, width) and within(page, page.locator(".team-card"), width)
    assert no_sideways_scroll(page, width)
    shoot(page, f"admin{SUFFIX[device]}", backend)

    # A new nurse of the Night team: the password is on this page only, and it signs in.
    form = page.locator("form", has=page.get_by_role("button", name="Add the clinician"))
    form.get_by_label("Email").fill("noor@example.org")
    form.get_by_label("Name").fill("Noor New")
    form.get_by_label("Role").select_option("nurse")
    form.get_by_label("Night team").check()
    page.get_by_role("button", name="Add the clinician").click()
    password = page.locator("#printed-password").inner_text().strip()
    assert re.fullmatch(r"[2-9a-z]{4}(-[2-9a-z]{4}){3}", password)
    assert within(page, page.locator(".printed-password"), width) and no_sideways_scroll(page, width)
    shoot(page, f"admin-password{SUFFIX[device]}", backend)
    page.emulate_media(media="print")  # printed, it is the newcomer's slip, without the clinic's staff
    assert page.locator("#printed-password").is_visible() and not page.locator("table.staff").is_visible()
    assert page.get_by_text(f"Sign in at {served}/clinic/sign-in with your email, noor@example.org").is_visible()
    shoot(page, f"admin-password-print{SUFFIX[device]}", backend)
    page.emulate_media(media="screen")
    newcomer = page_of(width, height)
    sign_in_with_the_keyboard(newcomer, served, "noor@example.org", password)
    assert newcomer.locator("tr.flag-row").count() == 3, "the Night team's flags"

    # Nia is deactivated from her row: her open session ends at once.
    nia = page_of(width, height)
    sign_in_with_the_keyboard(nia, served, teams.nia.email, "correct horse battery staple")
    page.goto(f"{served}/clinic/admin")
    assert page.locator("#printed-password").count() == 0, "shown once"
    page.get_by_role("button", name="Deactivate Nia Nurse").click()
    assert "Nia Nurse is deactivated" in page.get_by_role("status").inner_text()
    nia.goto(f"{served}/clinic/")
    assert nia.url.startswith(f"{served}/clinic/sign-in")

    # A team with a member, then a refusal at the field: a second team of the same name.
    page.get_by_label("Name of the team").fill("Weekend team")
    page.get_by_role("button", name="Add the team").click()
    card = page.locator(".team-card", has=page.get_by_role("heading", name="Weekend team"))
    card.get_by_label("Add to Weekend team").select_option(label="Pat Prescriber (prescriber)")
    card.get_by_role("button", name="Add to Weekend team").click()
    card = page.locator(".team-card", has=page.get_by_role("heading", name="Weekend team"))
    assert "Pat Prescriber" in card.locator("ul.members").inner_text()
    page.get_by_label("Name of the team").fill("Night team")
    page.get_by_role("button", name="Add the team").click()
    field = page.get_by_label("Name of the team")
    expect(field).to_be_focused()
    assert page.locator("#team-name-errors").inner_text().strip() == "Your clinic has a team of this name."
    assert in_view(page, field)
    shoot(page, f"admin-team-refused{SUFFIX[device]}", backend, full=False)


# ------------------------------------------------------------------ measures: scores, outcomes, what is asked, silence


@pytest.mark.parametrize("device", WIDTHS)
def test_a_patients_scores_outcomes_and_schedule_read_at_desktop_and_phone_width(app, client, served, page_of,
                                                                                backend, device):
    width, height = WIDTHS[device]
    doctor = clinician_with_password(app, client)
    phone = measured_patient(doctor)
    quiet = make_patient(doctor, reference="P-QUIET", timezone="Europe/Paris")
    log(quiet, {"craving": 4})
    with app.app_context():
        assert sweep.sweep(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=4))["opened"] == 2
    page = page_of(width, height)
    sign_in_with_the_keyboard(page, served, doctor.email, "correct horse battery staple")

    # The patients: both silent, each marked so beside their last entry.
    page.get_by_role("link", name="Patients").click()
    badges = page.locator("td.last-entry .badge-silent")
    assert badges.count() == 2 and "Silent since 20" in badges.first.inner_text()
    assert within(page, badges, width) and no_sideways_scroll(page, width)
    shoot(page, f"measures-patients{SUFFIX[device]}", backend)

    # The patient's page: a chart per questionnaire answered, its bands named, the outcomes beside the baseline.
    page.locator("tr", has_text="P-MEASURED").get_by_role("link", name="P-MEASURED").click()
    page.wait_for_url(f"{served}/clinic/patients/{phone.id}")
    assert page.locator("h1 .badge-silent").is_visible()
    charts = page.locator("figure.score-chart")
    assert [c.get_attribute("data-instrument") for c in charts.all()] == ["phq9", "auditc"]
    phq9 = page.locator("#scores-phq9 svg")
    assert phq9.locator("g.score-point").count() == 3
    names = phq9.locator("text.band-name")
    assert names.all_text_contents() == ["minimal", "mild", "moderate", "moderately severe", "severe"]
    boxes = [name.bounding_box() for name in names.all()]
    assert all(a["y"] >= b["y"] + b["height"] - 1 for a, b in zip(boxes, boxes[1:])), "band names never overlap"
    assert all(box["height"] >= 9 for box in boxes), "band names stay readable"
    svg = phq9.bounding_box()
    assert all(box["x"] + box["width"] <= svg["x"] + svg["width"] for box in boxes), "band names stay inside"
    outcomes = page.locator("section.outcomes")
    assert "down 2 levels" in outcomes.locator(".who-change").inner_text()
    assert outcomes.locator("tr", has_text="WHO risk level").locator("td").all_inner_texts() == ["low", "high"]
    assert within(page, charts, width) and within(page, outcomes.locator("table"), width)
    assert no_sideways_scroll(page, width)
    shoot(page, f"measures-patient{SUFFIX[device]}", backend)

    # The schedule: PHQ-9 weekly, PACS no more; then a standard drink left empty is refused at its field.
    page.get_by_label("PHQ-9: days between two responses").fill("7")
    page.locator("fieldset[data-instrument=pacs]").get_by_label("Not asked").check()
    page.get_by_role("button", name="Save the questionnaires").click()
    assert "changed: PHQ-9 every 7 days, PACS not asked." in page.get_by_role("status").inner_text()
    assert doctor.get(f"/patients/{phone.id}/questionnaire-schedule").json == {
        "phq9": 7, "gad7": None, "pacs": None, "auditc": 28}
    page.get_by_label("Standard drink").fill("")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Save silence and outcomes").click()
    field = page.get_by_label("Standard drink")
    expect(field).to_be_focused()
    alert = page.locator("#standard_drink_g-errors")
    assert alert.inner_text().strip() == "Give the grams of ethanol in one standard drink."
    assert in_view(page, alert) and in_view(page, field)
    expect(page.get_by_label("Sex")).to_have_value("female")
    assert no_sideways_scroll(page, width)
    shoot(page, f"measures-monitoring-refused{SUFFIX[device]}", backend, full=False)
    assert doctor.get(f"/patients/{phone.id}").json["sex"] == "male"

    # The other silent patient's flag: what the sweep saw, in the patient's time, and where it came from.
    flag = doctor.get(f"/flags?patient_id={quiet.id}").json["items"][0]
    page.goto(f"{served}/clinic/flags/{flag['id']}")
    evidence = page.locator("dl.evidence").first
    assert "an entry at least every 3 days" in evidence.inner_text()
    assert re.search(r"Last entry received\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} CES?T", evidence.inner_text())
    assert page.locator("table.entries").count() == 0
    assert "sweep" in page.locator("p.origin").inner_text()
    assert no_sideways_scroll(page, width)
    shoot(page, f"measures-silent-flag{SUFFIX[device]}", backend)
