"""questionnaires, drinking outcomes' patient fields and the silent patient

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Patients gain `sex` and `standard_drink_g` (drinking outcomes in grams) and `expected_every_days`
(the silent patient: 3 by default, as for a new patient; the first sweep then flags every enrolled
patient already silent for longer, so a clinic sets it to null for those it no longer follows).
Questionnaire responses are kept like entries (as sent and as scored), with per-patient schedules
that override the defaults. A flag's occurrence now comes from an entry or a response; the
service's own review (a silent patient who logs again) names no clinician. The sweep finds each
patient's last received entry through a new index.
"""
from alembic import op
import sqlalchemy as sa

from service.db import refuse_to_drop_data


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Rules that exist from this revision on (the older code knows nothing of their flags).
NEW_RULES = "('depression_screen', 'anxiety_screen', 'craving_screen', 'silent_patient')"


def upgrade():
    with op.batch_alter_table('patients') as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=16), nullable=False, server_default='unspecified'))
        batch_op.add_column(sa.Column('standard_drink_g', sa.Float(), nullable=False, server_default='10'))
        batch_op.add_column(sa.Column('expected_every_days', sa.Integer(), nullable=True, server_default='3'))
        batch_op.add_column(sa.Column('silent_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint('sex', "sex IN ('female', 'male', 'unspecified')")

    op.create_table(
        'questionnaire_responses',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('patient_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('body_hash', sa.String(length=64), nullable=False),
        sa.Column('instrument', sa.String(length=16), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('score', sa.SmallInteger(), nullable=False),
        sa.Column('band', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'],
                                name=op.f('fk_questionnaire_responses_patient_id_patients'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_responses')),
        sa.UniqueConstraint('patient_id', 'client_id', name='uq_questionnaire_responses_patient_client'),
    )
    op.create_index('ix_questionnaire_responses_patient_instrument', 'questionnaire_responses',
                    ['patient_id', 'instrument', 'answered_at'])
    op.create_table(
        'questionnaire_schedules',
        sa.Column('patient_id', sa.Uuid(), nullable=False),
        sa.Column('instrument', sa.String(length=16), nullable=False),
        sa.Column('every_days', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'],
                                name=op.f('fk_questionnaire_schedules_patient_id_patients'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', 'instrument', name=op.f('pk_questionnaire_schedules')),
    )

    with op.batch_alter_table('flag_occurrences') as batch_op:
        batch_op.alter_column('entry_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column('response_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_flag_occurrences_response_id_questionnaire_responses'),
                                    'questionnaire_responses', ['response_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint('uq_flag_occurrences_response_rule', ['response_id', 'rule'])
        batch_op.create_check_constraint('entry_or_response', '(entry_id IS NULL) <> (response_id IS NULL)')
    with op.batch_alter_table('flag_reviews') as batch_op:
        batch_op.alter_column('clinician_id', existing_type=sa.Uuid(), nullable=True)
    op.create_index('ix_entries_patient_received', 'entries', ['patient_id', 'received_at'])


def downgrade():
    refuse_to_drop_data(tables=('questionnaire_responses', 'questionnaire_schedules'), where=(
        ('patients', "sex <> 'unspecified' OR standard_drink_g <> 10"),
        ('flags', f"rule IN {NEW_RULES}"),
        ('flag_reviews', 'clinician_id IS NULL'),
    ))
    # Forced: what the older revision cannot hold goes.
    op.execute(f"DELETE FROM flags WHERE rule IN {NEW_RULES}")
    op.execute("DELETE FROM flag_reviews WHERE clinician_id IS NULL")
    op.execute("DELETE FROM flag_occurrences WHERE response_id IS NOT NULL")
    op.drop_index('ix_entries_patient_received', table_name='entries')
    with op.batch_alter_table('flag_reviews') as batch_op:
        batch_op.alter_column('clinician_id', existing_type=sa.Uuid(), nullable=False)
    with op.batch_alter_table('flag_occurrences') as batch_op:
        batch_op.drop_constraint('entry_or_response', type_='check')
        batch_op.drop_constraint('uq_flag_occurrences_response_rule', type_='unique')
        batch_op.drop_constraint(op.f('fk_flag_occurrences_response_id_questionnaire_responses'),
                                 type_='foreignkey')
        batch_op.drop_column('response_id')
        batch_op.alter_column('entry_id', existing_type=sa.Uuid(), nullable=False)
    op.drop_table('questionnaire_schedules')
    op.drop_index('ix_questionnaire_responses_patient_instrument', table_name='questionnaire_responses')
    op.drop_table('questionnaire_responses')
    with op.batch_alter_table('patients') as batch_op:
        batch_op.drop_constraint('sex', type_='check')
        batch_op.drop_column('silent_since')
        batch_op.drop_column('expected_every_days')
        batch_op.drop_column('standard_drink_g')
        batch_op.drop_column('sex')
