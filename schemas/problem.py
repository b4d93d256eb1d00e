from marshmallow import fields

from .base import Schema


class ProblemSchema(Schema):
    """An error answer (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Invalid fields and what is wrong with each"})
    request_id = fields.String()
