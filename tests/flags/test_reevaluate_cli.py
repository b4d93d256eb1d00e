"""`flask rules reevaluate`: the current rules over stored entries again, never a duplicate."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from conftest import entry, make_patient
from flagkit import as_uuid, count, entry_on, flag_in, last_json_line, post_entry, queue, review
from service import webhooks
from service.extensions import db
from service.models import Entry, Flag, Occurrence, Review, WebhookEvent

RX_90 = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}
LORAZEPAM = [{"name": "lorazepam", "prescribed": False}]


class Stored:
    """Two patients with entries that raise flags, one entry per local day and rule."""

    def __init__(self, clinician):
        self.a = make_patient(clinician, prescription=RX_90)
        self.b = make_patient(clinician, prescription=RX_90)
        post_entry(self.a, entry_on(4, craving=3))
        post_entry(self.a, entry_on(3, substances=LORAZEPAM))
        post_entry(self.a, entry_on(2, doses=[{"amount_mg": 320}]))
        post_entry(self.a, entry_on(1, substances=[{"name": "Valium", "prescribed": False}]))
        post_entry(self.a, entry(symptoms=[{"code": "low_mood", "severity": 2}]))
        post_entry(self.b, entry_on(2, doses=[{"amount_mg": 30}], alcohol_drinks=2))
        post_entry(self.b, entry_on(1, substances=LORAZEPAM))


@pytest.fixture
def stored(clinician) -> Stored:
    return Stored(clinician)


def snapshot(app, patient_id=None) -> set:
    """Every flag as (patient, rule, severity, status, occurrences, first and last seen, its entries)."""
    with app.app_context():
        query = sa.select(Flag)
        if patient_id is not None:
            query = query.where(Flag.patient_id == as_uuid(patient_id))
        found = set()
        for flag in db.session.scalars(query):
            entries = tuple(sorted(str(e) for e in db.session.scalars(
                sa.select(Occurrence.entry_id).where(Occurrence.flag_id == flag.id))))
            found.add((str(flag.patient_id), flag.rule, flag.severity, flag.status, flag.occurrences,
                       flag.first_seen_at, flag.last_seen_at, entries))
        db.session.rollback()
        return found


def forget_flags(app) -> None:
    """Delete every flag, as if the rules had never run (or a rule were new)."""
    with app.app_context():
        db.session.execute(sa.delete(Review))
        db.session.execute(sa.delete(Occurrence))
        db.session.execute(sa.delete(Flag))
        db.session.commit()


def reevaluate(runner, *args) -> tuple[dict, object]:
    result = runner.invoke(args=["rules", "reevaluate", *args])
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return last_json_line(result.stdout), result


def test_reevaluate_recreates_the_flags_the_entries_raised(app, runner, stored):
    before = snapshot(app)
    occurrences = count(app, Occurrence)
    assert {rule for _, rule, *_ in before} == {"unprescribed_substance", "dose_above_studied_max",
                                                "dose_above_prescribed", "mood_symptoms", "alcohol_with_baclofen"}
    forget_flags(app)
    assert count(app, Flag) == 0

    summary, result = reevaluate(runner)

    assert snapshot(app) == before
    assert summary["patients"] == 2
    assert summary["entries"] == count(app, Entry) == 7
    assert summary["new_flags"] == len(before) == count(app, Flag)
    assert summary["new_occurrences"] == occurrences == count(app, Occurrence)


def test_reevaluated_flags_reach_the_queue(app, runner, clinician, stored):
    listed = [(f["patient_id"], f["rule"], f["severity"], f["occurrences"]) for f in queue(clinician)]
    forget_flags(app)
    assert queue(clinician) == []

    reevaluate(runner)

    assert [(f["patient_id"], f["rule"], f["severity"], f["occurrences"]) for f in queue(clinician)] == listed


def test_reevaluate_raises_the_flags_of_a_rule_it_had_not_run(app, runner, stored):
    before = snapshot(app)
    with app.app_context():  # as if unprescribed_substance were a new rule
        db.session.execute(sa.delete(Occurrence).where(Occurrence.rule == "unprescribed_substance"))
        db.session.execute(sa.delete(Flag).where(Flag.rule == "unprescribed_substance"))
        db.session.commit()

    summary, _ = reevaluate(runner)

    assert summary["new_flags"] == 2  # one for each patient
    assert summary["new_occurrences"] == 3
    assert snapshot(app) == before


def test_a_second_run_adds_nothing(app, runner, stored):
    forget_flags(app)
    reevaluate(runner)
    flags, occurrences, before = count(app, Flag), count(app, Occurrence), snapshot(app)

    summary, _ = reevaluate(runner)

    assert summary["new_flags"] == 0
    assert summary["new_occurrences"] == 0
    assert summary["entries"] == 7
    assert (count(app, Flag), count(app, Occurrence)) == (flags, occurrences)
    assert snapshot(app) == before


def test_a_run_over_flags_the_entries_already_raised_adds_nothing(app, runner, stored):
    before = snapshot(app)

    summary, _ = reevaluate(runner)

    assert (summary["new_flags"], summary["new_occurrences"]) == (0, 0)
    assert snapshot(app) == before


def test_reevaluate_never_reopens_a_closed_flag(app, runner, clinician, stored):
    lorazepam = next(f for f in queue(clinician, patient_id=stored.b.id) if f["rule"] == "unprescribed_substance")
    review(clinician, lorazepam["id"], "resolve", note="Stopped; prescribed by the GP now.")
    before = snapshot(app)

    summary, _ = reevaluate(runner)

    assert (summary["new_flags"], summary["new_occurrences"]) == (0, 0)
    assert snapshot(app) == before
    assert [f["rule"] for f in queue(clinician, patient_id=stored.b.id)] == ["alcohol_with_baclofen"]


def test_one_patient_only(app, runner, stored):
    a_flags, b_flags = snapshot(app, stored.a.id), snapshot(app, stored.b.id)
    forget_flags(app)

    summary, _ = reevaluate(runner, "--patient", stored.a.id)

    assert summary["patients"] == 1
    assert summary["entries"] == 5
    assert summary["new_flags"] == len(a_flags)
    assert snapshot(app, stored.a.id) == a_flags
    assert snapshot(app, stored.b.id) == set(), "--patient must leave the other patients alone"

    summary, _ = reevaluate(runner, "--patient", stored.b.id)

    assert (summary["patients"], summary["entries"], summary["new_flags"]) == (1, 2, len(b_flags))
    assert snapshot(app, stored.b.id) == b_flags
    assert snapshot(app, stored.a.id) == a_flags


def test_an_unknown_patient_is_refused_clearly(app, runner, stored):
    forget_flags(app)
    unknown = uuid.uuid4()

    result = runner.invoke(args=["rules", "reevaluate", "--patient", str(unknown)])

    assert result.exit_code != 0
    assert "no patient" in result.output.lower() and str(unknown) in result.output, result.output
    assert count(app, Flag) == 0, "a refused run changes nothing"


def test_a_patient_id_that_is_not_a_uuid_is_refused(runner):
    result = runner.invoke(args=["rules", "reevaluate", "--patient", "P-123"])

    assert result.exit_code == 2, result.output
    assert "--patient" in result.output


def test_reevaluate_prints_its_progress(app, runner, stored):
    summary, result = reevaluate(runner)

    progress = [line for line in result.output.splitlines() if line.strip() and not line.startswith("{")]
    assert progress, f"no progress lines in {result.output!r}"
    assert any(str(summary["entries"]) in line for line in progress), progress
    assert last_json_line(result.stdout) == summary


def test_reevaluate_on_an_empty_database(runner):
    summary, _ = reevaluate(runner)

    assert summary == {"patients": 0, "entries": 0, "responses": 0, "new_flags": 0, "new_occurrences": 0}


def test_reevaluate_judges_late_entries_by_their_own_day(app, runner, clinician):
    patient = make_patient(clinician, prescription=RX_90)
    # Two days ago the patient took 60 + 50 mg: above the 90 mg of that day.
    post_entry(patient, entry_on(2, hour=8, doses=[{"amount_mg": 60}]))
    evening = post_entry(patient, entry_on(2, hour=20, doses=[{"amount_mg": 50}]))
    flag_in(evening, "dose_above_prescribed")
    raised = clinician.post(f"/patients/{patient.id}/prescriptions",
                            json={"daily_dose_mg": 120, "max_daily_mg": 300, "approach": "flexible"})
    assert raised.status_code == 201, raised.get_json()
    forget_flags(app)

    summary, _ = reevaluate(runner)

    # Judged by the prescription in effect two days ago, not today's 300 mg.
    assert summary["new_flags"] == 1
    assert [f["rule"] for f in queue(clinician)] == ["dose_above_prescribed"]
    assert queue(clinician)[0]["evidence"]["max_daily_mg"] == 90


def test_reevaluation_finds_what_live_judging_found_within_a_day(app, clinician, runner):
    """The evening dose takes the day over the maximum; the morning entry was within it when it came in."""
    phone = make_patient(clinician, prescription=RX_90)
    post_entry(phone, entry_on(1, hour=8, doses=[{"amount_mg": 60}]))
    evening = post_entry(phone, entry_on(1, hour=20, doses=[{"amount_mg": 50}]))
    assert "dose_above_prescribed" in [f["rule"] for f in evening["flags"]]
    live = snapshot(app)
    forget_flags(app)
    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
    assert snapshot(app) == live


def test_reevaluation_keeps_a_late_morning_entrys_flag(app, clinician, runner):
    """Synced out of order: the morning entry arrives after the evening one and completes the day."""
    phone = make_patient(clinician, prescription=RX_90)
    evening = post_entry(phone, entry_on(1, hour=20, doses=[{"amount_mg": 50}]))
    assert evening["flags"] == []
    morning = post_entry(phone, entry_on(1, hour=8, doses=[{"amount_mg": 60}]))
    assert "dose_above_prescribed" in [f["rule"] for f in morning["flags"]], "a late entry must not hide the sign"
    live = snapshot(app)
    forget_flags(app)
    assert runner.invoke(args=["rules", "reevaluate"]).exit_code == 0
    assert snapshot(app) == live


# ------------------------------------------------------------------ pushes

ANAPHYLAXIS = [{"code": "throat_tightness", "severity": 3}]


@pytest.fixture
def pushes(app):
    """Urgent pushes on; nothing listens, so every event stays in the outbox to be counted."""
    saved = app.config.get("BACLOWATCH_WEBHOOK_URL")
    app.config["BACLOWATCH_WEBHOOK_URL"] = "http://127.0.0.1:9/hooks"
    yield
    app.config["BACLOWATCH_WEBHOOK_URL"] = saved


def events(app) -> list[tuple[str, str]]:
    with app.app_context():
        found = [(str(flag_id), kind) for flag_id, kind in db.session.execute(
            sa.select(WebhookEvent.flag_id, WebhookEvent.type))]
        db.session.rollback()
        return found


def received_days_ago(app, patient, days: int) -> None:
    """As if the patient's entries had come in `days` days ago."""
    with app.app_context():
        db.session.execute(sa.update(Entry).where(Entry.patient_id == as_uuid(patient.id))
                           .values(received_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)))
        db.session.commit()


def forget_flags_and_pushes(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(WebhookEvent))
        db.session.commit()
    forget_flags(app)


def test_reevaluating_old_entries_pushes_nothing_and_escalates_nothing(app, runner, clinician, pushes):
    """Flags that re-judging raises over entries that came in long ago are for the queue, not a push."""
    old = make_patient(clinician)
    post_entry(old, entry_on(3, symptoms=ANAPHYLAXIS))
    assert len(events(app)) == 1, "live judging pushes"
    received_days_ago(app, old, 3)
    forget_flags_and_pushes(app)

    summary, _ = reevaluate(runner)

    assert summary["new_flags"] == 1
    assert [(f["rule"], f["severity"]) for f in queue(clinician)] == [("anaphylaxis", "urgent")]
    assert events(app) == [], "an old entry's flag was pushed as a new urgent event"
    with app.app_context():
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
        assert webhooks.escalate_due(later) == 0, "an old entry's flag was escalated as if fresh"
        assert events(app) == []


def test_reevaluating_an_entry_that_just_came_in_pushes_it_once(app, runner, clinician, pushes):
    fresh = make_patient(clinician)
    post_entry(fresh, entry(symptoms=ANAPHYLAXIS))
    forget_flags_and_pushes(app)  # as if the rule were new

    reevaluate(runner)
    reevaluate(runner)

    flag = queue(clinician)[0]
    assert events(app) == [(flag["id"], "flag.urgent")]


def test_a_quiet_urgent_flag_is_pushed_when_a_live_entry_matches_it(app, runner, clinician, pushes):
    old = make_patient(clinician)
    post_entry(old, entry_on(3, symptoms=ANAPHYLAXIS))
    received_days_ago(app, old, 3)
    forget_flags_and_pushes(app)
    reevaluate(runner)
    assert events(app) == []

    post_entry(old, entry(symptoms=ANAPHYLAXIS))  # the sign again, today
    post_entry(old, entry(symptoms=ANAPHYLAXIS))

    flag = queue(clinician)[0]
    assert flag["occurrences"] == 3
    assert events(app) == [(flag["id"], "flag.urgent")]
