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
