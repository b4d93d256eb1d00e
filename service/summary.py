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


def recent_days(patients: list[Patient], days: int) -> dict:
    """Return each patient's last `days` local days (ending with its today) as rows of
    `date`, `max_craving` and `drinks`, oldest first, for all the patients in one query."""
    windows = {p.id: local_today(p) - dt.timedelta(days=days - 1) for p in patients}
    rows = {p.id: {windows[p.id] + dt.timedelta(days=n): {"date": windows[p.id] + dt.timedelta(days=n),
                                                          "max_craving": None, "drinks": 0.0}
                   for n in range(days)} for p in patients}
    if patients:
        found = db.session.execute(
            sa.select(Entry.patient_id, Entry.local_date, sa.func.max(Entry.craving), sa.func.sum(Entry.alcohol_drinks))
            .where(Entry.patient_id.in_(list(rows)), Entry.local_date >= min(windows.values()))
            .group_by(Entry.patient_id, Entry.local_date))
        for patient_id, day, craving, drinks in found:
            row = rows[patient_id].get(day)
            if row is not None:  # another patient's window reaches further back, or a day past today
                row["max_craving"], row["drinks"] = craving, float(drinks or 0)
    return {pid: list(days_of.values()) for pid, days_of in rows.items()}


def last_entries(patient_ids: list) -> dict:
    """Return when each patient's latest entry was recorded (patients without entries are left out)."""
    if not patient_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Entry.patient_id, sa.func.max(Entry.recorded_at))
        .where(Entry.patient_id.in_(patient_ids)).group_by(Entry.patient_id)).all())
