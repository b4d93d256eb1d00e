"""patient references in their normal form (NFKC, trimmed, one space inside)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

References are now stored in the form that all their look-alikes share, and uniqueness is
checked on it. Each stored reference is rewritten in that form unless another of the same
clinician's patients already has it (or it would be blank or too long): that one is left as it
was, never renamed to something nobody chose, and named in a warning so the clinician can
change it. A reference that holds invisible characters is left as it was and named too: only
its clinician knows what it should say. The upgrade never fails on data.
"""
import logging
import re
import unicodedata

from alembic import op
import regex
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.migration.0006")
# The rules of schemas/patient.py as of this revision; a migration keeps its own copy.
INVISIBLE = regex.compile(r"[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip())


def upgrade():
    patients = sa.table("patients", sa.column("id", sa.Uuid), sa.column("clinician_id", sa.Uuid),
                        sa.column("reference", sa.String), sa.column("created_at"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(patients.c.id, patients.c.clinician_id, patients.c.reference)
                        .order_by(patients.c.created_at, patients.c.id)).all()
    taken = {(clinician_id, reference) for _, clinician_id, reference in rows}
    for patient_id, clinician_id, reference in rows:
        if INVISIBLE.search(unicodedata.normalize("NFKC", reference).strip()):
            log.warning("patient %s: its reference holds invisible characters; left as it was", patient_id)
            continue
        normal = _normal(reference)
        if normal == reference:
            continue
        if not normal or len(normal) > 64 or (clinician_id, normal) in taken:
            log.warning("patient %s: its reference would be blank, too long or another patient's in normal form;"
                        " left as it was", patient_id)
            continue
        conn.execute(sa.update(patients).where(patients.c.id == patient_id).values(reference=normal))
        taken.discard((clinician_id, reference))
        taken.add((clinician_id, normal))


def downgrade():
    pass  # a normal form is a valid reference for the code before it
