"""Flags, their reviews, and the rule catalogue."""
from __future__ import annotations

import uuid

import marshmallow as ma
from marshmallow import fields, validate

from .base import AwareDateTime, PageArgs, Schema, String, page_schema
from .entry import EntrySchema

STATUSES = ["open", "acknowledged", "resolved", "dismissed"]
SEVERITIES = ["urgent", "high", "moderate"]
# Why a sign found in a note was not one: the note's words were about someone else, denied it,
# meant something else, or anything other.
REVIEW_REASONS = ["not_about_patient", "negated", "not_a_sign", "other"]
REASON_HELP = ("Only to dismiss a flag found in the patient's notes alone: why the note did not say what "
               "the reader found. Dismissals with a reason teach the note reader.")


class SourceSchema(Schema):
    document = fields.String()
    quote = fields.String()


class ReviewSchema(Schema):
    action = fields.String()
    note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, validate=validate.OneOf(REVIEW_REASONS),
                           metadata={"description": "Why a dismissed sign found in a note was not one"})
    clinician_id = fields.UUID()
    clinician_name = fields.String(metadata={"description": "Who reviewed it, as the clinic knows them"})
    assignee_id = fields.UUID(allow_none=True, metadata={"description": "assign: whom the flag was handed to"})
    at = AwareDateTime()


class FlagSchema(Schema):
    id = fields.UUID()
    patient_id = fields.UUID()
    assignee_id = fields.UUID(allow_none=True, metadata={
        "description": "Who is handling it: whoever acknowledged it, or whom it was assigned to"})
    patient_reference = fields.String()
    rule = fields.String()
    rule_version = fields.Integer()
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    title = fields.String()
    guidance = fields.String(metadata={"description": "What the patient is told"})
    evidence = fields.Dict(metadata={"description": "The values that matched, of the strongest match"})
    source = fields.Nested(SourceSchema)
    entry_ids = fields.List(fields.UUID())
    response_ids = fields.List(fields.UUID(), metadata={"description": "The questionnaire responses it came from"})
    occurrences = fields.Integer()
    first_seen_at = AwareDateTime(metadata={"description": "recorded_at of the earliest matching entry"})
    last_seen_at = AwareDateTime(metadata={"description": "recorded_at of the latest matching entry"})
    reviews = fields.List(fields.Nested(ReviewSchema))


class FlaggedEntrySchema(EntrySchema):
    class Meta:
        exclude = ("flags",)


class OccurrenceSchema(Schema):
    entry_id = fields.UUID()
    severity = fields.String()
    evidence = fields.Dict()
    matched_at = AwareDateTime()


class FlagDetailSchema(FlagSchema):
    entries = fields.List(fields.Nested(FlaggedEntrySchema),
                          metadata={"description": "The entries that matched, oldest first"})
    occurrence_evidence = fields.List(fields.Nested(OccurrenceSchema),
                                      metadata={"description": "What each entry matched with"})


FlagPageSchema = page_schema(FlagSchema, "FlagPageSchema")


class FlagQueryArgs(PageArgs):
    status = fields.String(load_default="open", validate=validate.OneOf(STATUSES))
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    patient_id = fields.UUID(load_default=None)
    team_id = fields.UUID(load_default=None, metadata={"description": "Only the patients of this care team"})
    assignee = String(load_default=None, validate=validate.Regexp(
        r"^(me|none|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$",
        error="me, none or a clinician's id"), metadata={"description": "me, none or a clinician's id"})

    @ma.post_load
    def _assignee_id(self, data, **kwargs):
        if data.get("assignee") not in (None, "me", "none"):
            data["assignee"] = uuid.UUID(data["assignee"])
        return data


class QueueArgs(FlagQueryArgs):
    """The clinic's review queue: the API's filters, plus a patient reference to look for and an order."""

    reference = String(load_default=None, validate=validate.Length(max=64))
    sort = String(load_default="severity", validate=validate.OneOf(["severity", "patient"]))


class ReviewCreateSchema(Schema):
    action = String(required=True, validate=validate.OneOf(["acknowledge", "resolve", "dismiss", "assign"]))
    clinician_id = fields.UUID(metadata={"description": "assign: the member of the patient's team to hand it to"})
    note = String(allow_none=True, validate=validate.Length(max=4000),
                  metadata={"description": "Required to resolve or dismiss"})
    reason = String(allow_none=True, validate=validate.OneOf(REVIEW_REASONS), metadata={"description": REASON_HELP})

    @ma.validates_schema
    def _note_to_close(self, data, **kwargs):
        if data.get("action") in ("resolve", "dismiss") and not (data.get("note") or "").strip():
            raise ma.ValidationError(f"A note is required to {data['action']} a flag.", "note")

    @ma.validates_schema
    def _whom_to_assign(self, data, **kwargs):
        if (data.get("action") == "assign") != ("clinician_id" in data):
            raise ma.ValidationError("clinician_id goes with assign, and only with it.", "clinician_id")

    @ma.validates_schema
    def _reason_to_dismiss(self, data, **kwargs):
        if data.get("reason") is not None and data.get("action") != "dismiss":
            raise ma.ValidationError("A reason is given only to dismiss a flag.", "reason")


class RuleSchema(Schema):
    code = fields.String()
    version = fields.Integer()
    severity = fields.String(metadata={"description": "The base severity"})
    severities = fields.List(fields.String(), metadata={"description": "Every severity it can take"})
    title = fields.String()
    description = fields.String()
    guidance = fields.String()
    source = fields.Nested(SourceSchema)
    judges = fields.List(fields.String(), metadata={
        "description": "What it judges: entry, questionnaire (each response) or sweep (the silent-patient sweep)"})


class SymptomCodeSchema(Schema):
    code = fields.String()
    label = fields.String()


class CatalogueSchema(Schema):
    rules = fields.List(fields.Nested(RuleSchema))
    symptoms = fields.List(fields.Nested(SymptomCodeSchema))
    sedatives = fields.List(fields.String())
