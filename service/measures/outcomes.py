"""Drinking outcomes as AUD trials and guidelines measure them, from the diary.

`measure` is plain arithmetic over days (no database), so each measure is testable at its
boundaries; `outcomes_of` reads a patient's days and puts the window beside the baseline.
A day without an entry is unknown: it counts neither as abstinent nor as drinking.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Dose, Entry, Patient
from .responses import latest_scores

BASELINE_DAYS = 28  # the first four weeks of treatment
WHO_LEVELS = ("abstinent", "low", "medium", "high", "very_high")
# Mean grams of ethanol a day at which each WHO drinking risk level ends (low, medium, high;
# above the last: very high). Women's limits apply to `unspecified` too: the more careful ones.
WHO_LIMITS_G = {"male": (40, 60, 100), "female": (20, 40, 60), "unspecified": (20, 40, 60)}
HEAVY_DAY_G = {"male": 60, "female": 40, "unspecified": 40}


@dataclass(frozen=True)
class Day:
    """One local day with at least one entry."""

    drinks: float = 0.0  # standard drinks, summed over the day's entries
    baclofen_mg: float = 0.0
    cravings: tuple[int, ...] = ()


def who_risk_level(grams_per_day: float | None, sex: str) -> str | None:
    if grams_per_day is None:
        return None
    if grams_per_day <= 0:
        return "abstinent"
    low, medium, high = WHO_LIMITS_G[sex]
    if grams_per_day <= low:
        return "low"
    if grams_per_day <= medium:
        return "medium"
    return "high" if grams_per_day <= high else "very_high"


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 2)


def measure(days: dict[dt.date, Day], first: dt.date, last: dt.date, sex: str, standard_drink_g: float) -> dict:
    """The measures over the local days first..last, from the days that have entries."""
    known = [day for date, day in days.items() if first <= date <= last]
    out = {"from": first, "to": last, "days": (last - first).days + 1, "days_with_entries": len(known),
           "percent_days_abstinent": None, "percent_heavy_drinking_days": None, "drinks_per_drinking_day": None,
           "grams_per_day": None, "who_risk_level": None, "mean_craving": None, "mean_baclofen_mg": None}
    if not known:
        return out
    grams = [day.drinks * standard_drink_g for day in known]
    drinking = [day.drinks for day in known if day.drinks > 0]
    cravings = [c for day in known for c in day.cravings]
    grams_per_day = sum(grams) / len(known)
    out.update(
        percent_days_abstinent=_percent(len(known) - len(drinking), len(known)),
        percent_heavy_drinking_days=_percent(sum(1 for g in grams if g >= HEAVY_DAY_G[sex]), len(known)),
        drinks_per_drinking_day=round(sum(drinking) / len(drinking), 2) if drinking else None,
        grams_per_day=round(grams_per_day, 2),
        who_risk_level=who_risk_level(grams_per_day, sex),
        mean_craving=round(sum(cravings) / len(cravings), 2) if cravings else None,
        mean_baclofen_mg=round(sum(day.baclofen_mg for day in known) / len(known), 2))
    return out


def level_change(now: str | None, baseline: str | None) -> int | None:
    """Levels moved between the baseline and now: down is negative."""
    if now is None or baseline is None:
        return None
    return WHO_LEVELS.index(now) - WHO_LEVELS.index(baseline)


def _days(patient_id, first: dt.date, last: dt.date) -> dict[dt.date, Day]:
    """The patient's days with entries between two local days, in two grouped queries."""
    found: dict[dt.date, dict] = {}
    for date, drinks, craving in db.session.execute(
            sa.select(Entry.local_date, Entry.alcohol_drinks, Entry.craving)
            .where(Entry.patient_id == patient_id, Entry.local_date.between(first, last))):
        day = found.setdefault(date, {"drinks": 0.0, "baclofen_mg": 0.0, "cravings": []})
        day["drinks"] += drinks or 0.0
        if craving is not None:
            day["cravings"].append(craving)
    for date, mg in db.session.execute(
            sa.select(Dose.local_date, sa.func.sum(Dose.amount_mg))
            .where(Dose.patient_id == patient_id, Dose.local_date.between(first, last))
            .group_by(Dose.local_date)):
        if date in found:  # a dose counts on a day the patient logged; other days are unknown
            found[date]["baclofen_mg"] += float(mg)
    return {date: Day(v["drinks"], v["baclofen_mg"], tuple(v["cravings"])) for date, v in found.items()}


def outcomes_of(patient: Patient, first: dt.date, last: dt.date) -> dict:
    """The window's measures, the baseline's (the first 28 days of treatment) and the change."""
    base_first = patient.treatment_start
    base_last = base_first + dt.timedelta(days=BASELINE_DAYS - 1)
    days = _days(patient.id, min(first, base_first), max(last, base_last))
    now = measure(days, first, last, patient.sex, patient.standard_drink_g)
    baseline = measure(days, base_first, base_last, patient.sex, patient.standard_drink_g)
    return {**now, "sex": patient.sex, "standard_drink_g": patient.standard_drink_g, "baseline": baseline,
            "who_level_change": level_change(now["who_risk_level"], baseline["who_risk_level"]),
            "latest_scores": latest_scores(patient.id)}
