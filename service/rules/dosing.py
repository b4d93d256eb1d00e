"""Warning signs of how baclofen and other substances are taken."""
from __future__ import annotations

from dataclasses import dataclass

from service.rules.catalogue import is_sedative
from service.rules.facts import Facts, number
from service.rules.model import Match

STUDIED_MAX_MG = 300  # the highest daily dose of the trials the document cites

WITHDRAWAL_SYMPTOMS = ("muscle_stiffness", "itching", "low_blood_pressure", "lightheadedness", "tingling")
STEADY_MEAN_MG = 20  # below this mean daily total, stopping is not a sudden drop worth a flag


def dose_above_studied_max(facts: Facts) -> Match | None:
    """A daily total above 300 mg on a day the entry adds doses to."""
    totals = {day: facts.daily_total(day) for day in facts.dose_days}
    above = [day for day, total in totals.items() if total > STUDIED_MAX_MG]
    if not above:
        return None
    worst = max(above, key=lambda day: totals[day])
    return Match(
        "dose_above_studied_max",
        "urgent",
        {
            "date": worst.isoformat(),
            "daily_total_mg": number(totals[worst]),
            "studied_max_mg": STUDIED_MAX_MG,
        },
    )


def dose_above_prescribed(facts: Facts) -> Match | None:
    """A daily total above the maximum of the prescription in effect on that day."""
    above = [day for day in facts.dose_days if facts.above_prescribed(day)]
    if not above:
        return None
    # Prescriptions can differ between the days: the worst day is the one most over its own maximum.
    worst = max(above, key=lambda day: facts.daily_total(day) - facts.max_daily_mg(day))
    return Match(
        "dose_above_prescribed",
        "high",
        {
            "date": worst.isoformat(),
            "daily_total_mg": number(facts.daily_total(worst)),
            "max_daily_mg": number(facts.max_daily_mg(worst)),
        },
    )


@dataclass(frozen=True)
class Drop:
    """How the daily totals before the entry's day compare with the last three days."""

    mean_daily_mg_before: float  # mean daily total of the 7 days D-9 ... D-3
    total_last_3_days_mg: float  # total of D-2, D-1 and D

    @property
    def sudden(self) -> bool:
        # A steady dose, then less than half of it on average over the last three days.
        return (
            self.mean_daily_mg_before >= STEADY_MEAN_MG
            and self.total_last_3_days_mg < 3 * self.mean_daily_mg_before / 2
        )


def baclofen_drop(facts: Facts) -> Drop:
    """Measure how the baclofen daily totals changed up to the entry's day."""
    before = sum(facts.daily_total(day) for day in facts.days_before(9, 3))
    last_3_days = sum(facts.daily_total(day) for day in facts.days_before(2))
    return Drop(mean_daily_mg_before=before / 7, total_last_3_days_mg=last_3_days)


def baclofen_withdrawal(facts: Facts) -> Match | None:
    """A withdrawal symptom after a sudden drop of the daily totals."""
    symptoms = facts.reported_among(WITHDRAWAL_SYMPTOMS)
    if not symptoms:
        return None
    drop = baclofen_drop(facts)
    if not drop.sudden:
        return None
    return Match(
        "baclofen_withdrawal",
        "high",
        {
            "mean_daily_mg_before": number(drop.mean_daily_mg_before),
            "total_last_3_days_mg": number(drop.total_last_3_days_mg),
            **facts.symptom_evidence(symptoms),
        },
        frozenset(symptoms),
    )


def unprescribed_substance(facts: Facts) -> Match | None:
    """A substance no prescriber gave, sedative or not."""
    names = [s.name for s in facts.entry.substances if not s.prescribed]
    if not names:
        return None
    return Match(
        "unprescribed_substance",
        "high",
        {"substances": names, "sedatives": [name for name in names if is_sedative(name)]},
    )


def misuse_signal(facts: Facts) -> Match | None:
    """Feeling high on a day with baclofen."""
    symptoms = facts.reported_among(("euphoria",))
    day = facts.day
    if not symptoms or facts.daily_total(day) <= 0:
        return None
    above_prescribed = facts.above_prescribed(day)
    max_daily_mg = facts.max_daily_mg(day)
    return Match(
        "misuse_signal",
        "high" if facts.patient.depression or above_prescribed else "moderate",
        {
            "date": day.isoformat(),
            "daily_total_mg": number(facts.daily_total(day)),
            "max_daily_mg": None if max_daily_mg is None else number(max_daily_mg),
            "above_prescribed": above_prescribed,
            "depression": facts.patient.depression,
            **facts.symptom_evidence(symptoms),
        },
        frozenset(symptoms),
    )
