"""clinics and care teams

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A clinic has clinicians, each with a role, and care teams; a patient belongs to one team, and the
members of that team work the patient. Every existing clinician gets a clinic and a team of their
own, named after them, as prescriber, and their patients go to that team: nobody sees a patient
they could not see before.
"""
import uuid

from alembic import op
import sqlalchemy as sa

from service.db import refuse_to_drop_data
from service.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clinics',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinics')),
    )
    op.create_table(
        'care_teams',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('clinic_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_care_teams_clinic_id_clinics')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_teams')),
        sa.UniqueConstraint('clinic_id', 'name', name='uq_care_teams_clinic_name'),
    )
    op.create_index(op.f('ix_care_teams_clinic_id'), 'care_teams', ['clinic_id'])
    op.create_table(
        'team_members',
        sa.Column('clinician_id', sa.Uuid(), nullable=False),
        sa.Column('team_id', sa.Uuid(), nullable=False),
        sa.Column('added_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_team_members_clinician_id_clinicians'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['care_teams.id'], name=op.f('fk_team_members_team_id_care_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('clinician_id', 'team_id', name=op.f('pk_team_members')),
    )
    op.create_index(op.f('ix_team_members_team_id'), 'team_members', ['team_id'])
    with op.batch_alter_table('clinicians') as batch_op:
        batch_op.add_column(sa.Column('clinic_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='prescriber'))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('patients') as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Uuid(), nullable=True))

    # Each clinician: a clinic and a team of their own, holding the patients they created.
    conn = op.get_bind()
    clinicians = sa.table('clinicians', sa.column('id', sa.Uuid()), sa.column('name', sa.String()),
                          sa.column('created_at', UTCDateTime()), sa.column('clinic_id', sa.Uuid()))
    clinics = sa.table('clinics', sa.column('id', sa.Uuid()), sa.column('name', sa.String()),
                       sa.column('created_at', UTCDateTime()))
    teams = sa.table('care_teams', sa.column('id', sa.Uuid()), sa.column('clinic_id', sa.Uuid()),
                     sa.column('name', sa.String()), sa.column('created_at', UTCDateTime()))
    members = sa.table('team_members', sa.column('clinician_id', sa.Uuid()), sa.column('team_id', sa.Uuid()),
                       sa.column('added_at', UTCDateTime()))
    patients = sa.table('patients', sa.column('clinician_id', sa.Uuid()), sa.column('team_id', sa.Uuid()))
    for clinician_id, name, created_at in conn.execute(sa.select(clinicians.c.id, clinicians.c.name,
                                                                 clinicians.c.created_at)).all():
        clinic_id, team_id = uuid.uuid4(), uuid.uuid4()
        conn.execute(clinics.insert().values(id=clinic_id, name=name, created_at=created_at))
        conn.execute(teams.insert().values(id=team_id, clinic_id=clinic_id, name=name, created_at=created_at))
        conn.execute(members.insert().values(clinician_id=clinician_id, team_id=team_id, added_at=created_at))
        conn.execute(clinicians.update().where(clinicians.c.id == clinician_id).values(clinic_id=clinic_id))
        conn.execute(patients.update().where(patients.c.clinician_id == clinician_id).values(team_id=team_id))

    with op.batch_alter_table('clinicians') as batch_op:
        batch_op.alter_column('clinic_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_clinicians_clinic_id_clinics'), 'clinics', ['clinic_id'], ['id'])
        batch_op.create_index(op.f('ix_clinicians_clinic_id'), ['clinic_id'])
        batch_op.create_check_constraint(op.f('ck_clinicians_role'), "role IN ('admin', 'prescriber', 'nurse')")
    with op.batch_alter_table('patients') as batch_op:
        batch_op.alter_column('team_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_patients_team_id_care_teams'), 'care_teams', ['team_id'], ['id'])
        batch_op.create_index(op.f('ix_patients_team_id'), ['team_id'])


def _as_the_upgrade_left_them(bind) -> bool:
    """Whether the clinics and teams say nothing the clinicians' patients do not: one clinic and
    one team per clinician, each clinician alone in their team as prescriber, each patient in the
    team of the clinician who created them."""
    count = lambda sql: bind.execute(sa.text(sql)).scalar()  # noqa: E731
    clinicians = count("SELECT count(*) FROM clinicians")
    return (
        count("SELECT count(*) FROM clinics") == clinicians == count("SELECT count(*) FROM care_teams")
        == count("SELECT count(*) FROM team_members")
        and count("SELECT count(DISTINCT clinician_id) FROM team_members") == clinicians
        and count("SELECT count(*) FROM clinicians WHERE role <> 'prescriber' OR NOT active") == 0
        and count("SELECT count(*) FROM patients p LEFT JOIN team_members m ON m.clinician_id = p.clinician_id "
                  "AND m.team_id = p.team_id WHERE m.team_id IS NULL") == 0
    )


def downgrade():
    # Going back gives every patient to the clinician who created them, as before. That loses
    # nothing while the teams are those the upgrade made; after that, who else works a patient,
    # roles and deactivations would be lost.
    if not _as_the_upgrade_left_them(op.get_bind()):
        refuse_to_drop_data(tables=('clinics', 'care_teams', 'team_members'))
    with op.batch_alter_table('patients') as batch_op:
        batch_op.drop_index(op.f('ix_patients_team_id'))
        batch_op.drop_constraint(op.f('fk_patients_team_id_care_teams'), type_='foreignkey')
        batch_op.drop_column('team_id')
    with op.batch_alter_table('clinicians') as batch_op:
        batch_op.drop_constraint(op.f('ck_clinicians_role'), type_='check')
        batch_op.drop_index(op.f('ix_clinicians_clinic_id'))
        batch_op.drop_constraint(op.f('fk_clinicians_clinic_id_clinics'), type_='foreignkey')
        batch_op.drop_column('active')
        batch_op.drop_column('role')
        batch_op.drop_column('clinic_id')
    op.drop_index(op.f('ix_team_members_team_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_care_teams_clinic_id'), table_name='care_teams')
    op.drop_table('care_teams')
    op.drop_table('clinics')
