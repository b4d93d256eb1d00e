"""The clinic's own records: sessions and failed sign-ins, kept in the database so every worker sees them."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.base import UTCDateTime


class ClinicSession(db.Model):
    """A signed-in browser: its cookie carries the secret, the database only its hash.

    Ending a session deletes its row, so a copy of the cookie is worth nothing afterwards.
    """

    __tablename__ = "clinic_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    clinician_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinicians.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignInCount(db.Model):
    """The failed sign-ins of one email (kept as a hash: unknown emails are typed here too).

    One row per email, so one statement can count a try and read the count at once.
    """

    __tablename__ = "clinic_sign_in_counts"

    email_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the first failure counted
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
