"""The rules that judge a questionnaire response (warning-signs.md, "Questionnaires").

Scores are the instruments' own sums (service/measures/instruments.py); a response is judged on
the patient's local day of its `answered_at`, like an entry.
"""
from __future__ import annotations

from service.measures.instruments import INSTRUMENTS, PHQ9_SUICIDE_ITEM
from service.rules.model import Match, PatientContext, Response

WEEKS_4 = 28  # day of treatment from which persistent craving counts, as for the entry rules
PHQ9_POSITIVE, PHQ9_SEVERE = 15, 20  # moderately severe, severe
GAD7_SEVERE = 15
PACS_HIGH = 20


def _score_evidence(response: Response, patient: PatientContext) -> dict:
    instrument = INSTRUMENTS[response.instrument]
    return {"questionnaire": response.instrument, "score": response.score,
            "band": instrument.band(response.score, patient.sex)}


def suicidal_thoughts(response: Response, patient: PatientContext) -> Match | None:
    """PHQ-9 item 9 answered 1, 2 or 3: a reported suicidal_thoughts with that severity."""
    if response.instrument != "phq9":
        return None
    answer = response.answers[PHQ9_SUICIDE_ITEM]
    if answer < 1:
        return None
    item = INSTRUMENTS["phq9"].items[PHQ9_SUICIDE_ITEM]
    return Match("suicidal_thoughts", "urgent", {
        "questionnaire": "phq9", "item": PHQ9_SUICIDE_ITEM + 1, "item_text": item.text, "answer": answer,
        "answer_label": item.options[answer].label, "symptoms": {"suicidal_thoughts": answer}})


def depression_screen(response: Response, patient: PatientContext) -> Match | None:
    if response.instrument != "phq9" or response.score < PHQ9_POSITIVE:
        return None
    return Match("depression_screen", "high" if response.score >= PHQ9_SEVERE else "moderate",
                 _score_evidence(response, patient))


def anxiety_screen(response: Response, patient: PatientContext) -> Match | None:
    if response.instrument != "gad7" or response.score < GAD7_SEVERE:
        return None
    return Match("anxiety_screen", "moderate", _score_evidence(response, patient))


def craving_screen(response: Response, patient: PatientContext) -> Match | None:
    if response.instrument != "pacs" or response.score < PACS_HIGH:
        return None
    day_of_treatment = (response.local_date - patient.treatment_start).days
    if day_of_treatment < WEEKS_4:
        return None
    return Match("craving_screen", "moderate", _score_evidence(response, patient) | {
        "day_of_treatment": day_of_treatment})


CHECKS = (suicidal_thoughts, depression_screen, anxiety_screen, craving_screen)


def judge_response(response: Response, patient: PatientContext) -> list[Match]:
    """Return the rules a response matches, at most one match per rule, in catalogue order."""
    return [match for check in CHECKS if (match := check(response, patient)) is not None]
