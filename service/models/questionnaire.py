"""Questionnaire responses, kept like entries (as sent and as scored), and their schedules."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow


class QuestionnaireResponse(db.Model):
    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        sa.UniqueConstraint("patient_id", "client_id", name="uq_questionnaire_responses_patient_client"),
        sa.Index("ix_questionnaire_responses_patient_instrument", "patient_id", "instrument", "answered_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    body: Mapped[dict] = mapped_column(sa.JSON)  # exactly as the device sent it
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    instrument: Mapped[str] = mapped_column(sa.String(16))
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(sa.Date)  # the patient-local day of answered_at
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers: Mapped[list] = mapped_column(sa.JSON)
    # Scored when received, by the instrument's published scoring; the band uses the patient's sex then.
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    band: Mapped[str] = mapped_column(sa.String(32))

    @property
    def recorded_at(self) -> dt.datetime:
        """When the patient lived it, as flags count an entry's: when they answered."""
        return self.answered_at


class QuestionnaireSchedule(db.Model):
    """A clinician's choice for one instrument; without a row, the instrument's default applies."""

    __tablename__ = "questionnaire_schedules"

    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    instrument: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    every_days: Mapped[int | None] = mapped_column(sa.Integer)  # None: not asked
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
