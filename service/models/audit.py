from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .clinician import Clinician
from .entry import BigId


class AuditRecord(db.Model):
    """A clinician read or changed a patient's record."""

    __tablename__ = "audit_records"
    __table_args__ = (sa.Index("ix_audit_records_patient", "patient_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    clinician_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinicians.id"))
    # No foreign key: the trail outlives what it describes.
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    action: Mapped[str] = mapped_column(sa.String(16))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(300))
    clinician_name: Mapped[str] = column_property(
        sa.select(Clinician.name).where(Clinician.id == clinician_id).scalar_subquery())
