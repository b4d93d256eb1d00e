"""The benchmark's app: the service as it is, plus a bare endpoint that stores an entry without rules.

The bare endpoint exists only in the app `make_app` returns, never in the service's routes. It
answers the question "what would storing the entry cost if nothing judged it": the same token
check, the same schema, the same Entry and Dose rows, the same one commit per request (the
service's after-request hook commits it), and no idempotency look-up, savepoint, rule or flag.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, Flask, request

from schemas.entry import EntryCreateSchema
from service import auth, create_app, entries
from service.errors import Invalid, flatten_errors
from service.extensions import db

BARE_PATH = "/bench/bare-entries"


def bare_blueprint() -> Blueprint:
    blp = Blueprint("bench_bare", __name__)
    schema = EntryCreateSchema()
    # The same check as every patient route: a valid, unrevoked phone token.
    blp.before_request(lambda: auth.require_role("patient"))

    @blp.post(BARE_PATH)
    def bare_entry():
        """Store the entry's rows and nothing else."""
        raw = request.get_json()
        try:
            data = schema.load(raw)
        except ma.ValidationError as error:
            raise Invalid(flatten_errors(error.messages)) from None
        # The same rows and objects record_entry stores: sharing how they are made keeps the two equal.
        entry = entries._as_model(*entries._rows(auth.current_patient(), raw, data, entries.body_hash(raw)))
        db.session.add(entry)
        db.session.flush()
        return {"id": str(entry.id), "client_id": str(entry.client_id)}, 201

    return blp


def make_app(database_url: str, secret_key: str) -> Flask:
    """Make the service's app on a database, in test mode (no rate limits), with the bare endpoint."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key})
    app.register_blueprint(bare_blueprint())
    return app
