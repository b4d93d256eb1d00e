"""The reference page in a real browser (Debian's Chromium, driven by Playwright), with JavaScript on.

Screenshots land in test-results/api/ for a person to look at.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "api"
DOCUMENT = yaml.safe_load((ROOT / "openapi.yaml").read_text())


@pytest.fixture(scope="module")
def chromium():
    reason = None
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the browser tests must run", pytrace=False)
        pytest.skip(reason)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def test_the_reference_lists_every_operation_from_the_apps_own_files(chromium, served, backend):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    complaints, origins = [], set()
    # A CSP refusal shows as a console error; so would a file that failed to load.
    page.on("console", lambda message: message.type == "error" and complaints.append(message.text))
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.on("request", lambda request: origins.add(urlsplit(request.url)._replace(path="", query="").geturl()))
    try:
        page.goto(f"{served}/api/v1/docs")
        page.wait_for_selector(".opblock-summary", timeout=30_000)
        shown = {(text.split()[0].lower(), text.split()[1])
                 for text in page.locator(".opblock-summary").all_inner_texts()}
        documented = {(method, path) for path, operations in DOCUMENT["paths"].items()
                      for method in operations if method != "parameters"}
        assert shown == documented
        assert "Rate limits" in page.locator(".information-container").inner_text()
        page.screenshot(path=str(SHOTS / f"{backend}-docs.png"))

        block = page.locator(".opblock").filter(has_text="/api/v1/entries/batch").first
        block.locator(".opblock-summary").click()
        # The batch example's first entry, and the rate-limit headers of its answers.
        block.get_by_text('"6c1d8f0e-2b4a-4f7e-8d21-0a9b3c5e7f11"').first.wait_for(timeout=10_000)
        text = block.inner_text()
        assert '"duplicate"' in text and "X-RateLimit-Remaining" in text
        block.locator("tr.response[data-code='200']").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{backend}-docs-batch.png"))

        # "Try it out" reaches the service under the page's CSP (connect-src 'self').
        health = page.locator(".opblock").filter(has_text="/api/v1/healthz").first
        health.locator(".opblock-summary").click()
        health.get_by_role("button", name="Try it out").click()
        health.get_by_role("button", name="Execute").click()
        health.locator(".live-responses-table tr.response .response-col_status").first.wait_for(timeout=10_000)
        assert health.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip() == "200"
        assert '"ok"' in health.locator(".live-responses-table").inner_text()
    finally:
        context.close()
    assert not complaints, complaints
    assert origins == {served}, origins
