"""Clinics and care teams, as the API shows them."""
from __future__ import annotations

from marshmallow import fields

from .base import Schema


class TeamSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class ClinicSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    role = fields.String(metadata={"description": "The caller's role: admin, prescriber or nurse"})
    teams = fields.List(fields.Nested(TeamSchema), metadata={"description": "The caller's care teams"})
