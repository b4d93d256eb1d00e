"""The only place that knows who is calling and what they may touch."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, request
from sqlalchemy.orm import contains_eager

from .errors import Forbidden, NotFound, Unauthorized
from .extensions import db
from .models import AuditRecord, Clinician, ClinicianToken, Device, Flag, Patient, Prescription, TeamMember
from .models.base import utcnow

CLINICIAN_PREFIX = "bwc_"
PATIENT_PREFIX = "bwp_"
# last_seen_at is a hint for the clinician, not a log: write it at most this often.
SEEN_RESOLUTION = dt.timedelta(minutes=5)


def digest(secret: str) -> str:
    """Hash a token or code for storage; they carry enough entropy for SHA-256 alone."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(prefix: str) -> tuple[str, str]:
    """Return a fresh token and the hash to store."""
    token = prefix + secrets.token_urlsafe(32)
    return token, digest(token)


@dataclass
class Caller:
    role: str
    clinician: Clinician | None = None
    device: Device | None = None
    patient: Patient | None = None
    audited: list = field(default_factory=list)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def rate_key() -> str:
    """Count requests per token where there is one, else per client address."""
    token = _bearer()
    if token:
        return "token:" + digest(token)[:32]  # never the token itself in the counters' store
    return address_key()


def address_key() -> str:
    """Count requests per client address, whatever they carry (enrollment needs no token)."""
    return "address:" + (request.remote_addr or "unknown")


def _identify(token: str) -> Caller | None:
    hashed = digest(token)
    if token.startswith(CLINICIAN_PREFIX):
        row = db.session.execute(
            sa.select(ClinicianToken, Clinician)
            .join(Clinician, Clinician.id == ClinicianToken.clinician_id)
            .where(ClinicianToken.token_hash == hashed, ClinicianToken.revoked_at.is_(None),
                   Clinician.active.is_(True))
        ).first()
        if row and hmac.compare_digest(row[0].token_hash, hashed):
            return Caller("clinician", clinician=row[1])
    elif token.startswith(PATIENT_PREFIX):
        # The prescriptions come along: judging an entry needs them, and it saves a round trip.
        # The patient's row is locked for the request (FOR NO KEY UPDATE on PostgreSQL; SQLite
        # takes its write lock at BEGIN): a phone's requests, and a change of the patient's time
        # zone, then take their turns, so two entries never wait on each other's flags and no
        # entry is stored on a day of the zone being replaced.
        row = db.session.execute(
            sa.select(Device, Patient)
            .join(Patient, Patient.id == Device.patient_id)
            .options(contains_eager(Patient.prescriptions))
            .outerjoin(Prescription, Prescription.patient_id == Patient.id)
            .where(Device.token_hash == hashed, Device.revoked_at.is_(None))
            .order_by(Prescription.created_at)
            .with_for_update(of=Patient, key_share=True)
        ).unique().first()
        if row and hmac.compare_digest(row[0].token_hash, hashed):
            device, patient = row
            now = utcnow()
            if device.last_seen_at is None or now - device.last_seen_at > SEEN_RESOLUTION:
                device.last_seen_at = now
            return Caller("patient", device=device, patient=patient)
    return None


def require_role(role: str) -> None:
    """Authenticate the request and refuse it unless the caller has the role."""
    token = _bearer()
    if token is None:
        raise Unauthorized()
    caller = _identify(token)
    if caller is None:
        raise Unauthorized("The token is not valid, or has been revoked.")
    if role != "authenticated" and caller.role != role:
        raise Forbidden(f"This path is for {role} tokens.")
    g.caller = caller


def require_clinic_role(*roles: str, clinician: Clinician | None = None) -> None:
    """Refuse a clinician (by default the caller) whose role in their clinic is none of `roles`."""
    role = (clinician or g.caller.clinician).role
    if role not in roles:
        raise Forbidden(f"Only a clinician with the role {' or '.join(roles)} may do this; yours is {role}.")


def current_clinician() -> Clinician:
    return g.caller.clinician


def current_patient() -> Patient:
    return g.caller.patient


def audit(patient_id: uuid.UUID) -> None:
    """Note that the calling clinician touched this patient's record."""
    who = g.get("caller")
    if who is not None and who.role == "clinician" and patient_id not in who.audited:
        who.audited.append(patient_id)


def teams_of(clinician_id: uuid.UUID):
    """The select of the ids of a clinician's care teams."""
    return sa.select(TeamMember.team_id).where(TeamMember.clinician_id == clinician_id)


def teams_of_caller():
    return teams_of(g.caller.clinician.id)


def patients_of_caller():
    """The select of the patients of the calling clinician's care teams: every patient query starts here."""
    return sa.select(Patient).where(Patient.team_id.in_(teams_of_caller()))


def load_patient(patient_id: uuid.UUID, *, for_update: bool = False) -> Patient:
    """Return the caller's patient, or 404 whether it does not exist or is someone else's."""
    query = patients_of_caller().where(Patient.id == patient_id)
    if for_update:
        query = query.with_for_update()
    patient = db.session.scalars(query).first()
    if patient is None:
        raise NotFound("No such patient.")
    audit(patient.id)
    return patient


def flags_of_caller():
    """The select of flags of the patients of the calling clinician's teams, with each patient's reference."""
    return (sa.select(Flag, Patient.reference).join(Patient, Patient.id == Flag.patient_id)
            .where(Flag.team_id.in_(teams_of_caller())))


def load_flag(flag_id: uuid.UUID) -> tuple[Flag, str]:
    """Return the caller's flag and its patient's reference, or 404."""
    row = db.session.execute(flags_of_caller().where(Flag.id == flag_id)).first()
    if row is None:
        raise NotFound("No such flag.")
    audit(row[0].patient_id)
    return row[0], row[1]


ACTIONS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def audit_trail(succeeded: bool) -> list[AuditRecord]:
    """Return one audit record per patient the clinician touched in this request.

    A request that failed changed nothing, but it reached the record (and the clinic's page
    shows it again beside its error), so it is a read.
    """
    who = g.get("caller")
    if who is None or who.role != "clinician" or not who.audited:
        return []
    action = ACTIONS.get(request.method, request.method.lower()) if succeeded else "read"
    now = utcnow()
    return [AuditRecord(at=now, clinician_id=who.clinician.id, patient_id=pid, action=action,
                        method=request.method, path=request.path[:300])
            for pid in who.audited]
