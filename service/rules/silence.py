"""The silent patient (warning-signs.md, "The silent patient"): judged by the sweep, not by an entry."""
from __future__ import annotations

import datetime as dt

from service.rules.model import Match, Silence

URGENT_LOOKBACK = dt.timedelta(days=7)  # an urgent flag this long before the last entry makes it high


def silent_patient(silence: Silence, now: dt.datetime) -> Match | None:
    """No entry received for more than `expected_every_days` days, by the server's clock.

    A patient who never logged is counted from the enrolment of their first phone still in use.
    """
    if silence.expected_every_days is None:
        return None
    since = silence.last_entry_received_at or silence.watched_since
    if now - since <= dt.timedelta(days=silence.expected_every_days):
        return None
    return Match("silent_patient", "high" if silence.urgent_before_last_entry else "moderate", {
        "expected_every_days": silence.expected_every_days,
        "last_entry_received_at": None if silence.last_entry_received_at is None
        else silence.last_entry_received_at.isoformat(),
        "days_without_entry": round((now - since).total_seconds() / 86400, 1),
        "urgent_flag_in_week_before_last_entry": silence.urgent_before_last_entry})
