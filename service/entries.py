"""Storing what patients log: once, exactly as received, judged as of when it was written."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from schemas.entry import EntryCreateSchema

from . import clock, sweep
from .db import is_unique_violation
from .errors import Conflict, load_each
from .extensions import db
from .models import Dose, Entry, Patient
from .pagination import page

CONFLICT = "This client_id was already used for an entry with another body."


def body_hash(raw: dict) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing(patient: Patient, client_id: uuid.UUID) -> Entry | None:
    return db.session.scalars(
        sa.select(Entry).where(Entry.patient_id == patient.id, Entry.client_id == client_id)).first()


def _replay(existing: Entry, hashed: str) -> tuple[Entry, str]:
    if existing.body_hash != hashed:
        raise Conflict(CONFLICT)
    return existing, "duplicate"


def _rows(patient: Patient, raw: dict, data: dict, hashed: str) -> tuple[dict, list[dict]]:
    """Return a parsed entry's row and its doses' rows, local days computed in the patient's zone."""
    zone = ZoneInfo(patient.timezone)
    row = {"id": uuid.uuid4(), "patient_id": patient.id, "client_id": data["client_id"], "body": raw,
           "body_hash": hashed, "recorded_at": data["recorded_at"],
           "local_date": data["recorded_at"].astimezone(zone).date(), "received_at": clock.now(),
           "craving": data.get("craving"), "alcohol_drinks": data.get("alcohol_drinks"),
           "symptoms": data.get("symptoms"), "substances": data.get("substances"), "note": data.get("note")}
    doses = [{"entry_id": row["id"], "patient_id": patient.id, "amount_mg": d["amount_mg"], "taken_at": d["taken_at"],
              "local_date": d["taken_at"].astimezone(zone).date()} for d in data.get("doses") or []]
    return row, doses


def _as_model(row: dict, doses: list[dict]) -> Entry:
    entry = Entry(**row)
    entry.doses = [Dose(**dose) for dose in doses]
    return entry


def record_entry(patient: Patient, raw: dict, data: dict, *, alone: bool = False) -> tuple[Entry, str]:
    """Store a parsed entry once per client_id and judge it; return it and `created` or `duplicate`.

    Raises Conflict when the client_id was used with another body. `alone` says the entry is the
    request's only write, so a clash can roll the whole transaction back instead of a savepoint.
    """
    hashed = body_hash(raw)
    row, doses = _rows(patient, raw, data, hashed)
    entry = _as_model(row, doses)
    # Insert first: a new entry is the common case, and the unique index settles every race.
    try:
        if alone:
            db.session.add(entry)
            db.session.flush()
        else:
            with db.session.begin_nested():
                db.session.add(entry)
                db.session.flush()
    except sa.exc.IntegrityError as error:
        if alone:
            db.session.rollback()
        existing = _existing(patient, data["client_id"]) if is_unique_violation(error) else None
        if existing is None:
            raise
        return _replay(existing, hashed)
    from .flags import judge_entry, plain_entry

    judge_entry(patient, entry, plain_entry(row, doses))
    sweep.logged_again(patient)
    return entry, "created"


def record_batch(patient: Patient, items: list) -> list[dict]:
    """Store each item on its own, judged in order of recorded_at; answer in the order given."""
    parsed, results = load_each(EntryCreateSchema(), items)
    valid = sorted(((data["recorded_at"], index, raw, data) for index, raw, data in parsed),
                   key=lambda item: (item[0], item[1]))
    try:
        with db.session.begin_nested():
            _store_together(patient, valid, results)
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        # Another request stored one of these client_ids meanwhile: take the items one by one.
        for _, index, raw, data in valid:
            results[index] = _one_of_batch(patient, raw, data)
    return results


def _one_of_batch(patient: Patient, raw: dict, data: dict) -> dict:
    try:
        entry, status = record_entry(patient, raw, data)
    except Conflict as error:
        return {"client_id": str(data["client_id"]), "status": "conflict", "errors": {"client_id": [error.detail]}}
    return {"client_id": str(data["client_id"]), "status": status, "entry": entry}


def _store_together(patient: Patient, valid: list, results: list) -> None:
    """Insert a batch's new entries at once and judge them in order, as one by one would have.

    New entries never become ORM objects: their rows go in with two bulk statements, and the
    answer is made from the same rows.
    """
    from .flags import Written, judge_in_order, plain_entry, stored_days

    client_ids = [data["client_id"] for _, _, _, data in valid]
    known = {e.client_id: e for e in db.session.scalars(
        sa.select(Entry).where(Entry.patient_id == patient.id, Entry.client_id.in_(client_ids)))}
    rows, dose_rows, written, answers = [], [], [], []
    for _, index, raw, data in valid:
        hashed = body_hash(raw)
        client_id = str(data["client_id"])
        prior = known.get(data["client_id"])
        if prior is not None:
            results[index] = ({"client_id": client_id, "status": "duplicate", "entry": prior}
                              if prior.body_hash == hashed else
                              {"client_id": client_id, "status": "conflict", "errors": {"client_id": [CONFLICT]}})
            continue
        row, doses = _rows(patient, raw, data, hashed)
        answer = SimpleNamespace(**row, doses=doses, flags=[])
        known[data["client_id"]] = answer
        rows.append(row)
        dose_rows.extend(doses)
        written.append(Written(row["id"], row["received_at"], plain_entry(row, doses)))
        answers.append(answer)
        results[index] = {"client_id": client_id, "status": "created", "entry": answer}
    if rows:
        days = stored_days(patient, written)  # before the new entries are in
        db.session.execute(sa.insert(Entry.__table__), rows)
        if dose_rows:
            db.session.execute(sa.insert(Dose.__table__), dose_rows)
        for answer, found in zip(answers, judge_in_order(patient, written, days), strict=True):
            answer.flags = found
        sweep.logged_again(patient)


def list_entries(patient: Patient, limit: int, cursor: str | None,
                 start=None, end=None) -> tuple[list[Entry], str | None]:
    """Return the patient's entries, newest first, between two local days or times."""
    query = sa.select(Entry).where(Entry.patient_id == patient.id)
    if isinstance(start, dt.datetime):
        query = query.where(Entry.recorded_at >= start)
    elif isinstance(start, dt.date):
        query = query.where(Entry.local_date >= start)
    if isinstance(end, dt.datetime):
        query = query.where(Entry.recorded_at <= end)
    elif isinstance(end, dt.date):
        query = query.where(Entry.local_date <= end)
    return page("entries", query, [Entry.recorded_at, Entry.id], descending=True, limit=limit,
                cursor=cursor, key_of=lambda e: (e.recorded_at, e.id))
