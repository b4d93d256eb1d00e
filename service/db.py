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
