"""Operations on clinicians and their API tokens: they flush, the caller commits."""
from __future__ import annotations

from . import auth, clock
from .extensions import db
from .models import Clinician, ClinicianToken


def issue_token(clinician: Clinician) -> str:
    """Store a new API token's hash for the clinician; return the token, shown once."""
    token, hashed = auth.new_token(auth.CLINICIAN_PREFIX)
    db.session.add(ClinicianToken(clinician_id=clinician.id, token_hash=hashed, created_at=clock.now()))
    return token


def create_clinician(email: str, name: str) -> tuple[Clinician, str]:
    """Make a clinician with a first API token."""
    clinician = Clinician(email=email.strip().lower(), name=name.strip(), created_at=clock.now())
    db.session.add(clinician)
    db.session.flush()
    return clinician, issue_token(clinician)
