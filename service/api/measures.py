"""Clinician endpoints: a patient's questionnaire responses and schedule, and drinking outcomes."""
from __future__ import annotations

import datetime as dt

from flask.views import MethodView

from schemas.questionnaire import (OutcomeArgs, OutcomesSchema, ResponseListArgs, ResponsePageSchema,
                                   ScheduleChangeSchema, ScheduleSchema)

from .. import auth, flags
from ..errors import Invalid
from ..extensions import Blueprint
from ..measures import outcomes, responses, schedule
from ..patients import local_today

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("measures", __name__, role="clinician",
                description="Your patients' questionnaires and drinking outcomes")
WINDOW_DAYS = 28
MAX_WINDOW = dt.timedelta(days=730)


@blp.route("/patients/<uuid:patient_id>/questionnaire-responses")
@blp.arguments(ResponseListArgs, location="query")
@blp.response(200, ResponsePageSchema)
def list_responses(args, patient_id):
    """List a patient's questionnaire responses, newest first, with score, band and flags"""
    patient = auth.load_patient(patient_id)
    items, cursor = responses.list_responses(patient, args["instrument"], args["limit"], args["cursor"])
    return {"items": flags.responses_with_flags(items), "next_cursor": cursor}


@blp.route("/patients/<uuid:patient_id>/questionnaire-schedule")
class Schedule(MethodView):
    @blp.response(200, ScheduleSchema)
    def get(self, patient_id):
        """Show how often each questionnaire is asked of the patient (days; null: not asked)"""
        patient = auth.load_patient(patient_id)
        return schedule.schedule_of(patient)

    @blp.arguments(ScheduleChangeSchema)
    @blp.response(200, ScheduleSchema)
    def put(self, data, patient_id):
        """Change how often questionnaires are asked (days, or null to stop); the others keep theirs"""
        patient = auth.load_patient(patient_id, for_update=True)
        return schedule.set_schedule(patient, data)


@blp.route("/patients/<uuid:patient_id>/outcomes")
@blp.arguments(OutcomeArgs, location="query")
@blp.response(200, OutcomesSchema)
def patient_outcomes(args, patient_id):
    """Drinking outcomes over local days (default the last 28), beside the first 28 days of treatment"""
    patient = auth.load_patient(patient_id)
    last = args["to"] or local_today(patient)
    first = args["from_"] or last - dt.timedelta(days=WINDOW_DAYS - 1)
    if first > last:  # `from` alone may pass the patient's today
        raise Invalid({"from": [f"Must not be after `to` ({last.isoformat()})."]})
    if last - first > MAX_WINDOW:
        raise Invalid({"from": ["A window is at most 731 days."]})
    return outcomes.outcomes_of(patient, first, last)
