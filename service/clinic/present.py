"""How the clinic's pages show values: words for severities, readable evidence, local times."""
from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from zoneinfo import ZoneInfo

from ..measures.instruments import INSTRUMENTS
from ..models import OPEN_STATUSES
from ..patients import local_today
from ..rules import catalogue
from ..rules.catalogue import SYMPTOMS
from . import bp
from .chart import days_words

SYMPTOM_LABELS = dict(SYMPTOMS)
# A symptom's severity is a number of 3, never "moderate" or "severe": those words are the flags'.
SYMPTOM_SCALE = 3
SEVERITY_SYMBOL = {"urgent": "▲", "high": "◆", "moderate": "●"}
# Words a clinician reads for the evidence keys the rules write; any other key is spelt out.
UNITS = {"_mg": " (mg)", "_days": " (days)"}


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def actions_for(status: str) -> list[str]:
    """The reviews a flag in this status can still take."""
    if status not in OPEN_STATUSES:
        return []
    return ["resolve", "dismiss"] if status == "acknowledged" else ["acknowledge", "resolve", "dismiss"]


def max_mg(prescription) -> float | None:
    return prescription.max_daily_mg if prescription is not None else None


def days_of_treatment(patient) -> int:
    return (local_today(patient) - patient.treatment_start).days + 1


@bp.app_template_filter("label")
def label(key: str) -> str:
    """Spell out an evidence key: daily_total_mg -> Daily total (mg)."""
    text = str(key)
    suffix = ""
    for ending, unit in UNITS.items():
        if text.endswith(ending):
            text, suffix = text[: -len(ending)], unit
    text = text.replace("_", " ").strip()
    return (text[:1].upper() + text[1:] + suffix) if text else str(key)


@bp.app_template_filter("value")
def value(item) -> str:
    """Show an evidence value in words."""
    if isinstance(item, bool):
        return "yes" if item else "no"
    if item is None:
        return "—"
    if isinstance(item, float):
        return f"{item:g}"
    if isinstance(item, (list, tuple)):
        return ", ".join(value(v) for v in item) if item else "none"
    if isinstance(item, str) and item in SYMPTOM_LABELS:
        return symptom(item)
    return str(item)


# Evidence keys a clinician reads better in words of their own; any other key is spelt out by label().
EVIDENCE_LABELS = {
    "questionnaire": "Questionnaire", "item": "Item", "answer": "Answer", "score": "Score",
    "expected_every_days": "Expected", "days_without_entry": "Days without an entry",
    "last_entry_received_at": "Last entry received",
    "urgent_flag_in_week_before_last_entry": "Urgent flag in the 7 days before the last entry",
}
SHOWN_WITH_ANOTHER = {"item_text", "answer_label"}  # the item's words go with its number, the label with the answer


@bp.app_template_filter("evidence_rows")
def evidence_rows(evidence: dict, timezone: str | None = None) -> list[tuple[str, list[str]]]:
    """Each evidence key spelt out, with its value as one or more lines of words; times in `timezone`."""
    rows = []
    for key, item in evidence.items():
        if key in SHOWN_WITH_ANOTHER:
            continue
        readable = _readable(key, item, evidence, timezone)
        if readable is not None:
            lines = [readable]
        elif isinstance(item, dict) and key == "symptoms":
            lines = [symptom(code, severity) for code, severity in item.items()]
        elif isinstance(item, dict) and key == "note_words":
            lines = [f"{symptom(code)}: “{words}”" for code, words in item.items()]
        elif isinstance(item, dict) and key == "note_semantic":
            lines = [f"{symptom(code)}: like “{found['example']}” (similarity {value(found['similarity'])})"
                     for code, found in item.items()]
        elif isinstance(item, dict):
            lines = [f"{label(k)}: {value(v)}" for k, v in item.items()]
        elif isinstance(item, (list, tuple)) and item and all(isinstance(v, dict) for v in item):
            lines = [_day_line(v) for v in item]
        else:
            lines = [value(item)]
        rows.append((EVIDENCE_LABELS.get(key) or label(key), lines or ["none"]))
    return rows


def _readable(key: str, item, evidence: dict, timezone: str | None) -> str | None:
    """The words for a questionnaire's or the sweep's evidence value; None for any other key."""
    instrument = INSTRUMENTS.get(evidence.get("questionnaire"))
    if key == "questionnaire":
        return instrument.title if instrument else value(item)
    if key == "item" and "item_text" in evidence:
        return f"{item}. “{evidence['item_text']}”"
    if key == "answer" and "answer_label" in evidence:
        highest = f" of {instrument.items[evidence['item'] - 1].highest}" if instrument and "item" in evidence else ""
        return f"{evidence['answer_label']} ({item}{highest})"
    if key == "score" and instrument:
        return f"{item} of {instrument.max_score}"
    if key == "expected_every_days":
        return f"an entry at least every {days_words(item)}"
    if key == "days_without_entry":
        return f"{value(item)} days"
    if key == "last_entry_received_at":
        if item is None:
            return "none since the patient's phone was enrolled"
        return local(dt.datetime.fromisoformat(item), timezone)
    return None


@bp.app_template_global()
def reviewer(review, me) -> str:
    """Who made a review: "you", a colleague's name, or the service itself (a silent patient logged again)."""
    if review.clinician_id is None:
        return "the service"
    return "you" if review.clinician_id == me.id else review.clinician_name


def _words(key: str, item) -> str:
    if key.endswith("_mg"):
        return f"{label(key[:-3]).lower()} {value(item)} mg"
    return f"{label(key).lower()} {value(item)}"


def _day_line(item: dict) -> str:
    rest = ", ".join(_words(k, v) for k, v in item.items() if k != "date")
    return f"{item['date']}: {rest}" if "date" in item else rest


@bp.app_template_filter("symptom")
def symptom(code: str, severity: int | None = None) -> str:
    words = code.replace("_", " ")
    if severity is not None:
        words += f" (symptom severity {severity} of {SYMPTOM_SCALE})"
    return words


def zone_name(shown: dt.datetime) -> str:
    """The zone's abbreviation (CET, EST), or its offset from UTC where it has none (UTC-03:00)."""
    name = shown.tzname() or ""
    if name.isalpha():
        return name
    offset = shown.utcoffset() or dt.timedelta(0)
    sign = "+" if offset >= dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@bp.app_template_filter("local")
def local(moment: dt.datetime | None, timezone: str | None = None, day: dt.date | None = None) -> str:
    """A moment in the patient's time zone, the zone named; the time alone when it falls on `day`.

    Every page shows times this one way: the patient's local time, as the patient lived it.
    """
    if moment is None:
        return "—"
    shown = moment.astimezone(ZoneInfo(timezone or "UTC"))
    text = f"{shown:%H:%M}" if shown.date() == day else f"{shown:%Y-%m-%d %H:%M}"
    return f"{text} {zone_name(shown)}"


@bp.app_template_filter("local_parts")
def local_parts(moment: dt.datetime | None, timezone: str | None = None) -> tuple[str, str]:
    """local() as its date and its time with the zone: a narrow cell breaks between them, never inside."""
    day, _, rest = local(moment, timezone).partition(" ")
    return day, rest


@bp.app_template_filter("waited")
def waited(since: dt.datetime, now: dt.datetime) -> str:
    """How long since `since`, in the largest whole unit: "under 1 min", "45 min", "3 h", "2 d"."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "under 1 min"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@bp.app_template_filter("document_title")
def document_title(document: str) -> str:
    return catalogue.document_title(document)


@bp.app_template_filter("mg")
def mg(amount) -> str:
    return "—" if amount is None else f"{amount:g} mg"


@bp.app_template_filter("num")
def num(amount) -> str:
    return "—" if amount is None else f"{amount:g}"


@bp.app_template_global()
def severity_symbol(severity: str) -> str:
    return SEVERITY_SYMBOL.get(severity, "")


# The three reviews look and read differently: resolving is not dismissing.
ACTION_SYMBOL = {"acknowledge": "", "resolve": "✓", "dismiss": "✕"}
ACTION_HINT = {
    "acknowledge": "You have seen it and handle it; it stays in the queue until resolved or dismissed.",
    "resolve": "The warning sign was real and has been dealt with.",
    "dismiss": "Not a real concern (a mistaken entry, say); say why in the note.",
}


# The reasons a dismissal of a flag found in a note may give, as the clinician reads them.
REASON_LABELS = {
    "not_about_patient": "About someone else, not the patient",
    "negated": "The note says the patient did not have it",
    "not_a_sign": "The words meant something else",
    "other": "Another reason",
}


@bp.app_template_filter("reason_words")
def reason_words(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


@bp.app_template_global()
def action_symbol(action: str) -> str:
    return ACTION_SYMBOL.get(action, "")


@bp.app_template_global()
def action_hint(action: str) -> str:
    return ACTION_HINT.get(action, "")


@bp.app_template_filter("past")
def past(action: str) -> str:
    return {"acknowledge": "Acknowledged", "resolve": "Resolved", "dismiss": "Dismissed",
            "assign": "Assigned"}.get(action, action)


# ------------------------------------------------------------------ the admin page

ROLE_WORDS = {"admin": "an admin", "prescriber": "a prescriber", "nurse": "a nurse"}
ROLE_HINT = {
    "admin": "manages the clinic's clinicians and care teams",
    "prescriber": "works the team's patients and sets their doses",
    "nurse": "works the team's patients; never sets doses",
}


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, role)


@bp.app_template_global()
def role_hint(role: str) -> str:
    return ROLE_HINT.get(role, "")


def staff(people: list[dict], teams: list[dict]) -> tuple[list[dict], list[dict]]:
    """The clinic's clinicians with their teams by name, and its teams with their members by name
    and who may still join each (the active clinicians not in it yet); both in the order given."""
    team_names = {team["id"]: team["name"] for team in teams}
    shown_people = [dict(p, teams=sorted(team_names[t] for t in p["team_ids"] if t in team_names)) for p in people]
    shown_teams = []
    for team in teams:
        members = set(team["member_ids"])
        shown_teams.append(dict(team, members=[p for p in shown_people if p["id"] in members],
                                candidates=[p for p in shown_people if p["active"] and p["id"] not in members]))
    return shown_people, shown_teams


# ------------------------------------------------------------------ measures: questionnaires, outcomes, silence

bp.app_template_filter("days")(days_words)


@bp.app_template_filter("every")
def every(days: int | None, off: str = "not asked") -> str:
    """How often something is asked or expected: "every 14 days", or `off` when never."""
    if days is None:
        return off
    return "every day" if days == 1 else f"every {days} days"


@bp.app_template_filter("local_date")
def local_date(moment: dt.datetime | None, timezone: str | None = None) -> str:
    """The patient's local day of a moment."""
    return "—" if moment is None else moment.astimezone(ZoneInfo(timezone or "UTC")).date().isoformat()


SEX_WORDS = {"female": "female", "male": "male",
             "unspecified": "unspecified (counted with the limits for women, the more careful ones)"}


@bp.app_template_filter("sex_words")
def sex_words(sex: str) -> str:
    return SEX_WORDS.get(sex, sex)


@bp.app_template_filter("level_words")
def level_words(level: str | None) -> str:
    """A WHO drinking risk level in words: very_high -> very high."""
    return "—" if level is None else level.replace("_", " ")


@bp.app_template_filter("level_change_words")
def level_change_words(change: int | None) -> str:
    """Levels moved since the baseline, in words: "down 2 levels", "no change", "up 1 level"."""
    if change is None:
        return "—"
    if change == 0:
        return "no change"
    levels = "1 level" if abs(change) == 1 else f"{abs(change)} levels"
    return f"{'down' if change < 0 else 'up'} {levels}"


def _percent(amount) -> str:
    return f"{amount:g}%"


# The outcomes panel's rows: the measure, and how a value of it reads (None is always "—").
OUTCOME_MEASURES = (
    ("percent_days_abstinent", "Days abstinent", _percent),
    ("percent_heavy_drinking_days", "Heavy drinking days", _percent),
    ("drinks_per_drinking_day", "Drinks per drinking day", lambda amount: f"{amount:g}"),
    ("grams_per_day", "Alcohol a day", lambda amount: f"{amount:g} g"),
    ("who_risk_level", "WHO risk level", level_words),
    ("mean_craving", "Mean craving", lambda amount: f"{amount:g} of 10"),
    ("mean_baclofen_mg", "Mean baclofen a day", lambda amount: f"{amount:g} mg"),
)


def outcome_rows(outcomes: dict) -> list[tuple[str, str, str]]:
    """Each measure's name, its value over the window and over the baseline, in words."""
    rows = [("Days with entries", f"{outcomes['days_with_entries']} of {outcomes['days']}",
             f"{outcomes['baseline']['days_with_entries']} of {outcomes['baseline']['days']}")]
    for key, name, words in OUTCOME_MEASURES:
        now, then = outcomes[key], outcomes["baseline"][key]
        rows.append((name, "—" if now is None else words(now), "—" if then is None else words(then)))
    return rows


# What each questionnaire asks about, beside its abbreviation on the patient's page.
INSTRUMENT_TOPIC = {"phq9": "depression", "gad7": "anxiety", "pacs": "craving", "auditc": "drinking"}


@bp.app_template_filter("topic")
def topic(code: str) -> str:
    return INSTRUMENT_TOPIC.get(code, "")
