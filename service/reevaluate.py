"""Judging stored entries again with the current rules, in the order they were written."""
from __future__ import annotations

import uuid
from typing import Callable

import sqlalchemy as sa

from . import flags
from .extensions import db
from .models import Entry, Flag, Occurrence, Patient

CHUNK = 500


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


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
        after = None
        while True:
            chunk = sa.select(Entry).where(Entry.patient_id == patient.id)
            if after is not None:
                chunk = chunk.where(sa.tuple_(Entry.recorded_at, Entry.id) > sa.tuple_(*after))
            entries = list(db.session.scalars(chunk.order_by(Entry.recorded_at, Entry.id).limit(CHUNK)))
            if not entries:
                break
            for entry in entries:
                flags.judge_entry(patient, entry, context, again=True)
            done += len(entries)
            after = (entries[-1].recorded_at, entries[-1].id)
            db.session.commit()
            progress(done, total)
    return {"patients": len(patients), "entries": done, "new_flags": _count(Flag) - flags_before,
            "new_occurrences": _count(Occurrence) - occurrences_before}
