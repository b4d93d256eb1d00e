"""The review queue: listing, showing and reviewing flags for the calling clinician."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from . import auth, flags, patients
from .extensions import db
from .models import Flag, Occurrence, Patient
from .pagination import page


def _shape(flag: Flag, reference: str, made_of: dict) -> dict:
    # team_id is for the clinic's pages; the API's FlagSchema leaves it out.
    shaped = {c: getattr(flag, c) for c in ("id", "patient_id", "team_id", "assignee_id", "rule", "rule_version",
                                            "severity", "status", "title", "guidance", "evidence", "source",
                                            "occurrences", "first_seen_at", "last_seen_at", "reviews")}
    shaped["patient_reference"] = reference
    shaped["entry_ids"] = made_of["entry_ids"]
    shaped["response_ids"] = made_of["response_ids"]
    return shaped


def _made_of(flag_ids: list) -> dict:
    """The entries and questionnaire responses each flag's occurrences came from, in order."""
    found: dict = {fid: {"entry_ids": [], "response_ids": []} for fid in flag_ids}
    if flag_ids:
        for flag_id, entry_id, response_id in db.session.execute(
                sa.select(Occurrence.flag_id, Occurrence.entry_id, Occurrence.response_id)
                .where(Occurrence.flag_id.in_(flag_ids)).order_by(Occurrence.recorded_at, Occurrence.id)):
            if entry_id is not None:
                found[flag_id]["entry_ids"].append(entry_id)
            else:
                found[flag_id]["response_ids"].append(response_id)
    return found


def list_flags(args: dict) -> tuple[list[dict], str | None]:
    """One page of the caller's flags in the queue's order: by severity (urgent first, then the
    longest waiting), or with `sort="patient"` by patient reference first. `reference` keeps the
    flags of patients whose reference contains it; `team_id` those of one of the caller's teams;
    `assignee` those handled by `me`, by nobody (`none`) or by a clinician's id."""
    query = auth.flags_of_caller().where(Flag.status == args["status"]).options(selectinload(Flag.reviews))
    if args.get("severity"):
        query = query.where(Flag.severity == args["severity"])
    if args.get("patient_id"):
        query = query.where(Flag.patient_id == args["patient_id"])
    if args.get("reference"):
        query = query.where(patients.reference_contains(Patient.reference, args["reference"]))
    if args.get("team_id"):
        query = query.where(Flag.team_id == args["team_id"])
    assignee = args.get("assignee")
    if assignee == "none":
        query = query.where(Flag.assignee_id.is_(None))
    elif assignee is not None:
        query = query.where(Flag.assignee_id == (auth.current_clinician().id if assignee == "me" else assignee))
    if args.get("sort") == "patient":
        kind, keys = "flags-by-patient", [Patient.reference, Flag.severity_rank, Flag.first_seen_at, Flag.id]

        def key_of(row):
            return row[1], row[0].severity_rank, row[0].first_seen_at, row[0].id
    else:
        kind, keys = "flags", [Flag.severity_rank, Flag.first_seen_at, Flag.id]

        def key_of(row):
            return row[0].severity_rank, row[0].first_seen_at, row[0].id
    rows, cursor = page(kind, query, keys, descending=False, limit=args["limit"], cursor=args["cursor"],
                        key_of=key_of, rows=True)
    ids = _made_of([flag.id for flag, _ in rows])
    for flag, _ in rows:
        auth.audit(flag.patient_id)
    return [_shape(flag, reference, ids[flag.id]) for flag, reference in rows], cursor


def timezones(patient_ids: list) -> dict:
    """Each patient's time zone, for showing a list's times in its own patients' local time."""
    if not patient_ids:
        return {}
    return dict(db.session.execute(sa.select(Patient.id, Patient.timezone).where(Patient.id.in_(set(patient_ids)))).all())


def flag_detail(flag: Flag, reference: str) -> dict:
    occurrences = flags.occurrences_of(flag)
    shaped = _shape(flag, reference, _made_of([flag.id])[flag.id])
    shaped["entries"] = [entry for _, entry in occurrences]
    shaped["occurrence_evidence"] = [occurrence for occurrence, _ in occurrences]
    return shaped


def review_flag(found: tuple[Flag, str], data: dict, clinician) -> dict:
    flag, reference = found
    flag = flags.review(flag, data["action"], data.get("note"), clinician.id, data.get("reason"),
                        data.get("clinician_id"))
    return _shape(flag, reference, _made_of([flag.id])[flag.id])
