"""Helpers the clinic tests share: passwords, signing in through the page's own forms, flags to review."""
from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
import uuid
from types import SimpleNamespace

import pytest

from conftest import Caller, answered, days_ago_at, entry, local_today, make_clinician, make_patient

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
QUEUE_ROW = re.compile(r'<tr class="flag-row severity-(\w+)" data-flag-id="([0-9a-f-]{36})">')
DAY_GROUP = re.compile(r'<g class="day[^"]*" data-date="(\d{4}-\d{2}-\d{2})"')

SEIZURE = {"symptoms": [{"code": "seizure", "severity": 3}]}  # urgent
DIAZEPAM = {"substances": [{"name": "diazepam", "prescribed": False}]}  # high
DRINKS_WITH_DOSE = {"alcohol_drinks": 2, "doses": [{"amount_mg": 20}]}  # moderate


def set_password(app, email: str, password: str = PASSWORD) -> None:
    result = app.test_cli_runner().invoke(args=["clinicians", "set-password", email], input=password + "\n")
    assert result.exit_code == 0, result.output


def clinician_with_password(app, client, name: str = "Dr Test") -> Caller:
    made = make_clinician(app, client, name=name)
    set_password(app, made.email)
    return made


def new_clinic(app, name: str = "Riverside Clinic") -> dict:
    """A clinic and its first care team (of the same name): {"id", "name", "team_id"}."""
    result = app.test_cli_runner().invoke(args=["clinics", "create", name])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def staff_member(app, client, clinic: dict, name: str, role: str = "prescriber", team_id: str | None = None) -> Caller:
    """A clinician of the clinic with a password, in the team given (else in none yet)."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.org"
    args = ["clinicians", "create", email, "--name", name, "--clinic", clinic["id"], "--role", role]
    result = app.test_cli_runner().invoke(args=args + (["--team", team_id] if team_id else []))
    assert result.exit_code == 0, result.output
    made = json.loads(result.output.strip().splitlines()[-1])
    set_password(app, email)
    return Caller(client, made["token"], id=made["id"], email=email, name=name)


def csrf_of(page) -> str:
    found = CSRF.search(page.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """Sign in through the sign-in form, as a browser would; return the answer to the POST."""
    token = csrf_of(client.get("/clinic/sign-in"))
    return client.post("/clinic/sign-in", data={"csrf_token": token, "email": email, "password": password, **extra})


def signed_in(app, email: str):
    """A fresh test client (its own cookies) signed in as `email`."""
    browser = app.test_client()
    answer = sign_in(browser, email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return browser


def post_form(client, path: str, data: dict, page: str | None = None):
    """Post a form with the CSRF token the session's pages carry (read from `page`, default the queue)."""
    token = csrf_of(client.get(page or "/clinic/"))
    return client.post(path, data={"csrf_token": token, **data})


def text(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*"')


def page_as_shown(answer) -> str:
    """The page without its CSRF tokens, which carry the second they were made in."""
    return CSRF_VALUE.sub(r'\1…"', text(answer))


def queue_rows(answer) -> list[tuple[str, str]]:
    """The (severity, flag id) of each row of the queue page, in order."""
    return QUEUE_ROW.findall(answer.get_data(as_text=True))


def recorded(seconds_ago: int) -> str:
    # Seconds, not minutes: a test's entries then share the patient's local day unless it runs
    # in the very seconds after a local midnight (minutes apart, they straddled Paris's for 5 min).
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds_ago)).isoformat()


def log(phone: Caller, fields: dict, seconds_ago: int = 1) -> dict:
    """Post an entry from the phone; return the stored entry with its flags."""
    body = entry(**copy.deepcopy(fields))
    body["recorded_at"] = recorded(seconds_ago)
    for dose in body.get("doses", []):
        dose.setdefault("taken_at", body["recorded_at"])
    answer = phone.post("/entries", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.json


def flag_id(stored: dict, rule: str) -> str:
    return next(f["id"] for f in stored["flags"] if f["rule"] == rule)


def three_flags(clinician: Caller, reference: str | None = None, **patient) -> tuple[Caller, dict]:
    """A patient with a moderate, a high and an urgent flag, made oldest first in that order."""
    phone = make_patient(clinician, reference=reference or f"P-{uuid.uuid4().hex[:6]}",
                         prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "flexible"}, **patient)
    ids = {
        "moderate": flag_id(log(phone, DRINKS_WITH_DOSE, seconds_ago=30), "alcohol_with_baclofen"),
        "high": flag_id(log(phone, DIAZEPAM, seconds_ago=20), "unprescribed_substance"),
        "urgent": flag_id(log(phone, SEIZURE, seconds_ago=10), "seizure_or_hallucinations"),
    }
    return phone, ids


# The fixtures every clinic test file uses; a test file imports them by name.
@pytest.fixture
def doctor(app, client):
    """A clinician with a password for the clinic page."""
    return clinician_with_password(app, client)


@pytest.fixture
def browser(app, doctor):
    """A test client signed in to the clinic page as `doctor`."""
    return signed_in(app, doctor.email)


def care_teams(app, client) -> SimpleNamespace:
    """Riverside Clinic with two care teams, its first (Riverside Clinic) and the Night team.

    Ada is its admin, in no team; Pat prescribes in both; Nia is a nurse of the first; Owen
    prescribes in the Night team only. P-DAY (first team) and P-NIGHT (Night team) have three
    open flags each.
    """
    made = new_clinic(app)
    ada = staff_member(app, client, made, "Ada Admin", role="admin")
    night = ada.post("/teams", json={"name": "Night team"}).json["id"]
    pat = staff_member(app, client, made, "Pat Prescriber", team_id=made["team_id"])
    nia = staff_member(app, client, made, "Nia Nurse", role="nurse", team_id=made["team_id"])
    owen = staff_member(app, client, made, "Owen Night", team_id=night)
    assert ada.open("PUT", f"/teams/{night}/members/{pat.id}").status_code == 204
    day_phone, day_flags = three_flags(pat, "P-DAY", team_id=made["team_id"])
    night_phone, night_flags = three_flags(pat, "P-NIGHT", team_id=night)
    return SimpleNamespace(clinic=made, day=made["team_id"], night=night, ada=ada, pat=pat, nia=nia, owen=owen,
                           day_phone=day_phone, day_flags=day_flags, night_phone=night_phone,
                           night_flags=night_flags)


# ------------------------------------------------------------------ measures: entries and questionnaires in the past

MEASURED_ZONE = "Europe/Paris"


def logged_on(phone: Caller, days_ago: int, drinks: float, craving: int, mg: float | None = None) -> None:
    """An entry at 20:00 of a local day of the patient's past, with a dose taken then."""
    at = days_ago_at(days_ago, 20, zone=MEASURED_ZONE).isoformat()
    fields = {"alcohol_drinks": drinks, "craving": craving}
    if mg:
        fields["doses"] = [{"amount_mg": mg, "taken_at": at}]
    answer = phone.post("/entries", json=entry(recorded_at=at, **fields))
    assert answer.status_code == 201, answer.get_json()


def answer_questionnaire(phone: Caller, instrument: str, answers: list, days_ago: int | None = None) -> dict:
    """A response from the phone, answered at 09:00 `days_ago` local days back (else a minute ago)."""
    fields = {"answered_at": days_ago_at(days_ago, 9, zone=MEASURED_ZONE).isoformat()} if days_ago else {}
    made = phone.post("/questionnaire-responses", json=answered(instrument, answers, **fields))
    assert made.status_code == 201, made.get_json()
    return made.json


def measured_patient(clinician: Caller, reference: str = "P-MEASURED") -> Caller:
    """A man in Paris 60 days into treatment: heavy drinking in his first four weeks, little in the
    last four; three PHQ-9s (16, 9, 4) and an AUDIT-C of 3 (negative for a man, positive for a woman)."""
    start = local_today(MEASURED_ZONE) - dt.timedelta(days=60)
    phone = make_patient(clinician, reference=reference, timezone=MEASURED_ZONE, sex="male",
                         treatment_start=start.isoformat(),
                         prescription={"daily_dose_mg": 30, "max_daily_mg": 90, "approach": "flexible"})
    for days_ago, drinks, craving, mg in ((55, 12, 8, 30), (50, 10, 7, None), (45, 6, 6, None),  # baseline
                                          (20, 2, 3, 60), (10, 0, 2, 60), (5, 0, 1, 60)):  # the last 28 days
        logged_on(phone, days_ago, drinks, craving, mg)
    answer_questionnaire(phone, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0], days_ago=40)  # 16, moderately severe
    answer_questionnaire(phone, "phq9", [1, 1, 1, 1, 1, 1, 1, 2, 0], days_ago=20)  # 9, mild
    answer_questionnaire(phone, "phq9", [1, 1, 1, 1, 0, 0, 0, 0, 0], days_ago=3)  # 4, minimal
    answer_questionnaire(phone, "auditc", [1, 1, 1], days_ago=30)
    return phone
