"""Build rule inputs tersely: days are counted from TODAY (day 0), as in the acceptance scenarios."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from service.rules import (
    Day,
    Dose,
    Entry,
    Match,
    PatientContext,
    Prescription,
    Substance,
    Symptom,
    judge,
)

TODAY = dt.date(2026, 11, 20)


def day(n: int = 0) -> dt.date:
    """Return the local day `n` days after TODAY (negative: before)."""
    return TODAY + dt.timedelta(days=n)


def local(on: int, time: str, tz: str = "UTC") -> dt.datetime:
    """Return a time on a local day, in the patient's time zone."""
    hour, minute = map(int, time.split(":"))
    return dt.datetime.combine(day(on), dt.time(hour, minute), tzinfo=ZoneInfo(tz))


def dose_taken(amount_mg: float, taken_at: dt.datetime, tz: str) -> Dose:
    """Return a dose whose local day is that of `taken_at` in the patient's time zone."""
    return Dose(amount_mg, taken_at, taken_at.astimezone(ZoneInfo(tz)).date())


def dose(amount_mg: float, on: int = 0, time: str = "08:00", tz: str = "UTC") -> Dose:
    return dose_taken(amount_mg, local(on, time, tz), tz)


def entry(
    on: int = 0,
    *,
    doses=(),
    drinks: float | None = None,
    craving: int | None = None,
    symptoms: dict[str, int] | None = None,
    substances: dict[str, bool] | None = None,
    note: str | None = None,
    time: str = "20:00",
    tz: str = "UTC",
) -> Entry:
    """Return an entry recorded on day `on`; a number in `doses` is a dose taken that day."""
    recorded_at = local(on, time, tz)
    return entry_at(
        recorded_at,
        tz,
        doses=tuple(d if isinstance(d, Dose) else dose(d, on, tz=tz) for d in doses),
        alcohol_drinks=drinks,
        craving=craving,
        symptoms=tuple(Symptom(code, severity) for code, severity in (symptoms or {}).items()),
        substances=tuple(Substance(name, prescribed) for name, prescribed in (substances or {}).items()),
        note=note,
    )


def entry_at(recorded_at: dt.datetime, tz: str, **fields) -> Entry:
    """Return an entry whose local day is that of `recorded_at` in the patient's time zone."""
    return Entry(recorded_at=recorded_at, local_date=recorded_at.astimezone(ZoneInfo(tz)).date(), **fields)


def rx(max_daily_mg: float, from_day: int = -40, daily_dose_mg: float | None = None) -> Prescription:
    return Prescription(
        daily_dose_mg=daily_dose_mg if daily_dose_mg is not None else max_daily_mg,
        max_daily_mg=max_daily_mg,
        approach="flexible",
        effective_from=day(from_day),
    )


def patient(
    *,
    start: int = -40,
    max_daily: float | None = None,
    prescriptions: tuple[Prescription, ...] = (),
    renal_impairment: bool = False,
    depression: bool = False,
    tz: str = "UTC",
) -> PatientContext:
    """Return a patient treated since day `start`; `max_daily` is a prescription since then."""
    if max_daily is not None:
        prescriptions = (rx(max_daily, start), *prescriptions)
    return PatientContext(
        treatment_start=day(start),
        timezone=tz,
        renal_impairment=renal_impairment,
        depression=depression,
        prescriptions=prescriptions,
    )


def history(days: dict[int, Day] | None = None) -> dict[dt.date, Day]:
    """Return stored days by local date from {day offset: Day}."""
    return {day(n): stored for n, stored in (days or {}).items()}


def steady(mg: float, first: int, last: int) -> dict[int, Day]:
    """Return the same daily total of baclofen on every day from `first` to `last`."""
    return {n: Day(baclofen_mg=mg) for n in range(first, last + 1)}


def run(an_entry: Entry, a_patient: PatientContext | None = None, days: dict[int, Day] | None = None) -> list[Match]:
    return judge(an_entry, a_patient or patient(), history(days))


def codes(an_entry: Entry, a_patient: PatientContext | None = None, days: dict[int, Day] | None = None) -> list[str]:
    """Return the rule codes an entry matches."""
    return [m.rule for m in run(an_entry, a_patient, days)]


def match(rule: str, an_entry: Entry, a_patient: PatientContext | None = None, days=None) -> Match | None:
    """Return the match of one rule, or None."""
    return next((m for m in run(an_entry, a_patient, days) if m.rule == rule), None)


def severity(rule: str, an_entry: Entry, a_patient: PatientContext | None = None, days=None) -> str | None:
    """Return the severity one rule matched with, or None when it did not match."""
    found = match(rule, an_entry, a_patient, days)
    return None if found is None else found.severity
