"""Flags: what the rules found, kept for the clinician's review, without floods."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import defer

from . import clock, feedback, rules, webhooks
from .rules import questionnaires as questionnaire_rules
from .daybook import DayBook
from .db import is_unique_violation
from .errors import Conflict, Invalid
from .extensions import db
from .models import (OPEN_STATUSES, Clinician, Dose, Entry, Flag, Occurrence, Patient, QuestionnaireResponse, Review,
                     TeamMember)

QUEUE_RANK = {"urgent": 1, "high": 2, "moderate": 3}
CLOSING = {"resolve": "resolved", "dismiss": "dismissed"}
SILENT_PATIENT = "silent_patient"  # raised by the sweep (sweep.py), never by an entry


# ------------------------------------------------------------------ judging


@dataclass(frozen=True)
class Written:
    """A stored entry as judging reads it: its id, when it came in, and the values the rules read."""

    id: uuid.UUID
    received_at: dt.datetime
    plain: rules.Entry

    @property
    def recorded_at(self) -> dt.datetime:
        return self.plain.recorded_at


class Recorded(Protocol):
    """What a flag keeps of an entry or a questionnaire response: which one it was and when the
    patient lived it (recorded, or answered)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def recorded_at(self) -> dt.datetime: ...


def plain_entry(row: Mapping, doses: Iterable[Mapping]) -> rules.Entry:
    """Turn an entry's columns and its doses' columns into the plain value the rules read."""
    return rules.Entry(
        recorded_at=row["recorded_at"], local_date=row["local_date"], craving=row["craving"],
        doses=tuple(rules.Dose(d["amount_mg"], d["taken_at"], d["local_date"]) for d in doses),
        alcohol_drinks=row["alcohol_drinks"],
        symptoms=tuple(rules.Symptom(s["code"], s["severity"]) for s in row["symptoms"] or ()),
        substances=tuple(rules.Substance(s["name"], s["prescribed"]) for s in row["substances"] or ()),
        note=row["note"])


def patient_context(patient: Patient) -> rules.PatientContext:
    return rules.PatientContext(
        treatment_start=patient.treatment_start, timezone=patient.timezone,
        renal_impairment=patient.renal_impairment, depression=patient.depression, anxiety=patient.anxiety,
        sex=patient.sex, prescriptions=tuple(rules.Prescription(rx.daily_dose_mg, rx.max_daily_mg, rx.approach, rx.effective_from)
                            for rx in patient.prescriptions))


def _history_statement() -> sa.CompoundSelect:
    """One round trip for the history: daily dose sums, daily drinks and craving, substances."""
    pid, first, last, leave_out = (sa.bindparam("patient_id", type_=sa.Uuid), sa.bindparam("first", type_=sa.Date),
                                   sa.bindparam("last", type_=sa.Date), sa.bindparam("leave_out", type_=sa.Uuid))
    mine = (Entry.patient_id == pid, Entry.local_date.between(first, last), Entry.id != leave_out)
    no_number, no_list = sa.cast(sa.null(), sa.Float), sa.cast(sa.null(), Entry.substances.type)
    return sa.union_all(
        sa.select(Dose.local_date.label("day"), sa.literal("doses").label("kind"),
                  sa.func.sum(Dose.amount_mg).label("amount"), no_number.label("craving"), no_list.label("names"))
        .where(Dose.patient_id == pid, Dose.local_date.between(first, last), Dose.entry_id != leave_out)
        .group_by(Dose.local_date),
        sa.select(Entry.local_date, sa.literal("entries"), sa.func.sum(Entry.alcohol_drinks),
                  sa.cast(sa.func.max(Entry.craving), sa.Float), no_list)
        .where(*mine).group_by(Entry.local_date),
        sa.select(Entry.local_date, sa.literal("substances"), no_number, no_number, Entry.substances)
        .where(*mine, Entry.substances.is_not(None)),
    )


_HISTORY = _history_statement()  # built once: composing it per entry cost a quarter of the history's time


def history(patient_id: uuid.UUID, first: dt.date, last: dt.date, leave_out: uuid.UUID) -> dict:
    """Return the patient's other entries as local-day aggregates, in one query whatever the history."""
    days: dict[dt.date, dict] = defaultdict(lambda: {"baclofen_mg": 0.0, "drinks": 0.0, "max_craving": None,
                                                     "sedatives": frozenset()})
    rows = db.session.execute(_HISTORY, {"patient_id": patient_id, "first": first, "last": last,
                                         "leave_out": leave_out})
    for day, kind, amount, craving, names in rows:
        if kind == "doses":
            days[day]["baclofen_mg"] = float(amount)
        elif kind == "entries":
            days[day]["drinks"] = float(amount or 0)
            days[day]["max_craving"] = None if craving is None else int(craving)
        else:
            days[day]["sedatives"] = days[day]["sedatives"] | {s["name"] for s in names or ()}
    return {day: rules.Day(**values) for day, values in days.items()}


def judge_entry(patient: Patient, entry: Entry, plain: rules.Entry) -> list[Flag]:
    """Judge a newly stored entry (`plain`: its values) against every rule; raise a flag per match."""
    first, last = rules.window(plain)
    matches = rules.judge(plain, patient_context(patient), history(patient.id, first, last, entry.id))
    found = open_flags(patient.id, [match.rule for match in matches]) if matches else {}
    pending: list[dict] = []
    entry.flags = [raise_flag(patient, entry, match, found.get(match.rule), pending) for match in matches]
    db.session.flush()  # the flags' changes, then their occurrences in one plain insert
    insert_pending(pending)
    return entry.flags


def plain_response(response: QuestionnaireResponse) -> rules.Response:
    return rules.Response(response.instrument, response.answered_at, response.local_date, tuple(response.answers),
                          response.score)


def judge_response(patient: Patient, response: QuestionnaireResponse, *, push: bool = True) -> list[Flag]:
    """Judge a stored questionnaire response; raise a flag per match, deduplicated like an entry's."""
    matches = questionnaire_rules.judge_response(plain_response(response), patient_context(patient))
    found = open_flags(patient.id, [match.rule for match in matches]) if matches else {}
    pending: list[dict] = []
    response.flags = [raise_flag(patient, response, match, found.get(match.rule), pending, push=push)
                      for match in matches]
    db.session.flush()
    insert_pending(pending)
    return response.flags


def stored_days(patient: Patient, entries: list[Written]) -> dict:
    """Read the stored days that judging these not yet stored entries needs, in one query."""
    windows = [rules.window(entry.plain) for entry in entries]
    return history(patient.id, min(w[0] for w in windows), max(w[1] for w in windows), uuid.uuid4())


def judge_in_order(patient: Patient, entries: list[Written], days: dict) -> list[list[Flag]]:
    """Judge stored entries in turn against `days` and the entries before each, as one by one
    would; return the flags of each."""
    book = DayBook(days)
    context = patient_context(patient)
    found = open_flags(patient.id, [rule.code for rule in rules.RULES])
    pending: list[dict] = []
    raised = []
    with db.session.no_autoflush:
        for entry in entries:
            mine = []
            for match in rules.judge(entry.plain, context, book.history(entry.id, entry.received_at, entry.plain)):
                found[match.rule] = raise_flag(patient, entry, match, found.get(match.rule), pending, bulk=True)
                mine.append(found[match.rule])
            raised.append(mine)
            book.add(entry.id, entry.received_at, entry.plain)
    db.session.flush()
    insert_pending(pending)
    return raised


# Built once, like the history: composing it per entry cost more than running it. Judging never
# shows a flag's evidence or source, so they are read only if something asks for them.
_OPEN_FLAGS = (sa.select(Flag)
               .where(Flag.patient_id == sa.bindparam("patient_id", type_=sa.Uuid),
                      Flag.rule.in_(sa.bindparam("rules", expanding=True)), Flag.status.in_(OPEN_STATUSES))
               .order_by(Flag.rule)  # rows are locked in this order: always the same one
               .options(defer(Flag.evidence), defer(Flag.source)).with_for_update())


def open_flags(patient_id: uuid.UUID, rule_codes: list[str]) -> dict[str, Flag]:
    """Return the patient's open flags of these rules, locked for this transaction, in one query."""
    found = db.session.scalars(_OPEN_FLAGS, {"patient_id": patient_id, "rules": list(rule_codes)})
    return {flag.rule: flag for flag in found}


def raise_flag(patient: Patient, entry: Recorded, match: rules.Match, open_flag: Flag | None,
               pending: list, *, bulk: bool = False, push: bool = True) -> Flag:
    """Add the match to the rule's open flag (`open_flag`, from `open_flags`), or open one.

    Occurrences added to open flags are collected in `pending` for one insert after the flags are
    flushed (`insert_pending`). With `bulk`, a new flag is written without a savepoint of its own,
    its occurrence pending too: a clash with another request fails the caller's whole unit instead.
    Without `push` (an entry judged again long after it came in), an urgent match is for the
    queue only: no push, no escalation.
    """
    flag = open_flag
    if flag is None and bulk:
        flag = _make_flag(patient, entry, match, push)
        db.session.add(flag)
        pending.append(_occurrence_row(flag, entry, match))
        return flag
    if flag is None:
        flag = _new_flag(patient, entry, match, push)
        if flag is not None:
            return flag
        # Another request opened it between our look and our insert.
        flag = open_flags(patient.id, [match.rule])[match.rule]
    _add_occurrence(patient, flag, entry, match, pending, push)
    return flag


def _make_flag(patient: Patient, entry: Recorded, match: rules.Match, push: bool) -> Flag:
    """Make a flag for a first match, with its push when it is urgent (the caller stores it)."""
    rule = rules.RULES_BY_CODE[match.rule]
    now = clock.now()
    pushed = push and match.severity == "urgent"
    flag = Flag(id=uuid.uuid4(), patient_id=patient.id, team_id=patient.team_id, rule=rule.code,
                rule_version=rule.version, severity=match.severity, severity_rank=QUEUE_RANK[match.severity], status="open",
                title=rule.title, guidance=rule.guidance, evidence=match.evidence, source=dict(rule.source),
                occurrences=1, first_seen_at=entry.recorded_at, last_seen_at=entry.recorded_at,
                created_at=now, urgent_at=now if pushed else None)
    if pushed:
        webhooks.record(flag, patient, "flag.urgent")
    return flag


def _new_flag(patient: Patient, entry: Recorded, match: rules.Match, push: bool) -> Flag | None:
    """Store a flag for a first match in a savepoint; None when another request just made it."""
    try:
        with db.session.begin_nested():
            flag = _make_flag(patient, entry, match, push)
            db.session.add(flag)
            db.session.add(_occurrence(flag, entry, match))
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return None
    return flag


def _occurrence_row(flag: Flag, entry: Recorded, match: rules.Match) -> dict:
    made_of = "response_id" if isinstance(entry, QuestionnaireResponse) else "entry_id"
    return {"flag_id": flag.id, made_of: entry.id, "rule": match.rule, "severity": match.severity,
            "evidence": match.evidence, "recorded_at": entry.recorded_at, "matched_at": clock.now()}


def _occurrence(flag: Flag, entry: Recorded, match: rules.Match) -> Occurrence:
    return Occurrence(**_occurrence_row(flag, entry, match))


def insert_pending(pending: list) -> None:
    """Insert collected occurrences in one statement (their flags are already stored)."""
    if pending:
        db.session.execute(sa.insert(Occurrence.__table__), pending)
        pending.clear()


def _add_occurrence(patient: Patient, flag: Flag, entry: Recorded, match: rules.Match, pending: list,
                    push: bool) -> None:
    pending.append(_occurrence_row(flag, entry, match))
    flag.occurrences += 1
    flag.first_seen_at = min(flag.first_seen_at, entry.recorded_at)
    flag.last_seen_at = max(flag.last_seen_at, entry.recorded_at)
    # Severity only ever rises; the evidence shown is that of the strongest match.
    if QUEUE_RANK[match.severity] < flag.severity_rank:
        flag.severity, flag.severity_rank, flag.evidence = match.severity, QUEUE_RANK[match.severity], match.evidence
    # An urgent flag is pushed once: when it opens or rises to urgent, or, when re-judging old
    # entries made it urgent without a push (urgent_at unset), at its first fresh urgent match.
    if match.severity == "urgent" and push and flag.urgent_at is None:
        flag.urgent_at = clock.now()
        webhooks.record(flag, patient, "flag.urgent")


# ------------------------------------------------------------------ reading


def flags_of_entries(entry_ids: list[uuid.UUID], made_of=Occurrence.entry_id) -> dict[uuid.UUID, list[Flag]]:
    """Return the flags each entry (or, by `made_of`, each response) contributed to, in one query."""
    if not entry_ids:
        return {}
    found: dict[uuid.UUID, list[Flag]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(made_of, Flag).join(Flag, Flag.id == Occurrence.flag_id)
        .where(made_of.in_(entry_ids)).order_by(Flag.severity_rank, Flag.rule))
    for entry_id, flag in rows:
        found[entry_id].append(flag)
    return found


def with_flags(entries: list, made_of=Occurrence.entry_id) -> list:
    """Attach to each entry (or response) the flags it contributed to."""
    found = flags_of_entries([e.id for e in entries], made_of)
    for entry in entries:
        entry.flags = found.get(entry.id, [])
    return entries


def responses_with_flags(responses: list[QuestionnaireResponse]) -> list[QuestionnaireResponse]:
    return with_flags(responses, Occurrence.response_id)


@dataclass(frozen=True)
class DayFlag:
    """A flag as it stood on one local day: `severity` is the strongest of its matches that day,
    not the flag's current severity (which only ever rises)."""

    id: uuid.UUID
    rule: str
    rule_version: int
    severity: str
    status: str
    title: str
    guidance: str


def flags_by_day(patient: Patient, first: dt.date, last: dt.date) -> dict[dt.date, list[DayFlag]]:
    """Return the flags with an occurrence on each local day of the range, most severe that day first."""
    strongest: dict[dt.date, dict[uuid.UUID, tuple[int, str, Flag]]] = defaultdict(dict)
    rows = db.session.execute(
        sa.select(Entry.local_date, Occurrence.severity, Flag)
        .join(Occurrence, Occurrence.entry_id == Entry.id).join(Flag, Flag.id == Occurrence.flag_id)
        .where(Entry.patient_id == patient.id, Entry.local_date.between(first, last))
        .options(defer(Flag.evidence), defer(Flag.source)))
    for day, severity, flag in rows:
        rank = QUEUE_RANK[severity]
        seen = strongest[day].get(flag.id)
        if seen is None or rank < seen[0]:  # several entries of a day may share a flag
            strongest[day][flag.id] = (rank, severity, flag)
    return {day: [DayFlag(flag.id, flag.rule, flag.rule_version, severity, flag.status, flag.title, flag.guidance)
                  for _, severity, flag in sorted(found.values(), key=lambda item: (item[0], item[2].rule))]
            for day, found in strongest.items()}


def occurrences_of(flag: Flag, made_of=Entry) -> list[tuple]:
    """The flag's occurrences with the entries (or, made_of=QuestionnaireResponse, the responses) they came from."""
    column = Occurrence.response_id if made_of is QuestionnaireResponse else Occurrence.entry_id
    return list(db.session.execute(
        sa.select(Occurrence, made_of).join(made_of, made_of.id == column)
        .where(Occurrence.flag_id == flag.id).order_by(Occurrence.recorded_at, Occurrence.id)).all())


# ------------------------------------------------------------------ review


def review(flag: Flag, action: str, note: str | None, clinician_id: uuid.UUID, reason: str | None = None,
           assignee_id: uuid.UUID | None = None) -> Flag:
    """Acknowledge, resolve, dismiss or assign a flag; a closed flag cannot be reviewed again (409).

    Acknowledging assigns the flag to whoever acknowledged it; `assign` hands it to `assignee_id`,
    a member of the patient's team, and leaves its status. A dismissal may say why the note did not
    mean what the reader found (`reason`), when the flag stands on signs found in notes alone: that
    is what teaches the note reader.
    """
    if action in CLOSING and not (note or "").strip():
        raise Invalid({"note": [f"A note is required to {action} a flag."]})
    if reason is not None:
        if action != "dismiss":
            raise Invalid({"reason": ["A reason is given only to dismiss a flag."]})
        if not feedback.found_in_note_alone(occurrences_of(flag)):
            raise Invalid({"reason": ["A reason is given only for a flag found in the patient's notes alone; "
                                      "this one stands on more than a note."]})
    values = {"updated_at": clock.now()}
    if action == "assign":
        if assignee_id is None or not _in_team_of(flag.patient_id, assignee_id):
            raise Invalid({"clinician_id": ["Give a member of the patient's care team."]})
        values["assignee_id"] = assignee_id
    else:
        values["status"] = CLOSING.get(action, "acknowledged")
        if action == "acknowledge":
            values["assignee_id"] = clinician_id
        assignee_id = None  # a review names whom it handed the flag to only for `assign`
    # The conditional update decides a race between two clinicians: one wins, the other gets 409.
    changed = db.session.execute(
        sa.update(Flag).where(Flag.id == flag.id, Flag.status.in_(OPEN_STATUSES))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(flag)
        raise Conflict(f"This flag is already {flag.status}; the next match opens a new flag.")
    db.session.add(Review(flag_id=flag.id, action=action, note=note, reason=reason, clinician_id=clinician_id,
                          assignee_id=assignee_id, at=clock.now()))
    if flag.rule == SILENT_PATIENT and action in CLOSING:  # the silence is reviewed: not marked any more
        db.session.execute(sa.update(Patient).where(Patient.id == flag.patient_id).values(silent_since=None)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(flag)
    return flag


def _in_team_of(patient_id: uuid.UUID, clinician_id: uuid.UUID) -> bool:
    """Whether the clinician, still active, is a member of the patient's care team."""
    return bool(db.session.scalar(
        sa.select(sa.func.count()).select_from(TeamMember)
        .join(Patient, Patient.team_id == TeamMember.team_id)
        .join(Clinician, Clinician.id == TeamMember.clinician_id)
        .where(Patient.id == patient_id, TeamMember.clinician_id == clinician_id, Clinician.active.is_(True))))
