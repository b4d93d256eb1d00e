"""Questionnaire responses: stored once per client_id, scored, judged like entries."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import clock
from ..db import is_unique_violation
from ..entries import body_hash
from ..errors import Conflict
from ..extensions import db
from ..flags import judge_response
from ..models import Patient, QuestionnaireResponse
from ..pagination import page
from .instruments import INSTRUMENTS

CONFLICT = "This client_id was already used for a questionnaire response with another body."


def _response(patient: Patient, raw: dict, data: dict) -> QuestionnaireResponse:
    instrument = INSTRUMENTS[data["instrument"]]
    score = instrument.score(data["answers"])
    return QuestionnaireResponse(
        id=uuid.uuid4(), patient_id=patient.id, client_id=data["client_id"], body=raw, body_hash=body_hash(raw),
        instrument=instrument.code, answered_at=data["answered_at"],
        local_date=data["answered_at"].astimezone(ZoneInfo(patient.timezone)).date(), received_at=clock.now(),
        answers=list(data["answers"]), score=score, band=instrument.band(score, patient.sex))


def record_response(patient: Patient, raw: dict, data: dict) -> tuple[QuestionnaireResponse, str]:
    """Store a parsed response once per client_id, score and judge it; return it and `created` or
    `duplicate`. Raises Conflict when the client_id was used with another body."""
    response = _response(patient, raw, data)
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        existing = _existing(patient, data["client_id"]) if is_unique_violation(error) else None
        if existing is None:
            raise
        if existing.body_hash != response.body_hash:
            raise Conflict(CONFLICT) from None
        return existing, "duplicate"
    judge_response(patient, response)
    return response, "created"


def _existing(patient: Patient, client_id: uuid.UUID) -> QuestionnaireResponse | None:
    return db.session.scalars(sa.select(QuestionnaireResponse).where(
        QuestionnaireResponse.patient_id == patient.id, QuestionnaireResponse.client_id == client_id)).first()


def record_batch(patient: Patient, parsed: list[tuple[int, dict, dict]], results: list) -> None:
    """Store parsed items (index, raw, data) in order of answered_at, each on its own, into `results`."""
    for index, raw, data in sorted(parsed, key=lambda item: (item[2]["answered_at"], item[0])):
        client_id = str(data["client_id"])
        try:
            response, status = record_response(patient, raw, data)
        except Conflict as error:
            results[index] = {"client_id": client_id, "status": "conflict", "errors": {"client_id": [error.detail]}}
            continue
        results[index] = {"client_id": client_id, "status": status, "response": response}


def list_responses(patient: Patient, instrument: str | None, limit: int,
                   cursor: str | None) -> tuple[list[QuestionnaireResponse], str | None]:
    """The patient's responses, newest first, of one instrument or all."""
    query = sa.select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient.id)
    if instrument:
        query = query.where(QuestionnaireResponse.instrument == instrument)
    return page("questionnaire-responses", query, [QuestionnaireResponse.answered_at, QuestionnaireResponse.id],
                descending=True, limit=limit, cursor=cursor, key_of=lambda r: (r.answered_at, r.id))


def responses_between(patient: Patient, first: dt.date, last: dt.date) -> list[QuestionnaireResponse]:
    """The patient's responses answered on the local days first..last, oldest first."""
    return list(db.session.scalars(
        sa.select(QuestionnaireResponse)
        .where(QuestionnaireResponse.patient_id == patient.id, QuestionnaireResponse.local_date.between(first, last))
        .order_by(QuestionnaireResponse.answered_at, QuestionnaireResponse.id)))


def latest_scores(patient_id: uuid.UUID) -> dict:
    """The last score of each questionnaire the patient answered: {instrument: {score, band, answered_at}}."""
    last = (sa.select(QuestionnaireResponse.instrument, sa.func.max(QuestionnaireResponse.answered_at).label("at"))
            .where(QuestionnaireResponse.patient_id == patient_id)
            .group_by(QuestionnaireResponse.instrument).subquery())
    rows = db.session.execute(
        sa.select(QuestionnaireResponse.instrument, QuestionnaireResponse.score, QuestionnaireResponse.band,
                  QuestionnaireResponse.answered_at)
        .join(last, sa.and_(last.c.instrument == QuestionnaireResponse.instrument,
                            last.c.at == QuestionnaireResponse.answered_at))
        .where(QuestionnaireResponse.patient_id == patient_id)).all()
    return {code: {"score": score, "band": band, "answered_at": at} for code, score, band, at in
            sorted(rows, key=lambda row: list(INSTRUMENTS).index(row[0]))}


def band_again(patient: Patient) -> None:
    """Give the patient's stored responses the bands of their sex as it now reads (AUDIT-C's differ)."""
    for response in db.session.scalars(sa.select(QuestionnaireResponse).where(
            QuestionnaireResponse.patient_id == patient.id)):
        response.band = INSTRUMENTS[response.instrument].band(response.score, patient.sex)
