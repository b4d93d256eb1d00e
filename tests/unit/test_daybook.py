"""The day book: each entry sees the days as they stood when it came in, whichever way it is asked."""
import datetime as dt
import random
import uuid

from rule_factories import day, dose, local
from service.daybook import DayBook
from service.rules import Day, Entry, Substance

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


def test_running_totals_agree_with_adding_up_each_day_again():
    rng = random.Random(7)
    base = {day(-n): Day(baclofen_mg=30, drinks=1, max_craving=4, sedatives=frozenset({"diazepam"}))
            for n in range(5, 12)}
    written = [(uuid.uuid4(), ARRIVAL + dt.timedelta(seconds=i), random_entry(rng)) for i in range(120)]
    newest = (uuid.uuid4(), ARRIVAL + dt.timedelta(hours=1), random_entry(rng))
    running = book_of(base, written)
    # The same book with the newest entry in it: asking for it now scans each day, leaving it out.
    scanning = book_of(base, [*written, newest])
    assert running.history(*newest) == scanning.history(*newest)
    assert running.history(*newest)  # the window is not empty: the comparison says something


def test_an_entry_does_not_see_those_that_came_in_after_it():
    first, later = (uuid.uuid4(), ARRIVAL, Entry(local(0, "09:00"), day(0), craving=3)), \
        (uuid.uuid4(), ARRIVAL + dt.timedelta(minutes=1), Entry(local(0, "08:00"), day(0), craving=9))
    book = book_of({}, [first, later])
    assert book.history(*first) == {}
    assert book.history(*later)[day(0)].max_craving == 3
