"""`flask demo`: a clinician and a patient with four weeks of realistic entries."""
from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import uuid
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from schemas.entry import EntryCreateSchema

from . import clock, enrollment, entries, patients
from .clinicians import create_clinician, issue_token
from .extensions import db
from .models import Clinician

DEMO_EMAIL = "demo.clinician@example.org"
TIMEZONE = "Europe/Paris"


def _day_entries(day: dt.date, n: int, rng: random.Random, zone: ZoneInfo) -> list[dict]:
    """A morning and an evening entry, with the odd bad day."""
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


@click.command("demo")
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 85), help="Days of entries to make.")
@with_appcontext  # `flask` pushes one itself, but app.cli and its test runner do not
def demo_command(days: int) -> None:
    """Seed a demo clinician and patient with a few weeks of entries; print how to call the API."""
    rng = random.Random(7)
    clinician = db.session.scalars(sa.select(Clinician).where(Clinician.email == DEMO_EMAIL)).first()
    if clinician is None:
        clinician, token = create_clinician(DEMO_EMAIL, "Dr Demo")
    else:
        token = issue_token(clinician)
    password = secrets.token_urlsafe(12)
    clinician.password_hash = generate_password_hash(password)
    zone = ZoneInfo(TIMEZONE)
    today = clock.now().astimezone(zone).date()
    start = today - dt.timedelta(days=days + 7)
    patient = patients.create_patient(clinician, {
        "reference": f"demo-{secrets.token_hex(3)}", "timezone": TIMEZONE, "treatment_start": start,
        "renal_impairment": False, "depression": False, "anxiety": True,
        "prescription": {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible", "effective_from": start}})
    schema = EntryCreateSchema()
    made = 0
    for n in range(days):
        day = today - dt.timedelta(days=days - n)
        for raw in _day_entries(day, n, rng, zone):
            entries.record_entry(patient, raw, schema.load(raw))
            made += 1
        if n % 7 == 6:
            click.echo(f"seeding: {n + 1}/{days} days, {made} entries", err=True)
    code = enrollment.issue_code(patient)["code"]
    patient_token, _ = enrollment.enroll(code, "demo phone")
    db.session.commit()

    base = "http://127.0.0.1:5000/api/v1"
    click.echo(f"""
Demo clinician  {DEMO_EMAIL}
  API token     {token}
  password      {password}   (for the clinic page)
Demo patient    {patient.reference} ({patient.id}), {made} entries over {days} days
  device token  {patient_token}

Try:
  curl -s -H "Authorization: Bearer {token}" {base}/patients
  curl -s -H "Authorization: Bearer {token}" {base}/patients/{patient.id}/summary
  curl -s -H "Authorization: Bearer {patient_token}" {base}/me
""")
    click.echo(json.dumps({"clinician_token": token, "clinician_email": DEMO_EMAIL, "password": password,
                           "patient_id": str(patient.id), "patient_token": patient_token,
                           "database": current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1]}))
