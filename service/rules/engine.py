"""Judge an entry: apply every rule of the catalogue, in its order."""
from __future__ import annotations

import datetime as dt

from service.rules import dosing, drinking, symptoms
from service.rules.facts import HISTORY_DAYS, Facts
from service.rules.model import Entry, History, Match, PatientContext

# The rules that judge the entry and its days, in catalogue order (RULES).
CHECKS = (
    symptoms.anaphylaxis,
    symptoms.seizure_or_hallucinations,
    symptoms.suicidal_thoughts,
    symptoms.cns_depression,
    symptoms.confusion,
    dosing.dose_above_studied_max,
    dosing.dose_above_prescribed,
    dosing.baclofen_withdrawal,
    drinking.alcohol_with_baclofen,
    dosing.unprescribed_substance,
    dosing.misuse_signal,
    drinking.alcohol_withdrawal,
    drinking.persistent_craving,
    drinking.continued_drinking,
)

# The last two of the catalogue also read what the rules above found, so they run after them.
CHECKS_OF_FINDINGS = (
    symptoms.mood_symptoms,
    symptoms.side_effect,
)


def window(entry: Entry) -> tuple[dt.date, dt.date]:
    """Return the first and last local day of history the rules need to judge an entry."""
    days = [entry.local_date, *(dose.local_date for dose in entry.doses)]
    return min(days) - dt.timedelta(days=HISTORY_DAYS), max(days)


def judge(entry: Entry, patient: PatientContext, history: History) -> list[Match]:
    """Return the rules an entry matches, at most one match per rule, in catalogue order.

    `history` holds the patient's other entries by local day (at least the days of
    `window(entry)`), never the entry being judged: its own doses, drinks, craving and
    sedatives are added to their days here.
    """
    facts = Facts.gather(entry, patient, history)
    found: list[Match] = []
    for check in CHECKS:
        if (match := check(facts)) is not None:
            found.append(match)
    for check in CHECKS_OF_FINDINGS:
        if (match := check(facts, tuple(found))) is not None:
            found.append(match)
    return found
