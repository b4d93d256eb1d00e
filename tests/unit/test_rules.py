"""The engine as a whole: order, one match per rule, plain evidence, local days, the window."""
import datetime as dt
import json

import pytest

from rule_factories import (
    codes,
    day,
    dose,
    dose_taken,
    entry,
    entry_at,
    history,
    local,
    patient,
    rx,
    run,
    severity,
    steady,
)
from service.rules import RULES, RULES_BY_CODE, Day, judge, window

ALL_CODES = [rule.code for rule in RULES if "entry" in rule.judges]


def busy_entry_and_patient():
    """An entry that matches every rule but alcohol_withdrawal (which excludes continued_drinking)."""
    an_entry = entry(
        doses=[310],
        drinks=6,
        craving=8,
        symptoms={
            "swelling_face_lips_tongue": 2,
            "seizure": 2,
            "suicidal_thoughts": 2,
            "slow_breathing": 2,
            "confusion": 2,
            "itching": 2,
            "euphoria": 2,
            "low_mood": 3,
            "headache": 3,
        },
        substances={"Xanax": False},
    )
    days = {
        **steady(300, -9, -3),
        -4: Day(baclofen_mg=300, drinks=6),
        -5: Day(baclofen_mg=300, max_craving=8),
        -3: Day(baclofen_mg=300, max_craving=9),
    }
    return an_entry, patient(max_daily=80, renal_impairment=True, depression=True), days


def withdrawal_entry():
    return entry(symptoms={"tremor": 2, "anxiety": 2, "low_mood": 2, "headache": 2}), {-1: Day(drinks=6)}


def test_a_busy_entry_matches_each_rule_once_in_catalogue_order():
    an_entry, a_patient, days = busy_entry_and_patient()
    assert codes(an_entry, a_patient, days) == [code for code in ALL_CODES if code != "alcohol_withdrawal"]


def test_stronger_forms_on_a_busy_entry():
    an_entry, a_patient, days = busy_entry_and_patient()
    found = {m.rule: m.severity for m in run(an_entry, a_patient, days)}
    assert found["confusion"] == "urgent"
    assert found["alcohol_with_baclofen"] == "high"
    assert found["misuse_signal"] == "high"
    assert found["mood_symptoms"] == "high"
    assert found["side_effect"] == "high"


def test_alcohol_withdrawal_with_mood_and_side_effect():
    an_entry, days = withdrawal_entry()
    found = run(an_entry, days=days)
    assert [m.rule for m in found] == ["alcohol_withdrawal", "mood_symptoms", "side_effect"]
    assert [set(m.symptoms) for m in found] == [{"tremor", "anxiety"}, {"low_mood"}, {"headache"}]


def _plain(value):
    """Tell whether a value is made only of what JSON carries as it is."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, bool, int, float))


@pytest.mark.parametrize("which", ["busy", "withdrawal"])
def test_matches_are_plain_values_within_the_rule_severities(which):
    if which == "busy":
        an_entry, a_patient, days = busy_entry_and_patient()
    else:
        (an_entry, days), a_patient = withdrawal_entry(), patient()
    for found in run(an_entry, a_patient, days):
        assert _plain(found.evidence), found.rule
        json.dumps(found.evidence)
        assert found.severity in RULES_BY_CODE[found.rule].severities
        assert isinstance(found.symptoms, frozenset)


def test_a_quiet_day_raises_nothing():
    # scenario 15_quiet_day
    an_entry = entry(-1, doses=[dose(20, -1, "08:00"), dose(20, -1, "13:00")], craving=2)
    assert codes(an_entry, patient(max_daily=90)) == []


def test_an_anaphylaxis_entry_raises_only_anaphylaxis():
    # scenario 01_anaphylaxis_symptom
    an_entry = entry(-1, time="09:00", doses=[dose(20, -1)], symptoms={"swelling_face_lips_tongue": 2})
    assert codes(an_entry) == ["anaphylaxis"]


def test_unprescribed_lorazepam_raises_only_that():
    # scenario 06_unprescribed_lorazepam
    assert codes(entry(-1, substances={"lorazepam": False})) == ["unprescribed_substance"]


def test_judge_leaves_the_history_as_it_was():
    days = history({0: Day(baclofen_mg=20, drinks=1)})
    before = dict(days)
    judge(entry(doses=[300], drinks=5, craving=9), patient(), days)
    assert days == before


def test_days_older_than_the_window_change_nothing():
    old = {n: Day(baclofen_mg=400, drinks=20, max_craving=10) for n in range(-40, -10)}
    an_entry = entry(doses=[20], craving=8, symptoms={"itching": 1})
    assert codes(an_entry, days=old) == codes(an_entry)


# -- window


@pytest.mark.parametrize(
    "an_entry, first, last",
    [
        (entry(), -10, 0),
        (entry(doses=[20]), -10, 0),
        (entry(doses=[dose(20, -2), dose(20, 0)]), -12, 0),
        (entry(-1, doses=[dose(20, 0)]), -11, 0),
    ],
)
def test_window(an_entry, first, last):
    assert window(an_entry) == (day(first), day(last))


class ReadDays(dict):
    """A history that remembers which local days were read."""

    def __init__(self, *args):
        super().__init__(*args)
        self.read = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize(
    "an_entry",
    [
        entry(symptoms={"itching": 1, "seizure": 1, "tremor": 2, "sweating": 2, "drowsiness": 3}, craving=9),
        entry(doses=[dose(20, -5), dose(20, -1)], drinks=6, craving=9, symptoms={"euphoria": 2}),
        entry(doses=[dose(400, -3)], substances={"Xanax": True}, symptoms={"confusion": 1}),
    ],
)
def test_rules_read_only_the_window_never_more_than_10_days_before(an_entry):
    first, last = window(an_entry)
    earliest = min([an_entry.local_date, *(d.local_date for d in an_entry.doses)])
    assert first == earliest - dt.timedelta(days=10)
    days = ReadDays({day(n): Day(baclofen_mg=60, drinks=6, max_craving=8) for n in range(-30, 2)})
    judge(an_entry, patient(max_daily=80), days)
    assert days.read and all(first <= read <= last for read in days.read)


# -- local days in the patient's time zone


def test_paris_23_30_and_00_30_are_two_days():
    tz = "Europe/Paris"
    late = dose_taken(200, local(-1, "23:30", tz), tz)
    early = dose_taken(200, local(0, "00:30", tz), tz)
    assert (late.local_date, early.local_date) == (day(-1), day(0))
    an_entry = entry_at(local(0, "00:45", tz), tz, doses=(late, early))
    assert codes(an_entry, patient(tz=tz)) == []


def test_the_same_two_instants_are_one_day_in_utc():
    tz = "Europe/Paris"
    instants = (local(-1, "23:30", tz), local(0, "00:30", tz))  # 22:30 and 23:30 UTC
    doses = tuple(dose_taken(200, at, "UTC") for at in instants)
    an_entry = entry_at(local(0, "00:45", tz), "UTC", doses=doses)
    assert codes(an_entry, patient()) == ["dose_above_studied_max"]


def test_tokyo_morning_and_evening_are_one_day():
    tz = "Asia/Tokyo"
    # 08:00 and 21:00 in Tokyo are 23:00 the day before and 12:00 in UTC.
    morning = dose_taken(160, dt.datetime(2026, 11, 19, 23, 0, tzinfo=dt.timezone.utc), tz)
    evening = dose_taken(160, dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc), tz)
    assert morning.local_date == evening.local_date == day(0)
    an_entry = entry_at(dt.datetime(2026, 11, 20, 12, 5, tzinfo=dt.timezone.utc), tz, doses=(morning, evening))
    assert an_entry.local_date == day(0)
    assert severity("dose_above_studied_max", an_entry, patient(tz=tz)) == "urgent"


def test_tokyo_entry_after_utc_midnight_belongs_to_the_next_local_day():
    tz = "Asia/Tokyo"
    an_entry = entry_at(dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.timezone.utc), tz, alcohol_drinks=2)
    assert an_entry.local_date == day(0)
    assert severity("alcohol_with_baclofen", an_entry, patient(tz=tz), {0: Day(baclofen_mg=20)}) == "moderate"
    assert severity("alcohol_with_baclofen", an_entry, patient(tz=tz), {-1: Day(baclofen_mg=20)}) is None


def test_a_late_dose_is_judged_by_the_prescription_of_its_local_day():
    tz = "Europe/Paris"
    lowered_today = patient(tz=tz, prescriptions=(rx(120, -40), rx(60, 0)))
    late = dose_taken(90, local(-1, "23:30", tz), tz)
    early = dose_taken(90, local(0, "00:30", tz), tz)
    recorded_at = local(0, "01:00", tz)
    assert severity("dose_above_prescribed", entry_at(recorded_at, tz, doses=(late,)), lowered_today) is None
    assert severity("dose_above_prescribed", entry_at(recorded_at, tz, doses=(early,)), lowered_today) == "high"


def test_day_of_treatment_counts_local_days():
    tz = "Asia/Tokyo"
    # Recorded at 16:00 UTC on the 27th day: already the 28th day in Tokyo.
    recorded_at = dt.datetime.combine(day(-1), dt.time(16, 0), tzinfo=dt.timezone.utc)
    a_patient = patient(start=-28, tz=tz)
    in_tokyo = entry_at(recorded_at, tz, alcohol_drinks=6)
    in_utc = entry_at(recorded_at, "UTC", alcohol_drinks=6)
    assert severity("continued_drinking", in_tokyo, a_patient, {-3: Day(drinks=5)}) == "moderate"
    assert severity("continued_drinking", in_utc, a_patient, {-3: Day(drinks=5)}) is None

