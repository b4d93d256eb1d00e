"""Warning signs of drinking and craving."""
from __future__ import annotations

import datetime as dt

from service.rules.facts import Facts, number
from service.rules.model import Match

ALCOHOL_WITHDRAWAL_SYMPTOMS = ("tremor", "sweating", "racing_heart", "agitation", "anxiety", "nausea")

# Persistent craving and continued drinking are judged after 4 weeks of treatment, as in the
# study the document quotes.
WEEKS_4 = 28
STRONG_CRAVING = 7
CRAVING_DAYS = 3
HEAVY_DRINKING_DAYS = 2


def alcohol_with_baclofen(facts: Facts) -> Match | None:
    """Drinks on a local day that also has baclofen, for each day the entry adds to."""
    touched = set(facts.dose_days)
    if (facts.entry.alcohol_drinks or 0) > 0:
        touched.add(facts.day)
    days = [day for day in sorted(touched) if facts.drinks(day) > 0 and facts.daily_total(day) > 0]
    if not days:
        return None
    heavy = any(facts.heavy_drinking_day(day) for day in days)
    return Match(
        "alcohol_with_baclofen",
        "high" if heavy else "moderate",
        {
            "days": [
                {
                    "date": day.isoformat(),
                    "drinks": number(facts.drinks(day)),
                    "daily_total_mg": number(facts.daily_total(day)),
                }
                for day in days
            ],
            "heavy_drinking_day": heavy,
        },
    )


def drinking_stopped(facts: Facts) -> bool:
    """Tell whether the patient drank on one of the 3 days before and not on the entry's day."""
    return facts.drinks(facts.day) == 0 and any(facts.drinks(day) > 0 for day in facts.days_before(3, 1))


def alcohol_withdrawal(facts: Facts) -> Match | None:
    """Two withdrawal signs on a dry day, within 3 days after a heavy drinking day."""
    symptoms = facts.reported_among(ALCOHOL_WITHDRAWAL_SYMPTOMS, min_severity=2)
    if len(symptoms) < 2 or facts.drinks(facts.day) > 0:
        return None
    heavy_days = [day for day in facts.days_before(3, 1) if facts.heavy_drinking_day(day)]
    if not heavy_days:
        return None
    return Match(
        "alcohol_withdrawal",
        "high",
        {"heavy_drinking_days": _drinks_on(facts, heavy_days), **facts.symptom_evidence(symptoms)},
        frozenset(symptoms),
    )


def persistent_craving(facts: Facts) -> Match | None:
    """Strong craving on 3 of the last 7 days, this entry's included, after 4 weeks.

    Any entry of such a week matches, whatever it carries: a week of strong craving that
    crosses day 28 is found by the first entry after it, even one with only a dose."""
    if facts.day_of_treatment < WEEKS_4:
        return None
    days = [day for day in facts.days_before(6) if (facts.max_craving(day) or 0) >= STRONG_CRAVING]
    if len(days) < CRAVING_DAYS:
        return None
    return Match(
        "persistent_craving",
        "moderate",
        {
            "day_of_treatment": facts.day_of_treatment,
            "days": [{"date": day.isoformat(), "max_craving": facts.max_craving(day)} for day in days],
        },
    )


def continued_drinking(facts: Facts) -> Match | None:
    """Two heavy drinking days in the last 7, the entry's day included, after 4 weeks; any entry
    of such a week matches."""
    if facts.day_of_treatment < WEEKS_4:
        return None
    heavy_days = [day for day in facts.days_before(6) if facts.heavy_drinking_day(day)]
    if len(heavy_days) < HEAVY_DRINKING_DAYS:
        return None
    return Match(
        "continued_drinking",
        "moderate",
        {"day_of_treatment": facts.day_of_treatment, "heavy_drinking_days": _drinks_on(facts, heavy_days)},
    )


def _drinks_on(facts: Facts, days: list[dt.date]) -> list[dict]:
    return [{"date": day.isoformat(), "drinks": number(facts.drinks(day))} for day in days]
