"""clinic sessions kept in the database; one row of failed sign-ins per email

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Sessions were only signed cookies, with a per-clinician time before which they were void: signing
out could not end a copied cookie. Now each session is a row, and ending it deletes the row; the
cookies of before are not sessions any more, so everyone signs in again once.

Failed sign-ins were one row per failure, read and then written: tries sent together all read
the same count. Now one row per email is counted and read in one statement. The failures of the
last day are carried over, and so is a lock-out in progress.
"""
import datetime as dt
from itertools import groupby

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LOCK_AFTER = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)

failures_table = sa.table('clinic_sign_in_failures', sa.column('email_key', sa.String),
                          sa.column('at', sa.DateTime(timezone=True)))
counts_table = sa.table('clinic_sign_in_counts', sa.column('email_key', sa.String),
                        sa.column('failures', sa.Integer), sa.column('since', sa.DateTime(timezone=True)),
                        sa.column('locked_until', sa.DateTime(timezone=True)))


def _read(value):
    """A stored moment as an aware UTC datetime (SQLite keeps them naive, in UTC)."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _write(value):
    return value.replace(tzinfo=None) if op.get_bind().dialect.name == 'sqlite' else value


def _counts_of(times):
    """One email's failure times, oldest first, as its row of counts (the rule of 0004, kept)."""
    last = times[-1]
    if len(times) >= LOCK_AFTER and last - times[-LOCK_AFTER] <= LOCK_WINDOW:
        return {'failures': LOCK_AFTER, 'since': times[-LOCK_AFTER], 'locked_until': last + LOCK_FOR}
    recent = [t for t in times if t >= last - LOCK_WINDOW]
    return {'failures': len(recent), 'since': recent[0], 'locked_until': None}


def upgrade():
    bind = op.get_bind()
    op.create_table('clinic_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('clinician_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinicians.id'], name=op.f('fk_clinic_sessions_clinician_id_clinicians'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_clinic_sessions'))
    )
    with op.batch_alter_table('clinic_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_sessions_clinician_id'), ['clinician_id'], unique=False)

    op.create_table('clinic_sign_in_counts',
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_key', name=op.f('pk_clinic_sign_in_counts'))
    )
    stored = bind.execute(sa.select(failures_table.c.email_key, failures_table.c.at)
                          .order_by(failures_table.c.email_key, failures_table.c.at))
    rows = []
    for email_key, group in groupby(stored, key=lambda row: row.email_key):
        counts = _counts_of([_read(row.at) for row in group])
        rows.append({'email_key': email_key, 'failures': counts['failures'], 'since': _write(counts['since']),
                     'locked_until': _write(counts['locked_until']) if counts['locked_until'] else None})
    if rows:
        op.bulk_insert(counts_table, rows)

    with op.batch_alter_table('clinic_sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_clinic_sign_in_failures_email_at')
    op.drop_table('clinic_sign_in_failures')

    # Not in a batch: on SQLite a batch copies the table, and dropping the old clinicians table
    # would cascade to their tokens. SQLite drops a plain column in place since 3.35.
    op.drop_column('clinicians', 'sessions_valid_after')


def downgrade():
    bind = op.get_bind()
    op.add_column('clinicians', sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=True))

    op.create_table('clinic_sign_in_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_sign_in_failures'))
    )
    with op.batch_alter_table('clinic_sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_clinic_sign_in_failures_email_at', ['email_key', 'at'], unique=False)
    rows = []
    for row in bind.execute(sa.select(counts_table)):
        if row.locked_until is not None:  # five failures at one moment lock until the same time
            rows += [{'email_key': row.email_key, 'at': _write(_read(row.locked_until) - LOCK_FOR)}] * LOCK_AFTER
        else:
            rows += [{'email_key': row.email_key, 'at': row.since}] * row.failures
    if rows:
        op.bulk_insert(failures_table, rows)
    op.drop_table('clinic_sign_in_counts')

    with op.batch_alter_table('clinic_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_sessions_clinician_id'))
    op.drop_table('clinic_sessions')
