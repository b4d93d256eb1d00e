"""Alembic's environment: the app's own engine and metadata, online only."""
from alembic import context
from flask import current_app

config = context.config
target_db = current_app.extensions["migrate"].db


def run_migrations_online():
    configure_args = current_app.extensions["migrate"].configure_args
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `flask --app service db upgrade`")
run_migrations_online()
