"""Health: does the service, and its database, answer? And the rate limits' store?"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from marshmallow import fields

from schemas.base import Schema

from ..errors import TRY_AGAIN_SOON, Unavailable
from ..extensions import Blueprint, db, rate_limit_store_answers

blp = Blueprint("health", __name__, role="public", description="For load balancers and monitors")


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok; degraded when the database answers but something "
                                                    "the service can do without does not"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "With degraded: each part and whether it answers "
                                                  "(ok, unavailable)",
                                   "example": {"database": "ok", "rate_limit_store": "unavailable"}})


@blp.route("/healthz")
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def healthz():
    """Say whether the service, its database and its rate limits' store answer

    Without the rate limits' store (Redis) everything is served, limits counted per worker: degraded, 200.
    """
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        raise Unavailable("The database does not answer.", headers=TRY_AGAIN_SOON) from None
    if not rate_limit_store_answers(current_app):
        return {"status": "degraded", "checks": {"database": "ok", "rate_limit_store": "unavailable"}}
    return {"status": "ok"}
