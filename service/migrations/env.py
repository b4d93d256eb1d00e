"""Alembic's environment: the app's own engine and metadata, online only."""
from alembic import context
from flask import current_app

config = context.config
target_db = current_app.extensions["migrate"].db


def run_migrations_online():
    configure_args = current_app.extensions["migrate"].configure_args
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it to a new one and dropping the old: with foreign
            # keys on, dropping `patients` would cascade to every entry and flag. They are turned
            # off for the migration (outside a transaction, where SQLite lets the pragma act) and
            # checked before it commits.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **configure_args)
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration would leave rows without their parent: {broken[:5]}")
        finally:
            if sqlite:  # never back to the pool with foreign keys off: the next connection turns them on
                connection.invalidate()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `flask --app service db upgrade`")
run_migrations_online()
