"""How the clinic's pages put values in words: evidence, times and severities (no app, no database)."""
from __future__ import annotations

import datetime as dt

from service.clinic import present


def test_evidence_is_spelt_out_in_the_clinics_words():
    rows = present.evidence_rows({
        "daily_total_mg": 130.0, "max_daily_mg": 90.0, "symptoms": {"seizure": 3, "tremor": 2},
        "note_words": {"seizure": "had a fit"}, "baclofen_dropped": False, "sedatives": ["diazepam", "zopiclone"],
        "days": [{"date": "2026-11-07", "drinks": 6.0, "daily_total_mg": 90.0}]})
    assert rows == [
        ("Daily total (mg)", ["130"]),
        ("Max daily (mg)", ["90"]),
        ("Symptoms", ["seizure (severe)", "tremor (moderate)"]),
        ("Note words", ["seizure: “had a fit”"]),
        ("Baclofen dropped", ["no"]),
        ("Sedatives", ["diazepam, zopiclone"]),
        ("Days", ["2026-11-07: drinks 6, daily total 90 mg"]),
    ]


def test_times_are_shown_in_the_patients_zone_saying_which():
    moment = dt.datetime(2026, 11, 24, 20, 30, tzinfo=dt.timezone.utc)
    assert present.local(moment) == "2026-11-24 20:30 UTC"
    assert present.local(moment, "Europe/Paris") == "2026-11-24 21:30 CET"
    assert present.local(moment, "Europe/Paris", zone=False, day=dt.date(2026, 11, 24)) == "21:30"
    assert present.local(moment, "Asia/Tokyo", zone=False, day=dt.date(2026, 11, 24)) == "2026-11-25 05:30"
    assert present.local(None) == "—"


def test_a_flag_takes_only_the_reviews_its_status_allows():
    assert present.actions_for("open") == ["acknowledge", "resolve", "dismiss"]
    assert present.actions_for("acknowledged") == ["resolve", "dismiss"]
    assert present.actions_for("resolved") == present.actions_for("dismissed") == []
