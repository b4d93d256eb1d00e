"""Reading the audit trail (writing it is auth's job, once per request)."""
from __future__ import annotations

import sqlalchemy as sa

from .models import AuditRecord, Patient
from .pagination import page


def trail(patient: Patient, limit: int, cursor: str | None):
    query = sa.select(AuditRecord).where(AuditRecord.patient_id == patient.id)
    return page("audit", query, [AuditRecord.id], descending=True, limit=limit, cursor=cursor,
                key_of=lambda r: (r.id,))
