"""Patient endpoints: the questionnaires due and the patient's responses."""
from __future__ import annotations

from flask import request

from schemas.questionnaire import (DueListSchema, ResponseBatchAnswerSchema, ResponseBatchSchema,
                                   ResponseCreateSchema, ResponseSchema)

from .. import auth, flags
from ..errors import load_each
from ..extensions import Blueprint
from ..measures import responses, schedule

RATE_LIMIT = "RATELIMIT_PATIENT"
blp = Blueprint("answers", __name__, role="patient", description="The patient's questionnaires")


@blp.route("/questionnaires/due")
@blp.response(200, DueListSchema)
def due():
    """List the questionnaires due today in the patient's local time"""
    return {"items": schedule.due(auth.current_patient())}


@blp.route("/questionnaire-responses", methods=["POST"])
@blp.arguments(ResponseCreateSchema)
@blp.response(201, ResponseSchema)
@blp.alt_response(200, schema=ResponseSchema, description="The same response was already stored")
@blp.alt_response(409, response="CONFLICT")
def answer(data):
    """Send a questionnaire response; the answer carries its score, band, flags and what to do"""
    response, status = responses.record_response(auth.current_patient(), request.get_json(), data)
    if status == "duplicate":
        return flags.responses_with_flags([response])[0], 200
    return response


@blp.route("/questionnaire-responses/batch", methods=["POST"])
@blp.arguments(ResponseBatchSchema)
@blp.response(200, ResponseBatchAnswerSchema)
def batch(data):
    """Send up to 200 responses at once (an offline phone syncing); each stands alone"""
    parsed, results = load_each(ResponseCreateSchema(), data["responses"])
    responses.record_batch(auth.current_patient(), parsed, results)
    flags.responses_with_flags([r["response"] for r in results if r.get("status") == "duplicate"])
    return {"results": results}
