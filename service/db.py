"""Database helpers that every operation shares."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from .extensions import db


def is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    text = str(error.orig).lower()
    return "unique" in text or "duplicate key" in text


def enable_sqlite_pragmas(app) -> None:
    """Turn on foreign keys and a busy wait on SQLite connections."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            # pysqlite's own transaction handling breaks SAVEPOINT; we emit BEGIN ourselves.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # IMMEDIATE takes the write lock up front: a transaction that read first and wrote
            # later could otherwise fail at once with "database is locked" instead of waiting.
            connection.exec_driver_sql("BEGIN IMMEDIATE")


ALLOW_DATA_LOSS = "BACLOWATCH_ALLOW_DATA_LOSS"


def refuse_to_drop_data(tables: tuple[str, ...] = (), columns: tuple[tuple[str, str], ...] = (),
                        where: tuple[tuple[str, str], ...] = ()) -> None:
    """Stop a migration's downgrade before it drops tables or columns that hold data.

    A downgrade cannot give back what it drops: reviews, flags and their history, entries,
    the outbox. It goes ahead only when told to, with `flask db downgrade -x force=1 REVISION`
    or `BACLOWATCH_ALLOW_DATA_LOSS=1`. On PostgreSQL the refusal rolls the whole downgrade back; on
    SQLite (no transactional DDL) the steps before it stay done, having dropped only empty tables.
    """
    import os

    from alembic import context, op
    from alembic.util import CommandError

    forced = context.get_x_argument(as_dictionary=True).get("force", "").lower() in ("1", "true", "yes")
    if forced or os.environ.get(ALLOW_DATA_LOSS, "").lower() in ("1", "true", "yes"):
        return
    bind = op.get_bind()
    held = []
    for table in tables:
        rows = bind.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar()
        if rows:
            held.append(f"{table} ({rows} rows)")
    for table, column in columns:
        values = bind.execute(sa.select(sa.func.count()).select_from(sa.table(table, sa.column(column)))
                              .where(sa.column(column).is_not(None))).scalar()
        if values:
            held.append(f"{table}.{column} ({values} values)")
    for table, condition in where:  # rows the older revision cannot hold, by an SQL condition
        found = bind.execute(sa.select(sa.func.count()).select_from(sa.table(table)).where(sa.text(condition))).scalar()
        if found:
            held.append(f"{table} where {condition} ({found} rows)")
    if held:
        raise CommandError(
            f"downgrade refused: it would drop {', '.join(held)}, which no upgrade gives back. Back the "
            f"database up; then `flask db downgrade -x force=1 REVISION` (or {ALLOW_DATA_LOSS}=1) drops them.")
