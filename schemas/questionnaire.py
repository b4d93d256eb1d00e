"""Questionnaires, their responses and schedules, and drinking outcomes, as the API shows them."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from service.measures.instruments import INSTRUMENTS
from service.measures.outcomes import WHO_LEVELS

from .base import AwareDateTime, Date, PageArgs, Schema, StrictInteger, page_schema
from .entry import FlagBriefSchema, SummarySchema, within_window

CODES = list(INSTRUMENTS)


class OptionSchema(Schema):
    value = fields.Integer()
    label = fields.String()


class ItemSchema(Schema):
    text = fields.String()
    options = fields.List(fields.Nested(OptionSchema))


class InstrumentSchema(Schema):
    code = fields.String()
    title = fields.String()
    instructions = fields.String(metadata={"description": "What the form asks above its items"})
    items = fields.List(fields.Nested(ItemSchema))
    recall_period = fields.String()
    source = fields.String(metadata={"description": "The published instrument its words and scoring come from"})
    licence = fields.String()


class InstrumentListSchema(Schema):
    items = fields.List(fields.Nested(InstrumentSchema))


class DueSchema(Schema):
    instrument = fields.String()
    due_since = fields.Date(metadata={"description": "The patient-local day it fell due"})


class DueListSchema(Schema):
    items = fields.List(fields.Nested(DueSchema))


class ResponseCreateSchema(Schema):
    client_id = fields.UUID(required=True, metadata={"description": "Made on the device; the idempotency key"})
    instrument = fields.String(required=True, validate=validate.OneOf(CODES))
    answered_at = AwareDateTime(required=True, validate=within_window)
    answers = fields.List(fields.Raw(), required=True, metadata={
        "description": "One integer per item, in the instrument's order, each one of the item's option values"})

    @ma.validates_schema
    def _answers_fit_the_instrument(self, data, **kwargs):
        if "instrument" in data and "answers" in data:
            problems = INSTRUMENTS[data["instrument"]].problems(data["answers"])
            if problems:
                raise ma.ValidationError(problems)


class ResponseBatchSchema(Schema):
    responses = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(1, 200),
                            metadata={"description": "Responses as for POST /questionnaire-responses"})


class ResponseSchema(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    instrument = fields.String()
    answered_at = AwareDateTime()
    local_date = fields.Date(metadata={"description": "The patient-local day of answered_at"})
    received_at = AwareDateTime()
    answers = fields.List(fields.Integer())
    score = fields.Integer(metadata={"description": "The instrument's own total"})
    band = fields.String(metadata={"description": "The instrument's published severity band"})
    flags = fields.List(fields.Nested(FlagBriefSchema))


ResponsePageSchema = page_schema(ResponseSchema, "ResponsePageSchema")


class ResponseBatchResultSchema(Schema):
    client_id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["created", "duplicate", "conflict", "invalid"]))
    response = fields.Nested(ResponseSchema)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ResponseBatchAnswerSchema(Schema):
    results = fields.List(fields.Nested(ResponseBatchResultSchema))


class ResponseListArgs(PageArgs):
    instrument = fields.String(load_default=None, validate=validate.OneOf(CODES))


class ScheduleSchema(Schema):
    """Days between two responses for each instrument; null: not asked."""

    phq9 = StrictInteger(allow_none=True, validate=validate.Range(1, 365))
    gad7 = StrictInteger(allow_none=True, validate=validate.Range(1, 365))
    pacs = StrictInteger(allow_none=True, validate=validate.Range(1, 365))
    auditc = StrictInteger(allow_none=True, validate=validate.Range(1, 365))


class ScheduleChangeSchema(ScheduleSchema):
    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError(f"Give at least one of: {', '.join(CODES)}.")


class OutcomeArgs(Schema):
    from_ = Date(data_key="from", load_default=None, metadata={"description": "Local date; default 27 days before to"})
    to = Date(load_default=None, metadata={"description": "Local date; default the patient's today"})
    # Whether `from` comes before `to` is checked once the defaults are known (api/measures.py).


class MeasuresSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    days = fields.Integer(metadata={"description": "Local days in the window"})
    days_with_entries = fields.Integer(metadata={"description": "A day without an entry is unknown"})
    percent_days_abstinent = fields.Float(allow_none=True)
    percent_heavy_drinking_days = fields.Float(allow_none=True, metadata={
        "description": "Heavy: 60 g or more for men, 40 g or more for women and unspecified"})
    drinks_per_drinking_day = fields.Float(allow_none=True)
    grams_per_day = fields.Float(allow_none=True, metadata={"description": "Mean over the days with entries"})
    who_risk_level = fields.String(allow_none=True, validate=validate.OneOf(WHO_LEVELS))
    mean_craving = fields.Float(allow_none=True)
    mean_baclofen_mg = fields.Float(allow_none=True, metadata={"description": "Mean daily mg over the days with "
                                                                              "entries"})


class LatestScoreSchema(Schema):
    score = fields.Integer()
    band = fields.String()
    answered_at = AwareDateTime()


class OutcomesSchema(MeasuresSchema):
    sex = fields.String()
    standard_drink_g = fields.Float()
    baseline = fields.Nested(MeasuresSchema, metadata={"description": "The first 28 days of treatment"})
    who_level_change = fields.Integer(allow_none=True, metadata={
        "description": "WHO levels moved from the baseline: down is negative"})
    latest_scores = fields.Dict(keys=fields.String(), values=fields.Nested(LatestScoreSchema))


class SummaryWithOutcomesSchema(SummarySchema):
    outcomes = fields.Nested(OutcomesSchema, metadata={
        "description": "Drinking outcomes over the same local days, beside the first 28 days of treatment"})
