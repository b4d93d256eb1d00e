"""Signing in to the clinic page: passwords, the session cookie, CSRF, lock-out, sign-out and revocation."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from clinic_kit import PASSWORD, clinician_with_password, csrf_of, post_form, sign_in, signed_in, text
from service import clock, create_app
from service.clinic.models import SignInFailure
from service.extensions import db


@pytest.fixture
def doctor(app, client):
    return clinician_with_password(app, client)


def cookie_header(answer) -> str:
    return next(v for k, v in answer.headers.items() if k == "Set-Cookie" and v.startswith("baclowatch_clinic="))


def test_every_page_but_sign_in_asks_to_sign_in_first(client):
    for path in ("/clinic/", "/clinic/patients", "/clinic/flags/7b0c2f9e-1f40-4a59-8d4e-1d0ff4d1c3a1"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/clinic/sign-in?next=")
    page = client.get("/clinic/sign-in")
    assert page.status_code == 200
    body = text(page)
    assert '<label for="email">Email</label>' in body and '<label for="password">Password</label>' in body


def test_signing_in_opens_the_queue_with_a_safe_cookie(app, doctor):
    browser = app.test_client()
    answer = sign_in(browser, doctor.email)
    assert answer.status_code == 302 and answer.headers["Location"] == "/clinic/"
    cookie = cookie_header(answer)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/clinic/" in cookie
    assert "Secure" in cookie  # outside debug, test apps included
    queue = browser.get("/clinic/")
    assert queue.status_code == 200
    assert "Signed in as Dr Test" in text(queue)
    assert queue.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in queue.headers["Content-Security-Policy"]
    # Same-origin referrers reach the server, so the CSRF check over HTTPS can compare them.
    assert queue.headers["Referrer-Policy"] == "same-origin"


def test_the_cookie_is_secure_outside_debug(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    testing = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.db'}", "SECRET_KEY": "k",
                          "TESTING": True})
    assert testing.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    debug = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.db'}", "SECRET_KEY": "k",
                        "DEBUG": True})
    assert debug.config["SESSION_COOKIE_SECURE"] is False


def test_a_wrong_password_or_unknown_email_is_the_same_answer(app, doctor):
    browser = app.test_client()
    wrong = sign_in(browser, doctor.email, "not the password at all")
    unknown = sign_in(browser, "nobody@example.org", "not the password at all")
    for answer in (wrong, unknown):
        assert answer.status_code == 200
        assert "The email or the password is wrong." in text(answer)
    assert browser.get("/clinic/").status_code == 302


def test_the_session_is_rotated_on_sign_in(app, doctor):
    browser = app.test_client()
    before = csrf_of(browser.get("/clinic/sign-in"))
    sign_in(browser, doctor.email)
    after = csrf_of(browser.get("/clinic/"))
    assert before != after  # nothing of the anonymous session survives signing in


def test_a_form_without_its_csrf_token_is_refused(app, doctor):
    browser = app.test_client()
    answer = browser.post("/clinic/sign-in", data={"email": doctor.email, "password": PASSWORD})
    assert answer.status_code == 400
    assert "The form has expired" in text(answer)
    assert answer.mimetype == "text/html"
    signed = signed_in(app, doctor.email)
    assert signed.post("/clinic/sign-out").status_code == 400
    assert signed.post("/clinic/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert signed.get("/clinic/").status_code == 200  # still signed in


def test_the_api_needs_no_csrf_token(doctor):
    answer = doctor.post("/patients", json={"reference": "P-1", "treatment_start": "2026-01-01"})
    assert answer.status_code == 201


def test_signing_out_ends_the_session(app, doctor):
    browser = signed_in(app, doctor.email)
    answer = post_form(browser, "/clinic/sign-out", {}, page="/clinic/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/clinic/sign-in"
    assert "You are signed out." in text(browser.get("/clinic/sign-in"))
    assert browser.get("/clinic/").status_code == 302


def test_revoking_a_clinician_ends_their_sessions_at_once(app, doctor):
    browser = signed_in(app, doctor.email)
    assert browser.get("/clinic/").status_code == 200
    result = app.test_cli_runner().invoke(args=["clinicians", "revoke", doctor.email])
    assert result.exit_code == 0, result.output
    answer = browser.get("/clinic/")
    assert answer.status_code == 302
    assert "Your session has ended" in text(browser.get("/clinic/sign-in"))
    # Signing in again after the revocation makes a new, valid session.
    assert signed_in(app, doctor.email).get("/clinic/").status_code == 200


def test_a_session_lasts_twelve_hours(app, doctor, monkeypatch):
    browser = signed_in(app, doctor.email)
    later = clock.now() + dt.timedelta(hours=12, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert browser.get("/clinic/").status_code == 302


def test_a_clinician_without_a_password_cannot_sign_in(app, client):
    from conftest import make_clinician

    made = make_clinician(app, client)
    answer = sign_in(app.test_client(), made.email, "")
    assert "The email or the password is wrong." in text(answer)


def test_five_failures_lock_the_email_for_fifteen_minutes(app, doctor, monkeypatch):
    browser = app.test_client()
    for _ in range(5):
        assert sign_in(browser, doctor.email, "wrong password!").status_code == 200
    locked = sign_in(browser, doctor.email)  # even the right password is refused now
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60 + 1
    assert "Too many failed sign-ins" in text(locked)
    assert browser.get("/clinic/").status_code == 302
    # Another email is not locked by them.
    other = clinician_with_password(app, app.test_client(), name="Dr Other")
    assert sign_in(app.test_client(), other.email).status_code == 302
    later = clock.now() + dt.timedelta(minutes=15, seconds=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sign_in(browser, doctor.email).status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(app, doctor, monkeypatch):
    start = clock.now()
    browser = app.test_client()
    for n in range(5):
        monkeypatch.setattr(clock, "now", lambda n=n: start + dt.timedelta(minutes=4 * n))
        sign_in(browser, doctor.email, "wrong password!")
    assert sign_in(browser, doctor.email).status_code == 302


def test_a_good_sign_in_forgets_the_failures(app, doctor):
    browser = app.test_client()
    for _ in range(4):
        sign_in(browser, doctor.email, "wrong password!")
    assert sign_in(browser, doctor.email).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInFailure)) == 0


def test_sign_in_comes_back_to_the_page_asked_for_but_never_elsewhere(app, doctor):
    browser = app.test_client()
    answer = sign_in(browser, doctor.email, next="/clinic/patients")
    assert answer.headers["Location"] == "/clinic/patients"
    for evil in ("https://evil.example/clinic/", "//evil.example/clinic/", "/api/v1/patients", "/clinic\\..\\x",
                 "/clinic/../api/v1/patients"):
        answer = sign_in(app.test_client(), doctor.email, next=evil)
        assert answer.headers["Location"] == "/clinic/", evil


def test_an_unknown_clinic_path_is_an_html_404(app, doctor):
    browser = signed_in(app, doctor.email)
    answer = browser.get("/clinic/no/such/page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "Not found" in text(answer)


def test_over_https_a_form_must_come_from_this_site(app, doctor):
    browser = app.test_client()
    page = browser.get("/clinic/sign-in", base_url="https://clinic.example")
    form = {"csrf_token": csrf_of(page), "email": doctor.email, "password": PASSWORD}
    elsewhere = browser.post("/clinic/sign-in", data=form, base_url="https://clinic.example",
                             headers={"Referer": "https://evil.example/"})
    assert elsewhere.status_code == 400
    here = browser.post("/clinic/sign-in", data=form, base_url="https://clinic.example",
                        headers={"Referer": "https://clinic.example/clinic/sign-in"})
    assert here.status_code == 302
