"""`flask demo`: a clinician and a patient with four weeks of realistic entries, made once."""
from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import shlex
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from schemas.entry import EntryCreateSchema
from schemas.questionnaire import ResponseCreateSchema

from . import clock, enrollment, entries, patients
from .clinicians import create_clinician, issue_token, set_password
from .extensions import db
from .measures import responses
from .models import Clinician, Entry, Patient

DEMO_EMAIL = "demo.clinician@example.org"
DEMO_REFERENCE = "demo-patient"
TIMEZONE = "Europe/Paris"
# Entries start a week into treatment, so the first week's titration shows in the chart.
FIRST_ENTRIES_AFTER = dt.timedelta(days=7)
BASE = "localhost:5000/api/v1"


@dataclass
class Demo:
    clinician: Clinician
    patient: Patient
    clinician_token: str
    patient_token: str
    password: str | None = None  # only when this run set it
    made: set[str] = field(default_factory=set)  # "clinician", "patient", "password"
    entries_added: int = 0
    days_added: int = 0


def _day_entries(day: dt.date, n: int, zone: ZoneInfo) -> list[dict]:
    """A morning and an evening entry for day `n` of the entries, with the odd bad day."""
    rng = random.Random(day.toordinal())  # the same day always gets the same entries

    def at(hour: int, minute: int = 0) -> str:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()

    dose = 20 if n < 7 else 30  # titrated up after the first week
    morning = {"client_id": str(uuid.uuid4()), "recorded_at": at(8, 10), "craving": max(0, 7 - n // 4 + rng.randint(-1, 1)),
               "doses": [{"amount_mg": dose, "taken_at": at(8)}]}
    evening = {"client_id": str(uuid.uuid4()), "recorded_at": at(21, 30),
               "craving": max(0, 6 - n // 5 + rng.randint(-2, 1)),
               "doses": [{"amount_mg": dose, "taken_at": at(13)}, {"amount_mg": dose, "taken_at": at(20)}]}
    if n in (4, 11, 19):
        evening["alcohol_drinks"] = 2 if n != 11 else 6
    if n == 9:
        evening["symptoms"] = [{"code": "drowsiness", "severity": 2}, {"code": "dizziness", "severity": 2}]
        evening["note"] = "Very sleepy after lunch, felt dizzy standing up."
    if n == 16:
        evening["doses"].append({"amount_mg": 40, "taken_at": at(22)})
        evening["recorded_at"] = at(22, 15)
    return [morning, evening]


def _day_responses(day: dt.date, n: int, zone: ZoneInfo) -> list[dict]:
    """Weekly PACS and fortnightly PHQ-9 and GAD-7, answered in the evening, easing over the weeks."""
    at = dt.datetime(day.year, day.month, day.day, 21, 40, tzinfo=zone).isoformat()
    week = n // 7
    found = []
    if n % 7 == 6:
        found.append(("pacs", [max(0, 4 - week), max(0, 4 - week), 3 - week // 2, max(0, 3 - week), 3]))
    if n % 14 == 13:
        found.append(("phq9", [2, 2 - week // 2, 2, 1, 1, 1, 1, 0, 0]))
        found.append(("gad7", [2, 2, 1, 2 - week // 2, 1, 1, 1]))
    return [{"client_id": str(uuid.uuid4()), "instrument": code, "answered_at": at, "answers": answers}
            for code, answers in found]


def _find_patient(clinician: Clinician) -> Patient | None:
    # Older runs named the demo patient demo-<random>: the oldest such patient is the demo's.
    return db.session.scalars(
        sa.select(Patient).where(Patient.clinician_id == clinician.id, Patient.reference.like("demo-%"))
        .order_by(Patient.created_at, Patient.id)).first()


def _fill_days(patient: Patient, days: int) -> tuple[int, int]:
    """Give each of the last `days` local days before today that has no entry its demo entries.

    A first run fills them all; a later run fills the days that passed since, so the chart and the
    summary always end yesterday. Return the entries and days added.
    """
    zone = ZoneInfo(patient.timezone)
    today = clock.now().astimezone(zone).date()
    first = max(patient.treatment_start + FIRST_ENTRIES_AFTER, today - dt.timedelta(days=days))
    logged = set(db.session.scalars(
        sa.select(Entry.local_date).distinct().where(Entry.patient_id == patient.id, Entry.local_date >= first)))
    missing = [first + dt.timedelta(days=k) for k in range((today - first).days)]
    missing = [day for day in missing if day not in logged]
    schema, answers = EntryCreateSchema(), ResponseCreateSchema()
    made = 0
    for done, day in enumerate(missing, 1):
        n = (day - patient.treatment_start - FIRST_ENTRIES_AFTER).days
        for raw in _day_entries(day, n, zone):
            entries.record_entry(patient, raw, schema.load(raw))
            made += 1
        for raw in _day_responses(day, n, zone):
            responses.record_response(patient, raw, answers.load(raw))
        if done % 7 == 0:
            click.echo(f"seeding: {done}/{len(missing)} days, {made} entries", err=True)
    return made, len(missing)


def make_demo(days: int, reset_password: bool) -> Demo:
    """Find or make the demo clinician and patient, fill in missing days, issue fresh tokens."""
    made: set[str] = set()
    clinician = db.session.scalars(sa.select(Clinician).where(Clinician.email == DEMO_EMAIL)).first()
    if clinician is None:
        clinician, clinician_token = create_clinician(DEMO_EMAIL, "Dr Demo")
        made.add("clinician")
    else:
        clinician_token = issue_token(clinician)
    password = None
    if reset_password or clinician.password_hash is None:
        password = secrets.token_urlsafe(12)
        set_password(clinician, password)  # a new password ends the sessions of the old, as set-password does
        made.add("password")

    patient = _find_patient(clinician)
    if patient is None:
        today = clock.now().astimezone(ZoneInfo(TIMEZONE)).date()
        start = today - dt.timedelta(days=days) - FIRST_ENTRIES_AFTER
        patient = patients.create_patient(clinician, {
            "reference": DEMO_REFERENCE, "timezone": TIMEZONE, "treatment_start": start,
            "renal_impairment": False, "depression": False, "anxiety": True,
            "prescription": {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible",
                             "effective_from": start}})
        made.add("patient")
    added, days_added = _fill_days(patient, days)
    code = enrollment.issue_code(patient)["code"]
    patient_token, _ = enrollment.enroll(code, "demo phone")
    return Demo(clinician, patient, clinician_token, patient_token, password, made, added, days_added)


def _report(demo: Demo) -> None:
    """Say on standard error what was made and what was kept, and what to try."""
    def say(text: str = "") -> None:
        click.echo(text, err=True)

    clinician, patient = demo.clinician, demo.patient
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(Entry.patient_id == patient.id))
    say()
    say(f"{'Made' if 'clinician' in demo.made else 'Kept'} the demo clinician {clinician.email} ({clinician.id}).")
    if demo.password is not None:
        say(f"  clinic page password: {demo.password}   (sign in at http://127.0.0.1:5000/clinic/)")
    else:
        say("  kept the clinic page password set before (--reset-password prints a new one)")
    if "patient" in demo.made:
        say(f"Made the demo patient {patient.reference} ({patient.id}) with {total} entries "
            f"over {demo.days_added} days.")
    else:
        added = (f"{demo.entries_added} of them added now, for the {demo.days_added} days that had none"
                 if demo.entries_added else "none added: every day up to yesterday has entries")
        say(f"Kept the demo patient {patient.reference} ({patient.id}) and its {total} entries ({added}).")
    if "clinician" in demo.made:
        say("Issued the clinician's API token and enrolled a phone (\"demo phone\") for the patient.")
    else:
        say("Issued a new API token for the clinician and enrolled another phone for the patient; "
            "the tokens of earlier runs still work.")
    say()
    say("In the shell where you call the API, run the three export lines below, or run there:")
    say('  eval "$(.venv/bin/flask --app service demo)"')
    say("Then try:")
    say(f'  curl -s {BASE}/patients -H "Authorization: Bearer $CLINICIAN"')
    say(f'  curl -s "{BASE}/patients/$PATIENT/summary?days=7" -H "Authorization: Bearer $CLINICIAN"')
    say(f'  curl -s {BASE}/me -H "Authorization: Bearer $PHONE"')
    say()


@click.command("demo")
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 85),
              help="Fill this many local days before today with entries, where a day has none.")
@click.option("--reset-password", is_flag=True,
              help="Give the demo clinician a new clinic page password (a first run always makes one).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (tokens, ids, the password if set) instead of the export lines.")
@with_appcontext  # `flask` pushes one itself, but app.cli and its test runner do not
def demo_command(days: int, reset_password: bool, as_json: bool) -> None:
    """Make a demo clinician and patient with weeks of entries, once; print shell exports for the API.

    Standard output is only `export CLINICIAN=… PHONE=… PATIENT=…` lines, so
    `eval "$(flask --app service demo)"` sets them; what was made or kept goes to standard error.
    Running it again keeps the clinician, the patient and the password (unless --reset-password),
    adds entries for the days since, and issues new tokens while the earlier ones keep working.
    """
    demo = make_demo(days, reset_password)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({
            "clinician_token": demo.clinician_token, "clinician_email": demo.clinician.email,
            "password": demo.password, "patient_id": str(demo.patient.id), "patient_token": demo.patient_token,
            "made": sorted(demo.made), "entries_added": demo.entries_added,
            "database": db.engine.url.render_as_string(hide_password=True)}))
        return
    _report(demo)
    for name, value in (("CLINICIAN", demo.clinician_token), ("PHONE", demo.patient_token),
                        ("PATIENT", str(demo.patient.id))):
        click.echo(f"export {name}={shlex.quote(value)}")
