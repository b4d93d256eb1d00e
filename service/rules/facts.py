"""What the rules read: the entry being judged, seen with the patient's recent local days."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

from service.rules import notes
from service.rules.catalogue import is_sedative
from service.rules.model import Day, Entry, History, PatientContext

HEAVY_DRINKING_DAY_DRINKS = 5  # standard drinks: 5 or more on one local day
NOTE_SEVERITY = 2  # a symptom found only in a note counts as moderate
HISTORY_DAYS = 10  # the most days before the entry any rule reads

_NOTHING = Day()


@dataclass(frozen=True)
class Facts:
    """The entry, the patient, their stored days, and what the entry itself adds to each day."""

    entry: Entry
    patient: PatientContext
    history: History  # the patient's other entries, by local day
    own: Mapping[dt.date, Day]  # this entry alone, by local day
    reported: Mapping[str, int]  # reported symptom code -> severity
    note_words: Mapping[str, str]  # symptom code -> the words of the note that matched
    note_semantic: Mapping[str, dict]  # symptom code -> the example a sentence of the note was like

    @classmethod
    def gather(cls, entry: Entry, patient: PatientContext, history: History) -> Facts:
        """Collect what the rules need to judge an entry."""
        reported = {}
        for symptom in entry.symptoms:
            reported[symptom.code] = max(symptom.severity, reported.get(symptom.code, 0))
        note_words, note_semantic = {}, {}
        for finding in notes.read_note(entry.note) if entry.note else ():
            note_words[finding.code] = finding.words
            if finding.layer == "semantic":  # the words are a whole sentence: say what it was like
                note_semantic[finding.code] = {"example": finding.example, "similarity": finding.similarity}
            # A severity the patient chose in the app stands; the note only adds what is missing.
            reported.setdefault(finding.code, NOTE_SEVERITY)
        return cls(entry, patient, history, _own_days(entry), reported, note_words, note_semantic)

    # -- the entry's days

    @property
    def day(self) -> dt.date:
        """The entry's local day (D)."""
        return self.entry.local_date

    @property
    def dose_days(self) -> tuple[dt.date, ...]:
        """The local days this entry adds baclofen doses to, in order."""
        return tuple(sorted({dose.local_date for dose in self.entry.doses}))

    @property
    def day_of_treatment(self) -> int:
        return (self.day - self.patient.treatment_start).days

    def days_before(self, first: int, last: int = 0) -> tuple[dt.date, ...]:
        """Return the local days from `first` days before the entry's day to `last` days before."""
        return self._days_back[first : last - 1 if last else None : -1]

    @cached_property
    def _days_back(self) -> tuple[dt.date, ...]:
        # The entry's day and those before it, nearest first, computed once: every rule asks.
        return tuple(self.day - dt.timedelta(days=n) for n in range(HISTORY_DAYS + 1))

    # -- one local day, this entry included

    def daily_total(self, day: dt.date) -> float:
        return self._stored(day).baclofen_mg + self._own(day).baclofen_mg

    def drinks(self, day: dt.date) -> float:
        return self._stored(day).drinks + self._own(day).drinks

    def heavy_drinking_day(self, day: dt.date) -> bool:
        return self.drinks(day) >= HEAVY_DRINKING_DAY_DRINKS

    def max_craving(self, day: dt.date) -> int | None:
        stored, own = self._stored(day).max_craving, self._own(day).max_craving
        return own if stored is None else stored if own is None else max(stored, own)

    def sedatives(self, day: dt.date) -> list[str]:
        """Return the sedatives taken on a day, by name, prescribed or not."""
        names = self._stored(day).sedatives | self._own(day).sedatives
        return sorted(name for name in names if is_sedative(name))

    def max_daily_mg(self, day: dt.date) -> float | None:
        """Return the prescribed maximum in effect on a day, or None without a prescription."""
        prescription = self.patient.prescription_on(day)
        return None if prescription is None else prescription.max_daily_mg

    def above_prescribed(self, day: dt.date) -> bool:
        max_daily_mg = self.max_daily_mg(day)
        return max_daily_mg is not None and self.daily_total(day) > max_daily_mg

    def _stored(self, day: dt.date) -> Day:
        return self.history.get(day, _NOTHING)

    def _own(self, day: dt.date) -> Day:
        return self.own.get(day, _NOTHING)

    # -- reported symptoms

    def reported_among(self, codes: Iterable[str], min_severity: int = 1) -> tuple[str, ...]:
        """Return the codes, in the order given, reported at `min_severity` or more."""
        if not self.reported and min_severity > 0:  # most entries report none, and every rule asks
            return ()
        return tuple(code for code in codes if self.reported.get(code, 0) >= min_severity)

    def symptom_evidence(self, codes: Iterable[str]) -> dict:
        """Return the symptoms a rule matched, with their severities and the note's words."""
        codes = tuple(codes)
        evidence = {"symptoms": {code: self.reported[code] for code in codes}}
        words = {code: self.note_words[code] for code in codes if code in self.note_words}
        if words:
            evidence["note_words"] = words
        semantic = {code: self.note_semantic[code] for code in codes if code in self.note_semantic}
        if semantic:
            evidence["note_semantic"] = semantic
        return evidence


def _own_days(entry: Entry) -> dict[dt.date, Day]:
    """Return what the entry adds to each local day: doses on theirs, the rest on the entry's."""
    doses: dict[dt.date, float] = {}
    for dose in entry.doses:
        doses[dose.local_date] = doses.get(dose.local_date, 0.0) + dose.amount_mg
    days = {day: Day(baclofen_mg=mg) for day, mg in doses.items()}
    days[entry.local_date] = Day(
        baclofen_mg=doses.get(entry.local_date, 0.0),
        drinks=entry.alcohol_drinks or 0.0,
        max_craving=entry.craving,
        sedatives=frozenset(s.name for s in entry.substances if is_sedative(s.name)),
    )
    return days


def number(value: float) -> int | float:
    """Return a quantity for evidence: 120 rather than 120.0, at most two decimals."""
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value
