"""Who is signed in to the clinic page: passwords, lock-out, and sessions that revocation ends at once."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import uuid

import sqlalchemy as sa
from flask import session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..models import Clinician
from .models import SignInFailure

LOCK_AFTER = 5  # failed sign-ins for one email ...
LOCK_WINDOW = dt.timedelta(minutes=15)  # ... within this long ...
LOCK_FOR = dt.timedelta(minutes=15)  # ... refuse further tries for this long
FORGET_FAILURES_AFTER = dt.timedelta(days=1)
SESSION_LIFETIME = dt.timedelta(hours=12)


class LockedOut(Exception):
    def __init__(self, until: dt.datetime):
        super().__init__(until)
        self.until = until

    def retry_after(self, now: dt.datetime) -> int:
        return max(1, int((self.until - now).total_seconds()) + 1)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def locked_until(email: str, now: dt.datetime) -> dt.datetime | None:
    """Return when the email may try again, if its last failures lock it out now."""
    recent = list(db.session.scalars(
        sa.select(SignInFailure.at).where(SignInFailure.email_key == _email_key(email))
        .order_by(SignInFailure.at.desc()).limit(LOCK_AFTER)))
    if len(recent) < LOCK_AFTER or recent[0] - recent[-1] > LOCK_WINDOW:
        return None
    until = recent[0] + LOCK_FOR
    return until if until > now else None


def _record_failure(email: str, now: dt.datetime) -> None:
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < now - FORGET_FAILURES_AFTER))
    db.session.add(SignInFailure(email_key=_email_key(email), at=now))
    db.session.flush()


def authenticate(email: str, password: str) -> Clinician | None:
    """Return the clinician whose email and password these are; raise LockedOut after too many failures.

    A failure is recorded; the request commits it with its answer.
    """
    now = clock.now()
    until = locked_until(email, now)
    if until is not None:
        raise LockedOut(until)
    clinician = db.session.scalars(sa.select(Clinician).where(Clinician.email == email.strip().lower())).first()
    if clinician is None or not clinician.password_hash:
        # As slow as a real check, so the answer's timing does not tell which emails exist.
        check_password_hash(_dummy_hash(), password)
        clinician = None
    elif not check_password_hash(clinician.password_hash, password):
        clinician = None
    if clinician is None:
        _record_failure(email, now)
        return None
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email_key == _email_key(email)))
    return clinician


def start_session(clinician: Clinician) -> None:
    """Sign the clinician in, in a fresh session (nothing of the one before it is kept)."""
    session.clear()
    session.permanent = True
    session["clinician_id"] = str(clinician.id)
    session["issued_at"] = clock.now().timestamp()


def end_session() -> None:
    session.clear()


def signed_in_clinician() -> Clinician | None:
    """Return the clinician of this session while it holds: not expired, not revoked, still there."""
    issued_at, clinician_id = session.get("issued_at"), session.get("clinician_id")
    if not isinstance(issued_at, (int, float)) or not isinstance(clinician_id, str):
        return None
    now = clock.now().timestamp()
    if not (now - SESSION_LIFETIME.total_seconds() < issued_at <= now + 60):
        return None
    try:
        clinician = db.session.get(Clinician, uuid.UUID(clinician_id))
    except ValueError:
        return None
    if clinician is None or not clinician.password_hash:
        return None
    revoked = clinician.sessions_valid_after
    if revoked is not None and issued_at <= revoked.timestamp():
        return None  # `clinicians revoke` ended every session issued before it
    return clinician
