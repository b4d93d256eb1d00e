"""What clinicians teach the note reader: flags dismissed because the note did not say what the
reader found, kept as labelled notes for its development set."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from .extensions import db
from .models import Entry, Flag, Occurrence, Review

# Why a sign found in a note was not one, and the kind of look-alike the note is, in the
# development set's words.
REASON_KINDS = {
    "not_about_patient": "someone_else",
    "negated": "negated",
    "not_a_sign": "other_meaning",
    "other": "none",
}
REASONS = tuple(REASON_KINDS)


def note_signs(occurrence_evidence: dict, entry_symptoms: Iterable[dict] | None) -> tuple[str, ...]:
    """The signs of one match that came from its entry's note alone; () when any did not."""
    signs = occurrence_evidence.get("symptoms") or {}
    from_note = occurrence_evidence.get("note_words") or {}
    chosen = {symptom["code"] for symptom in entry_symptoms or ()}
    if not signs or any(code not in from_note or code in chosen for code in signs):
        return ()
    return tuple(signs)


def found_in_note_alone(matches: Iterable[tuple[Occurrence, Entry]]) -> bool:
    """Whether every match of a flag stood on signs its entry's note alone gave (none chosen in the app)."""
    matches = list(matches)
    return bool(matches) and all(note_signs(occurrence.evidence, entry.symptoms) for occurrence, entry in matches)


def dismissed_notes(since: dt.datetime | None = None) -> list[dict]:
    """Each note whose flag was dismissed with a reason (since a time), as a development-set record.

    A record holds the note's text and labels only: no patient, entry, flag, clinician or time.
    A note dismissed more than once is written once, with its first dismissal's labels.
    """
    query = (sa.select(Review.reason, Flag.rule, Occurrence.evidence, Entry.note)
             .join(Flag, Flag.id == Review.flag_id)
             .join(Occurrence, Occurrence.flag_id == Flag.id)
             .join(Entry, Entry.id == Occurrence.entry_id)
             .where(Review.action == "dismiss", Review.reason.is_not(None), Entry.note.is_not(None))
             .order_by(Review.at, Review.id, Occurrence.recorded_at, Occurrence.id))
    if since is not None:
        query = query.where(Review.at >= since)
    records: dict[str, dict] = {}
    for reason, rule, evidence, note in db.session.execute(query):
        signs = tuple(evidence.get("note_words") or ())
        if note.strip() and signs and note not in records:
            records[note] = {"note": note, "signs": [], "lang": "en", "kind": REASON_KINDS[reason],
                             "rule": rule, "sign": signs[0]}
    return list(records.values())
