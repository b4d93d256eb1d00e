"""why a dismissed sign found in a note was not one

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A dismissal of a flag found in a patient's notes alone may say why the note did not mean what
the reader found. Reviews stored before have no reason; nothing is rewritten.
"""
from alembic import op
import sqlalchemy as sa

from service.db import refuse_to_drop_data


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

REASON_CHECK = ("reason IS NULL OR (action = 'dismiss' AND reason IN "
                "('not_about_patient', 'negated', 'not_a_sign', 'other'))")


def upgrade():
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=32), nullable=True))
        batch_op.create_check_constraint(op.f('ck_flag_reviews_reason'), REASON_CHECK)


def downgrade():
    refuse_to_drop_data(columns=(('flag_reviews', 'reason'),))
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_flag_reviews_reason'), type_='check')
        batch_op.drop_column('reason')
