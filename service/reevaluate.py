"""Judging stored entries again with the current rules, in the order they were written.

Each patient's entries are read once, in bulk, and their local days added up in a day book, so
re-evaluation costs the rules' own time per entry rather than a round of queries. An entry is
judged with what the service had received when it first came in, as live judging did.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from . import flags, rules
from .daybook import DayBook
from .extensions import db
from .models import Dose, Entry, Flag, Occurrence, Patient

COMMIT_EVERY = 2000


@dataclass(frozen=True)
class _Stored:
    id: uuid.UUID
    received_at: dt.datetime
    plain: rules.Entry


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _stored_entries(patient: Patient) -> list[_Stored]:
    """Read a patient's entries and doses in two queries, oldest recorded first."""
    doses = defaultdict(list)
    for entry_id, amount, taken_at, local_date in db.session.execute(
            sa.select(Dose.entry_id, Dose.amount_mg, Dose.taken_at, Dose.local_date)
            .where(Dose.patient_id == patient.id).order_by(Dose.taken_at)):
        doses[entry_id].append(rules.Dose(amount, taken_at, local_date))
    rows = db.session.execute(
        sa.select(Entry.id, Entry.received_at, Entry.recorded_at, Entry.local_date, Entry.craving,
                  Entry.alcohol_drinks, Entry.symptoms, Entry.substances, Entry.note)
        .where(Entry.patient_id == patient.id).order_by(Entry.recorded_at, Entry.id))
    return [_Stored(row.id, row.received_at, rules.Entry(
        recorded_at=row.recorded_at, local_date=row.local_date, craving=row.craving,
        doses=tuple(doses.get(row.id, ())), alcohol_drinks=row.alcohol_drinks,
        symptoms=tuple(rules.Symptom(s["code"], s["severity"]) for s in row.symptoms or ()),
        substances=tuple(rules.Substance(s["name"], s["prescribed"]) for s in row.substances or ()),
        note=row.note)) for row in rows]


def reevaluate(patient_id: uuid.UUID | None = None,
               progress: Callable[[int, int], None] = lambda done, total: None) -> dict:
    """Re-judge every stored entry (of one patient, or all); commit as it goes.

    An entry counts once per rule, so a second run adds nothing.
    """
    query = sa.select(Patient).order_by(Patient.id)
    if patient_id is not None:
        query = query.where(Patient.id == patient_id)
    patients = list(db.session.scalars(query))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(
        Entry.patient_id.in_([p.id for p in patients]))) if patients else 0
    flags_before, occurrences_before = _count(Flag), _count(Occurrence)
    done = 0
    for patient in patients:
        context = flags.patient_context(patient)
        counted = {tuple(row) for row in db.session.execute(
            sa.select(Occurrence.entry_id, Occurrence.rule).join(Entry, Entry.id == Occurrence.entry_id)
            .where(Entry.patient_id == patient.id))}
        stored = _stored_entries(patient)
        book = DayBook()
        for item in stored:
            book.add(item.id, item.received_at, item.plain)
        # The run holds the patient's open flags itself: one read, and occurrences written in bulk.
        open_flags = flags.open_flags(patient.id, [rule.code for rule in rules.RULES])
        pending: list[dict] = []
        with db.session.no_autoflush:
            for item in stored:
                for match in rules.judge(item.plain, context, book.history(item.id, item.received_at, item.plain)):
                    if (item.id, match.rule) not in counted:
                        open_flags[match.rule] = flags.raise_flag(
                            patient, _EntryRef(item.id, item.plain.recorded_at), match, open_flags.get(match.rule),
                            pending)
                done += 1
                if done % COMMIT_EVERY == 0:
                    db.session.flush()
                    flags.insert_pending(pending)
                    db.session.commit()
                    open_flags = flags.open_flags(patient.id, [rule.code for rule in rules.RULES])
                    progress(done, total)
        db.session.flush()
        flags.insert_pending(pending)
        db.session.commit()
    progress(done, total)
    return {"patients": len(patients), "entries": done, "new_flags": _count(Flag) - flags_before,
            "new_occurrences": _count(Occurrence) - occurrences_before}


@dataclass(frozen=True)
class _EntryRef:
    """What a flag needs of an entry: its id and when it was recorded."""

    id: uuid.UUID
    recorded_at: dt.datetime
