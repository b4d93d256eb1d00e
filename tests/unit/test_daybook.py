"""The day book: each entry sees the days as they stood when it came in, whichever way it is asked."""
import datetime as dt
import random
import uuid

from rule_factories import day, dose, local
from service.daybook import DayBook
from service.rules import Day, Entry, Substance, window

ARRIVAL = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.timezone.utc)


def random_entry(rng: random.Random) -> Entry:
    on = -rng.randrange(20)
    return Entry(
        recorded_at=local(on, f"{rng.randrange(7, 23)}:00"), local_date=day(on),
        craving=rng.choice([None, *range(11)]),
        doses=tuple(dose(rng.choice([10, 20, 30]), on - rng.randrange(2)) for _ in range(rng.randrange(3))),
        alcohol_drinks=rng.choice([None, 0, 1.5, 4]),
        substances=tuple(Substance(name, False) for name in rng.sample(["diazepam", "zolpidem", "cannabis"],
                                                                      rng.randrange(3))))


def book_of(base: dict, written: list) -> DayBook:
    book = DayBook(base)
    for entry_id, received_at, entry in written:
        book.add(entry_id, received_at, entry)
    return book


def added_up(base: dict, written: list, entry_id, received_at, entry) -> dict:
    """The days of the entry's window, summed from scratch: what the day book must answer."""
    first, last = window(entry)
    days = {}
    for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1)):
        parts = [(d.amount_mg, 0.0, None, frozenset()) for other_id, other_received, other in written
                 if other_id != entry_id and other_received <= received_at for d in other.doses if d.local_date == day]
        parts += [(0.0, other.alcohol_drinks or 0.0, other.craving, frozenset(s.name for s in other.substances))
                  for other_id, other_received, other in written
                  if other_id != entry_id and other_received <= received_at and other.local_date == day]
        if day not in base and not parts:
            continue
        start = base.get(day, Day())
        cravings = [c for c in [start.max_craving, *(p[2] for p in parts)] if c is not None]
        days[day] = Day(baclofen_mg=start.baclofen_mg + sum(p[0] for p in parts),
                        drinks=start.drinks + sum(p[1] for p in parts), max_craving=max(cravings, default=None),
                        sedatives=start.sedatives.union(*(p[3] for p in parts)))
    return days


def test_each_entry_sees_the_days_as_they_stood_when_it_came_in():
    rng = random.Random(7)
    base = {day(-n): Day(baclofen_mg=30, drinks=1, max_craving=4, sedatives=frozenset({"diazepam"}))
            for n in range(5, 25)}
    # Arrivals in every order: mostly in turn, some synced late, some at the very same moment.
    written = [(uuid.uuid4(), ARRIVAL + dt.timedelta(seconds=rng.choice([i, i, i, rng.randrange(150), 0])),
                random_entry(rng)) for i in range(150)]
    book = book_of(base, written)
    for item in written:
        assert book.history(*item) == added_up(base, written, *item), item
    # A new entry, not in the book, that came in after all of them.
    newest = (uuid.uuid4(), ARRIVAL + dt.timedelta(hours=1), random_entry(rng))
    assert book.history(*newest) == added_up(base, written, *newest)
    assert book.history(*newest)  # the window is not empty: the comparison says something


def test_an_entry_does_not_see_those_that_came_in_after_it():
    first, later = (uuid.uuid4(), ARRIVAL, Entry(local(0, "09:00"), day(0), craving=3)), \
        (uuid.uuid4(), ARRIVAL + dt.timedelta(minutes=1), Entry(local(0, "08:00"), day(0), craving=9))
    book = book_of({}, [first, later])
    assert book.history(*first) == {}
    assert book.history(*later)[day(0)].max_craving == 3
