from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow


class Patient(db.Model):
    __tablename__ = "patients"
    # A reference names one patient in the whole clinic, whichever team works them.
    __table_args__ = (sa.UniqueConstraint("clinic_id", "reference", name="uq_patients_clinic_reference"),
                      sa.CheckConstraint("sex IN ('female', 'male', 'unspecified')", name="sex"))

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    clinician_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)  # who created it
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("care_teams.id"), index=True)  # who works it
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id"))  # the team's; a move keeps it
    reference: Mapped[str] = mapped_column(sa.String(64))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    treatment_start: Mapped[dt.date] = mapped_column(sa.Date)
    renal_impairment: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    depression: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    anxiety: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Drinking outcomes: heavy days and WHO risk levels depend on sex; grams on the local standard drink.
    sex: Mapped[str] = mapped_column(sa.String(16), default="unspecified", server_default="unspecified")
    standard_drink_g: Mapped[float] = mapped_column(sa.Float, default=10.0, server_default="10")
    # The silent patient: days without an entry before the care team is told (None: never). An
    # explicit None is stored as NULL: without evaluates_none() the ORM leaves a None out of the
    # INSERT and the default 3 takes its place, so a patient created with null was watched anyway.
    expected_every_days: Mapped[int | None] = mapped_column(sa.Integer().evaluates_none(), default=3,
                                                            server_default="3")
    # Set by the sweep when it opens a silent_patient flag, cleared when the patient logs again or
    # the flag is closed: the entry path reads it from the row it already has, at no cost.
    silent_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Loaded when read (judging, the patient's record); lists load them in one extra query.
    prescriptions: Mapped[list[Prescription]] = relationship(
        order_by="Prescription.created_at", cascade="all, delete-orphan")


class Prescription(db.Model):
    """One prescription; a newer one takes over from its effective_from day."""

    __tablename__ = "prescriptions"
    __table_args__ = (sa.CheckConstraint("max_daily_mg >= daily_dose_mg", name="max_at_least_daily"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    daily_dose_mg: Mapped[float] = mapped_column(sa.Float)
    max_daily_mg: Mapped[float] = mapped_column(sa.Float)
    approach: Mapped[str] = mapped_column(sa.String(16))
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinicians.id"))


class EnrollmentCode(db.Model):
    __tablename__ = "enrollment_codes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Device(db.Model):
    """A phone enrolled for a patient; its token is the patient's credential."""

    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    device_name: Mapped[str | None] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
