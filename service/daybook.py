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
        # Running totals of base and everything added, for the common question "what came before
        # this new entry" (a batch judged in the order it is written): no scan of the day's entries.
        self._totals: dict[dt.date, rules.Day] = {}
        self._keys: set[int] = set()
        self._latest: dt.datetime | None = None

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
        self._keys.add(key)
        self._latest = received_at if self._latest is None else max(self._latest, received_at)

    def _add(self, day: dt.date, item: tuple) -> None:
        self.added[day].append(item)
        _, _, mg, drinks, craving, names = item
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
        if key not in self._keys and (self._latest is None or received_at >= self._latest):
            while day <= last:  # everything in the book came in before this entry
                if (found := self._totals.get(day) or self.base.get(day)) is not None:
                    days[day] = found
                day += dt.timedelta(days=1)
            return days
        while day <= last:
            base = self.base.get(day, _NOTHING)
            mg, drinks, craving, sedatives = base.baclofen_mg, base.drinks, base.max_craving, base.sedatives
            seen = day in self.base
            for other, other_received, other_mg, other_drinks, other_craving, names in self.added.get(day, ()):
                if other == key or other_received > received_at:
                    continue
                seen = True
                mg += other_mg
                drinks += other_drinks
                if other_craving is not None and (craving is None or other_craving > craving):
                    craving = other_craving
                sedatives = sedatives | names
            if seen:
                days[day] = rules.Day(baclofen_mg=mg, drinks=drinks, max_craving=craving, sedatives=sedatives)
            day += dt.timedelta(days=1)
        return days
