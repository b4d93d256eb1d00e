"""Who is signed in to the clinic page: passwords, lock-out, and sessions that end at once."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import uuid

import sqlalchemy as sa
from flask import session
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..auth import digest
from ..extensions import db
from ..models import Clinician
from ..models.base import UTCDateTime
from .models import ClinicSession, SignInCount

LOCK_AFTER = 5  # failed sign-ins for one email ...
LOCK_WINDOW = dt.timedelta(minutes=15)  # ... within this long ...
LOCK_FOR = dt.timedelta(minutes=15)  # ... refuse further tries for this long
FORGET_FAILURES_AFTER = dt.timedelta(days=1)
SESSION_LIFETIME = dt.timedelta(hours=12)
SESSION_KEY = "session"  # the cookie's field that holds the session's secret
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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


def _count_try(email_key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Count this try as a failure before its password is checked; return the count and any lock's end.

    The statement reads and writes the email's row at once (and PostgreSQL keeps the row locked
    until the request ends), so tries sent together cannot all read the same count and all get
    through: the sixth of any number sees a count of six. A try that succeeds forgets them all.
    """
    row = SignInCount
    start_over = sa.or_(
        sa.and_(row.locked_until.is_not(None), row.locked_until <= now),  # a lock has passed
        sa.and_(row.locked_until.is_(None), row.since < now - LOCK_WINDOW),  # the failures are old
    )
    upsert = _UPSERTS[db.session.get_bind().dialect.name]
    statement = (
        upsert(row).values(email_key=email_key, failures=1, since=now, locked_until=None)
        .on_conflict_do_update(index_elements=[row.email_key], set_={
            "failures": sa.case((start_over, 1), else_=row.failures + 1),
            "since": sa.case((start_over, sa.literal(now, UTCDateTime())), else_=row.since),
            "locked_until": sa.case(
                (start_over, sa.null()),
                (sa.and_(row.locked_until.is_(None), row.failures + 1 >= LOCK_AFTER),
                 sa.literal(now + LOCK_FOR, UTCDateTime())),
                else_=row.locked_until),
        })
        .returning(row.failures, row.locked_until))
    failures, locked_until = db.session.execute(statement).one()
    return failures, locked_until


def authenticate(email: str, password: str) -> Clinician | None:
    """Return the clinician whose email and password these are; raise LockedOut after too many failures.

    The try is counted before its password is checked; the request commits the count with its
    answer, or forgets the email's failures when the password is right.
    """
    now = clock.now()
    key = _email_key(email)
    # Before counting: a request then holds no row of the counts while it prunes others.
    db.session.execute(sa.delete(SignInCount).where(SignInCount.since < now - FORGET_FAILURES_AFTER))
    failures, locked_until = _count_try(key, now)
    if failures > LOCK_AFTER:
        raise LockedOut(locked_until)
    clinician = db.session.scalars(sa.select(Clinician).where(Clinician.email == email.strip().lower(),
                                                             Clinician.active.is_(True))).first()
    if clinician is None or not clinician.password_hash:
        # As slow as a real check, so the answer's timing does not tell which emails exist.
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(clinician.password_hash, password):
        return None
    db.session.execute(sa.delete(SignInCount).where(SignInCount.email_key == key))
    return clinician


# ------------------------------------------------------------------ sessions


def start_session(clinician: Clinician) -> None:
    """Sign the clinician in, in a fresh session (nothing of the one before it is kept)."""
    now = clock.now()
    db.session.execute(sa.delete(ClinicSession).where(ClinicSession.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    db.session.add(ClinicSession(id_hash=digest(secret), clinician_id=clinician.id, created_at=now,
                                 expires_at=now + SESSION_LIFETIME))
    db.session.flush()
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = secret


def end_session() -> None:
    """End this browser's session: its cookie, and the row that any copy of the cookie would need."""
    secret = session.get(SESSION_KEY)
    if isinstance(secret, str):
        db.session.execute(sa.delete(ClinicSession).where(ClinicSession.id_hash == digest(secret)))
    session.clear()


def end_sessions_of(clinician_id: uuid.UUID) -> int:
    """End every session of the clinician (a new password, a revocation); return how many there were."""
    return db.session.execute(sa.delete(ClinicSession).where(ClinicSession.clinician_id == clinician_id)).rowcount


def has_session() -> bool:
    """Whether the browser's cookie names a session, valid or not."""
    return isinstance(session.get(SESSION_KEY), str)


def signed_in_clinician() -> Clinician | None:
    """Return the clinician of this session while it holds: not expired, not ended, still there."""
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str):
        return None
    clinician = db.session.scalars(
        sa.select(Clinician).join(ClinicSession, ClinicSession.clinician_id == Clinician.id)
        .where(ClinicSession.id_hash == digest(secret), ClinicSession.expires_at > clock.now(),
               Clinician.active.is_(True))).first()
    if clinician is None or not clinician.password_hash:
        return None
    return clinician
