"""The silent patient: a periodic sweep opens a flag for each patient who stopped logging.

It reads only what it needs: patients who are watched (a phone in use, `expected_every_days`
set) and whose last entry was received before their cutoff, with no silent_patient flag raised
since that entry; each patient's last entry comes from an index (patient, received_at). Flags go
in with ON CONFLICT DO NOTHING on the one-open-flag-per-rule index, so sweeps running at once on
several workers never open two.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import clock, rules
from .extensions import db
from .flags import QUEUE_RANK, SILENT_PATIENT
from .models import OPEN_STATUSES, Device, Entry, Flag, Patient, Review
from .rules.model import Silence
from .rules.silence import URGENT_LOOKBACK, silent_patient

RULE = SILENT_PATIENT
LOGGED_AGAIN = "The patient logged again."
CHUNK = 1000
RAISED_WITH_ENTRY = dt.timedelta(minutes=1)
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _candidates(now: dt.datetime) -> list:
    """(patient id, team id, expected days, last entry received, watched since) of each patient
    silent past their cutoff whose silence has no flag yet."""
    last = (sa.select(sa.func.max(Entry.received_at)).where(Entry.patient_id == Patient.id)
            .correlate(Patient).scalar_subquery())
    since = (sa.select(sa.func.min(Device.enrolled_at)).where(Device.patient_id == Patient.id,
                                                              Device.revoked_at.is_(None))
             .correlate(Patient).scalar_subquery())
    inner = (sa.select(Patient.id, Patient.team_id, Patient.expected_every_days, last.label("last"),
                       since.label("since"))
             .where(Patient.expected_every_days.is_not(None)).subquery())
    silent_from = sa.func.coalesce(inner.c.last, inner.c.since)
    flagged = sa.exists().where(Flag.patient_id == inner.c.id, Flag.rule == RULE, Flag.created_at > silent_from)
    found = []
    # One cutoff per distinct setting: the comparison stays plain on both databases.
    for days in db.session.scalars(sa.select(Patient.expected_every_days).distinct()
                                   .where(Patient.expected_every_days.is_not(None))):
        found += db.session.execute(
            sa.select(inner).where(inner.c.expected_every_days == days, inner.c.since.is_not(None),
                                   silent_from < now - dt.timedelta(days=days), ~flagged)).all()
    return found


def _urgent_before(patient_ids: list, last_of: dict) -> set:
    """Patients with an urgent flag raised in the 7 days before their last entry."""
    found = set()
    for start in range(0, len(patient_ids), CHUNK):
        chunk = [p for p in patient_ids[start:start + CHUNK] if last_of[p] is not None]
        for patient_id, raised in db.session.execute(
                sa.select(Flag.patient_id, Flag.created_at)
                .where(Flag.patient_id.in_(chunk), Flag.severity == "urgent")):
            # Before the last entry: the flag that entry raised is stamped a moment after it arrived.
            if last_of[patient_id] - URGENT_LOOKBACK <= raised <= last_of[patient_id] + RAISED_WITH_ENTRY:
                found.add(patient_id)
    return found


def sweep(now: dt.datetime | None = None) -> dict:
    """Open a silent_patient flag for each patient silent past their cutoff; safe to run often
    and on several workers at once. Commits; returns what it saw and did."""
    now = now or clock.now()
    rule = rules.RULES_BY_CODE[RULE]
    healed = _heal(now)
    candidates = _candidates(now)
    urgent = _urgent_before([c.id for c in candidates], {c.id: c.last for c in candidates})
    rows = []
    # Always in the same order, so sweeps on several workers take the index's locks alike.
    for c in sorted(candidates, key=lambda c: c.id):
        match = silent_patient(Silence(c.expected_every_days, c.last, c.since, c.id in urgent), now)
        if match is None:
            continue
        rows.append({"id": uuid.uuid4(), "patient_id": c.id, "team_id": c.team_id, "rule": RULE,
                     "rule_version": rule.version, "severity": match.severity,
                     "severity_rank": QUEUE_RANK[match.severity], "status": "open", "title": rule.title,
                     "guidance": rule.guidance, "evidence": match.evidence, "source": dict(rule.source),
                     # The silence as the patient lived it: from their last entry (or phone) to now.
                     "occurrences": 1, "first_seen_at": c.last or c.since, "last_seen_at": now, "created_at": now,
                     "updated_at": now})
    opened = 0
    insert = _INSERTS[db.engine.dialect.name]
    for start in range(0, len(rows), CHUNK):
        statement = (insert(Flag.__table__).values(rows[start:start + CHUNK])
                     .on_conflict_do_nothing(index_elements=["patient_id", "rule"],
                                             index_where=Flag.status.in_(OPEN_STATUSES))
                     .returning(Flag.patient_id))
        silent = db.session.scalars(statement).all()  # those another sweep did not open first
        if silent:
            db.session.execute(sa.update(Patient).where(Patient.id.in_(silent)).values(silent_since=now)
                               .execution_options(synchronize_session=False))
        opened += len(silent)
    db.session.commit()
    return {"silent": len(rows), "opened": opened, "resolved": healed}


def _resolve(condition, now: dt.datetime) -> list:
    """Resolve the open silent_patient flags that meet `condition`, each with the service's own
    review (the patient logged again); return their (flag id, patient id)."""
    found = db.session.execute(
        sa.update(Flag).where(Flag.rule == RULE, Flag.status.in_(OPEN_STATUSES), condition)
        .values(status="resolved", updated_at=now).returning(Flag.id, Flag.patient_id)
        .execution_options(synchronize_session=False)).all()
    for flag_id, _ in found:
        db.session.add(Review(flag_id=flag_id, action="resolve", note=LOGGED_AGAIN, clinician_id=None, at=now))
    return found


def _heal(now: dt.datetime) -> int:
    """Resolve open silent_patient flags whose patient logged after the silence began: an entry
    that came in while a sweep was opening the flag did not see it (the entry path reads the mark
    from the patient's row as it was)."""
    # Any entry received after the silence began, however late its request committed.
    found = _resolve(sa.exists().where(Entry.patient_id == Flag.patient_id, Entry.received_at > Flag.first_seen_at),
                     now)
    if found:
        db.session.execute(sa.update(Patient).where(Patient.id.in_([p for _, p in found])).values(silent_since=None)
                           .execution_options(synchronize_session=False))
    return len(found)


def logged_again(patient: Patient) -> None:
    """Resolve the patient's open silent_patient flag with the service's own review: they logged.

    Costs nothing for a patient the sweep has not marked silent (the common case).
    """
    if patient.silent_since is None:
        return
    _resolve(Flag.patient_id == patient.id, clock.now())
    patient.silent_since = None
