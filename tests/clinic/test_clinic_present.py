"""How the clinic's pages put values in words: evidence, times and severities (no app, no database)."""
from __future__ import annotations

import datetime as dt

import pytest

from service.clinic import present


def test_evidence_is_spelt_out_in_the_clinics_words():
    rows = present.evidence_rows({
        "daily_total_mg": 130.0, "max_daily_mg": 90.0, "symptoms": {"seizure": 3, "tremor": 2},
        "note_words": {"seizure": "had a fit"}, "baclofen_dropped": False, "sedatives": ["diazepam", "zopiclone"],
        "days": [{"date": "2026-11-07", "drinks": 6.0, "daily_total_mg": 90.0}]})
    assert rows == [
        ("Daily total (mg)", ["130"]),
        ("Max daily (mg)", ["90"]),
        ("Symptoms", ["seizure (symptom severity 3 of 3)", "tremor (symptom severity 2 of 3)"]),
        ("Note words", ["seizure: “had a fit”"]),
        ("Baclofen dropped", ["no"]),
        ("Sedatives", ["diazepam, zopiclone"]),
        ("Days", ["2026-11-07: drinks 6, daily total 90 mg"]),
    ]


def test_a_semantic_finding_names_the_example_it_was_like():
    rows = present.evidence_rows({"note_semantic": {"seizure": {"example": "came round on the floor", "similarity": 0.81}}})
    assert rows == [("Note semantic", ["seizure: like “came round on the floor” (similarity 0.81)"])]


def test_times_are_shown_in_the_patients_zone_saying_which():
    moment = dt.datetime(2026, 11, 24, 20, 30, tzinfo=dt.timezone.utc)
    assert present.local(moment) == "2026-11-24 20:30 UTC"
    assert present.local(moment, "Europe/Paris") == "2026-11-24 21:30 CET"
    assert present.local(moment, "Europe/Paris", day=dt.date(2026, 11, 24)) == "21:30 CET"
    assert present.local(moment, "Asia/Tokyo", day=dt.date(2026, 11, 24)) == "2026-11-25 05:30 JST"
    # A zone without an abbreviation is named by its offset.
    assert present.local(moment, "America/Sao_Paulo") == "2026-11-24 17:30 UTC-03:00"
    assert present.local(moment, "Asia/Kolkata") == "2026-11-25 02:00 IST"
    assert present.local(moment, "Asia/Kathmandu") == "2026-11-25 02:15 UTC+05:45"
    assert present.local(None) == "—"


@pytest.mark.parametrize("seconds, words", [
    (0, "under 1 min"), (59, "under 1 min"), (60, "1 min"), (59 * 60 + 59, "59 min"), (3600, "1 h"),
    (3 * 3600 + 1800, "3 h"), (23 * 3600 + 3599, "23 h"), (86400, "1 d"), (2 * 86400 + 7 * 3600, "2 d"),
    (-30, "under 1 min"),  # a first entry a little ahead of the clock has not waited
])
def test_how_long_a_flag_has_waited_is_said_in_its_largest_unit(seconds, words):
    anchor = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
    assert present.waited(anchor - dt.timedelta(seconds=seconds), anchor) == words


def test_a_symptoms_severity_is_never_a_flags_word():
    assert present.symptom("drowsiness", 2) == "drowsiness (symptom severity 2 of 3)"
    for severity in (1, 2, 3):
        shown = present.symptom("tremor", severity)
        assert not any(word in shown for word in ("mild", "moderate", "severe", "high", "urgent"))


def test_the_source_is_shown_by_the_documents_title():
    assert present.document_title("baclofen-aud.txt") == (
        "Clinical experience of baclofen in alcohol dependence: A chart review")
    assert present.document_title("clinical practice").startswith("Standard clinical practice")
    assert present.document_title("another.txt") == "another.txt"


def test_a_flag_takes_only_the_reviews_its_status_allows():
    assert present.actions_for("open") == ["acknowledge", "resolve", "dismiss"]
    assert present.actions_for("acknowledged") == ["resolve", "dismiss"]
    assert present.actions_for("resolved") == present.actions_for("dismissed") == []
