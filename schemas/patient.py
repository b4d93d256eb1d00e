"""Patients, their prescriptions, devices and audit trail."""
from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import lru_cache

import marshmallow as ma
import regex
from marshmallow import fields, validate

from service.measures.instruments import SEXES

from .base import AwareDateTime, Date, Number, Schema, StrictBoolean, StrictInteger, String, page_schema


# Files of the zoneinfo folder that are not IANA zones: "localtime" is the server's own zone.
NOT_ZONES = frozenset({"localtime", "posixrules"})


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONES


def validate_timezone(name: str) -> None:
    if name not in _zones():
        raise ma.ValidationError("Not an IANA time zone name, e.g. Europe/Paris.")


# Characters that draw nothing or steer the text around them: controls, format characters
# (zero-width, bidi overrides), private use, unassigned, line and paragraph separators, and
# the rest of Unicode's default-ignorables (Hangul fillers, variation selectors).
INVISIBLE = regex.compile(r"[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]")


def normal_reference(text: str) -> str:
    """Return the one form of a reference that all its look-alikes share.

    NFKC folds fullwidth letters, compatibility forms and decomposed accents into their plain
    form; white space around is trimmed and a run of spaces inside becomes one.
    """
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip())


class Reference(String):
    """A patient's reference, stored in its normal form; one that hides characters is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        # Invisible characters are looked for before spaces are merged, which would hide a tab.
        trimmed = unicodedata.normalize("NFKC", text).strip()
        if INVISIBLE.search(trimmed):
            raise ma.ValidationError("Must not contain control, format or other invisible characters.")
        normal = normal_reference(trimmed)
        if not normal:
            raise ma.ValidationError("Must not be blank.")
        return normal


class PrescriptionCreateSchema(Schema):
    daily_dose_mg = Number(required=True, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    max_daily_mg = Number(required=True, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    approach = String(required=True, validate=validate.OneOf(["fixed", "flexible"]))
    effective_from = Date(metadata={"description": "First local day it applies; default: the patient's today"})

    @ma.validates_schema
    def _max_covers_daily(self, data, **kwargs):
        if "daily_dose_mg" in data and "max_daily_mg" in data and data["max_daily_mg"] < data["daily_dose_mg"]:
            raise ma.ValidationError("Must be at least daily_dose_mg.", "max_daily_mg")


class PrescriptionSchema(Schema):
    id = fields.UUID()
    daily_dose_mg = fields.Float()
    max_daily_mg = fields.Float()
    approach = fields.String()
    effective_from = fields.Date()
    created_at = AwareDateTime()


class PatientFieldsSchema(Schema):
    reference = Reference(validate=validate.Length(1, 64), metadata={
        "description": "Pseudonymous id, unique in the clinic; stored NFKC-normalised and trimmed"})
    timezone = String(validate=[validate.Length(1, 64), validate_timezone])
    treatment_start = Date()
    renal_impairment = StrictBoolean()
    depression = StrictBoolean()
    anxiety = StrictBoolean()
    sex = String(validate=validate.OneOf(SEXES), metadata={
        "description": "female, male or unspecified: heavy drinking days and WHO risk levels depend on it"})
    standard_drink_g = Number(validate=validate.Range(1, 100), metadata={
        "description": "Grams of ethanol in one standard drink: 10 (WHO), 14 (US), 8 (UK)"})
    expected_every_days = StrictInteger(allow_none=True, validate=validate.Range(1, 365), metadata={
        "description": "Days without an entry before the care team is told (silent_patient); null: never"})
    prescription = fields.Nested(PrescriptionCreateSchema, metadata={"description": "Adds a prescription "
                                                                                   "(prescribers only: 403)"})
    team_id = fields.UUID(metadata={"description": "The care team that works the patient, one of the caller's: on "
                                                   "create, required when the caller is in more than one; on "
                                                   "change, moves the patient"})


class PatientCreateSchema(PatientFieldsSchema):
    reference = Reference(required=True, validate=validate.Length(1, 64))
    timezone = String(load_default="UTC", validate=[validate.Length(1, 64), validate_timezone])
    treatment_start = Date(required=True)
    renal_impairment = StrictBoolean(load_default=False)
    depression = StrictBoolean(load_default=False)
    anxiety = StrictBoolean(load_default=False)
    sex = String(load_default="unspecified", validate=validate.OneOf(SEXES))
    standard_drink_g = Number(load_default=10.0, validate=validate.Range(1, 100))
    expected_every_days = StrictInteger(load_default=3, allow_none=True, validate=validate.Range(1, 365))


class PatientUpdateSchema(PatientFieldsSchema):
    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Give at least one field to change.")


class EnrollmentSchema(Schema):
    code = fields.String(required=True, metadata={"description": "One-time code, shown once"})
    expires_at = AwareDateTime(required=True)


class OpenFlagCountsSchema(Schema):
    urgent = fields.Integer()
    high = fields.Integer()
    moderate = fields.Integer()


class PatientSchema(Schema):
    id = fields.UUID()
    reference = fields.String()
    team_id = fields.UUID(metadata={"description": "The care team that works the patient"})
    timezone = fields.String()
    treatment_start = fields.Date()
    renal_impairment = fields.Boolean()
    depression = fields.Boolean()
    anxiety = fields.Boolean()
    sex = fields.String()
    standard_drink_g = fields.Float()
    expected_every_days = fields.Integer(allow_none=True)
    created_at = AwareDateTime()
    prescription = fields.Nested(PrescriptionSchema, allow_none=True,
                                 metadata={"description": "The prescription in effect today"})
    open_flags = fields.Nested(OpenFlagCountsSchema)


class PatientDetailSchema(PatientSchema):
    prescriptions = fields.List(fields.Nested(PrescriptionSchema), metadata={"description": "History, oldest first"})


class PatientCreatedSchema(PatientDetailSchema):
    enrollment = fields.Nested(EnrollmentSchema)


PatientPageSchema = page_schema(PatientSchema, "PatientPageSchema")


class DeviceSchema(Schema):
    id = fields.UUID()
    device_name = fields.String(allow_none=True)
    enrolled_at = AwareDateTime()
    last_seen_at = AwareDateTime(allow_none=True)


class DeviceListSchema(Schema):
    items = fields.List(fields.Nested(DeviceSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Always null: a patient has few devices"})


class AuditRecordSchema(Schema):
    at = AwareDateTime()
    clinician_id = fields.UUID()
    clinician_name = fields.String()
    action = fields.String()
    path = fields.String()


AuditPageSchema = page_schema(AuditRecordSchema, "AuditPageSchema")


class EnrollSchema(Schema):
    code = String(required=True, validate=validate.Length(1, 64))
    device_name = String(validate=validate.Length(max=100), allow_none=True)


class EnrolledSchema(Schema):
    token = fields.String(required=True, metadata={"description": "The device's bearer token, shown once"})
    patient = fields.Nested(lambda: ProfileSchema())


class ProfileSchema(Schema):
    """What the patient's own app sees of the record."""

    id = fields.UUID()
    reference = fields.String()
    timezone = fields.String()
    treatment_start = fields.Date()
    prescription = fields.Nested(PrescriptionSchema, allow_none=True)
