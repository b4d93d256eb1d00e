"""The note reader's development set: notes written to be read, each with the signs it carries.

Every `dev/*.json` is a JSON list of records

    {"note": str, "signs": [symptom codes], "lang": "en" | "fr" | "es", "kind": one of KINDS}

where `signs` lists every sign the note carries for the patient (empty for a look-alike or an
ordinary note). Records exported from clinicians' dismissals (`notes export-feedback`) also name
the `rule` and the `sign` that were wrongly found. A note is in `train` or `heldout` by its text
alone, so it never changes sides when files are added or reordered; nothing tuned on `train`
sees `heldout`.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from service.note_evaluation import LOOK_ALIKE_KINDS
from service.rules.catalogue import NOTE_RULES, NOTE_SIGN_RULES

DEV_DIR = Path(__file__).resolve().parent / "dev"

SIGNS = tuple(NOTE_SIGN_RULES)
LANGS = ("en", "fr", "es")
# Notes that carry a sign, written as patients write them.
FINDING_KINDS = ("plain", "indirect", "euphemism", "run_on")
KINDS = FINDING_KINDS + LOOK_ALIKE_KINDS + ("none",)
SPLITS = ("train", "heldout")
TRAIN_SHARE = 6  # tenths of the notes

_FIELDS = {"note", "signs", "lang", "kind"}
_FEEDBACK_FIELDS = {"rule", "sign"}
_MAX_SHOWN = 20  # problems listed in one error


class DevSetError(ValueError):
    """A development-set file that cannot be used as it is; the message names each problem."""


@dataclass(frozen=True)
class DevNote:
    note: str
    signs: tuple[str, ...]
    lang: str
    kind: str
    file: str  # the file's name, for messages

    @property
    def split(self) -> str:
        return split_of(self.note)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules the note's signs fire, in the catalogue's order."""
        return tuple(rule for rule in NOTE_RULES if any(NOTE_SIGN_RULES[s] == rule for s in self.signs))


def split_of(note: str) -> str:
    """Return "train" or "heldout": fixed by the note's text, whatever else is in the set."""
    return "train" if int(hashlib.sha1(note.encode()).hexdigest(), 16) % 10 < TRAIN_SHARE else "heldout"


def same_note(note: str) -> str:
    """The form two notes share when they are one note typed twice (case, spaces)."""
    return re.sub(r"\s+", " ", note).strip().casefold()


def problems_of(record) -> list[str]:
    """Return what is wrong with one record; empty when it is a valid record."""
    if not isinstance(record, dict):
        return ["not an object"]
    found = []
    missing, unknown = _FIELDS - record.keys(), record.keys() - _FIELDS - _FEEDBACK_FIELDS
    if missing:
        found.append(f"missing {', '.join(sorted(missing))}")
    if unknown:
        found.append(f"unknown field(s) {', '.join(sorted(unknown))}")
    note, signs, lang, kind = (record.get(k) for k in ("note", "signs", "lang", "kind"))
    if "note" in record and not (isinstance(note, str) and note.strip()):
        found.append("note is not a non-empty string")
    if "signs" in record:
        if not isinstance(signs, list) or not all(isinstance(s, str) for s in signs):
            found.append("signs is not a list of symptom codes")
        else:
            strange = [s for s in signs if s not in NOTE_SIGN_RULES]
            if strange:
                found.append(f"signs has codes a note is not read for: {', '.join(strange)}")
            if len(set(signs)) != len(signs):
                found.append("signs names a code twice")
    if "lang" in record and lang not in LANGS:
        found.append(f"lang {lang!r} is not one of {', '.join(LANGS)}")
    if "kind" in record and kind not in KINDS:
        found.append(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    elif isinstance(signs, list):
        if kind in FINDING_KINDS and kind != "run_on" and not signs:  # a run-on note is a style: it may carry none
            found.append(f"kind {kind} needs at least one sign")
        if kind == "none" and signs:
            found.append("kind none carries no sign")
    if "rule" in record and record["rule"] not in NOTE_RULES:
        found.append(f"rule {record['rule']!r} is not a rule a note fires")
    if "sign" in record and record["sign"] not in NOTE_SIGN_RULES:
        found.append(f"sign {record['sign']!r} is not a sign a note is read for")
    return found


def load(folder: Path | str = DEV_DIR) -> list[DevNote]:
    """Read and check every `*.json` of the folder, in name order; refuse a note found twice."""
    notes: list[DevNote] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{path.name}: not JSON ({error})")
            continue
        if not isinstance(records, list):
            problems.append(f"{path.name}: not a JSON list of records")
            continue
        for index, record in enumerate(records):
            where = f"{path.name}[{index}]"
            wrong = problems_of(record)
            if wrong:
                problems.append(f"{where}: {'; '.join(wrong)}")
                continue
            key = same_note(record["note"])
            if key in seen:
                problems.append(f"{where}: the same note as {seen[key]}")
                continue
            seen[key] = where
            notes.append(DevNote(record["note"], tuple(record["signs"]), record["lang"], record["kind"], path.name))
    if problems:
        more = len(problems) - _MAX_SHOWN
        shown = problems[:_MAX_SHOWN] + ([f"... and {more} more"] if more > 0 else [])
        raise DevSetError("the development set has problems:\n  " + "\n  ".join(shown))
    return notes


def select(notes: list[DevNote], split: str) -> list[DevNote]:
    """Keep the notes of one split ("train", "heldout"), or all of them ("all")."""
    if split == "all":
        return list(notes)
    if split not in SPLITS:
        raise ValueError(f"no split {split!r}: train, heldout or all")
    return [note for note in notes if note.split == split]
