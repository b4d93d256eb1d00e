"""the queue reads a team's flags through its own index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Each flag keeps its patient's care team, and the queue's index starts with the team, so one
team's first page costs the same whatever the other teams hold.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flags') as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Uuid(), nullable=True))
    op.execute("UPDATE flags SET team_id = (SELECT p.team_id FROM patients p WHERE p.id = flags.patient_id)")
    with op.batch_alter_table('flags') as batch_op:
        batch_op.alter_column('team_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_flags_team_id_care_teams'), 'care_teams', ['team_id'], ['id'])
        batch_op.drop_index('ix_flags_queue')
        batch_op.create_index('ix_flags_team_queue', ['team_id', 'status', 'severity_rank', 'first_seen_at', 'id'])


def downgrade():
    # Nothing is lost: the team is the patient's, which stays.
    with op.batch_alter_table('flags') as batch_op:
        batch_op.drop_index('ix_flags_team_queue')
        batch_op.create_index('ix_flags_queue', ['status', 'severity_rank', 'first_seen_at', 'id'])
        batch_op.drop_constraint(op.f('fk_flags_team_id_care_teams'), type_='foreignkey')
        batch_op.drop_column('team_id')
