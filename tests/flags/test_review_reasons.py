"""Dismissal reasons: a flag found in a note alone may be dismissed saying why, and those notes
come out of `notes export-feedback` as development-set records with nothing else of the patient."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from conftest import app_at_head, entry, make_clinician, make_patient
from flagkit import assert_invalid, detail, flag_in, post_entry, review
from notes.devset import problems_of
from service.extensions import db
from service.models import Review

SEIZURE_NOTE = "I had a seizure last night"
CONFUSED_NOTE = "I'm so confused today, can't think straight"


def note_flag(patient, note: str, rule: str, **fields) -> dict:
    return flag_in(post_entry(patient, entry(note=note, **fields)), rule)


def dismiss(clinician, flag_id, reason, status: int = 200, note: str = "Not the patient's sign.") -> dict:
    body = {"action": "dismiss", "note": note}
    if reason is not None:
        body["reason"] = reason
    answer = clinician.post(f"/flags/{flag_id}/review", json=body)
    assert answer.status_code == status, (answer.status_code, answer.get_json())
    return answer.json


def reviews_stored(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(sa.select(Review.action, Review.reason).order_by(Review.id))]


# ------------------------------------------------------------------ POST /flags/{id}/review


@pytest.mark.parametrize("reason", ["not_about_patient", "negated", "not_a_sign", "other"])
def test_a_flag_found_in_a_note_alone_is_dismissed_with_its_reason(clinician, patient, reason):
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    answered = dismiss(clinician, flag["id"], reason)
    assert answered["status"] == "dismissed"
    assert [(r["action"], r["reason"]) for r in answered["reviews"]] == [("dismiss", reason)]
    shown = detail(clinician, flag["id"])
    assert [(r["action"], r["reason"], r["note"]) for r in shown["reviews"]] == [
        ("dismiss", reason, "Not the patient's sign.")]


def test_a_dismissal_needs_no_reason_and_other_reviews_show_none(clinician, patient):
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    review(clinician, flag["id"], "acknowledge")
    dismiss(clinician, flag["id"], None)
    assert [(r["action"], r["reason"]) for r in detail(clinician, flag["id"])["reviews"]] == [
        ("acknowledge", None), ("dismiss", None)]


@pytest.mark.parametrize("action, note", [("acknowledge", None), ("resolve", "Seen in clinic.")])
def test_a_reason_on_another_action_is_refused(app, clinician, patient, action, note):
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    answer = clinician.post(f"/flags/{flag['id']}/review", json={"action": action, "note": note, "reason": "negated"})
    errors = assert_invalid(answer, "reason")
    assert errors["reason"] == ["A reason is given only to dismiss a flag."]
    assert detail(clinician, flag["id"])["status"] == "open"
    assert reviews_stored(app) == []


def test_an_unknown_reason_is_refused(clinician, patient):
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    answer = clinician.post(f"/flags/{flag['id']}/review",
                            json={"action": "dismiss", "note": "n", "reason": "typo"})
    assert_invalid(answer, "reason")


@pytest.mark.parametrize("fields", [
    {"symptoms": [{"code": "seizure", "severity": 3}]},  # chosen in the app, no note
    {"symptoms": [{"code": "seizure", "severity": 3}], "note": SEIZURE_NOTE},  # chosen in the app and written
], ids=["app", "app-and-note"])
def test_a_reason_on_a_flag_that_stands_on_more_than_a_note_is_refused(app, clinician, patient, fields):
    flag = flag_in(post_entry(patient, entry(**fields)), "seizure_or_hallucinations")
    errors = assert_invalid(clinician.post(f"/flags/{flag['id']}/review",
                                           json={"action": "dismiss", "note": "n", "reason": "negated"}), "reason")
    assert "notes alone" in errors["reason"][0]
    assert detail(clinician, flag["id"])["status"] == "open"
    assert reviews_stored(app) == []


def test_a_flag_found_in_a_note_and_then_in_the_app_takes_no_reason(clinician, patient):
    """Every match must stand on a note alone: a later entry choosing the sign in the app is more than a note."""
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    post_entry(patient, entry(symptoms=[{"code": "seizure", "severity": 2}]))
    assert detail(clinician, flag["id"])["occurrences"] == 2
    assert_invalid(clinician.post(f"/flags/{flag['id']}/review",
                                  json={"action": "dismiss", "note": "n", "reason": "negated"}), "reason")


def test_a_rule_without_signs_takes_no_reason(clinician, patient):
    flag = flag_in(post_entry(patient, entry(substances=[{"name": "lorazepam", "prescribed": False}],
                                             note="I had a seizure")), "unprescribed_substance")
    assert_invalid(clinician.post(f"/flags/{flag['id']}/review",
                                  json={"action": "dismiss", "note": "n", "reason": "other"}), "reason")


# ------------------------------------------------------------------ notes export-feedback


def export(runner, *args) -> list[dict]:
    result = runner.invoke(args=["notes", "export-feedback", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_export_holds_each_dismissed_note_with_its_labels_and_nothing_else(app, runner, clinician, patient):
    seizure = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    confused = note_flag(patient, CONFUSED_NOTE, "confusion")
    plain_dismissal = note_flag(patient, "I want to kill myself", "suicidal_thoughts")
    resolved = note_flag(make_patient(clinician), "throat feels tight and I can't breathe", "anaphylaxis")
    dismiss(clinician, seizure["id"], "not_about_patient")
    dismiss(clinician, confused["id"], "not_a_sign")
    dismiss(clinician, plain_dismissal["id"], None)
    review(clinician, resolved["id"], "resolve", note="Real; treated.")

    result = runner.invoke(args=["notes", "export-feedback"])

    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records == [
        {"note": SEIZURE_NOTE, "signs": [], "lang": "en", "kind": "someone_else",
         "rule": "seizure_or_hallucinations", "sign": "seizure"},
        {"note": CONFUSED_NOTE, "signs": [], "lang": "en", "kind": "other_meaning", "rule": "confusion",
         "sign": "confusion"},
    ]
    assert all(problems_of(record) == [] for record in records), "a record the development set takes"
    for secret in (patient.id, patient.record["reference"], clinician.id, clinician.email, seizure["id"],
                   "Not the patient's sign.", str(dt.date.today().year)):
        assert secret not in result.stdout
    assert "2 dismissed notes" in result.stderr


@pytest.mark.parametrize("reason, kind", [("negated", "negated"), ("other", "none")])
def test_each_reason_is_written_as_its_kind(runner, clinician, patient, reason, kind):
    dismiss(clinician, note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")["id"], reason)
    assert [record["kind"] for record in export(runner)] == [kind]


def test_a_note_dismissed_twice_is_written_once_and_every_entry_of_a_flag_counts(runner, clinician, patient):
    first = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    post_entry(patient, entry(note="had a seizure again this morning"))
    dismiss(clinician, first["id"], "negated")
    second = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    assert second["id"] != first["id"]
    dismiss(clinician, second["id"], "not_a_sign")
    records = export(runner)
    assert [(r["note"], r["kind"]) for r in records] == [(SEIZURE_NOTE, "negated"),
                                                         ("had a seizure again this morning", "negated")]


def test_the_export_since_a_date_and_into_a_file(runner, clinician, patient, tmp_path):
    dismiss(clinician, note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")["id"], "negated")
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).date().isoformat()
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).date().isoformat()
    assert export(runner, "--since", tomorrow) == []
    assert len(export(runner, "--since", yesterday)) == 1
    out = tmp_path / "feedback.json"
    result = runner.invoke(args=["notes", "export-feedback", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r["note"] for r in json.loads(out.read_text(encoding="utf-8"))] == [SEIZURE_NOTE]
    assert f"1 dismissed notes written to {out}" in result.stderr


def test_the_database_refuses_a_reason_on_another_action(app, clinician, patient):
    """The rule holds below the service too: a constraint of the table."""
    flag = note_flag(patient, SEIZURE_NOTE, "seizure_or_hallucinations")
    review(clinician, flag["id"], "acknowledge")
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Review).values(reason="negated"))
            db.session.flush()
        db.session.rollback()


# ------------------------------------------------------------------ the migration


@pytest.fixture
def own_database(empty_database):
    """The app on a database of its own, at head, that the test may migrate down and up."""
    with app_at_head(empty_database) as app:
        yield app


def test_reviews_stored_before_reasons_keep_going_and_a_reason_is_not_dropped_unasked(own_database, monkeypatch):
    app, runner = own_database, own_database.test_cli_runner()
    clinician = make_clinician(app, app.test_client())
    phone = make_patient(clinician)
    flag = note_flag(phone, SEIZURE_NOTE, "seizure_or_hallucinations")
    review(clinician, flag["id"], "acknowledge")
    other = note_flag(phone, CONFUSED_NOTE, "confusion")
    dismiss(clinician, other["id"], None)
    assert runner.invoke(args=["db", "downgrade", "0006"]).exit_code == 0, "no reason stored: nothing to lose"

    upgraded = runner.invoke(args=["db", "upgrade"])

    assert upgraded.exit_code == 0, upgraded.output
    assert "applied 0007" in upgraded.output
    assert reviews_stored(app) == [("acknowledge", None), ("dismiss", None)]
    dismiss(clinician, flag["id"], "not_about_patient")
    assert reviews_stored(app)[-1] == ("dismiss", "not_about_patient")

    refused = runner.invoke(args=["db", "downgrade", "0006"])
    assert refused.exit_code != 0
    assert reviews_stored(app)[-1] == ("dismiss", "not_about_patient")
    forced = runner.invoke(args=["db", "downgrade", "-x", "force=1", "0006"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("flag_reviews")}
        db.session.remove()
    assert "reason" not in columns


def test_the_reasons_are_one_list_wherever_they_are_named():
    from schemas.flag import REVIEW_REASONS
    from service.clinic.present import REASON_LABELS
    from service.feedback import REASON_KINDS
    from service.models import Review as model

    assert list(REASON_KINDS) == REVIEW_REASONS == list(REASON_LABELS)
    check = next(c for c in model.__table__.constraints if c.name and c.name.endswith("reason"))
    assert all(f"'{reason}'" in str(check.sqltext) for reason in REVIEW_REASONS)
