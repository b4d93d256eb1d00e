"""Clinics and care teams, as the API shows them."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from service.models.clinic import ROLES

from .base import Schema, StrictBoolean


class TeamSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class ClinicSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    role = fields.String(metadata={"description": "The caller's role: admin, prescriber or nurse"})
    teams = fields.List(fields.Nested(TeamSchema), metadata={"description": "The caller's care teams"})


class ClinicianSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    team_ids = fields.List(fields.UUID())
    active = fields.Boolean(metadata={"description": "False: their tokens and sessions have ended"})


class ClinicianListSchema(Schema):
    items = fields.List(fields.Nested(ClinicianSchema))


class ClinicianCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    team_ids = fields.List(fields.UUID(), load_default=list, metadata={"description": "Teams of your clinic"})


class ClinicianCreatedSchema(ClinicianSchema):
    token = fields.String(metadata={"description": "Their API token, shown once"})


class ClinicianUpdateSchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = StrictBoolean(metadata={"description": "false ends their tokens and clinic sessions at once"})

    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Give role or active.")


class TeamWithMembersSchema(TeamSchema):
    member_ids = fields.List(fields.UUID())


class TeamListSchema(Schema):
    items = fields.List(fields.Nested(TeamWithMembersSchema))


class TeamCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))


class ClinicWebhookSchema(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000),
                     metadata={"description": "Receives the clinic's `flag.urgent` and `flag.escalated` events"})
    secret = fields.String(required=True, load_only=True, validate=validate.Length(1, 500),
                           metadata={"description": "Signs each body (`Baclowatch-Signature`); never shown again"})


class ClinicWebhookShownSchema(Schema):
    url = fields.String(allow_none=True, metadata={"description": "null: the service's default receiver, if any"})
    secret_set = fields.Boolean()
    updated_at = fields.DateTime(allow_none=True)
