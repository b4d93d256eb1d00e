"""Judging stored entries and questionnaire responses again with the current rules, in the order
they were written.

Each patient's entries are read once, in bulk, and their local days added up in a day book, so
re-evaluation costs the rules' own time per entry rather than a round of queries. An entry is
judged with what the service had received when it first came in, as live judging did.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from . import clock, flags, rules
from .daybook import DayBook
from .extensions import db
from .models import Dose, Entry, Flag, Occurrence, Patient, QuestionnaireResponse
from .rules import questionnaires as questionnaire_rules

COMMIT_EVERY = 2000


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _stored_entries(patient: Patient) -> list[flags.Written]:
    """Read a patient's entries and doses in two queries, oldest recorded first."""
    doses = defaultdict(list)
    for dose in db.session.execute(
            sa.select(Dose.entry_id, Dose.amount_mg, Dose.taken_at, Dose.local_date)
            .where(Dose.patient_id == patient.id).order_by(Dose.taken_at)).mappings():
        doses[dose["entry_id"]].append(dose)
    rows = db.session.execute(
        sa.select(Entry.id, Entry.received_at, Entry.recorded_at, Entry.local_date, Entry.craving,
                  Entry.alcohol_drinks, Entry.symptoms, Entry.substances, Entry.note)
        .where(Entry.patient_id == patient.id).order_by(Entry.recorded_at, Entry.id)).mappings()
    return [flags.Written(row["id"], row["received_at"], flags.plain_entry(row, doses.get(row["id"], ())))
            for row in rows]


def reevaluate(patient_id: uuid.UUID | None = None,
               progress: Callable[[int, int], None] = lambda done, total: None) -> dict:
    """Re-judge every stored entry and questionnaire response (of one patient, or all); commit as
    it goes. Each counts once per rule, so a second run adds nothing.
    """
    query = sa.select(Patient).order_by(Patient.id)
    if patient_id is not None:
        query = query.where(Patient.id == patient_id)
    patients = list(db.session.scalars(query))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(
        Entry.patient_id.in_([p.id for p in patients]))) if patients else 0
    flags_before, occurrences_before = _count(Flag), _count(Occurrence)
    # An urgent sign is pushed only while it is news: from an entry that came in within the
    # escalation window. Older ones (after a restore, or under a new rule) go to the queue only.
    fresh_since = clock.now() - dt.timedelta(minutes=int(current_app.config["BACLOWATCH_ESCALATE_AFTER_MINUTES"]))
    done = answered = 0
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
                            patient, item, match, open_flags.get(match.rule), pending, bulk=True,
                            push=item.received_at >= fresh_since)
                done += 1
                if done % COMMIT_EVERY == 0:
                    db.session.flush()
                    flags.insert_pending(pending)
                    db.session.commit()
                    open_flags = flags.open_flags(patient.id, [rule.code for rule in rules.RULES])
                    progress(done, total)
        answered += _responses_again(patient, context, open_flags, pending, fresh_since)
        db.session.flush()
        flags.insert_pending(pending)
        db.session.commit()
    progress(done, total)
    return {"patients": len(patients), "entries": done, "responses": answered,
            "new_flags": _count(Flag) - flags_before, "new_occurrences": _count(Occurrence) - occurrences_before}


def _responses_again(patient: Patient, context: rules.PatientContext, open_flags: dict, pending: list,
                     fresh_since: dt.datetime) -> int:
    """Judge the patient's responses again, oldest answered first; return how many there were."""
    counted = {tuple(row) for row in db.session.execute(
        sa.select(Occurrence.response_id, Occurrence.rule)
        .join(QuestionnaireResponse, QuestionnaireResponse.id == Occurrence.response_id)
        .where(QuestionnaireResponse.patient_id == patient.id))}
    stored = db.session.scalars(sa.select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient.id)
                                .order_by(QuestionnaireResponse.answered_at, QuestionnaireResponse.id)).all()
    with db.session.no_autoflush:
        for response in stored:
            for match in questionnaire_rules.judge_response(flags.plain_response(response), context):
                if (response.id, match.rule) not in counted:
                    open_flags[match.rule] = flags.raise_flag(
                        patient, response, match, open_flags.get(match.rule), pending, bulk=True,
                        push=response.received_at >= fresh_since)
    return len(stored)
