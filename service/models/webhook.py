from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow


class WebhookEvent(db.Model):
    """An urgent flag to push, written in the flag's own transaction (a transactional outbox)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.UniqueConstraint("flag_id", "type", name="uq_webhook_events_flag_type"),  # each kind once per flag
        sa.Index("ix_webhook_events_due", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(sa.String(32))
    flag_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flags.id", ondelete="CASCADE"))
    # Whose receiver takes it: the clinic's own, looked up when it is sent; none, the default one.
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinics.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)  # the exact JSON sent, so every retry signs the same bytes
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    give_up_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 24 h of retries, renewed by `retry`
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
