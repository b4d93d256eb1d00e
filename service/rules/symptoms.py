"""Warning signs led by what the patient reports feeling."""
from __future__ import annotations

from typing import Sequence

from service.rules.catalogue import SYMPTOMS
from service.rules.dosing import baclofen_drop
from service.rules.drinking import drinking_stopped
from service.rules.facts import Facts, number
from service.rules.model import Match

AIRWAY_SWELLING = ("swelling_face_lips_tongue", "throat_tightness", "difficulty_breathing")
SKIN_SIGNS = ("hives", "rash")
CIRCULATION_SIGNS = ("fainting", "lightheadedness", "low_blood_pressure")

SEDATION_SIGNS = ("confusion", "slurred_speech", "fainting")  # at any severity
SEVERE = 3

VOCABULARY = tuple(code for code, _ in SYMPTOMS)


def anaphylaxis(facts: Facts) -> Match | None:
    """Airway swelling; or skin signs together with a fall of blood pressure, in one entry."""
    airway = facts.reported_among(AIRWAY_SWELLING)
    skin = facts.reported_among(SKIN_SIGNS)
    circulation = facts.reported_among(CIRCULATION_SIGNS)
    if not airway and not (skin and circulation):
        return None
    # One allergic reaction explains every sign of it the entry reports.
    symptoms = airway + skin + circulation
    return Match("anaphylaxis", "urgent", facts.symptom_evidence(symptoms), frozenset(symptoms))


def seizure_or_hallucinations(facts: Facts) -> Match | None:
    """A seizure or hallucinations, with what may have caused them."""
    symptoms = facts.reported_among(("seizure", "hallucinations"))
    if not symptoms:
        return None
    evidence = {
        **facts.symptom_evidence(symptoms),
        "baclofen_dropped": baclofen_drop(facts).sudden,
        "drinking_stopped": drinking_stopped(facts),
    }
    return Match("seizure_or_hallucinations", "urgent", evidence, frozenset(symptoms))


def suicidal_thoughts(facts: Facts) -> Match | None:
    """Thoughts of ending one's life."""
    symptoms = facts.reported_among(("suicidal_thoughts",))
    if not symptoms:
        return None
    return Match("suicidal_thoughts", "urgent", facts.symptom_evidence(symptoms), frozenset(symptoms))


def cns_depression(facts: Facts) -> Match | None:
    """Slow breathing; or signs of sedation on a day of baclofen with alcohol, a sedative or too much."""
    day = facts.day
    daily_total = facts.daily_total(day)
    drinks = facts.drinks(day)
    sedatives = facts.sedatives(day)
    above_prescribed = facts.above_prescribed(day)

    symptoms = facts.reported_among(("slow_breathing",))
    # Sedation alone is a side effect; with baclofen and something that deepens it, it is an emergency.
    if daily_total > 0 and (drinks > 0 or sedatives or above_prescribed):
        symptoms += facts.reported_among(("drowsiness",), min_severity=SEVERE)
        symptoms += facts.reported_among(SEDATION_SIGNS)
    if not symptoms:
        return None
    max_daily_mg = facts.max_daily_mg(day)
    evidence = {
        **facts.symptom_evidence(symptoms),
        "date": day.isoformat(),
        "daily_total_mg": number(daily_total),
        "drinks": number(drinks),
        "sedatives": sedatives,
        "max_daily_mg": None if max_daily_mg is None else number(max_daily_mg),
        "above_prescribed": above_prescribed,
    }
    return Match("cns_depression", "urgent", evidence, frozenset(symptoms))


def confusion(facts: Facts) -> Match | None:
    """Confusion; urgent when the kidneys may let baclofen accumulate."""
    symptoms = facts.reported_among(("confusion",))
    if not symptoms:
        return None
    renal_impairment = facts.patient.renal_impairment
    return Match(
        "confusion",
        "urgent" if renal_impairment else "high",
        {**facts.symptom_evidence(symptoms), "renal_impairment": renal_impairment},
        frozenset(symptoms),
    )


# The two rules below read what the rules before them found on the same entry.


def mood_symptoms(facts: Facts, found: Sequence[Match]) -> Match | None:
    """Low mood or anxiety that alcohol withdrawal does not explain."""
    explained = {code for match in found if match.rule == "alcohol_withdrawal" for code in match.symptoms}
    reported = facts.reported_among(("low_mood", "anxiety"), min_severity=2)
    symptoms = tuple(code for code in reported if code not in explained)
    if not symptoms:
        return None
    severity = "high" if facts.reported.get("low_mood") == SEVERE else "moderate"
    return Match("mood_symptoms", severity, facts.symptom_evidence(symptoms), frozenset(symptoms))


def side_effect(facts: Facts, found: Sequence[Match]) -> Match | None:
    """Any moderate or severe symptom that no other rule on this entry fired for."""
    explained = {code for match in found for code in match.symptoms}
    reported = facts.reported_among(VOCABULARY, min_severity=2)
    symptoms = tuple(code for code in reported if code not in explained)
    if not symptoms:
        return None
    severity = "high" if any(facts.reported[code] == SEVERE for code in symptoms) else "moderate"
    return Match("side_effect", severity, facts.symptom_evidence(symptoms), frozenset(symptoms))
