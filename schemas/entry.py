"""Entries as the phone sends them, and as the API answers them."""
from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from service import clock
from service.rules.catalogue import SYMPTOM_CODES

from .base import CALENDAR_DATE, AwareDateTime, Number, PageArgs, Schema, StrictBoolean, StrictInteger, String, page_schema

FUTURE_SLACK = dt.timedelta(minutes=5)
OLDEST = dt.timedelta(days=90)
CONTENT_FIELDS = ("craving", "doses", "alcohol_drinks", "symptoms", "substances", "note")


def within_window(moment: dt.datetime) -> None:
    current = clock.now()  # looked up at each call: a test that sets the clock sets it here too
    if moment > current + FUTURE_SLACK:
        raise ma.ValidationError("Must not be more than 5 minutes in the future.")
    if moment < current - OLDEST:
        raise ma.ValidationError("Must not be older than 90 days.")


class DoseInSchema(Schema):
    amount_mg = Number(required=True, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    taken_at = AwareDateTime(validate=within_window, metadata={"description": "Default: recorded_at"})


class SymptomSchema(Schema):
    code = String(required=True, validate=validate.OneOf(sorted(SYMPTOM_CODES)))
    severity = StrictInteger(required=True, validate=validate.Range(1, 3),
                             metadata={"description": "1 mild, 2 moderate, 3 severe"})


class SubstanceSchema(Schema):
    name = String(required=True, validate=validate.Length(1, 100))
    prescribed = StrictBoolean(required=True)


class EntryCreateSchema(Schema):
    client_id = fields.UUID(required=True, metadata={"description": "Made on the device; the idempotency key"})
    recorded_at = AwareDateTime(required=True, validate=within_window)
    craving = StrictInteger(allow_none=True, validate=validate.Range(0, 10))
    doses = fields.List(fields.Nested(DoseInSchema), allow_none=True, validate=validate.Length(max=24))
    alcohol_drinks = Number(allow_none=True, validate=validate.Range(0, 100))
    symptoms = fields.List(fields.Nested(SymptomSchema), allow_none=True,
                           validate=validate.Length(max=len(SYMPTOM_CODES)))
    substances = fields.List(fields.Nested(SubstanceSchema), allow_none=True, validate=validate.Length(max=50))
    note = String(allow_none=True, validate=validate.Length(max=2000))

    @ma.validates_schema
    def _carries_something(self, data, **kwargs):
        if all(data.get(name) is None for name in CONTENT_FIELDS):
            raise ma.ValidationError(f"An entry must carry at least one of: {', '.join(CONTENT_FIELDS)}.")

    @ma.validates_schema
    def _each_symptom_once(self, data, **kwargs):
        codes = [s["code"] for s in data.get("symptoms") or []]
        if len(codes) != len(set(codes)):
            raise ma.ValidationError("Each symptom code may appear once.", "symptoms")

    @ma.post_load
    def _dose_times(self, data, **kwargs):
        for dose in data.get("doses") or []:
            dose.setdefault("taken_at", data["recorded_at"])
        return data


class BatchCreateSchema(Schema):
    # A null item is invalid on its own, like any other non-object; it does not sink the batch.
    entries = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(1, 200),
                          metadata={"description": "Entries as for POST /entries; each is judged on its own"})


class DoseSchema(Schema):
    amount_mg = fields.Float()
    taken_at = AwareDateTime()
    local_date = fields.Date()


class FlagBriefSchema(Schema):
    """A flag as shown beside an entry."""

    id = fields.UUID()
    rule = fields.String()
    rule_version = fields.Integer()
    severity = fields.String()
    status = fields.String()
    title = fields.String()
    guidance = fields.String(metadata={"description": "What the patient is told"})


class EntrySchema(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    recorded_at = AwareDateTime()
    local_date = fields.Date(metadata={"description": "The patient-local day of recorded_at"})
    received_at = AwareDateTime()
    craving = fields.Integer(allow_none=True)
    doses = fields.List(fields.Nested(DoseSchema))
    alcohol_drinks = fields.Float(allow_none=True)
    symptoms = fields.List(fields.Nested(SymptomSchema), allow_none=True)
    substances = fields.List(fields.Nested(SubstanceSchema), allow_none=True)
    note = fields.String(allow_none=True)
    flags = fields.List(fields.Nested(FlagBriefSchema))


EntryPageSchema = page_schema(EntrySchema, "EntryPageSchema")


class BatchResultSchema(Schema):
    client_id = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["created", "duplicate", "conflict", "invalid"]))
    entry = fields.Nested(EntrySchema)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class BatchAnswerSchema(Schema):
    results = fields.List(fields.Nested(BatchResultSchema))


class LocalBound(fields.Field):
    """A local date (whole day, patient's time zone) or an exact time with offset."""

    default_error_messages = {"invalid": "Give a date (YYYY-MM-DD) or a time with a UTC offset."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and CALENDAR_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise self.make_error("invalid") from None
        moment = AwareDateTime()._deserialize(value, attr, data, **kwargs) if isinstance(value, str) else None
        if moment is None:
            raise self.make_error("invalid")
        return moment


class EntryListArgs(PageArgs):
    from_ = LocalBound(data_key="from", load_default=None, metadata={"description": "Date or time, inclusive"})
    to = LocalBound(load_default=None, metadata={"description": "Date or time, inclusive"})


class SummaryArgs(Schema):
    days = fields.Integer(load_default=28, validate=validate.Range(1, 366))


class SymptomDaySchema(Schema):
    code = fields.String()
    severity = fields.Integer(metadata={"description": "The strongest reported that day"})


class SummaryDaySchema(Schema):
    date = fields.Date()
    baclofen_mg = fields.Float()
    max_craving = fields.Integer(allow_none=True)
    drinks = fields.Float()
    symptoms = fields.List(fields.Nested(SymptomDaySchema))
    flags = fields.List(fields.Nested(FlagBriefSchema))


class SummarySchema(Schema):
    patient_id = fields.UUID()
    timezone = fields.String()
    items = fields.List(fields.Nested(SummaryDaySchema), metadata={"description": "One row per local day, oldest first"})
    next_cursor = fields.String(allow_none=True, metadata={"description": "Always null: the summary is one page"})

