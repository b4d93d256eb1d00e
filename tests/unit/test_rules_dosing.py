"""Rules of how baclofen and other substances are taken: one line per condition and boundary."""
import pytest

from rule_factories import codes, day, dose, entry, match, patient, rx, severity, steady
from service.rules import Day

# -- dose_above_studied_max


@pytest.mark.parametrize("doses, fires", [([300], False), ([300.5], True), ([150, 150], False), ([160, 160], True)])
def test_dose_above_studied_max(doses, fires):
    assert severity("dose_above_studied_max", entry(doses=doses)) == ("urgent" if fires else None)


@pytest.mark.parametrize("stored, fires", [(200, False), (200.5, True)])
def test_studied_max_adds_the_stored_doses_of_the_day(stored, fires):
    found = severity("dose_above_studied_max", entry(doses=[100]), days={0: Day(baclofen_mg=stored)})
    assert found == ("urgent" if fires else None)


def test_studied_max_on_the_day_of_the_dose_not_the_entry():
    an_entry = entry(doses=[dose(60, on=-1)])
    found = match("dose_above_studied_max", an_entry, days={-1: Day(baclofen_mg=250), 0: Day(baclofen_mg=100)})
    assert found.evidence == {"date": "2026-11-19", "daily_total_mg": 310, "studied_max_mg": 300}


def test_studied_max_not_for_a_day_the_entry_adds_no_dose_to():
    assert severity("dose_above_studied_max", entry(craving=2), days={0: Day(baclofen_mg=400)}) is None


def test_studied_max_reports_the_worst_day():
    an_entry = entry(doses=[dose(310, on=-1), dose(350, on=0)])
    assert match("dose_above_studied_max", an_entry).evidence["date"] == "2026-11-20"


# -- dose_above_prescribed


@pytest.mark.parametrize("total, fires", [(80, False), (80.5, True), (120, True)])
def test_dose_above_prescribed(total, fires):
    found = severity("dose_above_prescribed", entry(doses=[total]), patient(max_daily=80))
    assert found == ("high" if fires else None)


def test_dose_above_prescribed_evidence():
    found = match("dose_above_prescribed", entry(doses=[40]), patient(max_daily=80), days={0: Day(baclofen_mg=80)})
    assert found.evidence == {"daily_total_mg": 120, "max_daily_mg": 80, "date": "2026-11-20"}


def test_dose_above_prescribed_split_over_two_entries():
    # scenario 03_dose_above_prescribed_split
    an_entry = entry(-1, doses=[dose(40, -1, "20:00")])
    assert codes(an_entry, patient(max_daily=60), days={-1: Day(baclofen_mg=30)}) == ["dose_above_prescribed"]


def test_dose_above_prescribed_never_without_a_prescription():
    assert severity("dose_above_prescribed", entry(doses=[290])) is None


def test_dose_above_prescribed_never_before_the_first_prescription():
    assert severity("dose_above_prescribed", entry(doses=[290]), patient(prescriptions=(rx(60, from_day=1),))) is None


def test_dose_judged_by_the_prescription_in_effect_on_its_day_not_the_latest():
    raised_yesterday = patient(prescriptions=(rx(60, from_day=-40), rx(120, from_day=-1)))
    an_entry = entry(doses=[dose(90, on=-2), dose(90, on=0)])
    found = match("dose_above_prescribed", an_entry, raised_yesterday)
    assert found.evidence == {"date": "2026-11-18", "daily_total_mg": 90, "max_daily_mg": 60}


def test_a_lowered_prescription_applies_from_its_day():
    lowered_today = patient(prescriptions=(rx(120, from_day=-40), rx(60, from_day=0)))
    assert severity("dose_above_prescribed", entry(doses=[dose(90, on=-1)]), lowered_today) is None
    assert severity("dose_above_prescribed", entry(doses=[dose(90, on=0)]), lowered_today) == "high"


def test_dose_above_prescribed_reports_the_day_most_over_its_maximum():
    two_prescriptions = patient(prescriptions=(rx(60, from_day=-40), rx(100, from_day=0)))
    an_entry = entry(doses=[dose(80, on=-1), dose(110, on=0)])
    assert match("dose_above_prescribed", an_entry, two_prescriptions).evidence["date"] == "2026-11-19"


def test_dose_above_prescribed_not_for_a_day_the_entry_adds_no_dose_to():
    found = severity("dose_above_prescribed", entry(craving=1), patient(max_daily=60), {0: Day(baclofen_mg=90)})
    assert found is None


# -- baclofen_withdrawal

WITHDRAWAL_SIGNS = ["muscle_stiffness", "itching", "low_blood_pressure", "lightheadedness", "tingling"]


@pytest.mark.parametrize("symptom", WITHDRAWAL_SIGNS)
def test_baclofen_withdrawal_after_a_drop_for_each_sign(symptom):
    assert severity("baclofen_withdrawal", entry(symptoms={symptom: 1}), days=steady(60, -9, -3)) == "high"


def test_no_baclofen_withdrawal_without_a_sign():
    assert severity("baclofen_withdrawal", entry(symptoms={"headache": 3}), days=steady(60, -9, -3)) is None


@pytest.mark.parametrize("mean, fires", [(20, True), (19.9, False)])
def test_baclofen_withdrawal_mean_before_at_least_20_mg(mean, fires):
    found = severity("baclofen_withdrawal", entry(symptoms={"itching": 1}), days=steady(mean, -9, -3))
    assert found == ("high" if fires else None)


@pytest.mark.parametrize("last_3_days, fires", [(30, False), (29.9, True)])
def test_baclofen_withdrawal_last_3_days_under_half_of_3_times_the_mean(last_3_days, fires):
    days = {**steady(20, -9, -3), -2: Day(baclofen_mg=last_3_days)}
    assert severity("baclofen_withdrawal", entry(symptoms={"tingling": 1}), days=days) == ("high" if fires else None)


@pytest.mark.parametrize("today_mg, fires", [(90, False), (89.5, True)])
def test_baclofen_withdrawal_counts_the_entry_own_doses(today_mg, fires):
    an_entry = entry(symptoms={"tingling": 1}, doses=[today_mg])
    assert severity("baclofen_withdrawal", an_entry, days=steady(60, -9, -3)) == ("high" if fires else None)


def test_baclofen_withdrawal_reads_seven_days_ending_3_days_before():
    # 60 mg a day from D-10 to D-4 is only 6 of the 7 days: mean 360 / 7 < 60, and D-10 is outside.
    found = match("baclofen_withdrawal", entry(symptoms={"itching": 1}), days=steady(60, -10, -4))
    assert found.evidence["mean_daily_mg_before"] == 51.43
    assert severity("baclofen_withdrawal", entry(symptoms={"itching": 1}), days=steady(20, -10, -4)) is None


def test_baclofen_withdrawal_evidence():
    found = match("baclofen_withdrawal", entry(-1, symptoms={"itching": 2, "tingling": 1}), days=steady(60, -12, -4))
    assert found.symptoms == {"itching", "tingling"}
    assert found.evidence == {
        "mean_daily_mg_before": 60,
        "total_last_3_days_mg": 0,
        "symptoms": {"itching": 2, "tingling": 1},
    }


# -- unprescribed_substance


def test_unprescribed_sedative():
    found = match("unprescribed_substance", entry(substances={"lorazepam": False}))
    assert (found.severity, found.evidence) == ("high", {"substances": ["lorazepam"], "sedatives": ["lorazepam"]})


def test_unprescribed_substance_that_is_no_sedative():
    an_entry = entry(substances={"ibuprofen": False, "Xanax bar": False, "codeine": True})
    found = match("unprescribed_substance", an_entry)
    assert found.evidence == {"substances": ["ibuprofen", "Xanax bar"], "sedatives": ["Xanax bar"]}


def test_prescribed_substance_is_no_flag():
    assert codes(entry(substances={"lorazepam": True})) == []


# -- misuse_signal


@pytest.mark.parametrize("level", [1, 2, 3])
def test_misuse_signal_euphoria_on_a_day_with_baclofen(level):
    assert severity("misuse_signal", entry(symptoms={"euphoria": level}, doses=[20])) == "moderate"


def test_misuse_signal_with_a_stored_dose_that_day():
    assert severity("misuse_signal", entry(symptoms={"euphoria": 1}), days={0: Day(baclofen_mg=20)}) == "moderate"


def test_no_misuse_signal_without_baclofen_that_day():
    assert severity("misuse_signal", entry(symptoms={"euphoria": 3}), days={-1: Day(baclofen_mg=20)}) is None


def test_misuse_signal_high_with_depression():
    assert severity("misuse_signal", entry(symptoms={"euphoria": 1}, doses=[20]), patient(depression=True)) == "high"


@pytest.mark.parametrize("total, expected", [(80, "moderate"), (80.5, "high")])
def test_misuse_signal_high_above_the_prescribed_maximum(total, expected):
    an_entry = entry(symptoms={"euphoria": 2}, doses=[total])
    assert severity("misuse_signal", an_entry, patient(max_daily=80)) == expected


def test_misuse_signal_evidence():
    found = match("misuse_signal", entry(symptoms={"euphoria": 2}, doses=[100]), patient(max_daily=80))
    assert found.symptoms == {"euphoria"}
    assert found.evidence == {
        "date": day(0).isoformat(),
        "daily_total_mg": 100,
        "max_daily_mg": 80,
        "above_prescribed": True,
        "depression": False,
        "symptoms": {"euphoria": 2},
    }
