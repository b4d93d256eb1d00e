"""The patient page's forms read as the API's schemas read a body: the page posts text, the API numbers.

A number typed in a box becomes a number (anything else stays text, for the schema to refuse in its
own words); choosing "not asked" or "off" becomes null; a box left empty where a number was needed
gets its message in the page's words, not the schema's "Not a valid integer."
"""
from __future__ import annotations

from dataclasses import dataclass, field

from schemas.patient import PatientCreateSchema

from ..errors import flatten_errors
from ..measures.instruments import INSTRUMENTS
from ..measures.schedule import DEFAULT_EVERY_DAYS

EVERY, OFF = "every", "off"
NO_DAYS = "Give the number of days, or choose “{off}”."
NO_GRAMS = "Give the grams of ethanol in one standard drink."
# What a box shows while its thing is off, ready for "every": the instrument's default, or a new patient's.
READY_DAYS = {**DEFAULT_EVERY_DAYS,
              "expected_every_days": PatientCreateSchema().fields["expected_every_days"].load_default}


@dataclass(frozen=True)
class Reading:
    values: dict  # for the schema
    kept: dict  # what was typed and chosen, shown again with the errors
    blank: dict = field(default_factory=dict)  # field -> the page's message for a box left empty

    def errors(self, messages) -> dict:
        """The schema's messages by field, the page's own for a box left empty."""
        return {name: [self.blank[name]] if name in self.blank else found
                for name, found in flatten_errors(messages).items()}


def typed_number(text: str):
    """12 -> 12, 12.5 -> 12.5; what is no number stays text, which the schema refuses."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _days_or_off(form, name: str, off_words: str, values: dict, kept: dict, blank: dict) -> None:
    typed, choice = form.get(name, "").strip(), OFF if form.get(f"{name}-choice") == OFF else EVERY
    kept[name], kept[f"{name}-choice"] = typed, choice
    values[name] = None if choice == OFF else typed_number(typed)
    if choice == EVERY and not typed:
        blank[name] = NO_DAYS.format(off=off_words)


def schedule_form(form) -> Reading:
    """Each instrument: every N days, or not asked."""
    values, kept, blank = {}, {}, {}
    for code in INSTRUMENTS:
        _days_or_off(form, code, "Not asked", values, kept, blank)
    return Reading(values, kept, blank)


def monitoring_form(form) -> Reading:
    """Days without an entry before the care team is told (or off), sex, and grams in a standard drink."""
    values, kept, blank = {}, {}, {}
    _days_or_off(form, "expected_every_days", "Off", values, kept, blank)
    kept["sex"] = values["sex"] = form.get("sex", "").strip()
    kept["standard_drink_g"] = typed = form.get("standard_drink_g", "").strip()
    values["standard_drink_g"] = typed_number(typed)
    if not typed:
        blank["standard_drink_g"] = NO_GRAMS
    return Reading(values, kept, blank)


def shown(schedule: dict, patient) -> dict:
    """What the forms show before anything is typed: the patient's schedule and settings as stored."""
    kept = {}
    for name, days in list(schedule.items()) + [("expected_every_days", patient.expected_every_days)]:
        kept[name] = str(READY_DAYS[name] if days is None else days)
        kept[f"{name}-choice"] = OFF if days is None else EVERY
    kept["sex"], kept["standard_drink_g"] = patient.sex, f"{patient.standard_drink_g:g}"
    return kept
