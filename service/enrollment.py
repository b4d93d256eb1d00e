"""Enrollment codes and the devices they enrol."""
from __future__ import annotations

import datetime as dt
import secrets
import uuid

import sqlalchemy as sa

from . import auth, clock
from .errors import NotFound, Unauthorized
from .extensions import db
from .models import Device, EnrollmentCode, Patient

CODE_LIFETIME = dt.timedelta(hours=72)
# No 0/O or 1/I/L: the code is read aloud and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31**12 ≈ 2**59 codes: unguessable at any rate limit


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_code(patient: Patient) -> dict:
    """Make a one-time code for the patient; older unused codes stop working."""
    now = clock.now()
    db.session.execute(
        sa.update(EnrollmentCode)
        .where(EnrollmentCode.patient_id == patient.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now))
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))
    record = EnrollmentCode(patient_id=patient.id, code_hash=auth.digest(normalize(code)),
                            created_at=now, expires_at=now + CODE_LIFETIME)
    db.session.add(record)
    db.session.flush()
    return {"code": code, "expires_at": record.expires_at}


def enroll(code: str, device_name: str | None) -> tuple[str, Patient]:
    """Trade a code for a device token, once."""
    now = clock.now()
    hashed = auth.digest(normalize(code))
    # The conditional UPDATE makes a code work once even when two phones race for it.
    claimed = db.session.execute(
        sa.update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == hashed, EnrollmentCode.used_at.is_(None),
               EnrollmentCode.expires_at > now)
        .values(used_at=now)
        .returning(EnrollmentCode.patient_id)).first()
    if claimed is None:
        raise Unauthorized("The enrollment code is unknown, used or expired. Ask your clinic for a new one.",
                           headers={})
    token, hashed_token = auth.new_token(auth.PATIENT_PREFIX)
    db.session.add(Device(patient_id=claimed.patient_id, device_name=device_name, token_hash=hashed_token,
                          enrolled_at=now, last_seen_at=now))
    db.session.flush()
    return token, db.session.get(Patient, claimed.patient_id)


def list_devices(patient: Patient) -> list[Device]:
    return list(db.session.scalars(
        sa.select(Device).where(Device.patient_id == patient.id, Device.revoked_at.is_(None))
        .order_by(Device.enrolled_at, Device.id)))


def revoke_device(patient: Patient, device_id: uuid.UUID) -> None:
    device = db.session.scalars(
        sa.select(Device).where(Device.id == device_id, Device.patient_id == patient.id,
                                Device.revoked_at.is_(None))).first()
    if device is None:
        raise NotFound("No such device.")
    device.revoked_at = clock.now()
    db.session.flush()
