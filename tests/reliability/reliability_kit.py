"""Helpers for the reliability tests."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from service.extensions import db


class FailingWrites:
    """Make the database refuse an INSERT into one table, after letting `allow` through."""

    def __init__(self, app, table: str, allow: int = 0):
        self.app, self.table, self.allow, self.seen = app, table, allow, 0

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {self.table.upper()}"):
            self.seen += 1
            if self.seen > self.allow:
                raise sa.exc.OperationalError(statement, parameters, Exception("disk I/O error (on purpose)"))

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hook)


class FailingCommits:
    """Make the database itself refuse the COMMIT of a transaction that wrote into `table`.

    Every statement before COMMIT succeeds, as when a deferred constraint fails. On PostgreSQL a
    deferred constraint trigger raises `sqlstate` at COMMIT (or, given "lost", ends the connection);
    on SQLite a trigger writes a row whose deferred foreign key has no parent, which SQLite checks
    only at COMMIT.
    """

    def __init__(self, app, table: str, sqlstate: str = "23514"):
        self.app, self.table, self.sqlstate = app, table, sqlstate

    def _statements(self, dialect: str) -> tuple[list[str], list[str]]:
        if dialect == "postgresql":
            # "lost": the server ends the session's own connection at COMMIT, as a crash would.
            act = ("PERFORM pg_terminate_backend(pg_backend_pid());" if self.sqlstate == "lost" else
                   f"RAISE EXCEPTION 'refused at commit (on purpose)' USING ERRCODE = '{self.sqlstate}';")
            return ([
                f"CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {act} "
                "RETURN NULL; END $$",
                f"CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON {self.table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()",
            ], [f"DROP TRIGGER IF EXISTS refuse_at_commit ON {self.table}",
                "DROP FUNCTION IF EXISTS refuse_at_commit()"])
        return ([
            "CREATE TABLE commit_tripwire_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE commit_tripwire (id INTEGER PRIMARY KEY, parent_id INTEGER "
            "REFERENCES commit_tripwire_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            f"CREATE TRIGGER refuse_at_commit AFTER INSERT ON {self.table} "
            "BEGIN INSERT INTO commit_tripwire (parent_id) VALUES (1); END",
        ], ["DROP TRIGGER IF EXISTS refuse_at_commit", "DROP TABLE IF EXISTS commit_tripwire",
            "DROP TABLE IF EXISTS commit_tripwire_parent"])

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        create, self.drop = self._statements(self.engine.dialect.name)
        with self.engine.begin() as conn:
            for statement in create:
                conn.exec_driver_sql(statement)
        return self

    def __exit__(self, *exc):
        with self.engine.begin() as conn:
            for statement in self.drop:
                conn.exec_driver_sql(statement)
