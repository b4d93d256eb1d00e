"""Signing in to the clinic page: passwords, the session cookie, CSRF, lock-out, sign-out and revocation."""
from __future__ import annotations

import datetime as dt
import threading
import uuid
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from clinic_kit import doctor, CSRF, PASSWORD, clinician_with_password, csrf_of, post_form, sign_in, signed_in, text
from service import clock, create_app
from service.clinic import signin
from service.clinic.models import SignInCount
from service.extensions import db



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


def test_after_a_lock_the_failures_count_from_one_again(app, doctor, monkeypatch):
    browser = app.test_client()
    for _ in range(5):
        sign_in(browser, doctor.email, "wrong password!")
    assert sign_in(browser, doctor.email).status_code == 429
    later = clock.now() + dt.timedelta(minutes=15, seconds=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    for _ in range(4):
        assert sign_in(browser, doctor.email, "wrong password!").status_code == 200
    assert sign_in(browser, doctor.email).status_code == 302


def test_a_session_ended_or_expired_leaves_no_row(app, doctor, monkeypatch):
    from service.clinic.models import ClinicSession

    def sessions():
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(ClinicSession))

    browser = signed_in(app, doctor.email)
    signed_in(app, doctor.email)
    assert sessions() == 2
    post_form(browser, "/clinic/sign-out", {})
    assert sessions() == 1
    later = clock.now() + dt.timedelta(hours=12, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    signed_in(app, doctor.email)  # a sign-in clears away the sessions that have expired
    assert sessions() == 1


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
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInCount)) == 0


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


# ------------------------------------------------------------------ a copied cookie after the session ended


def _copied_cookie(browser) -> str:
    cookie = browser.get_cookie("baclowatch_clinic", path="/clinic/")
    assert cookie is not None and cookie.value
    return cookie.value


def _with_cookie(app, value: str):
    replayed = app.test_client()
    replayed.set_cookie("baclowatch_clinic", value, path="/clinic/")
    return replayed


def _set_password(app, doctor):
    result = app.test_cli_runner().invoke(args=["clinicians", "set-password", doctor.email],
                                          input="another long passphrase\n")
    assert result.exit_code == 0, result.output


def _revoke(app, doctor):
    result = app.test_cli_runner().invoke(args=["clinicians", "revoke", doctor.email])
    assert result.exit_code == 0, result.output


def _sign_out(app, doctor, browser):
    assert post_form(browser, "/clinic/sign-out", {}).status_code == 302


@pytest.mark.parametrize("ending", [_sign_out, _set_password, _revoke], ids=["sign-out", "set-password", "revoke"])
def test_a_copied_cookie_is_signed_out_once_the_session_ends(app, doctor, ending):
    browser = signed_in(app, doctor.email)
    copied = _copied_cookie(browser)
    assert _with_cookie(app, copied).get("/clinic/").status_code == 200  # the copy works while the session holds
    if ending is _sign_out:
        ending(app, doctor, browser)
    else:
        ending(app, doctor)
    answer = _with_cookie(app, copied).get("/clinic/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/clinic/sign-in")


def test_signing_out_ends_only_that_session(app, doctor):
    desk, ward = signed_in(app, doctor.email), signed_in(app, doctor.email)
    post_form(desk, "/clinic/sign-out", {})
    assert desk.get("/clinic/").status_code == 302
    assert ward.get("/clinic/").status_code == 200


def test_a_new_password_ends_every_session_and_the_new_one_signs_in(app, doctor):
    desk, ward = signed_in(app, doctor.email), signed_in(app, doctor.email)
    _set_password(app, doctor)
    assert desk.get("/clinic/").status_code == 302 and ward.get("/clinic/").status_code == 302
    assert sign_in(app.test_client(), doctor.email).status_code == 200  # the old password is wrong now
    assert sign_in(app.test_client(), doctor.email, "another long passphrase").status_code == 302


# ------------------------------------------------------------------ next and back with line breaks


@pytest.mark.parametrize("place", ["/clinic/patients\r\nSet-Cookie: x=1", "/clinic/\r\n", "/clinic/\n",
                                   "/clinic/patients\x00", "/clinic/\t/patients"])
def test_a_next_page_with_control_characters_is_dropped_not_a_500(app, doctor, place):
    browser = app.test_client()
    page = browser.get("/clinic/sign-in", query_string={"next": place})
    assert page.status_code == 200
    answer = sign_in(browser, doctor.email, next=place)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/clinic/"


def test_a_back_page_with_line_breaks_is_dropped_not_a_500(app, doctor):
    from clinic_kit import three_flags

    _, ids = three_flags(doctor)
    browser = signed_in(app, doctor.email)
    back = "/clinic/?status=open\r\nSet-Cookie: x=1"
    page = browser.get(f"/clinic/flags/{ids['moderate']}", query_string={"back": back})
    assert page.status_code == 200
    assert "Set-Cookie" not in text(page)
    answer = post_form(browser, f"/clinic/flags/{ids['moderate']}/review",
                       {"action": "resolve", "note": "Seen.", "back": back})
    assert answer.status_code == 302 and answer.headers["Location"] == "/clinic/"
    answer = post_form(browser, f"/clinic/flags/{ids['high']}/review",
                       {"action": "acknowledge", "note": "", "back": back})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/clinic/flags/{ids['high']}"


# ------------------------------------------------------------------ wrong passwords at once


def _sign_in_form(served: str) -> tuple[str, str]:
    """Open the sign-in page as a browser would; return its session cookie and the form's CSRF token."""
    with urllib.request.urlopen(f"{served}/clinic/sign-in", timeout=60) as page:
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = CSRF.search(page.read().decode()).group(1)
    return cookie, token


def _post_sign_in(served: str, cookie: str, token: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    request = urllib.request.Request(f"{served}/clinic/sign-in", data=body, method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_twenty_wrong_passwords_at_once_get_five_tries(app, doctor, served, monkeypatch):
    checked = []
    real_check = signin.check_password_hash

    def counting_check(pwhash, password):
        checked.append(password)  # list.append is atomic: the server's threads share it
        return real_check(pwhash, password)

    monkeypatch.setattr(signin, "check_password_hash", counting_check)
    forms = [_sign_in_form(served) for _ in range(20)]
    barrier = threading.Barrier(len(forms))

    def attempt(form):
        barrier.wait()  # all twenty arrive together
        return _post_sign_in(served, *form, doctor.email, "not the password at all")

    with ThreadPoolExecutor(len(forms)) as pool:
        statuses = list(pool.map(attempt, forms))
    assert len(checked) == signin.LOCK_AFTER, statuses
    assert sorted(statuses) == [200] * signin.LOCK_AFTER + [429] * (len(forms) - signin.LOCK_AFTER)
    # And the right password is refused too until the lock ends.
    assert _post_sign_in(served, *_sign_in_form(served), doctor.email, PASSWORD) == 429


# ------------------------------------------------------------------ the migration that made sessions rows


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_the_sessions_migration_keeps_clinicians_tokens_and_lock_outs(tmp_path, backend_name):
    from conftest import _postgres_or_skip, PG_ADMIN_URL
    from throwaway_database import make_database

    drop = None
    if backend_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        name, drop = make_database(_postgres_or_skip(), "baclowatch_migration")
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": url})
    runner = app.test_cli_runner()
    moment = sa.DateTime(timezone=True)
    clinicians = sa.table("clinicians", sa.column("id", sa.Uuid), sa.column("email", sa.String),
                          sa.column("name", sa.String), sa.column("created_at", moment),
                          sa.column("sessions_valid_after", moment))
    tokens = sa.table("clinician_tokens", sa.column("id", sa.Uuid), sa.column("clinician_id", sa.Uuid),
                      sa.column("token_hash", sa.String), sa.column("created_at", moment))
    failures = sa.table("clinic_sign_in_failures", sa.column("email_key", sa.String), sa.column("at", moment))
    counts = sa.table("clinic_sign_in_counts", sa.column("email_key", sa.String), sa.column("failures", sa.Integer),
                      sa.column("locked_until", moment))
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)

    def stored(moment_):
        return moment_.replace(tzinfo=None) if backend_name == "sqlite" else moment_

    def read(moment_):
        return moment_.replace(tzinfo=dt.timezone.utc) if moment_.tzinfo is None else moment_

    try:
        assert runner.invoke(args=["db", "upgrade", "0004"]).exit_code == 0
        clinician_id = uuid.uuid4()
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(clinicians.insert().values(id=clinician_id, email="old@example.org", name="Dr Old",
                                                    created_at=stored(start), sessions_valid_after=stored(start)))
            conn.execute(tokens.insert().values(id=uuid.uuid4(), clinician_id=clinician_id, token_hash="h" * 64,
                                                created_at=stored(start)))
            locked = [start + dt.timedelta(minutes=n) for n in range(5)]  # five in five minutes: locked
            spread = [start - dt.timedelta(minutes=40), start, start + dt.timedelta(minutes=3)]  # two recent
            conn.execute(failures.insert(), [{"email_key": "a" * 64, "at": stored(t)} for t in locked]
                         + [{"email_key": "b" * 64, "at": stored(t)} for t in spread])
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert runner.invoke(args=["db", "check"]).exit_code == 0

        def state():
            with app.app_context(), db.engine.connect() as conn:
                return (conn.execute(sa.select(clinicians.c.email)).scalars().all(),
                        conn.execute(sa.select(tokens.c.token_hash)).scalars().all(),
                        {row.email_key[0]: (row.failures, row.locked_until and read(row.locked_until))
                         for row in conn.execute(sa.select(counts))})

        after = state()
        assert after == (["old@example.org"], ["h" * 64],
                         {"a": (5, start + dt.timedelta(minutes=4 + 15)), "b": (2, None)})
        # And back, and forth again, with the lock-out still there.
        assert runner.invoke(args=["db", "downgrade", "0004"]).exit_code == 0
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert state() == after
    finally:
        with app.app_context():
            db.engine.dispose()
        if drop:
            drop()


def test_a_deactivated_clinician_is_signed_out_and_cannot_sign_in(app, doctor):
    from service.models import Clinician

    browser = signed_in(app, doctor.email)
    with app.app_context():
        db.session.execute(sa.update(Clinician).where(Clinician.email == doctor.email).values(active=False))
        db.session.commit()
    assert browser.get("/clinic/").status_code == 302, "the open session ends at once"
    assert sign_in(app.test_client(), doctor.email).status_code != 302
