"""The clinic's own record: failed sign-ins, kept in the database so every worker sees them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.base import UTCDateTime


class SignInFailure(db.Model):
    """One failed sign-in for an email (kept as a hash: unknown emails are typed here too)."""

    __tablename__ = "clinic_sign_in_failures"
    __table_args__ = (sa.Index("ix_clinic_sign_in_failures_email_at", "email_key", "at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    email_key: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
