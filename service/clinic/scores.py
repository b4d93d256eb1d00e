"""The geometry of a patient's questionnaire scores over time, one chart per instrument; the template draws it.

Plain values in, coordinates out, as in chart.py: no Flask, no database. Each chart runs over local
days (x) and the instrument's total score from 0 to its maximum (y), with the instrument's severity
bands behind the points, each named in words in a gutter to the right, where no point can cover it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from ..measures.instruments import INSTRUMENTS, Band, Instrument

# About a phone's width, so that the words keep their size there; on a wide screen two charts share a row.
WIDTH = 400
LEFT = 30  # room for the score ticks
GUTTER = 124  # the bands' names, right of the plot: "moderately severe" fits
TOP, PLOT_HEIGHT = 8, 150
DATES_TOP = TOP + PLOT_HEIGHT + 16
HEIGHT = DATES_TOP + 14
PLOT_RIGHT = WIDTH - GUTTER
SHADES = 5  # the template's ramp of band colours, lightest first
LABEL_GAP = 18  # a point's score is written only this far right of the next one written
DATE_STEP_DAYS = 21


@dataclass(frozen=True)
class BandArea:
    name: str
    low: int
    high: int
    y: float
    height: float
    label_y: float
    shade: int  # 0 (lowest band) .. SHADES - 1 (highest)


@dataclass(frozen=True)
class Point:
    date: dt.date
    answered_at: dt.datetime
    score: int
    band: str
    x: float
    y: float
    shade: int
    labelled: bool  # its score is written beside it
    label_y: float


@dataclass(frozen=True)
class Tick:
    value: object
    at: float  # y of a score tick, x of a date tick
    label: str


@dataclass(frozen=True)
class ScoreChart:
    code: str
    abbreviation: str
    title: str
    max_score: int
    width: int
    height: int
    bands: tuple[BandArea, ...]
    points: tuple[Point, ...]  # in the order answered
    line: str  # a polyline through the points, "" for a single one
    score_ticks: tuple[Tick, ...]
    date_ticks: tuple[Tick, ...]
    first: dt.date
    last: dt.date
    bands_for_whom: str  # whose bands these are, where the instrument has its own for men; else ""
    summary: str


def bands_for(instrument: Instrument, sex: str) -> tuple[Band, ...]:
    """The bands a patient's scores are read against: AUDIT-C has its own for men."""
    return instrument.male_bands if sex == "male" and instrument.male_bands else instrument.bands


def _shade(index: int, count: int) -> int:
    return 0 if count < 2 else round(index * (SHADES - 1) / (count - 1))


def _range(band: Band) -> str:
    return f"{band.low}–{band.high}"


def score_chart(instrument: Instrument, responses: list, first: dt.date, last: dt.date, sex: str) -> ScoreChart:
    """Lay out one instrument's responses (with `local_date`, `answered_at`, `score`, `band`, oldest
    first) over the local days first..last against the bands of the patient's sex."""
    bands = bands_for(instrument, sex)
    top = instrument.max_score
    days = (last - first).days + 1
    slot = (PLOT_RIGHT - LEFT) / days

    def y(score: float) -> float:
        # Half a point beyond each end: 0 and the maximum sit inside the plot, and a band's edge
        # falls between two scores, never on one.
        return TOP + PLOT_HEIGHT * (top + 0.5 - score) / (top + 1)

    def x(day: dt.date) -> float:
        return LEFT + ((day - first).days + 0.5) * slot

    areas = []
    for index, band in enumerate(bands):
        upper, lower = y(band.high + 0.5), y(band.low - 0.5)
        areas.append(BandArea(band.name, band.low, band.high, upper, lower - upper, (upper + lower) / 2 + 4,
                              _shade(index, len(bands))))

    def shade_of(score: int) -> int:
        return next(area.shade for area in areas if area.low <= score <= area.high)

    # The newest score is always written; an older one only where it has room beside the next one written.
    labelled, room_until = set(), None
    for index in range(len(responses) - 1, -1, -1):
        at = x(responses[index].local_date)
        if room_until is None or at <= room_until:
            labelled.add(index)
            room_until = at - LABEL_GAP
    points = []
    for index, response in enumerate(responses):
        at_y = y(response.score)
        points.append(Point(
            date=response.local_date, answered_at=response.answered_at, score=response.score, band=response.band,
            x=x(response.local_date), y=at_y, shade=shade_of(response.score), labelled=index in labelled,
            label_y=at_y - 8 if at_y - 8 > TOP + 10 else at_y + 16))

    score_ticks = tuple(Tick(value, y(value), str(value)) for value in sorted({b.low for b in bands} | {top}))
    date_ticks = tuple(Tick(day, x(day), f"{day.day} {day:%b}") for day in
                       (last - dt.timedelta(days=n) for n in range(0, days, DATE_STEP_DAYS)))
    return ScoreChart(
        code=instrument.code, abbreviation=instrument.abbreviation, title=instrument.title, max_score=top,
        width=WIDTH, height=HEIGHT, bands=tuple(areas), points=tuple(points),
        line=" ".join(f"{p.x:g},{p.y:g}" for p in points) if len(points) > 1 else "",
        score_ticks=score_ticks, date_ticks=tuple(reversed(date_ticks)), first=first, last=last,
        bands_for_whom=(("men" if sex == "male" else "women and patients whose sex is unspecified")
                        if instrument.male_bands else ""),
        summary=_summary(instrument, bands, responses, first, last))


def _summary(instrument: Instrument, bands, responses: list, first: dt.date, last: dt.date) -> str:
    count = "1 response" if len(responses) == 1 else f"{len(responses)} responses"
    scale = ", ".join(f"{band.name} {_range(band)}" for band in bands)
    newest = responses[-1]
    return (f"{instrument.abbreviation} total scores of {count} answered between {first.isoformat()} and "
            f"{last.isoformat()}, on a scale of 0 to {instrument.max_score} shaded by its bands ({scale}). "
            f"Latest: {newest.score} ({newest.band}) on {newest.local_date.isoformat()}.")


def score_charts(responses: Iterable, first: dt.date, last: dt.date, sex: str) -> list[ScoreChart]:
    """One chart per instrument of the responses (oldest first, answered on the local days first..last),
    in the instruments' order."""
    by_instrument: dict[str, list] = {}
    for response in responses:
        by_instrument.setdefault(response.instrument, []).append(response)
    return [score_chart(instrument, by_instrument[code], first, last, sex)
            for code, instrument in INSTRUMENTS.items() if code in by_instrument]

