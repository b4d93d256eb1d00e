"""Clinics and their care teams: who works which patients."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow

ROLES = ("admin", "prescriber", "nurse")


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The clinic's own receiver of urgent flags; without one, BACLOWATCH_WEBHOOK_URL's. The secret
    # signs each body, so it is kept encrypted (service/sealed.py), not hashed.
    webhook_url: Mapped[str | None] = mapped_column(sa.String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(sa.Text)
    webhook_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CareTeam(db.Model):
    __tablename__ = "care_teams"
    __table_args__ = (sa.UniqueConstraint("clinic_id", "name", name="uq_care_teams_clinic_name"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    clinic_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(db.Model):
    """A clinician's place in a care team. Looked up by clinician on every request (scoping)."""

    __tablename__ = "team_members"

    clinician_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("clinicians.id", ondelete="CASCADE"),
                                                    primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("care_teams.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
