"""The four questionnaires: their items and answers, their scoring, their bands, checking answers."""
import dataclasses
import re

import pytest

from service.measures.instruments import (
    INSTRUMENTS,
    PHQ9_SUICIDE_ITEM,
    Band,
    Instrument,
    Item,
    Option,
)

PHQ9, GAD7, PACS, AUDITC = (INSTRUMENTS[code] for code in ("phq9", "gad7", "pacs", "auditc"))


def answers_summing_to(instrument, total):
    """Return valid answers whose values add up to total, filling items from the first."""
    answers = []
    for item in instrument.items:
        value = min(item.highest, total)
        answers.append(value)
        total -= value
    assert total == 0, "more than the instrument's maximum"
    return answers


# -- what each instrument is


def test_the_four_instruments_in_the_specified_order():
    assert list(INSTRUMENTS) == ["phq9", "gad7", "pacs", "auditc"]
    assert all(code == instrument.code for code, instrument in INSTRUMENTS.items())


@pytest.mark.parametrize("code, items, highest, max_score", [
    ("phq9", 9, 3, 27),
    ("gad7", 7, 3, 21),
    ("pacs", 5, 6, 30),
    ("auditc", 3, 4, 12),
])
def test_item_counts_and_answer_ranges(code, items, highest, max_score):
    instrument = INSTRUMENTS[code]
    assert len(instrument.items) == items
    for item in instrument.items:
        assert [option.value for option in item.options] == list(range(highest + 1))
        assert all(option.label.strip() == option.label != "" for option in item.options)
    assert instrument.max_score == max_score


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_every_instrument_says_where_it_comes_from_and_on_what_terms(code):
    instrument = INSTRUMENTS[code]
    assert instrument.title and instrument.instructions and instrument.recall_period
    assert len(instrument.source) > 60 and re.search(r"\b(19|20)\d\d\b", instrument.source)
    assert len(instrument.licence) > 60


def test_sources_name_the_published_papers():
    assert "The PHQ-9: validity of a brief depression severity measure" in PHQ9.source
    assert "A brief measure for assessing generalized anxiety disorder: the GAD-7" in GAD7.source
    assert "Psychometric properties of the Penn Alcohol Craving Scale" in PACS.source
    assert "Alcohol Clin Exp Res. 1999;23(8):1289-1295" in PACS.source
    assert "(AUDIT-C): an effective brief screening test for problem drinking" in AUDITC.source
    assert "World Health Organization" in AUDITC.source


def test_pfizer_instruments_carry_the_pfizer_permission():
    for instrument in (PHQ9, GAD7):
        assert "educational grant from Pfizer Inc." in instrument.licence
        assert "No permission required to reproduce, translate, display or distribute." in instrument.licence


def test_recall_periods():
    assert PHQ9.recall_period == GAD7.recall_period == "Over the last 2 weeks"
    assert PACS.recall_period == "During the past week"
    assert AUDITC.recall_period == "During this past year"


def test_phq9_and_gad7_answers_are_the_published_frequencies():
    for instrument in (PHQ9, GAD7):
        for item in instrument.items:
            assert [option.label for option in item.options] == [
                "Not at all", "Several days", "More than half the days", "Nearly every day"]


def test_phq9_item_9_is_the_suicide_screen():
    assert PHQ9_SUICIDE_ITEM == 8
    assert PHQ9.items[PHQ9_SUICIDE_ITEM].text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way")


def test_first_and_last_items_as_published():
    assert PHQ9.items[0].text == "Little interest or pleasure in doing things"
    assert GAD7.items[0].text == "Feeling nervous, anxious or on edge"
    assert GAD7.items[-1].text == "Feeling afraid as if something awful might happen"
    assert AUDITC.items[0].text == "How often do you have a drink containing alcohol?"
    assert PACS.items[0].text.startswith("During the past week how often have you thought about drinking")


def test_audit_c_items_each_have_their_own_answers():
    labels = [[option.label for option in item.options] for item in AUDITC.items]
    assert labels == [
        ["Never", "Monthly or less", "2 to 4 times a month", "2 to 3 times a week", "4 or more times a week"],
        ["1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more"],
        ["Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"],
    ]


def test_pacs_items_each_have_their_own_anchors():
    firsts = [item.options[0].label for item in PACS.items]
    lasts = [item.options[-1].label for item in PACS.items]
    assert len(set(firsts)) == 4  # items 2 and 3 both start at "None at all"
    assert len(set(lasts)) == 5
    assert PACS.items[0].options[0].label == "Never (0 times during the past week)"
    assert PACS.items[2].options[-1].label == "More than 6 hours"
    assert PACS.items[3].options[-1].label == "Would not be able to resist"


# -- scoring: the sum of the item values


@pytest.mark.parametrize("code, answers, total", [
    ("phq9", [0] * 9, 0),
    ("phq9", [3] * 9, 27),
    ("phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0], 10),
    ("gad7", [0] * 7, 0),
    ("gad7", [3] * 7, 21),
    ("gad7", [2, 1, 0, 3, 1, 1, 2], 10),
    ("pacs", [0] * 5, 0),
    ("pacs", [6] * 5, 30),
    ("pacs", [4, 5, 3, 4, 4], 20),
    ("auditc", [0, 0, 0], 0),
    ("auditc", [4, 4, 4], 12),
    ("auditc", [2, 1, 0], 3),
])
def test_score_is_the_sum_of_the_item_values(code, answers, total):
    assert INSTRUMENTS[code].score(answers) == total


def test_score_refuses_answers_with_problems():
    with pytest.raises(ValueError, match="PHQ-9 has 9 items; 8 answers were given"):
        PHQ9.score([1] * 8)
    with pytest.raises(ValueError, match=r"answers\.2: must be an integer from 0 to 4"):
        AUDITC.score([1, 1, 5])


# -- bands, at every boundary


@pytest.mark.parametrize("score, band", [
    (0, "minimal"), (4, "minimal"),
    (5, "mild"), (9, "mild"),
    (10, "moderate"), (14, "moderate"),
    (15, "moderately severe"), (19, "moderately severe"),
    (20, "severe"), (27, "severe"),
])
def test_phq9_bands(score, band):
    assert PHQ9.band(score) == band
    assert PHQ9.band(PHQ9.score(answers_summing_to(PHQ9, score))) == band


@pytest.mark.parametrize("score, band", [
    (0, "minimal"), (4, "minimal"),
    (5, "mild"), (9, "mild"),
    (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe"),
])
def test_gad7_bands(score, band):
    assert GAD7.band(score) == band
    assert GAD7.band(GAD7.score(answers_summing_to(GAD7, score))) == band


@pytest.mark.parametrize("score, band", [
    (0, "low"), (14, "low"),
    (15, "elevated"), (19, "elevated"),
    (20, "high"), (30, "high"),
])
def test_pacs_bands_separate_below_20_from_20_or_more(score, band):
    assert PACS.band(score) == band
    assert PACS.band(PACS.score(answers_summing_to(PACS, score))) == band


@pytest.mark.parametrize("sex, score, band", [
    ("female", 0, "negative"), ("female", 2, "negative"), ("female", 3, "positive"), ("female", 12, "positive"),
    ("male", 0, "negative"), ("male", 3, "negative"), ("male", 4, "positive"), ("male", 12, "positive"),
    ("unspecified", 2, "negative"), ("unspecified", 3, "positive"),
])
def test_audit_c_screens_positive_at_4_for_men_and_3_for_women_and_unspecified(sex, score, band):
    assert AUDITC.band(score, sex) == band
    assert AUDITC.band(AUDITC.score(answers_summing_to(AUDITC, score)), sex) == band


def test_audit_c_without_a_sex_is_judged_like_women():
    assert AUDITC.band(3) == "positive"


@pytest.mark.parametrize("code", ["phq9", "gad7", "pacs"])
def test_other_instruments_band_the_same_for_every_sex(code):
    instrument = INSTRUMENTS[code]
    for score in range(instrument.max_score + 1):
        assert len({instrument.band(score, sex) for sex in ("female", "male", "unspecified")}) == 1


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_bands_are_lower_case_and_cover_every_score(code):
    instrument = INSTRUMENTS[code]
    for bands in filter(None, (instrument.bands, instrument.male_bands)):
        assert all(band.name == band.name.lower() for band in bands)
        covered = [score for band in bands for score in range(band.low, band.high + 1)]
        assert covered == list(range(instrument.max_score + 1))


def test_band_refuses_impossible_scores_and_unknown_sexes():
    for score in (-1, 28, True, 4.0, "4"):
        with pytest.raises(ValueError, match="integer from 0 to 27"):
            PHQ9.band(score)
    with pytest.raises(ValueError, match="sex must be one of female, male, unspecified"):
        AUDITC.band(3, "f")


# -- checking answers


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_valid_answers_have_no_problems(code):
    instrument = INSTRUMENTS[code]
    assert instrument.problems([0] * len(instrument.items)) == {}
    assert instrument.problems([item.highest for item in instrument.items]) == {}
    assert instrument.problems(tuple([1] * len(instrument.items))) == {}


def test_wrong_counts_name_the_instrument():
    assert PHQ9.problems([1] * 8) == {"answers": ["PHQ-9 has 9 items; 8 answers were given"]}
    assert GAD7.problems([1] * 8) == {"answers": ["GAD-7 has 7 items; 8 answers were given"]}
    assert PACS.problems([]) == {"answers": ["PACS has 5 items; 0 answers were given"]}
    assert AUDITC.problems([1]) == {"answers": ["AUDIT-C has 3 items; 1 answer was given"]}


def test_out_of_range_answers_are_named_by_position_from_0():
    assert PHQ9.problems([0, 0, 0, 4, 0, 0, 0, 0, 0]) == {"answers.3": ["must be an integer from 0 to 3"]}
    assert PHQ9.problems([-1, 0, 0, 0, 0, 0, 0, 0, 0]) == {"answers.0": ["must be an integer from 0 to 3"]}
    assert PACS.problems([6, 6, 6, 6, 7]) == {"answers.4": ["must be an integer from 0 to 6"]}
    assert AUDITC.problems([4, 5, 4]) == {"answers.1": ["must be an integer from 0 to 4"]}


@pytest.mark.parametrize("odd", [1.0, 1.5, "1", None, [1]])
def test_non_integers_are_refused(odd):
    assert GAD7.problems([0, 0, odd, 0, 0, 0, 0]) == {"answers.2": ["must be an integer from 0 to 3"]}


@pytest.mark.parametrize("boolean", [True, False])
def test_booleans_are_not_integers(boolean):
    assert AUDITC.problems([0, boolean, 0]) == {"answers.1": ["must be an integer from 0 to 4"]}


def test_a_wrong_count_and_a_wrong_answer_are_both_reported():
    assert AUDITC.problems([9, 0]) == {
        "answers": ["AUDIT-C has 3 items; 2 answers were given"],
        "answers.0": ["must be an integer from 0 to 4"],
    }


@pytest.mark.parametrize("not_a_list", [None, 3, "000", {"0": 1}, b"\x00\x00\x00"])
def test_answers_must_be_a_list(not_a_list):
    assert AUDITC.problems(not_a_list) == {"answers": ["must be a list of integers"]}


# -- the data is checked as it loads


def test_an_instrument_whose_bands_leave_a_gap_does_not_load():
    with pytest.raises(ValueError, match="bands must cover 0 to 12 without gaps"):
        dataclasses.replace(AUDITC, male_bands=(Band(0, 3, "negative"), Band(5, 12, "positive")))
    with pytest.raises(ValueError, match="bands must cover 0 to 21 without gaps"):
        dataclasses.replace(GAD7, bands=GAD7.bands[:-1])


def test_an_instrument_whose_options_are_not_numbered_in_order_does_not_load():
    shuffled = Item("A question", (Option(1, "one"), Option(0, "none")))
    with pytest.raises(ValueError, match="item 1: option values must be 0, 1, 2"):
        Instrument("x", "X", "X", "?", "Today", (shuffled,), (Band(0, 1, "any"),), "A source", "A licence")


def test_instruments_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PHQ9.bands = ()
