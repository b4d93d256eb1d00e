"""who is handling each flag

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

A flag is assigned to the clinician who acknowledged it, or to the team member it was handed to;
a review that hands it over names whom. Flags acknowledged before are assigned to the clinician
of their last acknowledgement, so the queue's "assigned to me" shows what each was handling.
"""
from alembic import op
import sqlalchemy as sa

from service.db import refuse_to_drop_data


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flags') as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_flags_assignee_id_clinicians'), 'clinicians', ['assignee_id'], ['id'])
        batch_op.create_index(op.f('ix_flags_assignee_id'), ['assignee_id'])
    with op.batch_alter_table('flag_reviews') as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_flag_reviews_assignee_id_clinicians'), 'clinicians', ['assignee_id'],
                                    ['id'])
    op.execute(
        "UPDATE flags SET assignee_id = (SELECT r.clinician_id FROM flag_reviews r WHERE r.flag_id = flags.id "
        "AND r.action = 'acknowledge' ORDER BY r.at DESC, r.id DESC LIMIT 1) WHERE status = 'acknowledged'")


def downgrade():
    refuse_to_drop_data(columns=(('flag_reviews', 'assignee_id'),))
    with op.batch_alter_table('flag_reviews') as batch_op:
        batch_op.drop_constraint(op.f('fk_flag_reviews_assignee_id_clinicians'), type_='foreignkey')
        batch_op.drop_column('assignee_id')
    with op.batch_alter_table('flags') as batch_op:
        batch_op.drop_index(op.f('ix_flags_assignee_id'))
        batch_op.drop_constraint(op.f('fk_flags_assignee_id_clinicians'), type_='foreignkey')
        batch_op.drop_column('assignee_id')
