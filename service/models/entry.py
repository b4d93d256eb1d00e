from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")  # SQLite autoincrements only INTEGER


class Entry(db.Model):
    """One thing a patient logged, kept as received and as parsed."""

    __tablename__ = "entries"
    __table_args__ = (
        sa.UniqueConstraint("patient_id", "client_id", name="uq_entries_patient_client"),
        sa.Index("ix_entries_patient_recorded", "patient_id", "recorded_at", "id"),
        sa.Index("ix_entries_patient_local_date", "patient_id", "local_date"),
        sa.Index("ix_entries_patient_received", "patient_id", "received_at"),  # the silent-patient sweep
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    body: Mapped[dict] = mapped_column(sa.JSON)  # exactly as the device sent it
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(sa.Date)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    craving: Mapped[int | None] = mapped_column(sa.SmallInteger)
    alcohol_drinks: Mapped[float | None] = mapped_column(sa.Float)
    # SQL NULL, not JSON null, when absent: judging looks only at entries that have substances.
    symptoms: Mapped[list | None] = mapped_column(sa.JSON(none_as_null=True))
    substances: Mapped[list | None] = mapped_column(sa.JSON(none_as_null=True))
    note: Mapped[str | None] = mapped_column(sa.Text)

    doses: Mapped[list[Dose]] = relationship(order_by="Dose.taken_at", cascade="all, delete-orphan",
                                             lazy="selectin", back_populates="entry")


class Dose(db.Model):
    """A baclofen dose; it belongs to the local day of its taken_at."""

    __tablename__ = "doses"
    __table_args__ = (sa.Index("ix_doses_patient_local_date", "patient_id", "local_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("patients.id", ondelete="CASCADE"))
    amount_mg: Mapped[float] = mapped_column(sa.Float)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(sa.Date)

    entry: Mapped[Entry] = relationship(back_populates="doses")
