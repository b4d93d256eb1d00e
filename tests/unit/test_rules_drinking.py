"""Rules of drinking and craving: one line per condition and boundary."""
import pytest

from rule_factories import codes, dose, entry, match, patient, run, severity
from service.rules import Day

# -- alcohol_with_baclofen


def test_drinks_on_a_day_with_a_stored_dose():
    # scenario 05_alcohol_with_baclofen
    found = codes(entry(drinks=2), patient(max_daily=90), days={0: Day(baclofen_mg=20)})
    assert found == ["alcohol_with_baclofen"]


def test_a_dose_on_a_day_with_stored_drinks():
    assert severity("alcohol_with_baclofen", entry(doses=[20]), days={0: Day(drinks=1)}) == "moderate"


def test_drinks_and_a_dose_in_one_entry():
    assert severity("alcohol_with_baclofen", entry(doses=[20], drinks=1)) == "moderate"


@pytest.mark.parametrize("drinks, expected", [(4.9, "moderate"), (5, "high"), (12, "high")])
def test_alcohol_with_baclofen_high_on_a_heavy_drinking_day(drinks, expected):
    assert severity("alcohol_with_baclofen", entry(doses=[20], drinks=drinks)) == expected


def test_heavy_drinking_day_adds_the_stored_drinks():
    assert severity("alcohol_with_baclofen", entry(drinks=2), days={0: Day(baclofen_mg=20, drinks=3)}) == "high"


def test_no_alcohol_with_baclofen_without_baclofen():
    assert severity("alcohol_with_baclofen", entry(drinks=6)) is None


def test_no_alcohol_with_baclofen_without_drinks():
    assert severity("alcohol_with_baclofen", entry(doses=[20], drinks=0)) is None


def test_no_alcohol_with_baclofen_on_different_days():
    assert severity("alcohol_with_baclofen", entry(drinks=3), days={-1: Day(baclofen_mg=20)}) is None


def test_alcohol_with_baclofen_on_the_day_of_the_dose():
    an_entry = entry(doses=[dose(20, on=-1)])
    found = match("alcohol_with_baclofen", an_entry, days={-1: Day(drinks=6)})
    assert found.severity == "high"
    assert found.evidence == {
        "days": [{"date": "2026-11-19", "drinks": 6, "daily_total_mg": 20}],
        "heavy_drinking_day": True,
    }


def test_an_entry_that_adds_neither_drinks_nor_doses_raises_nothing():
    assert codes(entry(craving=3), days={0: Day(baclofen_mg=20, drinks=6)}) == []


# -- alcohol_withdrawal

AFTER_HEAVY_DAY = {-1: Day(drinks=6)}
WITHDRAWAL_SIGNS = ["tremor", "sweating", "racing_heart", "agitation", "anxiety", "nausea"]


@pytest.mark.parametrize("symptom", WITHDRAWAL_SIGNS)
def test_alcohol_withdrawal_each_sign_counts(symptom):
    other = "sweating" if symptom == "tremor" else "tremor"
    an_entry = entry(symptoms={symptom: 2, other: 2})
    assert severity("alcohol_withdrawal", an_entry, days=AFTER_HEAVY_DAY) == "high"


@pytest.mark.parametrize(
    "symptoms, fires",
    [
        ({"tremor": 3}, False),
        ({"tremor": 2, "sweating": 1}, False),
        ({"tremor": 2, "sweating": 2}, True),
        ({"tremor": 3, "sweating": 3, "nausea": 3}, True),
        ({"tremor": 2, "headache": 3}, False),
    ],
)
def test_alcohol_withdrawal_two_signs_at_severity_2(symptoms, fires):
    found = severity("alcohol_withdrawal", entry(symptoms=symptoms), days=AFTER_HEAVY_DAY)
    assert found == ("high" if fires else None)


@pytest.mark.parametrize("heavy_day, fires", [(-1, True), (-2, True), (-3, True), (-4, False)])
def test_alcohol_withdrawal_within_3_days_after_a_heavy_drinking_day(heavy_day, fires):
    an_entry = entry(symptoms={"tremor": 2, "sweating": 2})
    assert severity("alcohol_withdrawal", an_entry, days={heavy_day: Day(drinks=7)}) == ("high" if fires else None)


@pytest.mark.parametrize("drinks, fires", [(4.9, False), (5, True)])
def test_alcohol_withdrawal_heavy_means_5_drinks(drinks, fires):
    an_entry = entry(symptoms={"tremor": 2, "sweating": 2})
    assert severity("alcohol_withdrawal", an_entry, days={-2: Day(drinks=drinks)}) == ("high" if fires else None)


def test_no_alcohol_withdrawal_when_the_entry_reports_drinks():
    an_entry = entry(symptoms={"tremor": 2, "sweating": 2}, drinks=1)
    assert severity("alcohol_withdrawal", an_entry, days=AFTER_HEAVY_DAY) is None


def test_no_alcohol_withdrawal_when_the_day_has_stored_drinks():
    an_entry = entry(symptoms={"tremor": 2, "sweating": 2})
    assert severity("alcohol_withdrawal", an_entry, days={-1: Day(drinks=6), 0: Day(drinks=1)}) is None


def test_alcohol_withdrawal_with_zero_drinks_reported():
    an_entry = entry(symptoms={"tremor": 2, "sweating": 2}, drinks=0)
    assert severity("alcohol_withdrawal", an_entry, days=AFTER_HEAVY_DAY) == "high"


def test_alcohol_withdrawal_evidence():
    an_entry = entry(symptoms={"nausea": 2, "tremor": 3, "headache": 2})
    found = match("alcohol_withdrawal", an_entry, days=AFTER_HEAVY_DAY)
    assert found.symptoms == {"tremor", "nausea"}
    assert found.evidence == {
        "heavy_drinking_days": [{"date": "2026-11-19", "drinks": 6}],
        "symptoms": {"tremor": 3, "nausea": 2},
    }


# -- persistent_craving

STRONG_DAYS = {-5: Day(max_craving=8), -3: Day(max_craving=7)}


@pytest.mark.parametrize("start, fires", [(-27, False), (-28, True)])
def test_persistent_craving_from_day_28_of_treatment(start, fires):
    found = severity("persistent_craving", entry(craving=8), patient(start=start), days=STRONG_DAYS)
    assert found == ("moderate" if fires else None)


@pytest.mark.parametrize("craving, fires", [(6, False), (7, True), (10, True), (None, False)])
def test_persistent_craving_counts_the_entry_own_craving(craving, fires):
    assert severity("persistent_craving", entry(craving=craving), days=STRONG_DAYS) == ("moderate" if fires else None)


def test_persistent_craving_on_any_entry_of_such_a_week():
    # Strong craving on days 25-27 of treatment; on day 28 the patient logs a dose alone.
    days = {-3: Day(max_craving=8), -2: Day(max_craving=8), -1: Day(max_craving=9)}
    assert severity("persistent_craving", entry(doses=[20]), patient(start=-28), days=days) == "moderate"
    assert severity("persistent_craving", entry(craving=3), days={**STRONG_DAYS, 0: Day(max_craving=9)}) == "moderate"


@pytest.mark.parametrize(
    "days, fires",
    [
        ({-6: Day(max_craving=7)}, False),
        ({-6: Day(max_craving=7), -1: Day(max_craving=9)}, True),
        ({-7: Day(max_craving=9), -1: Day(max_craving=9)}, False),
        ({-6: Day(max_craving=6), -1: Day(max_craving=9)}, False),
        ({-6: Day(max_craving=7), 0: Day(max_craving=9)}, False),  # the entry's day counts once
    ],
)
def test_persistent_craving_on_3_different_days_of_the_last_7(days, fires):
    assert severity("persistent_craving", entry(craving=7), days=days) == ("moderate" if fires else None)


def test_persistent_craving_evidence():
    # scenario 08_persistent_craving
    found = match("persistent_craving", entry(-1, craving=8), days={-5: Day(max_craving=8), -3: Day(max_craving=8)})
    assert found.evidence == {
        "day_of_treatment": 39,
        "days": [
            {"date": "2026-11-15", "max_craving": 8},
            {"date": "2026-11-17", "max_craving": 8},
            {"date": "2026-11-19", "max_craving": 8},
        ],
    }


# -- continued_drinking

ONE_HEAVY_DAY = {-4: Day(drinks=6)}


@pytest.mark.parametrize("start, fires", [(-27, False), (-28, True)])
def test_continued_drinking_from_day_28_of_treatment(start, fires):
    found = severity("continued_drinking", entry(drinks=6), patient(start=start), days=ONE_HEAVY_DAY)
    assert found == ("moderate" if fires else None)


@pytest.mark.parametrize("drinks, fires", [(4.9, False), (5, True)])
def test_continued_drinking_heavy_means_5_drinks(drinks, fires):
    assert severity("continued_drinking", entry(drinks=drinks), days=ONE_HEAVY_DAY) == ("moderate" if fires else None)


@pytest.mark.parametrize("heavy_day, fires", [(-6, True), (-7, False)])
def test_continued_drinking_2_heavy_days_among_the_last_7(heavy_day, fires):
    found = severity("continued_drinking", entry(drinks=6), days={heavy_day: Day(drinks=5)})
    assert found == ("moderate" if fires else None)


@pytest.mark.parametrize("drinks", [None, 0])
def test_continued_drinking_on_any_entry_of_such_a_week(drinks):
    days = {-4: Day(drinks=6), -1: Day(drinks=6)}
    assert severity("continued_drinking", entry(drinks=drinks, craving=2), patient(start=-28), days=days) == "moderate"


def test_continued_drinking_adds_the_entry_to_its_day():
    found = match("continued_drinking", entry(drinks=1), days={0: Day(drinks=4), -2: Day(drinks=9)})
    assert found.evidence == {
        "day_of_treatment": 40,
        "heavy_drinking_days": [{"date": "2026-11-18", "drinks": 9}, {"date": "2026-11-20", "drinks": 5}],
    }


def test_continued_drinking_with_baclofen_scenario():
    # scenario 14_continued_drinking
    an_entry = entry(-1, doses=[dose(20, -1)], drinks=6)
    found = run(an_entry, patient(max_daily=90), days={-4: Day(baclofen_mg=20, drinks=6)})
    assert {m.rule: m.severity for m in found} == {"alcohol_with_baclofen": "high", "continued_drinking": "moderate"}
