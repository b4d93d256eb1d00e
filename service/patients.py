"""Operations on patients and their prescriptions: they flush, the request commits."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from . import auth, clock
from .errors import Conflict, Invalid
from .extensions import db
from .measures import responses
from .models import OPEN_STATUSES, Dose, Entry, Flag, Patient, Prescription, QuestionnaireResponse
from .pagination import page
from .rules.model import in_effect

CONTEXT_FIELDS = ("reference", "timezone", "treatment_start", "renal_impairment", "depression", "anxiety", "sex",
                  "standard_drink_g", "expected_every_days")


def local_today(patient: Patient) -> dt.date:
    return clock.now().astimezone(ZoneInfo(patient.timezone)).date()


def current_prescription(patient: Patient) -> Prescription | None:
    """Return the prescription in effect on the patient's today (latest recorded wins a tie)."""
    today = local_today(patient)
    return in_effect(patient.prescriptions, today)


def _flush_unique(what: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(what) from None


def _team_for_new_patient(clinician, team_id) -> uuid.UUID:
    """The care team a new patient joins: the one named, which must be the caller's, or the
    caller's only team."""
    mine = db.session.scalars(auth.teams_of(clinician.id)).all()
    if team_id is not None:
        return _one_of(mine, team_id)
    if len(mine) == 1:
        return mine[0]
    raise Invalid({"team_id": ["You are in several care teams: say which one takes the patient." if mine
                               else "You are in no care team yet: an admin of your clinic adds you to one."]})


def _one_of(teams: list, team_id: uuid.UUID) -> uuid.UUID:
    if team_id not in teams:
        raise Invalid({"team_id": ["Not one of your care teams."]})
    return team_id


TAKEN = "Your clinic already has a patient with this reference."


def _refuse_taken(clinic_id: uuid.UUID, reference: str) -> None:
    """A clear 409 before the insert; the unique constraint still decides a race."""
    taken = db.session.scalar(sa.select(sa.func.count()).select_from(Patient).where(
        Patient.clinic_id == clinic_id, Patient.reference == reference))
    if taken:
        raise Conflict(TAKEN)


def create_patient(clinician, data: dict) -> Patient:
    rx = data.pop("prescription", None)
    data["team_id"] = _team_for_new_patient(clinician, data.pop("team_id", None))
    _refuse_taken(clinician.clinic_id, data["reference"])
    patient = Patient(id=uuid.uuid4(), clinician_id=clinician.id, clinic_id=clinician.clinic_id, **data)
    db.session.add(patient)
    _flush_unique(TAKEN)
    auth.audit(patient.id)
    if rx:
        rx.setdefault("effective_from", patient.treatment_start)
        add_prescription(patient, rx, clinician)
    return patient


def update_patient(patient: Patient, data: dict, clinician) -> Patient:
    rx = data.pop("prescription", None)
    team_id = data.pop("team_id", None)
    if team_id is not None and team_id != patient.team_id:
        # Another team of the caller's: the caller keeps seeing the patient, and it never leaves the clinic.
        patient.team_id = _one_of(db.session.scalars(auth.teams_of(clinician.id)).all(), team_id)
        db.session.execute(sa.update(Flag).where(Flag.patient_id == patient.id).values(team_id=team_id)
                           .execution_options(synchronize_session=False))
    if "reference" in data and data["reference"] != patient.reference:
        _refuse_taken(patient.clinic_id, data["reference"])
    moved = "timezone" in data and data["timezone"] != patient.timezone
    resexed = "sex" in data and data["sex"] != patient.sex
    for name in CONTEXT_FIELDS:
        if name in data:
            setattr(patient, name, data[name])
    _flush_unique(TAKEN)
    if moved:
        _days_in_new_zone(patient)
    if resexed:
        responses.band_again(patient)
    if rx:
        add_prescription(patient, rx, clinician)
    return patient


def _days_in_new_zone(patient: Patient) -> None:
    """Put each stored entry, dose and questionnaire response on its local day in the patient's new
    time zone, so that daily totals, the summary, what is due and the rules follow the zone (a wrong
    zone set at enrolment, say)."""
    zone = ZoneInfo(patient.timezone)
    for model, moment in ((Entry, Entry.recorded_at), (Dose, Dose.taken_at),
                          (QuestionnaireResponse, QuestionnaireResponse.answered_at)):
        rows = db.session.execute(sa.select(model.id, moment, model.local_date).where(model.patient_id == patient.id))
        changed = [{"id": id_, "local_date": day} for id_, at, old in rows
                   if (day := at.astimezone(zone).date()) != old]
        if changed:
            db.session.execute(sa.update(model), changed)


def add_prescription(patient: Patient, data: dict, clinician) -> Prescription:
    # The route of POST .../prescriptions says so too; a prescription in a patient's body comes here.
    auth.require_clinic_role("prescriber", clinician=clinician)
    data.setdefault("effective_from", local_today(patient))
    rx = Prescription(patient_id=patient.id, created_by=clinician.id,
                      created_at=clock.now(), **data)
    patient.prescriptions.append(rx)
    db.session.flush()
    return rx


def reference_contains(column: sa.ColumnElement, words: str) -> sa.ColumnElement:
    """A patient reference containing `words`, whatever their case."""
    return sa.func.lower(column).contains(words.strip().lower(), autoescape=True)


def list_patients(limit: int, cursor: str | None, reference: str | None = None) -> tuple[list[Patient], str | None]:
    query = auth.patients_of_caller().options(selectinload(Patient.prescriptions))
    if reference:
        query = query.where(reference_contains(Patient.reference, reference))
    return page("patients", query, [Patient.created_at, Patient.id], descending=False,
                limit=limit, cursor=cursor, key_of=lambda p: (p.created_at, p.id))


def open_flag_counts(patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Return each patient's open flags by severity (zero until flags exist)."""
    counts = {pid: {"urgent": 0, "high": 0, "moderate": 0} for pid in patient_ids}
    rows = db.session.execute(
        sa.select(Flag.patient_id, Flag.severity, sa.func.count())
        .where(Flag.patient_id.in_(patient_ids), Flag.status.in_(OPEN_STATUSES))
        .group_by(Flag.patient_id, Flag.severity))
    for pid, severity, n in rows:
        counts[pid][severity] = n
    return counts


def profile(patient: Patient) -> dict:
    """Shape a patient for the patient's own app: no clinical context, no flag counts."""
    return {"id": patient.id, "reference": patient.reference, "timezone": patient.timezone,
            "treatment_start": patient.treatment_start, "prescription": current_prescription(patient)}


def with_context(patient: Patient, counts: dict | None = None) -> dict:
    """Shape a patient for an answer: its fields, current prescription and open flags."""
    shaped = {name: getattr(patient, name) for name in ("id", "team_id", "created_at") + CONTEXT_FIELDS}
    shaped["prescription"] = current_prescription(patient)
    shaped["prescriptions"] = list(patient.prescriptions)
    shaped["open_flags"] = (counts or open_flag_counts([patient.id]))[patient.id]
    return shaped
