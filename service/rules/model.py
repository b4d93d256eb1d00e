"""Plain inputs and outputs of the warning-sign rules: no Flask, no database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Dose:
    amount_mg: float
    taken_at: dt.datetime
    local_date: dt.date  # the patient-local day of taken_at


@dataclass(frozen=True)
class Symptom:
    code: str
    severity: int  # 1 mild, 2 moderate, 3 severe


@dataclass(frozen=True)
class Substance:
    name: str
    prescribed: bool


@dataclass(frozen=True)
class Entry:
    recorded_at: dt.datetime
    local_date: dt.date  # the patient-local day of recorded_at
    craving: int | None = None
    doses: tuple[Dose, ...] = ()
    alcohol_drinks: float | None = None
    symptoms: tuple[Symptom, ...] = ()
    substances: tuple[Substance, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Prescription:
    daily_dose_mg: float
    max_daily_mg: float
    approach: str  # fixed or flexible
    effective_from: dt.date


def in_effect(prescriptions, day: dt.date):
    """Return the prescription in effect on a local day: the latest started by then, the latest
    recorded winning a tie. Works on anything with an `effective_from`, stored or plain."""
    best = None
    for rx in prescriptions:
        if rx.effective_from <= day and (best is None or rx.effective_from >= best.effective_from):
            best = rx
    return best


@dataclass(frozen=True)
class PatientContext:
    treatment_start: dt.date
    timezone: str = "UTC"
    renal_impairment: bool = False
    depression: bool = False
    anxiety: bool = False
    sex: str = "unspecified"  # female, male or unspecified: some questionnaire bands depend on it
    # The whole prescription history, in the order it was recorded.
    prescriptions: tuple[Prescription, ...] = ()

    def prescription_on(self, day: dt.date) -> Prescription | None:
        """Return the prescription in effect on a local day."""
        return in_effect(self.prescriptions, day)


@dataclass(frozen=True)
class Day:
    """What the patient's other stored entries add up to on one local day."""

    baclofen_mg: float = 0.0
    drinks: float = 0.0
    max_craving: int | None = None
    sedatives: frozenset[str] = frozenset()  # sedative names taken that day


# The patient's other stored entries (never the entry being judged), as local-day
# aggregates for the days of `window(entry)`; a day with nothing stored may be absent.
History = Mapping[dt.date, Day]


@dataclass(frozen=True)
class Match:
    rule: str
    severity: str  # urgent, high or moderate
    evidence: dict = field(default_factory=dict)
    # Symptom codes this match fired for: side_effect and mood_symptoms skip them.
    symptoms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Response:
    """A questionnaire response, scored by its instrument."""

    instrument: str  # phq9, gad7, pacs or auditc
    answered_at: dt.datetime
    local_date: dt.date  # the patient-local day of answered_at
    answers: tuple[int, ...]
    score: int


@dataclass(frozen=True)
class Silence:
    """What the sweep knows of a watched patient (a phone in use)."""

    expected_every_days: int | None
    last_entry_received_at: dt.datetime | None  # server time; None: never logged
    watched_since: dt.datetime  # when their first phone still in use was enrolled
    urgent_before_last_entry: bool  # an urgent flag raised in the 7 days before the last entry
