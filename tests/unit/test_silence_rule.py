"""The silent patient (warning-signs.md, "The silent patient"): the pure rule at its boundaries."""
import datetime as dt

import pytest

from service.rules.model import Silence
from service.rules.silence import silent_patient

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)
ENROLLED = NOW - 30 * DAY  # long before any entry below


def silence(every=3, last=None, since=ENROLLED, urgent=False) -> Silence:
    return Silence(expected_every_days=every, last_entry_received_at=last, watched_since=since,
                   urgent_before_last_entry=urgent)


@pytest.mark.parametrize("every", [1, 3, 7])
def test_exactly_the_expected_days_without_an_entry_is_not_silence(every):
    assert silent_patient(silence(every, last=NOW - every * DAY), NOW) is None


@pytest.mark.parametrize("every", [1, 3, 7])
def test_one_second_past_the_expected_days_is_silence(every):
    found = silent_patient(silence(every, last=NOW - every * DAY - SECOND), NOW)
    assert found is not None
    assert found.rule == "silent_patient"


def test_an_entry_received_within_the_days_is_not_silence():
    assert silent_patient(silence(3, last=NOW - 2 * DAY), NOW) is None


def test_an_entry_received_after_now_is_not_silence():
    # Another worker's clock may run a little ahead of this one's.
    assert silent_patient(silence(3, last=NOW + SECOND), NOW) is None


def test_a_patient_who_never_logged_is_counted_from_when_they_were_watched():
    assert silent_patient(silence(3, last=None, since=NOW - 3 * DAY), NOW) is None
    found = silent_patient(silence(3, last=None, since=NOW - 3 * DAY - SECOND), NOW)
    assert found is not None
    assert found.evidence["last_entry_received_at"] is None
    assert found.evidence["days_without_entry"] == 3.0


def test_the_last_entry_not_the_enrolment_counts_once_the_patient_logged():
    # Enrolled long ago, logged yesterday: not silent.
    assert silent_patient(silence(3, last=NOW - DAY, since=NOW - 60 * DAY), NOW) is None


@pytest.mark.parametrize("last", [None, NOW - 400 * DAY])
def test_expected_every_days_none_is_never_silence(last):
    assert silent_patient(silence(None, last=last, since=NOW - 400 * DAY), NOW) is None


def test_moderate_without_an_urgent_flag_before_the_last_entry():
    assert silent_patient(silence(3, last=NOW - 4 * DAY, urgent=False), NOW).severity == "moderate"


def test_high_with_an_urgent_flag_in_the_week_before_the_last_entry():
    assert silent_patient(silence(3, last=NOW - 4 * DAY, urgent=True), NOW).severity == "high"


def test_the_evidence_says_what_was_expected_and_how_long_the_silence_is():
    last = NOW - 4 * DAY - 12 * dt.timedelta(hours=1)
    found = silent_patient(silence(3, last=last, urgent=True), NOW)
    assert found.evidence == {"expected_every_days": 3, "last_entry_received_at": last.isoformat(),
                              "days_without_entry": 4.5, "urgent_flag_in_week_before_last_entry": True}


def test_days_without_entry_are_rounded_to_a_tenth():
    found = silent_patient(silence(3, last=NOW - 3 * DAY - SECOND), NOW)
    assert found.evidence["days_without_entry"] == 3.0
    found = silent_patient(silence(3, last=NOW - 3 * DAY - 3 * dt.timedelta(hours=1)), NOW)
    assert found.evidence["days_without_entry"] == 3.1
