"""Enrollment: a phone trades a one-time code for its token."""
from __future__ import annotations

from schemas.patient import EnrolledSchema, EnrollSchema

from .. import auth, enrollment, patients
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_ENROLL"
RATE_KEY = auth.address_key  # a made-up bearer header must not buy a fresh budget


def RATE_LIMIT_COUNTS(response) -> bool:  # noqa: N802  (read by the API's limiter set-up)
    """Count failed attempts only: they are what guessing a code looks like."""
    return response.status_code >= 400
blp = Blueprint("enroll", __name__, role="public", description="Enrolling a patient's phone")


@blp.route("/enroll", methods=["POST"])
@blp.arguments(EnrollSchema)
@blp.response(201, EnrolledSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def enroll(data):
    """Enrol a device with a one-time code; the answer carries its token, shown once"""
    token, patient = enrollment.enroll(data["code"], data.get("device_name"))
    return {"token": token, "patient": patients.profile(patient)}
