"""A patient's days at a glance: one row per local day."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .extensions import db
from .flags import flags_by_day
from .models import Dose, Entry, Patient
from .patients import local_today


def daily_summary(patient: Patient, days: int) -> list[dict]:
    """Return `days` rows ending with the patient's today, oldest first."""
    last = local_today(patient)
    first = last - dt.timedelta(days=days - 1)
    rows = {first + dt.timedelta(days=n): {"date": first + dt.timedelta(days=n), "baclofen_mg": 0.0,
                                           "max_craving": None, "drinks": 0.0, "symptoms": {}, "flags": []}
            for n in range(days)}
    doses = db.session.execute(
        sa.select(Dose.local_date, sa.func.sum(Dose.amount_mg))
        .where(Dose.patient_id == patient.id, Dose.local_date.between(first, last))
        .group_by(Dose.local_date))
    for day, total in doses:
        rows[day]["baclofen_mg"] = float(total)
    entries = db.session.execute(
        sa.select(Entry.local_date, Entry.craving, Entry.alcohol_drinks, Entry.symptoms)
        .where(Entry.patient_id == patient.id, Entry.local_date.between(first, last)))
    for day, craving, drinks, symptoms in entries:
        row = rows[day]
        if craving is not None and (row["max_craving"] is None or craving > row["max_craving"]):
            row["max_craving"] = craving
        row["drinks"] += drinks or 0.0
        for symptom in symptoms or []:
            row["symptoms"][symptom["code"]] = max(symptom["severity"], row["symptoms"].get(symptom["code"], 0))
    for day, flags in flags_by_day(patient, first, last).items():
        rows[day]["flags"] = flags
    for row in rows.values():
        row["symptoms"] = [{"code": c, "severity": s} for c, s in sorted(row["symptoms"].items())]
    return list(rows.values())
