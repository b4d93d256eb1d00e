"""Read a patient's free-text note for the most dangerous warning signs."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoteFinding:
    code: str  # a symptom code of the vocabulary
    words: str  # the words of the note that matched


def read_note(text: str | None) -> tuple[NoteFinding, ...]:
    """Return the warning signs found in a note, at most one finding per code."""
    return ()
