from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow


class Clinician(db.Model):
    __tablename__ = "clinicians"
    __table_args__ = (sa.CheckConstraint("role IN ('admin', 'prescriber', 'nurse')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default="prescriber")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class ClinicianToken(db.Model):
    __tablename__ = "clinician_tokens"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    clinician_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinicians.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
