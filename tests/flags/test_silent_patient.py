"""The silent patient (warning-signs.md): the sweep opens one flag per silence, the next entry resolves it.

Silence takes days; the tests pass the sweep a `now` days ahead instead of waiting. An entry sent
after such a sweep is then moved to when it would have arrived had the days really passed (after
the sweep), since the service tells one silence from the next by which came first.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import FAKED_CLOCK, answered, entry, make_patient, now_utc
from flagkit import as_uuid, detail, last_json_line, post_entry, queue, review
from service import sweep
from service.extensions import db
from service.models import Entry, Flag, Patient

ROOT = Path(__file__).resolve().parents[2]
RULE = "silent_patient"
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
SEIZURE = [{"code": "seizure", "severity": 3}]
LOGGED_AGAIN = {"action": "resolve", "note": "The patient logged again.", "clinician_id": None}
WAIT = 60  # seconds: the most the worker may take to do what a step below waits for


# ------------------------------------------------------------------ helpers


def sweep_at(app, when: dt.datetime) -> dict:
    """Run the sweep as if the server's clock read `when`, in an app context of its own."""
    with app.app_context():
        try:
            return sweep.sweep(now=when)
        finally:
            db.session.remove()


def received_at(answer: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(answer["received_at"])


def log(phone, **fields) -> dict:
    """The phone sends an entry now; return the stored entry."""
    return post_entry(phone, entry(**fields))


def arrived(app, entry_answer: dict, when: dt.datetime) -> dt.datetime:
    """Move an entry's server arrival time (received_at) to `when`, in the database."""
    with app.app_context():
        db.session.execute(sa.update(Entry).where(Entry.id == as_uuid(entry_answer["id"])).values(received_at=when))
        db.session.commit()
        db.session.remove()
    return when


def raised(app, flag_id, when: dt.datetime) -> None:
    """Move the time a flag was raised (created_at), in the database."""
    with app.app_context():
        db.session.execute(sa.update(Flag).where(Flag.id == as_uuid(flag_id)).values(created_at=when))
        db.session.commit()
        db.session.remove()


def silent_flags(clinician, patient_id, status: str = "open") -> list[dict]:
    return [f for f in queue(clinician, status=status, patient_id=str(patient_id)) if f["rule"] == RULE]


def the_silent_flag(clinician, patient_id, status: str = "open") -> dict:
    found = silent_flags(clinician, patient_id, status)
    assert len(found) == 1, f"expected one {status} silent_patient flag, found {found}"
    return found[0]


def stored_silent_flags(app, patient_id=None) -> list[tuple]:
    """(patient id, status) of every silent_patient flag in the database, whoever can see it."""
    with app.app_context():
        query = sa.select(Flag.patient_id, Flag.status).where(Flag.rule == RULE)
        if patient_id is not None:
            query = query.where(Flag.patient_id == as_uuid(patient_id))
        try:
            return [tuple(row) for row in db.session.execute(query)]
        finally:
            db.session.remove()


def silent_since(app, patient_id):
    with app.app_context():
        try:
            return db.session.get(Patient, as_uuid(patient_id)).silent_since
        finally:
            db.session.remove()


def enrolled_at(clinician, patient_id) -> dt.datetime:
    devices = clinician.get(f"/patients/{patient_id}/devices").json["items"]
    return min(dt.datetime.fromisoformat(d["enrolled_at"]) for d in devices)


def service_review(flag: dict) -> dict:
    reviews = [{k: r[k] for k in ("action", "note", "clinician_id")} for r in flag["reviews"]]
    assert reviews[-1] == LOGGED_AGAIN, reviews
    return flag["reviews"][-1]


# ------------------------------------------------------------------ one silence, one flag


def test_a_patient_silent_past_their_days_gets_one_open_flag_with_its_evidence(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    assert sweep_at(app, last + 3 * DAY) == {"silent": 0, "opened": 0, "resolved": 0}  # exactly three days: not yet
    assert silent_flags(clinician, patient.id) == []
    assert sweep_at(app, last + 3 * DAY + SECOND) == {"silent": 1, "opened": 1, "resolved": 0}
    flag = the_silent_flag(clinician, patient.id)
    assert flag["severity"] == "moderate"
    assert flag["status"] == "open"
    assert flag["entry_ids"] == []
    assert flag["evidence"]["expected_every_days"] == 3
    assert dt.datetime.fromisoformat(flag["evidence"]["last_entry_received_at"]) == last
    assert flag["evidence"]["days_without_entry"] == 3.0
    assert flag["evidence"]["urgent_flag_in_week_before_last_entry"] is False
    assert flag["source"]["quote"]
    assert detail(clinician, flag["id"])["evidence"] == flag["evidence"]
    assert silent_since(app, patient.id) is not None


def test_a_second_sweep_opens_nothing(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    assert sweep_at(app, last + 4 * DAY)["opened"] == 1
    assert sweep_at(app, last + 4 * DAY) == {"silent": 0, "opened": 0, "resolved": 0}
    assert sweep_at(app, last + 9 * DAY) == {"silent": 0, "opened": 0, "resolved": 0}
    assert len(stored_silent_flags(app, patient.id)) == 1
    assert the_silent_flag(clinician, patient.id)["occurrences"] == 1


def test_an_entry_that_came_in_while_the_flag_was_being_raised_resolves_it_at_the_next_sweep(app, clinician,
                                                                                              patient):
    last = received_at(log(patient, craving=2))
    swept_at = last + 4 * DAY
    assert sweep_at(app, swept_at)["opened"] == 1
    with app.app_context():  # as if the entry's request had read the patient's row before the sweep marked it
        db.session.execute(sa.update(Patient).where(Patient.id == as_uuid(patient.id)).values(silent_since=None))
        db.session.commit()
        db.session.remove()
    arrived(app, log(patient, craving=1), swept_at + SECOND)
    assert the_silent_flag(clinician, patient.id)["status"] == "open"
    assert sweep_at(app, swept_at + HOUR) == {"silent": 0, "opened": 0, "resolved": 1}
    service_review(the_silent_flag(clinician, patient.id, status="resolved"))
    assert silent_flags(clinician, patient.id) == []


def test_expected_every_days_sets_the_cutoff(app, clinician):
    weekly = make_patient(clinician, expected_every_days=7)
    daily = make_patient(clinician, expected_every_days=1)
    last = {p.id: received_at(log(p, craving=1)) for p in (weekly, daily)}
    latest = max(last.values())
    assert sweep_at(app, latest + 2 * DAY)["opened"] == 1
    assert [p for p, _ in stored_silent_flags(app)] == [as_uuid(daily.id)]
    assert sweep_at(app, last[weekly.id] + 7 * DAY + SECOND)["opened"] == 1
    assert the_silent_flag(clinician, weekly.id)["evidence"]["expected_every_days"] == 7


def test_a_patient_who_never_logged_is_counted_from_their_phones_enrolment(app, clinician, patient):
    since = enrolled_at(clinician, patient.id)
    assert sweep_at(app, since + 3 * DAY)["opened"] == 0
    assert sweep_at(app, since + 3 * DAY + SECOND)["opened"] == 1
    assert the_silent_flag(clinician, patient.id)["evidence"]["last_entry_received_at"] is None


# ------------------------------------------------------------------ the next entry, the next silence


def test_the_next_entry_resolves_the_flag_and_a_later_silence_opens_a_new_one(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    swept = last + 3 * DAY + HOUR
    assert sweep_at(app, swept)["opened"] == 1
    first = the_silent_flag(clinician, patient.id)

    back = log(patient, craving=1)
    resolved = detail(clinician, first["id"])
    assert resolved["status"] == "resolved"
    assert service_review(resolved)["clinician_id"] is None
    assert silent_flags(clinician, patient.id) == []
    assert silent_since(app, patient.id) is None

    back_at = arrived(app, back, swept + HOUR)
    assert sweep_at(app, back_at + 3 * DAY)["opened"] == 0  # silent again, but not for long enough
    assert sweep_at(app, back_at + 3 * DAY + SECOND) == {"silent": 1, "opened": 1, "resolved": 0}
    second = the_silent_flag(clinician, patient.id)
    assert second["id"] != first["id"]
    assert dt.datetime.fromisoformat(second["evidence"]["last_entry_received_at"]) == back_at
    assert detail(clinician, first["id"])["status"] == "resolved"
    assert sorted(status for _, status in stored_silent_flags(app, patient.id)) == ["open", "resolved"]


def test_an_acknowledged_flag_is_resolved_by_the_next_entry_too(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    sweep_at(app, last + 4 * DAY)
    flag = the_silent_flag(clinician, patient.id)
    assert review(clinician, flag["id"], "acknowledge")["status"] == "acknowledged"
    log(patient, craving=2)
    found = detail(clinician, flag["id"])
    assert found["status"] == "resolved"
    assert [r["action"] for r in found["reviews"]] == ["acknowledge", "resolve"]
    service_review(found)


def test_an_entry_of_a_patient_not_silent_reviews_nothing(app, clinician, patient):
    log(patient, craving=2)
    other = make_patient(clinician)
    last = received_at(log(other, craving=2))
    sweep_at(app, last + 4 * DAY)
    flag = the_silent_flag(clinician, other.id)
    log(patient, craving=3)  # not the silent one: their flag stays open
    assert detail(clinician, flag["id"])["status"] == "open"
    assert detail(clinician, flag["id"])["reviews"] == []


def test_a_batch_from_the_silent_patient_resolves_the_flag(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    sweep_at(app, last + 4 * DAY)
    flag = the_silent_flag(clinician, patient.id)
    answer = patient.post("/entries/batch", json={"entries": [entry(craving=1), entry(alcohol_drinks=0)]})
    assert answer.status_code == 200, answer.get_json()
    assert [r["status"] for r in answer.json["results"]] == ["created", "created"]
    found = detail(clinician, flag["id"])
    assert found["status"] == "resolved"
    assert len(found["reviews"]) == 1
    service_review(found)


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_a_flag_closed_by_hand_is_not_raised_again_for_the_same_silence(app, clinician, patient, action):
    last = received_at(log(patient, craving=2))
    swept = last + 3 * DAY + HOUR
    sweep_at(app, swept)
    flag = the_silent_flag(clinician, patient.id)
    closed = review(clinician, flag["id"], action, note="Phoned: lost the phone charger, doing well.")
    assert closed["reviews"][-1]["clinician_id"] == clinician.id
    assert silent_since(app, patient.id) is None

    for later in (swept + HOUR, swept + 5 * DAY, swept + 30 * DAY):  # the same silence goes on
        assert sweep_at(app, later) == {"silent": 0, "opened": 0, "resolved": 0}
    assert silent_flags(clinician, patient.id) == []

    back = log(patient, craving=1)
    assert len(detail(clinician, flag["id"])["reviews"]) == 1  # nothing left for the entry to resolve
    back_at = arrived(app, back, swept + 30 * DAY + HOUR)
    assert sweep_at(app, back_at + 3 * DAY)["opened"] == 0
    assert sweep_at(app, back_at + 3 * DAY + SECOND)["opened"] == 1
    assert the_silent_flag(clinician, patient.id)["id"] != flag["id"]


# ------------------------------------------------------------------ who is watched


def test_only_enrolled_patients_with_a_phone_in_use_and_expected_days_are_swept(app, clinician):
    watched = make_patient(clinician)
    created = clinician.post("/patients", json={"reference": f"P-{uuid.uuid4().hex[:8]}",
                                                "treatment_start": "2026-01-05"})
    assert created.status_code == 201, created.get_json()  # never enrolled: no phone
    revoked = make_patient(clinician)
    device_id = clinician.get(f"/patients/{revoked.id}/devices").json["items"][0]["id"]
    assert clinician.delete(f"/patients/{revoked.id}/devices/{device_id}").status_code == 204
    unwatched = make_patient(clinician, expected_every_days=None)
    assert unwatched.record["expected_every_days"] is None
    turned_off = make_patient(clinician)
    assert clinician.patch(f"/patients/{turned_off.id}", json={"expected_every_days": None}).status_code == 200
    for phone in (watched, unwatched, turned_off):
        log(phone, craving=2)

    assert sweep_at(app, now_utc() + 60 * DAY) == {"silent": 1, "opened": 1, "resolved": 0}
    assert [p for p, _ in stored_silent_flags(app)] == [as_uuid(watched.id)]
    for patient_id in (created.json["id"], revoked.id, unwatched.id, turned_off.id):
        assert silent_flags(clinician, patient_id) == []


def test_a_patient_with_one_phone_revoked_and_another_in_use_is_still_watched(app, clinician, patient):
    code = clinician.post(f"/patients/{patient.id}/enrollment").json["code"]
    assert clinician.client.post("/api/v1/enroll", json={"code": code, "device_name": "new phone"}).status_code == 201
    devices = clinician.get(f"/patients/{patient.id}/devices").json["items"]
    old = next(d for d in devices if d["device_name"] == "test phone")
    assert clinician.delete(f"/patients/{patient.id}/devices/{old['id']}").status_code == 204
    assert sweep_at(app, now_utc() + 4 * DAY)["opened"] == 1
    the_silent_flag(clinician, patient.id)


# ------------------------------------------------------------------ severity


def test_high_when_the_last_entry_raised_an_urgent_flag(app, clinician, patient):
    answer = log(patient, symptoms=SEIZURE)
    assert "urgent" in {f["severity"] for f in answer["flags"]}
    sweep_at(app, received_at(answer) + 4 * DAY)
    flag = the_silent_flag(clinician, patient.id)
    assert flag["severity"] == "high"
    assert flag["evidence"]["urgent_flag_in_week_before_last_entry"] is True


@pytest.mark.parametrize("days_before, severity", [(6, "high"), (8, "moderate")])
def test_an_urgent_flag_counts_in_the_7_days_before_the_last_entry(app, clinician, patient, days_before, severity):
    urgent = next(f for f in log(patient, symptoms=SEIZURE)["flags"] if f["severity"] == "urgent")
    last = received_at(log(patient, craving=2))
    raised(app, urgent["id"], last - days_before * DAY)
    sweep_at(app, last + 4 * DAY)
    flag = the_silent_flag(clinician, patient.id)
    assert flag["severity"] == severity
    assert flag["evidence"]["urgent_flag_in_week_before_last_entry"] is (severity == "high")


def test_an_urgent_flag_raised_after_the_last_entry_does_not_count(app, clinician, patient):
    last = received_at(log(patient, craving=2))
    answer = patient.post("/questionnaire-responses", json=answered("phq9", [0] * 8 + [2]))  # no entry
    urgent = next(f for f in answer.json["flags"] if f["severity"] == "urgent")
    raised(app, urgent["id"], last + HOUR)
    sweep_at(app, last + 4 * DAY)
    assert the_silent_flag(clinician, patient.id)["severity"] == "moderate"


def test_moderate_when_the_flags_before_were_not_urgent(app, clinician, patient):
    answer = log(patient, doses=[{"amount_mg": 20}], alcohol_drinks=6)
    assert answer["flags"] and "urgent" not in {f["severity"] for f in answer["flags"]}
    sweep_at(app, received_at(answer) + 4 * DAY)
    assert the_silent_flag(clinician, patient.id)["severity"] == "moderate"


def test_high_silences_come_before_moderate_ones_in_the_queue(app, clinician):
    quiet = make_patient(clinician)
    warned = make_patient(clinician)
    log(quiet, craving=1)
    log(warned, symptoms=SEIZURE)
    sweep_at(app, now_utc() + 4 * DAY)
    order = [(f["patient_id"], f["severity"]) for f in queue(clinician) if f["rule"] == RULE]
    assert order == [(warned.id, "high"), (quiet.id, "moderate")]


# ------------------------------------------------------------------ the CLI


def test_flags_sweep_prints_what_it_opened(app, clinician, runner):
    patient = make_patient(clinician)
    answer = log(patient, craving=2)
    arrived(app, answer, now_utc() - 3 * DAY - HOUR)  # received more than three days ago
    make_patient(clinician)  # enrolled a minute ago: not silent yet

    result = runner.invoke(args=["flags", "sweep"])
    assert result.exit_code == 0, result.output
    assert last_json_line(result.output) == {"silent": 1, "opened": 1, "resolved": 0}
    assert [p for p, _ in stored_silent_flags(app)] == [as_uuid(patient.id)]

    again = runner.invoke(args=["flags", "sweep"])
    assert again.exit_code == 0, again.output
    assert last_json_line(again.output) == {"silent": 0, "opened": 0, "resolved": 0}
    assert len(stored_silent_flags(app)) == 1


# ------------------------------------------------------------------ several workers at once


def test_parallel_sweeps_never_open_two_flags_for_a_patient(app, clinician, backend):
    if backend != "postgresql":
        pytest.skip("parallel sweeps are PostgreSQL's case: production workers sweep it at once, while SQLite "
                    "lets one writer in at a time")
    phones = [make_patient(clinician, expected_every_days=days) for days in (1, 2, 3) * 8]
    when = now_utc() + 10 * DAY
    threads = 8
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def one_worker():
        try:
            with app.app_context():
                barrier.wait(30)
                try:
                    results.append(sweep.sweep(now=when))
                finally:
                    db.session.remove()
        except Exception as error:  # reported below, with the others
            errors.append(error)

    workers = [threading.Thread(target=one_worker) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    assert not any(worker.is_alive() for worker in workers), "a sweep never finished"
    assert errors == []
    assert sum(r["opened"] for r in results) == len(phones)
    stored = stored_silent_flags(app)
    assert sorted(str(p) for p, _ in stored) == sorted(phone.id for phone in phones)
    assert {status for _, status in stored} == {"open"}
    for phone in phones[:3]:
        the_silent_flag(clinician, phone.id)


# ------------------------------------------------------------------ the long-running worker


def until(condition, what: str, worker, log_path):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) while waiting for {what}:\n"
                        f"{log_path.read_text()[-3000:]}", pytrace=False)
        time.sleep(0.1)
    pytest.fail(f"no {what} within {WAIT} s:\n{log_path.read_text()[-3000:]}", pytrace=False)


@pytest.mark.skipif(bool(FAKED_CLOCK), reason="libfaketime shifts the worker's sleeps and socket waits; the worker "
                                               "runs in the pass with the real clock")
def test_the_worker_sweeps_on_its_own_and_stops_cleanly(app, clinician, tmp_path):
    first = make_patient(clinician)
    arrived(app, log(first, craving=2), now_utc() - 3 * DAY - HOUR)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BACLOWATCH_WEBHOOK_URL")}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="worker-test")
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "service", "worker", "--sweep-every", "1",
                                   "--interval", "0.2"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        until(lambda: stored_silent_flags(app, first.id), "silent_patient flag", worker, log_path)

        # A second silence, found by a later round: by then the first patient was swept again.
        second = make_patient(clinician)
        arrived(app, log(second, craving=2), now_utc() - 3 * DAY - HOUR)
        until(lambda: stored_silent_flags(app, second.id), "second silent_patient flag", worker, log_path)
        assert stored_silent_flags(app, first.id) == [(as_uuid(first.id), "open")]

        worker.send_signal(signal.SIGTERM)
        worker.wait(WAIT)
        assert worker.returncode == 0, log_path.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(WAIT)
    assert '"opened": 1' in log_path.read_text()
    assert the_silent_flag(clinician, second.id)["severity"] == "moderate"
