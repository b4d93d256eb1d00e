"""The clinic page in a real browser (Debian's Chromium, driven by Playwright), with JavaScript off.

Screenshots land in test-results/clinic/ for a person to look at.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest

from clinic_kit import SEIZURE, clinician_with_password, log
from conftest import IN_CI, Caller

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
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output.strip().splitlines()[-1])
    clinician = Caller(client, made["clinician_token"], email=made["clinician_email"], password=made["password"])
    log(Caller(client, made["patient_token"]), SEIZURE, seconds_ago=2)
    return clinician, made["patient_id"]


@pytest.fixture
def page_of(chromium):
    contexts = []

    def new_page():
        # No JavaScript: every page but the chart must work without it, and the chart needs none.
        context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def shoot(page, name: str, backend: str, **options) -> None:
    page.screenshot(path=str(SHOTS / f"{backend}-{name}.png"), full_page=True, **options)


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
    assert "seizure (severe)" in page.locator("table.entries").inner_text()
    assert page.get_by_text("Not reviewed yet.").is_visible()
    shoot(page, "3-flag", backend)

    # A resolve without a note is refused in the page; with one, the flag leaves the queue.
    page.get_by_role("button", name="Resolve").click()
    assert page.get_by_role("alert").inner_text().strip() == "A note is required to resolve a flag."
    shoot(page, "4-flag-note-missing", backend)
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
