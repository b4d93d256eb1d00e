"""The chart's geometry, from plain rows: no app, no database."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from service.clinic import chart

START = dt.date(2026, 10, 28)


def rows(n: int = 28, **on_day) -> list[dict]:
    """`n` empty days from START; on_day maps a day index to the values of that row."""
    made = []
    for i in range(n):
        row = {"date": START + dt.timedelta(days=i), "baclofen_mg": 0.0, "max_craving": None, "drinks": 0.0,
               "symptoms": [], "flags": []}
        row.update(on_day.get(f"d{i}", {}))
        made.append(row)
    return made


def flag(severity: str, title: str = "A flag"):
    return SimpleNamespace(severity=severity, title=title)


def test_one_slot_per_day_in_order():
    drawn = chart.layout(rows(), lambda day: None)
    assert [d.date for d in drawn.days] == [START + dt.timedelta(days=i) for i in range(28)]
    assert [d.x for d in drawn.days] == [chart.LEFT + i * chart.SLOT for i in range(28)]
    assert drawn.width == chart.LEFT + 28 * chart.SLOT + chart.RIGHT
    assert drawn.first == START and drawn.last == START + dt.timedelta(days=27)
    assert drawn.max_path == "" and drawn.craving_paths == ()


def test_a_bar_is_above_the_maximum_only_when_the_total_exceeds_it():
    drawn = chart.layout(rows(3, d0={"baclofen_mg": 60.0}, d1={"baclofen_mg": 60.5}, d2={"baclofen_mg": 90.0}),
                         lambda day: 60.0)
    assert [d.over_max for d in drawn.days] == [False, True, True]
    assert drawn.days[0].bar_height < drawn.days[2].bar_height
    assert drawn.days[2].bar_y + drawn.days[2].bar_height == pytest.approx(chart.BACLOFEN_TOP + chart.BACLOFEN_HEIGHT)


def test_no_prescription_means_never_above_a_maximum():
    drawn = chart.layout(rows(2, d0={"baclofen_mg": 500.0}), lambda day: None)
    assert not drawn.days[0].over_max
    assert drawn.baclofen_ticks[-1].value >= 500


def test_the_maximum_is_a_step_line_that_changes_with_the_prescription():
    change = START + dt.timedelta(days=2)
    drawn = chart.layout(rows(4), lambda day: None if day == START else (60.0 if day < change else 90.0))
    assert drawn.max_path.startswith(f"M{chart.LEFT + chart.SLOT:g},")
    assert drawn.max_path.count("M") == 1 and drawn.max_path.count("V") == 2
    assert [text for _, _, text in drawn.max_labels] == ["max 60 mg", "max 90 mg"]


def test_craving_lines_break_on_days_without_a_craving():
    drawn = chart.layout(rows(6, d0={"max_craving": 2}, d1={"max_craving": 3}, d3={"max_craving": 9},
                              d4={"max_craving": 0}, d5={"max_craving": 10}), lambda day: None)
    assert [len(path.split()) for path in drawn.craving_paths] == [2, 3]
    assert drawn.days[5].craving_y == chart.CRAVING_TOP
    assert drawn.days[4].craving_y == chart.CRAVING_TOP + chart.CRAVING_HEIGHT
    assert drawn.days[2].craving_y is None


def test_flags_are_marked_most_severe_first_with_words():
    drawn = chart.layout(rows(2, d1={"flags": [flag("moderate", "Alcohol with baclofen"), flag("urgent", "Seizure")]}),
                         lambda day: None)
    assert drawn.days[0].top_severity is None
    assert drawn.days[1].top_severity == "urgent"
    assert drawn.days[1].flags == (("urgent", "Seizure"), ("moderate", "Alcohol with baclofen"))
    assert "urgent flag: Seizure" in drawn.days[1].description


def test_drinks_have_their_own_scale():
    drawn = chart.layout(rows(2, d0={"drinks": 12.0}), lambda day: None)
    assert drawn.drinks_ticks[-1].value >= 12
    top = drawn.drinks_ticks[-1].value
    assert drawn.days[0].drinks_y == pytest.approx(chart.DRINKS_TOP + chart.DRINKS_HEIGHT * (1 - 12 / top))


@pytest.mark.parametrize("value, top", [(0, 1), (4, 4), (40, 40), (41, 50), (90, 100), (120, 125), (301, 400),
                                        (1000, 1000)])
def test_the_scale_ends_on_a_round_number(value, top):
    assert chart.nice_ceiling(value)[0] == top


def test_the_description_says_each_days_values_in_words():
    drawn = chart.layout(rows(1, d0={"baclofen_mg": 70.0, "max_craving": 6, "drinks": 2.5}), lambda day: 60.0)
    assert drawn.days[0].description == (
        "2026-10-28: baclofen 70 mg (prescribed maximum 60 mg), craving 6 of 10, 2.5 drinks")


def spark_rows(**on_day) -> list[dict]:
    return [dict({"date": START + dt.timedelta(days=i), "max_craving": None, "drinks": 0.0}, **on_day.get(f"d{i}", {}))
            for i in range(14)]


def test_a_sparkline_has_a_slot_per_day_craving_points_and_drink_bars():
    drawn = chart.sparkline(spark_rows(d0={"max_craving": 10}, d1={"max_craving": 0, "drinks": 4.0},
                                       d3={"max_craving": 5}, d13={"drinks": 2.0}))
    assert drawn.width == 14 * chart.SPARK_SLOT and [d.x for d in drawn.days] == [i * chart.SPARK_SLOT for i in range(14)]
    assert drawn.days[0].craving_y < drawn.days[3].craving_y < drawn.days[1].craving_y <= chart.SPARK_CRAVING_HEIGHT
    assert [len(path.split()) for path in drawn.craving_paths] == [2]  # day 2 has no craving: the line breaks
    assert drawn.days[1].drinks_height == 2 * drawn.days[13].drinks_height
    assert drawn.days[1].drinks_y + drawn.days[1].drinks_height == chart.SPARK_DRINKS_TOP + chart.SPARK_DRINKS_HEIGHT
    assert drawn.description == ("Last 14 days: craving logged on 3 days, highest 10 of 10, last 5; "
                                 "6 drinks on 2 days.")


def test_an_empty_fortnight_says_so():
    assert chart.sparkline(spark_rows()).description == "Last 14 days: no craving logged; no drinks."
