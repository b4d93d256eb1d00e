"""Shared fields and the base schema of every body the API reads or writes."""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import marshmallow as ma
from marshmallow import fields, validate


class Schema(ma.Schema):
    class Meta:
        ordered = True
        unknown = ma.RAISE


class StrictInteger(fields.Integer):
    """An integer that refuses strings, booleans and fractions."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class Number(fields.Float):
    """A finite JSON number: never a string, boolean, NaN or infinity."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.make_error("invalid")
        # Convert first: an integer past the float range (10**400) is "too large", not a crash.
        number = super()._validated(value)
        if not math.isfinite(number):
            raise self.make_error("special")
        return number


class StrictBoolean(fields.Boolean):
    """true or false, not "yes" or 1."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 time that must carry its UTC offset; answered in UTC."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 datetime.",
        "invalid_awareness": "The time must carry a UTC offset, e.g. 2026-11-24T08:30:00+01:00.",
    }

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            moment = super()._deserialize(value, attr, data, **kwargs)
            # Year 9999 at -23:59 parses, but has no UTC time: it would fail later, in the database.
            moment.astimezone(dt.timezone.utc)
        except OverflowError as exc:  # a year far outside what clocks show
            raise self.make_error("invalid") from exc
        return moment

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(dt.timezone.utc).isoformat()


# Python reads "20250105" and "2025-W01-1" as dates too; the contract says YYYY-MM-DD.
CALENDAR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Date(fields.Date):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not CALENDAR_DATE.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class String(fields.String):
    """Text that every database can store: no NUL characters and no lone surrogates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("Must be valid Unicode text.") from None
        return text


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=1000))


class PatientSearchArgs(PageArgs):
    """The clinic's patients list: a page, and a reference to look for."""

    reference = String(load_default=None, validate=validate.Length(max=64))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Make the {"items": [...], "next_cursor": ...} schema of a list."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(allow_none=True, required=True),
    })
