"""Flags: what the rules found, kept for the clinician's review."""
from __future__ import annotations

import uuid

from .models import Entry, Patient


def judge_entry(patient: Patient, entry: Entry) -> list:
    """Judge a stored entry against every rule and keep what matched."""
    entry.flags = []
    return []


def flags_of_entries(entry_ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
    """Return the flags each entry contributed to."""
    return {}


def flags_by_day(patient: Patient, first, last) -> dict:
    """Return the flags with an occurrence on each local day."""
    return {}


def with_flags(entries: list[Entry]) -> list[Entry]:
    """Attach to each entry the flags it contributed to, in one query."""
    found = flags_of_entries([e.id for e in entries])
    for entry in entries:
        entry.flags = found.get(entry.id, [])
    return entries
