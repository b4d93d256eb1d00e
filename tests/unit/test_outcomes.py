"""Drinking outcomes (SPEC "Drinking outcomes"): each measure of `measure` at its boundaries, no database."""
import datetime as dt

import pytest

from service.measures.outcomes import Day, level_change, measure

FIRST = dt.date(2026, 10, 1)
WEEK_LAST = FIRST + dt.timedelta(days=6)
MEASURES = ("percent_days_abstinent", "percent_heavy_drinking_days", "drinks_per_drinking_day", "grams_per_day",
            "who_risk_level", "mean_craving", "mean_baclofen_mg")


def on(n: int) -> dt.date:
    return FIRST + dt.timedelta(days=n)


def one_day(drinks: float, sex: str, standard_drink_g: float = 10) -> dict:
    """The measures of a one-day window whose day has `drinks` standard drinks."""
    return measure({FIRST: Day(drinks=drinks)}, FIRST, FIRST, sex, standard_drink_g)


# -- WHO drinking risk levels, from mean grams a day (standard drink 10 g: grams = drinks × 10)


@pytest.mark.parametrize("drinks, level", [
    (0, "abstinent"), (0.1, "low"), (4.0, "low"), (4.1, "medium"), (6.0, "medium"), (6.1, "high"),
    (10.0, "high"), (10.1, "very_high")])
def test_who_levels_for_men(drinks, level):
    assert one_day(drinks, "male")["who_risk_level"] == level


@pytest.mark.parametrize("sex", ["female", "unspecified"])
@pytest.mark.parametrize("drinks, level", [
    (0, "abstinent"), (0.1, "low"), (2.0, "low"), (2.1, "medium"), (4.0, "medium"), (4.1, "high"),
    (6.0, "high"), (6.1, "very_high")])
def test_who_levels_for_women_and_unspecified(sex, drinks, level):
    assert one_day(drinks, sex)["who_risk_level"] == level


def test_the_who_level_follows_the_mean_over_days_with_entries():
    # 80 g one day, nothing the next: 40 g a day, low for a man, medium for a woman.
    days = {on(0): Day(drinks=8), on(1): Day(drinks=0)}
    assert measure(days, on(0), on(1), "male", 10)["grams_per_day"] == 40.0
    assert measure(days, on(0), on(1), "male", 10)["who_risk_level"] == "low"
    assert measure(days, on(0), on(1), "female", 10)["who_risk_level"] == "medium"


# -- heavy drinking days


@pytest.mark.parametrize("drinks, heavy", [(5.9, 0.0), (6.0, 100.0), (9.0, 100.0)])
def test_a_heavy_day_for_a_man_is_60_g_or_more(drinks, heavy):
    assert one_day(drinks, "male")["percent_heavy_drinking_days"] == heavy


@pytest.mark.parametrize("sex", ["female", "unspecified"])
@pytest.mark.parametrize("drinks, heavy", [(3.9, 0.0), (4.0, 100.0)])
def test_a_heavy_day_for_a_woman_or_unspecified_is_40_g_or_more(sex, drinks, heavy):
    assert one_day(drinks, sex)["percent_heavy_drinking_days"] == heavy


def test_percent_heavy_days_counts_over_the_days_with_entries():
    days = {on(0): Day(drinks=6), on(1): Day(drinks=1), on(2): Day(drinks=0)}
    assert measure(days, on(0), on(6), "male", 10)["percent_heavy_drinking_days"] == 33.33


# -- the standard drink


@pytest.mark.parametrize("standard_drink_g, grams, level, heavy", [
    (10, 30.0, "medium", 0.0),  # WHO
    (14, 42.0, "high", 100.0),  # US
    (8, 24.0, "medium", 0.0),  # UK
])
def test_the_standard_drink_changes_the_grams(standard_drink_g, grams, level, heavy):
    found = one_day(3, "unspecified", standard_drink_g)
    assert found["grams_per_day"] == grams
    assert found["who_risk_level"] == level
    assert found["percent_heavy_drinking_days"] == heavy
    assert found["drinks_per_drinking_day"] == 3.0  # drinks are drinks, whatever their size


@pytest.mark.parametrize("standard_drink_g, level", [(8, "low"), (10, "low"), (14, "medium")])
def test_the_standard_drink_moves_a_man_across_40_g(standard_drink_g, level):
    # 3.5 drinks: 28 g (UK), 35 g (WHO), 49 g (US).
    assert one_day(3.5, "male", standard_drink_g)["who_risk_level"] == level


def test_five_uk_drinks_make_a_woman_s_heavy_day_at_exactly_40_g():
    found = one_day(5, "female", 8)
    assert found["grams_per_day"] == 40.0
    assert found["percent_heavy_drinking_days"] == 100.0


# -- unknown days


def test_a_window_without_entries_answers_nulls_not_zeros():
    days = {on(10): Day(drinks=3, baclofen_mg=30, cravings=(5,))}  # outside the window
    found = measure(days, FIRST, WEEK_LAST, "male", 10)
    assert found["days"] == 7
    assert found["days_with_entries"] == 0
    assert {name: found[name] for name in MEASURES} == dict.fromkeys(MEASURES)
    assert found["from"] == FIRST and found["to"] == WEEK_LAST


def test_days_without_entries_are_unknown_never_abstinent():
    last = on(27)
    days = {on(n): Day(drinks=0, cravings=(2,)) for n in range(0, 28, 4)}  # 7 days of entries, no drinks
    found = measure(days, FIRST, last, "female", 10)
    assert found["days"] == 28
    assert found["days_with_entries"] == 7
    assert found["percent_days_abstinent"] == 100.0
    assert found["percent_heavy_drinking_days"] == 0.0
    assert found["grams_per_day"] == 0.0
    assert found["who_risk_level"] == "abstinent"


def test_percent_days_abstinent_is_over_days_with_entries():
    # 2 drinking days of 4 known days, in a 7-day window with 3 unknown days: 50 %, not 5 of 7.
    days = {on(0): Day(drinks=2), on(1): Day(drinks=0), on(2): Day(drinks=0), on(3): Day(drinks=1)}
    found = measure(days, FIRST, WEEK_LAST, "male", 10)
    assert found["percent_days_abstinent"] == 50.0
    assert found["grams_per_day"] == 7.5  # 30 g over 4 known days, not 7


def test_only_the_days_in_the_window_count():
    days = {on(-1): Day(drinks=20), on(0): Day(drinks=1), on(7): Day(drinks=20)}
    found = measure(days, FIRST, WEEK_LAST, "male", 10)
    assert found["days_with_entries"] == 1
    assert found["grams_per_day"] == 10.0


# -- drinks per drinking day


def test_drinks_per_drinking_day_is_none_without_a_drinking_day():
    found = measure({on(0): Day(drinks=0), on(1): Day(drinks=0)}, FIRST, WEEK_LAST, "male", 10)
    assert found["drinks_per_drinking_day"] is None
    assert found["percent_days_abstinent"] == 100.0


def test_drinks_per_drinking_day_leaves_out_abstinent_days():
    days = {on(0): Day(drinks=3), on(1): Day(drinks=0), on(2): Day(drinks=4)}
    assert measure(days, FIRST, WEEK_LAST, "male", 10)["drinks_per_drinking_day"] == 3.5


def test_drinks_per_drinking_day_is_rounded_to_hundredths():
    days = {on(0): Day(drinks=1), on(1): Day(drinks=1), on(2): Day(drinks=2)}
    assert measure(days, FIRST, WEEK_LAST, "male", 10)["drinks_per_drinking_day"] == 1.33


# -- craving and baclofen


def test_mean_craving_is_over_every_craving_logged():
    days = {on(0): Day(cravings=(2, 4)), on(1): Day(cravings=(9,)), on(2): Day()}
    assert measure(days, FIRST, WEEK_LAST, "male", 10)["mean_craving"] == 5.0


def test_mean_craving_is_none_when_no_craving_was_logged():
    found = measure({on(0): Day(drinks=1)}, FIRST, WEEK_LAST, "male", 10)
    assert found["mean_craving"] is None
    assert found["grams_per_day"] == 10.0


def test_mean_baclofen_is_over_days_with_entries_including_days_without_a_dose():
    days = {on(0): Day(baclofen_mg=60), on(1): Day(baclofen_mg=0), on(2): Day(baclofen_mg=90)}
    assert measure(days, FIRST, WEEK_LAST, "male", 10)["mean_baclofen_mg"] == 50.0


def test_means_are_rounded_to_hundredths():
    days = {on(0): Day(baclofen_mg=10, cravings=(3, 4)), on(1): Day(baclofen_mg=10, cravings=(4,)),
            on(2): Day(baclofen_mg=15, cravings=(4,))}
    found = measure(days, FIRST, WEEK_LAST, "male", 10)
    assert (found["mean_baclofen_mg"], found["mean_craving"]) == (11.67, 3.75)


# -- the change from the baseline


@pytest.mark.parametrize("now, baseline, change", [
    ("low", "high", -2), ("abstinent", "very_high", -4), ("medium", "medium", 0), ("very_high", "abstinent", 4),
    ("high", "medium", 1)])
def test_level_change_down_is_negative(now, baseline, change):
    assert level_change(now, baseline) == change


@pytest.mark.parametrize("now, baseline", [(None, "high"), ("low", None), (None, None)])
def test_level_change_is_none_when_either_side_is_unknown(now, baseline):
    assert level_change(now, baseline) is None
