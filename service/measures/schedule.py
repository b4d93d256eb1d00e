"""What each patient is asked, how often, and what is due now in their local time."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import Patient, QuestionnaireResponse, QuestionnaireSchedule
from ..patients import local_today
from .instruments import INSTRUMENTS

# Days between two responses when the clinician has not chosen (SPEC: PACS weekly, PHQ-9 and
# GAD-7 fortnightly, AUDIT-C every four weeks); GAD-7 is asked by default only of a patient known
# to have anxiety.
DEFAULT_EVERY_DAYS = {"pacs": 7, "phq9": 14, "gad7": 14, "auditc": 28}


def _default(patient: Patient, instrument: str) -> int | None:
    if instrument == "gad7" and not patient.anxiety:
        return None
    return DEFAULT_EVERY_DAYS[instrument]


def schedule_of(patient: Patient) -> dict[str, int | None]:
    """Days between responses for each instrument (None: not asked), the clinician's choice first."""
    chosen = dict(db.session.execute(
        sa.select(QuestionnaireSchedule.instrument, QuestionnaireSchedule.every_days)
        .where(QuestionnaireSchedule.patient_id == patient.id)).all())
    return {code: chosen[code] if code in chosen else _default(patient, code) for code in INSTRUMENTS}


def set_schedule(patient: Patient, changes: dict[str, int | None]) -> dict[str, int | None]:
    """Set the instruments named (days, or None to stop asking); the others keep what they had."""
    now = clock.now()
    for code, every_days in changes.items():
        held = db.session.get(QuestionnaireSchedule, (patient.id, code))
        if held is None:
            db.session.add(QuestionnaireSchedule(patient_id=patient.id, instrument=code, every_days=every_days,
                                                 updated_at=now))
        else:
            held.every_days, held.updated_at = every_days, now
    db.session.flush()
    return schedule_of(patient)


def due(patient: Patient, today: dt.date | None = None, asked: dict[str, int | None] | None = None) -> list[dict]:
    """What is due on the patient's local day: each scheduled instrument not answered within its
    interval, with the local day it fell due. A response on any day of the interval satisfies it,
    so nothing is due twice; a patient who never answered is due from the start of treatment.
    `asked`: the patient's schedule, when the caller has read it already."""
    today = today or local_today(patient)
    last = dict(db.session.execute(
        sa.select(QuestionnaireResponse.instrument, sa.func.max(QuestionnaireResponse.local_date))
        .where(QuestionnaireResponse.patient_id == patient.id)
        .group_by(QuestionnaireResponse.instrument)).all())
    found = []
    for code, every_days in (asked or schedule_of(patient)).items():
        if every_days is None:
            continue
        since = patient.treatment_start if code not in last else last[code] + dt.timedelta(days=every_days)
        if since <= today:
            found.append({"instrument": code, "due_since": since})
    return found
