"""Health: does the service, and its database, answer?"""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import fields

from schemas.base import Schema

from ..errors import Unavailable
from ..extensions import Blueprint, db

blp = Blueprint("health", __name__, role="public", description="For load balancers and monitors")


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok"})


@blp.route("/healthz")
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def healthz():
    """Say whether the service and its database answer"""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        raise Unavailable("The database does not answer.") from None
    return {"status": "ok"}
