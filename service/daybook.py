"""A patient's local days held in memory, for judging many entries in a row.

Re-evaluation and batches judge entry after entry; reading each one's history from the database
would cost a round trip per entry. A day book starts from the stored days (or from nothing) and
adds each entry's doses, drinks, craving and substances to its days as it goes.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping

from . import rules

_NOTHING = rules.Day()


class DayBook:
    def __init__(self, base: Mapping[dt.date, rules.Day] | None = None):
        self.base = dict(base or {})  # days as stored before the book was opened
        self.added: dict[dt.date, list] = defaultdict(list)
        # For each day: the running total of base and everything added, the entries in it and the
        # latest of their arrivals. A day that all came in before the entry asked about, and does
        # not hold that entry, is read from its total instead of adding its entries up again.
        self._totals: dict[dt.date, rules.Day] = {}
        self._keys: dict[dt.date, set[int]] = defaultdict(set)
        self._latest: dict[dt.date, dt.datetime] = {}

    def add(self, entry_id: uuid.UUID, received_at: dt.datetime, entry: rules.Entry) -> None:
        """Add what an entry brings to each of its local days."""
        mg_by_day: dict[dt.date, float] = defaultdict(float)
        for dose in entry.doses:
            mg_by_day[dose.local_date] += dose.amount_mg
        key = entry_id.int  # ints compare much faster than UUIDs in the loop below
        for day, mg in mg_by_day.items():
            if day != entry.local_date:
                self._add(day, (key, received_at, mg, 0.0, None, frozenset()))
        self._add(entry.local_date, (key, received_at, mg_by_day.get(entry.local_date, 0.0),
                                     entry.alcohol_drinks or 0.0, entry.craving,
                                     frozenset(s.name for s in entry.substances)))

    def _add(self, day: dt.date, item: tuple) -> None:
        self.added[day].append(item)
        key, received_at, mg, drinks, craving, names = item
        self._keys[day].add(key)
        latest = self._latest.get(day)
        self._latest[day] = received_at if latest is None else max(latest, received_at)
        day_so_far = self._totals.get(day) or self.base.get(day, _NOTHING)
        if craving is None or (day_so_far.max_craving is not None and day_so_far.max_craving >= craving):
            craving = day_so_far.max_craving
        self._totals[day] = rules.Day(baclofen_mg=day_so_far.baclofen_mg + mg, drinks=day_so_far.drinks + drinks,
                                     max_craving=craving, sedatives=day_so_far.sedatives | names)

    def history(self, entry_id: uuid.UUID, received_at: dt.datetime, entry: rules.Entry) -> dict[dt.date, rules.Day]:
        """Return the days of the entry's window without it, as received by the time it came in."""
        first, last = rules.window(entry)
        key = entry_id.int
        days = {}
        day = first
        while day <= last:
            if day not in self._totals:
                if day in self.base:
                    days[day] = self.base[day]
            elif key not in self._keys[day] and self._latest[day] <= received_at:
                days[day] = self._totals[day]
            elif (found := self._scan(day, key, received_at)) is not None:
                days[day] = found
            day += dt.timedelta(days=1)
        return days

    def _scan(self, day: dt.date, key: int, received_at: dt.datetime) -> rules.Day | None:
        """Add up one day's entries but this one and those that came in after it."""
        base = self.base.get(day, _NOTHING)
        mg, drinks, craving, sedatives = base.baclofen_mg, base.drinks, base.max_craving, base.sedatives
        seen = day in self.base
        for other, other_received, other_mg, other_drinks, other_craving, names in self.added[day]:
            if other == key or other_received > received_at:
                continue
            seen = True
            mg += other_mg
            drinks += other_drinks
            if other_craving is not None and (craving is None or other_craving > craving):
                craving = other_craving
            sedatives = sedatives | names
        return rules.Day(baclofen_mg=mg, drinks=drinks, max_craving=craving, sedatives=sedatives) if seen else None
