"""Clinician endpoints: the caller's clinic and care teams."""
from __future__ import annotations

from schemas.clinic import ClinicSchema

from .. import auth, clinicians
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("clinics", __name__, role="clinician", description="Your clinic and care teams")


@blp.route("/clinic")
@blp.response(200, ClinicSchema)
def clinic():
    """Show your clinic, your role there and your care teams"""
    return clinicians.clinic_of(auth.current_clinician())
