"""Score the note reader: of the signs notes carry, how many it finds; of the look-alikes, how
many it wrongly flags. A note is scored by the rules its findings would fire on their own."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .rules.catalogue import NOTE_RULES, NOTE_SIGN_RULES

# Kinds of the development set whose notes use a sign's words without the patient having it.
LOOK_ALIKE_KINDS = ("negated", "someone_else", "hypothetical", "resolved", "other_meaning")
SHOWN_CHARS = 90  # of a note, in the lists of misses and false alarms


class Malformed(ValueError):
    """A file of cases that is not of the documented shape; the message says where."""


@dataclass(frozen=True)
class Case:
    """A note with the one rule it must fire (positive) or the rules it must not fire (negative)."""

    note: str
    rules: tuple[str, ...]
    positive: bool
    lang: str | None = None
    kind: str | None = None


@dataclass
class Tally:
    counted: str = "found"  # what `hits` are called in the figures: "found", or "count" of false alarms
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    @property
    def percent(self) -> float | None:
        return None if not self.total else round(100 * self.hits / self.total, 1)

    def as_dict(self) -> dict:
        return {self.counted: self.hits, "total": self.total, "percent": self.percent}


def _recall() -> Tally:
    return Tally("found")


def _alarms() -> Tally:
    return Tally("count")


@dataclass
class Report:
    by_rule: dict[str, Tally] = field(default_factory=lambda: {rule: _recall() for rule in NOTE_RULES})
    recall: Tally = field(default_factory=_recall)
    false_alarms: Tally = field(default_factory=_alarms)
    by_lang: dict[str, tuple[Tally, Tally]] = field(default_factory=dict)
    by_kind: dict[str, tuple[Tally, Tally]] = field(default_factory=dict)
    misses: list[tuple[Case, dict]] = field(default_factory=list)  # with what was found instead
    alarms: list[tuple[Case, dict]] = field(default_factory=list)  # with the forbidden rules that fired
    notes_read: int = 0

    def figures(self) -> dict:
        """The figures as plain values, for the final JSON line."""
        out = {
            "notes_read": self.notes_read,
            "recall": self.recall.as_dict(),
            "by_rule": {rule: tally.as_dict() for rule, tally in self.by_rule.items()},
            "false_alarms": self.false_alarms.as_dict(),
        }
        for name, groups in (("by_lang", self.by_lang), ("by_kind", self.by_kind)):
            if groups:
                out[name] = {key: {"recall": found.as_dict(), "false_alarms": alarms.as_dict()}
                             for key, (found, alarms) in sorted(groups.items())}
        return out


# ------------------------------------------------------------------ cases


def cases_from_file(data) -> list[Case]:
    """Check a decoded file `{"positive": [[note, rule], ...], "negative": [[note, [rules]], ...]}`."""
    if not isinstance(data, dict) or not data.keys() or data.keys() - {"positive", "negative"}:
        raise Malformed('the file must be a JSON object with "positive" and/or "negative" lists, and nothing else')
    cases, problems = [], []
    for index, item in enumerate(_listed(data, "positive")):
        if not (isinstance(item, list) and len(item) == 2 and _is_note(item[0]) and item[1] in NOTE_RULES):
            problems.append(f"positive[{index}] is not [note, rule] with a rule among {', '.join(NOTE_RULES)}")
        else:
            cases.append(Case(item[0], (item[1],), True))
    for index, item in enumerate(_listed(data, "negative")):
        if not (isinstance(item, list) and len(item) == 2 and _is_note(item[0]) and isinstance(item[1], list)
                and item[1] and all(rule in NOTE_RULES for rule in item[1])):
            problems.append(f"negative[{index}] is not [note, [rules that must not fire]] with rules among "
                            f"{', '.join(NOTE_RULES)}")
        else:
            cases.append(Case(item[0], tuple(dict.fromkeys(item[1])), False))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise Malformed("; ".join(problems[:5]) + more)
    return cases


def _listed(data: dict, key: str) -> list:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise Malformed(f'"{key}" must be a list')
    return items


def _is_note(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def cases_from_devset(notes: Iterable) -> list[Case]:
    """Turn development-set records into cases: each sign's rule must fire; a note without signs
    must fire none of the note rules; a look-alike carrying a sign must fire none of the others."""
    cases = []
    for dev in notes:
        fired = tuple(rule for rule in NOTE_RULES if any(NOTE_SIGN_RULES[s] == rule for s in dev.signs))
        cases += [Case(dev.note, (rule,), True, dev.lang, dev.kind) for rule in fired]
        if not dev.signs or dev.kind in LOOK_ALIKE_KINDS:
            forbidden = tuple(rule for rule in NOTE_RULES if rule not in fired)
            if forbidden:
                cases.append(Case(dev.note, forbidden, False, dev.lang, dev.kind))
    return cases


# ------------------------------------------------------------------ scoring


def rules_fired(findings: Iterable) -> dict[str, str]:
    """The note rules a note's findings fire on their own, each with the words that fired it."""
    fired: dict[str, str] = {}
    for finding in findings:
        rule = NOTE_SIGN_RULES.get(finding.code)
        if rule is not None:
            fired.setdefault(rule, f"{finding.code} {finding.words!r}")
    return fired


def score(cases: Sequence[Case], read: Callable, progress: Callable[[int, int], None] | None = None,
          every: int = 100) -> Report:
    """Read each distinct note once with `read` (the note reader) and score every case."""
    notes = list(dict.fromkeys(case.note for case in cases))
    fired: dict[str, dict[str, str]] = {}
    for done, note in enumerate(notes, 1):
        fired[note] = rules_fired(read(note))
        if progress is not None and (done % every == 0 or done == len(notes)):
            progress(done, len(notes))
    report = Report(notes_read=len(notes))
    for case in cases:
        found = fired[case.note]
        if case.positive:
            counted = case.rules[0] in found  # found
            report.by_rule[case.rules[0]].add(counted)
            report.recall.add(counted)
            if not counted:
                report.misses.append((case, found))
        else:
            wrong = {rule: words for rule, words in found.items() if rule in case.rules}
            counted = bool(wrong)  # a false alarm
            report.false_alarms.add(counted)
            if wrong:
                report.alarms.append((case, wrong))
        for key, groups in ((case.lang, report.by_lang), (case.kind, report.by_kind)):
            if key is not None:
                recall, alarms = groups.setdefault(key, (_recall(), _alarms()))
                (recall if case.positive else alarms).add(counted)
    return report


# ------------------------------------------------------------------ the report as text


def _cell(tally: Tally) -> str:
    if not tally.total:
        return "—"
    return f"{tally.hits}/{tally.total} {tally.percent:5.1f} %"


def _shown(note: str) -> str:
    flat = " ".join(note.split())
    return repr(flat if len(flat) <= SHOWN_CHARS else flat[: SHOWN_CHARS - 1] + "…")


def lines(report: Report) -> list[str]:
    """The report as the command prints it, before its JSON line."""
    out = ["Recall: the signs found, by the rule they fire"]
    out += [f"  {rule:<28}{_cell(tally)}" for rule, tally in report.by_rule.items()]
    out += [f"  {'overall':<28}{_cell(report.recall)}",
            "False alarms: look-alikes that fired a rule they must not",
            f"  {'overall':<28}{_cell(report.false_alarms)}"]
    for title, groups in (("language", report.by_lang), ("kind", report.by_kind)):
        if groups:
            out.append(f"  {'by ' + title:<14}{'recall':<24}false alarms")
            out += [f"  {key:<14}{_cell(found):<24}{_cell(alarms)}" for key, (found, alarms) in sorted(groups.items())]
    out.append(f"Misses ({len(report.misses)})")
    for case, found in report.misses:
        instead = f" (found instead: {', '.join(found)})" if found else ""
        out.append(f"  {case.rules[0]}{_labels(case)}: {_shown(case.note)}{instead}")
    out.append(f"False alarms ({len(report.alarms)})")
    for case, wrong in report.alarms:
        words = "; ".join(f"{rule} from {said}" for rule, said in wrong.items())
        out.append(f"  {words}{_labels(case)}: {_shown(case.note)}")
    return out


def _labels(case: Case) -> str:
    labels = [label for label in (case.lang, case.kind) if label]
    return f" [{', '.join(labels)}]" if labels else ""

