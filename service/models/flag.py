from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow
from .clinician import Clinician

OPEN_STATUSES = ("open", "acknowledged")
_STILL_OPEN = sa.text("status IN ('open', 'acknowledged')")


class Flag(db.Model):
    """A warning sign found for a patient, waiting for or past its review."""

    __tablename__ = "flags"
    __table_args__ = (
        # One open-or-acknowledged flag per patient and rule: further matches are occurrences.
        sa.Index("uq_flags_one_open_per_rule", "patient_id", "rule", unique=True,
                 postgresql_where=_STILL_OPEN, sqlite_where=_STILL_OPEN),
        # The queue: a team's flags of one status in the queue's order, read from the team's end.
        sa.Index("ix_flags_team_queue", "team_id", "status", "severity_rank", "first_seen_at", "id"),
        sa.Index("ix_flags_patient_status", "patient_id", "status"),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved', 'dismissed')", name="status"),
        sa.CheckConstraint("severity IN ('urgent', 'high', 'moderate')", name="severity"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    # The patient's care team, kept here so the queue reads one team's flags through its index;
    # moving a patient moves its flags.
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("care_teams.id"))
    rule: Mapped[str] = mapped_column(sa.String(64))
    rule_version: Mapped[int] = mapped_column(sa.Integer)
    severity: Mapped[str] = mapped_column(sa.String(16))
    # 1 urgent, 2 high, 3 moderate: the queue's order, kept beside the word so it is indexable.
    severity_rank: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    # Who is handling it: the clinician who acknowledged it, or whom it was handed to.
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinicians.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    guidance: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[dict] = mapped_column(sa.JSON)
    source: Mapped[dict] = mapped_column(sa.JSON)
    occurrences: Mapped[int] = mapped_column(sa.Integer, default=1)
    # When the patient lived it: the recorded_at of the earliest and latest matching entry.
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Server time it was pushed as urgent (opened as, or rose to, urgent); escalation counts from
    # here, once. Unset on an urgent flag that re-judging old entries raised: it was never pushed.
    urgent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    reviews: Mapped[list[Review]] = relationship(order_by="Review.at", cascade="all, delete-orphan")


class Occurrence(db.Model):
    """An entry or questionnaire response that matched a flag's rule; each counts once per rule, ever."""

    __tablename__ = "flag_occurrences"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "rule", name="uq_flag_occurrences_entry_rule"),
        sa.UniqueConstraint("response_id", "rule", name="uq_flag_occurrences_response_rule"),
        sa.CheckConstraint("(entry_id IS NULL) <> (response_id IS NULL)", name="entry_or_response"),
        sa.Index("ix_flag_occurrences_flag", "flag_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    flag_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flags.id", ondelete="CASCADE"))
    entry_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    response_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("questionnaire_responses.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(sa.String(64))
    severity: Mapped[str] = mapped_column(sa.String(16))
    evidence: Mapped[dict] = mapped_column(sa.JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    matched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(db.Model):
    """A clinician's action on a flag, with their note."""

    __tablename__ = "flag_reviews"
    __table_args__ = (
        sa.CheckConstraint("reason IS NULL OR (action = 'dismiss' AND reason IN "
                           "('not_about_patient', 'negated', 'not_a_sign', 'other'))", name="reason"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    flag_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Why a dismissed sign found in a note was not one (feedback.REASONS); the note reader learns from it.
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    # None: the service's own review (a silent patient who logged again resolves their flag).
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinicians.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # assign: whom the flag was handed to
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinicians.id"))
    clinician_name: Mapped[str] = column_property(
        sa.select(Clinician.name).where(Clinician.id == clinician_id).scalar_subquery())
