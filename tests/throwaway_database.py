"""A PostgreSQL database made for one run and dropped after it, shared by the tests and the bench."""
from __future__ import annotations

import uuid
from typing import Callable

import sqlalchemy as sa


def make_database(admin: sa.Engine, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create a database through `admin` (an AUTOCOMMIT engine on the server's `postgres`
    database); return its name and a function that drops it, even with clients still connected."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return name, drop
