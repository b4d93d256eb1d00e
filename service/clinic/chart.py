"""The geometry of a patient's daily chart, from the rows of summary.daily_summary; the template draws it.

Plain values in, coordinates out: no Flask, no database. Every series is told apart by shape and
pattern as well as by colour, so the chart reads in print and without colour.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Callable

SEVERITY_ORDER = ("urgent", "high", "moderate")

SLOT = 40  # width of one day
LEFT, RIGHT = 64, 24
FLAGS_TOP, FLAGS_HEIGHT = 56, 44
BACLOFEN_TOP, BACLOFEN_HEIGHT = 120, 200
CRAVING_TOP, CRAVING_HEIGHT = 360, 110
DRINKS_TOP, DRINKS_HEIGHT = 510, 60
DATES_TOP = 582
HEIGHT = 640
BAR_GAP = 6


@dataclass(frozen=True)
class Tick:
    value: float
    y: float
    label: str


@dataclass(frozen=True)
class Day:
    date: dt.date
    x: float  # left edge of the day's slot
    mid: float
    baclofen_mg: float
    max_mg: float | None
    over_max: bool
    bar_y: float
    bar_height: float
    craving: int | None
    craving_y: float | None
    drinks: float
    drinks_y: float
    drinks_height: float
    flags: tuple  # (severity, title) of each flag with an occurrence that day, most severe first
    top_severity: str | None
    weekday: str
    day_label: str
    month_label: str
    description: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    days: tuple[Day, ...]
    baclofen_ticks: tuple[Tick, ...]
    craving_ticks: tuple[Tick, ...]
    drinks_ticks: tuple[Tick, ...]
    max_path: str  # the prescribed maximum in effect, a step line across the days ("" when none)
    max_labels: tuple  # (x, y, text) where the prescribed maximum starts or changes
    craving_paths: tuple[str, ...]  # one polyline per run of days with a craving
    first: dt.date
    last: dt.date
    summary: str


def nice_ceiling(value: float, most: int = 5) -> tuple[float, float]:
    """Return a round top of scale at or above `value`, and a round step to it (at most `most` steps)."""
    value = max(value, 1.0)
    magnitude = 10 ** math.floor(math.log10(value / most))
    for factor in (1, 2, 2.5, 5, 10):
        step = max(1.0, factor * magnitude)
        count = math.ceil(value / step - 1e-9)
        if count <= most:
            return count * step, step
    raise AssertionError("unreachable: a step of 10 x magnitude always fits")  # pragma: no cover


def number(value: float) -> str:
    """Show 30.0 as 30 and 2.5 as 2.5."""
    return f"{value:g}"


def _flag_words(flags) -> str:
    return "; ".join(f"{severity} flag: {title}" for severity, title in flags)


def _describe(row: dict, max_mg: float | None, flags) -> str:
    parts = [f"{row['date'].isoformat()}: baclofen {number(row['baclofen_mg'])} mg"]
    if max_mg is not None:
        parts[0] += f" (prescribed maximum {number(max_mg)} mg)"
    parts.append("craving not logged" if row["max_craving"] is None else f"craving {row['max_craving']} of 10")
    parts.append(f"{number(row['drinks'])} drinks")
    if flags:
        parts.append(_flag_words(flags))
    return ", ".join(parts)


def layout(rows: list[dict], max_on: Callable[[dt.date], float | None]) -> Chart:
    """Lay out one slot per row (oldest first): `max_on(day)` is the prescribed maximum in effect."""
    maxima = [max_on(row["date"]) for row in rows]
    top_mg, step_mg = nice_ceiling(max([row["baclofen_mg"] for row in rows] + [m or 0 for m in maxima] + [40]))
    top_drinks, step_drinks = nice_ceiling(max([row["drinks"] for row in rows] + [4]), most=2)

    def y_mg(value: float) -> float:
        return BACLOFEN_TOP + BACLOFEN_HEIGHT * (1 - value / top_mg)

    def y_craving(value: float) -> float:
        return CRAVING_TOP + CRAVING_HEIGHT * (1 - value / 10)

    def y_drinks(value: float) -> float:
        return DRINKS_TOP + DRINKS_HEIGHT * (1 - value / top_drinks)

    days = []
    for n, (row, max_mg) in enumerate(zip(rows, maxima)):
        x = LEFT + n * SLOT
        flags = tuple(sorted(((f.severity, f.title) for f in row["flags"]),
                             key=lambda item: SEVERITY_ORDER.index(item[0])))
        date = row["date"]
        craving = row["max_craving"]
        days.append(Day(
            date=date, x=x, mid=x + SLOT / 2, baclofen_mg=row["baclofen_mg"], max_mg=max_mg,
            over_max=max_mg is not None and row["baclofen_mg"] > max_mg,
            bar_y=y_mg(row["baclofen_mg"]), bar_height=BACLOFEN_HEIGHT * row["baclofen_mg"] / top_mg,
            craving=craving, craving_y=None if craving is None else y_craving(craving),
            drinks=row["drinks"], drinks_y=y_drinks(row["drinks"]),
            drinks_height=DRINKS_HEIGHT * row["drinks"] / top_drinks,
            flags=flags, top_severity=flags[0][0] if flags else None,
            weekday=date.strftime("%a"), day_label=str(date.day),
            month_label=date.strftime("%b") if n == 0 or date.day == 1 else "",
            description=_describe(row, max_mg, flags)))

    max_path, max_labels, previous = [], [], None
    for day in days:
        if day.max_mg is None:
            previous = None
            continue
        y = y_mg(day.max_mg)
        if previous is None:
            max_path.append(f"M{day.x:g},{y:g}")
        else:
            max_path.append(f"V{y:g}")
        max_path.append(f"H{day.x + SLOT:g}")
        if previous != day.max_mg:
            max_labels.append((day.x + 2, y - 4, f"max {number(day.max_mg)} mg"))
        previous = day.max_mg

    craving_paths, run = [], []
    for day in days + [None]:
        if day is not None and day.craving is not None:
            run.append(f"{day.mid:g},{day.craving_y:g}")
            continue
        if len(run) > 1:
            craving_paths.append(" ".join(run))
        run = []

    flagged = sum(1 for day in days if day.flags)
    over = sum(1 for day in days if day.over_max)
    summary = (f"{len(days)} local days from {days[0].date.isoformat()} to {days[-1].date.isoformat()}: "
               f"baclofen daily total as bars against the prescribed maximum as a dashed line "
               f"({over} days above it), the day's highest craving from 0 to 10 as points, drinks as "
               f"small bars, and {flagged} days with flags marked above." if days else "No days to show.")
    return Chart(
        width=LEFT + SLOT * len(days) + RIGHT, height=HEIGHT, days=tuple(days),
        baclofen_ticks=tuple(Tick(v, y_mg(v), number(v)) for v in _steps(top_mg, step_mg)),
        craving_ticks=tuple(Tick(v, y_craving(v), number(v)) for v in (0, 5, 10)),
        drinks_ticks=tuple(Tick(v, y_drinks(v), number(v)) for v in _steps(top_drinks, step_drinks)),
        max_path=" ".join(max_path), max_labels=tuple(max_labels), craving_paths=tuple(craving_paths),
        first=days[0].date if days else None, last=days[-1].date if days else None, summary=summary)


def _steps(top: float, step: float) -> list[float]:
    count = int(round(top / step))
    return [step * n for n in range(count + 1)]


# ------------------------------------------------------------------ the patients list's sparkline

SPARK_SLOT, SPARK_HEIGHT = 12, 52
SPARK_CRAVING_HEIGHT = 30  # craving 0-10 in the upper part ...
SPARK_DRINKS_TOP, SPARK_DRINKS_HEIGHT = 36, 16  # ... drinks as small bars below it


@dataclass(frozen=True)
class SparkDay:
    date: dt.date
    x: float
    craving: int | None
    craving_y: float | None
    drinks: float
    drinks_y: float
    drinks_height: float


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    days: tuple[SparkDay, ...]
    craving_paths: tuple[str, ...]
    description: str


def days_words(n: int) -> str:
    """1 day, 2 days."""
    return f"{n} day" if n == 1 else f"{n} days"


def _spark_words(days: list[dict]) -> str:
    cravings = [row["max_craving"] for row in days if row["max_craving"] is not None]
    drinking = [row["drinks"] for row in days if row["drinks"] > 0]
    craving = (f"craving logged on {days_words(len(cravings))}, highest {max(cravings)} of 10, last {cravings[-1]}"
               if cravings else "no craving logged")
    drinks = (f"{number(sum(drinking))} drinks on {days_words(len(drinking))}" if drinking else "no drinks")
    return f"Last {days_words(len(days))}: {craving}; {drinks}."


def sparkline(rows: list[dict]) -> Sparkline:
    """A small picture of a patient's last days (rows of `date`, `max_craving`, `drinks`, oldest
    first): the day's highest craving as a line of points, drinks as bars, and the same in words."""
    top_drinks, _ = nice_ceiling(max([row["drinks"] for row in rows] + [4]), most=2)
    days = []
    for n, row in enumerate(rows):
        craving, drinks = row["max_craving"], row["drinks"]
        height = SPARK_DRINKS_HEIGHT * drinks / top_drinks
        days.append(SparkDay(
            date=row["date"], x=n * SPARK_SLOT, craving=craving,
            craving_y=None if craving is None else 3 + (SPARK_CRAVING_HEIGHT - 3) * (1 - craving / 10),
            drinks=drinks, drinks_y=SPARK_DRINKS_TOP + SPARK_DRINKS_HEIGHT - height, drinks_height=height))
    paths, run = [], []
    for day in days + [None]:
        if day is not None and day.craving is not None:
            run.append(f"{day.x + SPARK_SLOT / 2:g},{day.craving_y:g}")
            continue
        if len(run) > 1:
            paths.append(" ".join(run))
        run = []
    return Sparkline(width=SPARK_SLOT * len(days), height=SPARK_HEIGHT, days=tuple(days),
                     craving_paths=tuple(paths), description=_spark_words(rows))
