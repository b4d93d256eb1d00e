"""a clinic's own webhook receiver; patient references unique in the clinic

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Each clinic may have its own receiver of urgent flags (its URL and its secret, kept encrypted);
each event remembers whose patient it is about, so it goes to that clinic's receiver.

A reference now names one patient in the whole clinic, not per clinician who created it: two
nurses of a clinic must not enrol the same person twice under one reference. Every clinic that
an upgrade made from one clinician holds exactly that clinician's references, which were already
unique; if a clinic built since holds a reference twice, the upgrade stops and names them, so
that someone who knows the patients renames one (nothing is renamed for them).
"""
from alembic import op
from alembic.util import CommandError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _refuse_duplicate_references() -> None:
    twice = op.get_bind().execute(sa.text(
        "SELECT t.clinic_id, p.reference, COUNT(*) FROM patients p JOIN care_teams t ON t.id = p.team_id "
        "GROUP BY t.clinic_id, p.reference HAVING COUNT(*) > 1 ORDER BY 1, 2")).all()
    if twice:
        named = "; ".join(f"clinic {clinic} has {count} patients with reference {reference!r}"
                          for clinic, reference, count in twice[:20])
        raise CommandError(f"patient references must be unique in a clinic: {named}. Rename all but one of "
                           "each (PATCH /patients/{id} with a new reference), then upgrade again.")


def upgrade():
    with op.batch_alter_table('clinics') as batch_op:
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('webhook_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('webhook_updated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('webhook_events') as batch_op:
        batch_op.add_column(sa.Column('clinic_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_webhook_events_clinic_id_clinics'), 'clinics', ['clinic_id'], ['id'],
                                    ondelete='SET NULL')

    _refuse_duplicate_references()
    with op.batch_alter_table('patients') as batch_op:
        batch_op.add_column(sa.Column('clinic_id', sa.Uuid(), nullable=True))
    op.execute("UPDATE patients SET clinic_id = (SELECT t.clinic_id FROM care_teams t WHERE t.id = patients.team_id)")
    with op.batch_alter_table('patients') as batch_op:
        batch_op.alter_column('clinic_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_patients_clinic_id_clinics'), 'clinics', ['clinic_id'], ['id'])
        batch_op.drop_constraint('uq_patients_clinician_reference', type_='unique')
        batch_op.create_unique_constraint('uq_patients_clinic_reference', ['clinic_id', 'reference'])


def downgrade():
    # Unique per clinic implies unique per creating clinician, so the old constraint always holds.
    # A clinic's receiver is a setting, not a record: it goes, and its events go to the default one.
    with op.batch_alter_table('patients') as batch_op:
        batch_op.drop_constraint('uq_patients_clinic_reference', type_='unique')
        batch_op.create_unique_constraint('uq_patients_clinician_reference', ['clinician_id', 'reference'])
        batch_op.drop_constraint(op.f('fk_patients_clinic_id_clinics'), type_='foreignkey')
        batch_op.drop_column('clinic_id')
    with op.batch_alter_table('webhook_events') as batch_op:
        batch_op.drop_constraint(op.f('fk_webhook_events_clinic_id_clinics'), type_='foreignkey')
        batch_op.drop_column('clinic_id')
    with op.batch_alter_table('clinics') as batch_op:
        batch_op.drop_column('webhook_updated_at')
        batch_op.drop_column('webhook_secret')
        batch_op.drop_column('webhook_url')
