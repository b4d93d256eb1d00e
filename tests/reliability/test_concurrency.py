"""Many phones and clinicians at once, against a served app: nothing doubled, nothing lost."""
from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import days_ago_at, entry, make_patient
from schemas.entry import EntryCreateSchema
from service import entries as service_entries
from service import flags
from service.extensions import db
from service.models import Entry, Flag, Occurrence

PARALLEL = 50


def call(url: str, token: str, body=None, method="POST") -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def in_parallel(calls) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(calls))

    def go(fn):
        barrier.wait()  # release them together
        return fn()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def test_one_entry_posted_fifty_times_at_once_is_stored_once(app, clinician, served):
    phone = make_patient(clinician)
    body = entry(craving=4)
    results = in_parallel([lambda: call(f"{served}/api/v1/entries", phone.token, body)] * PARALLEL)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(200) == PARALLEL - 1, statuses
    assert len({answer["id"] for _, answer in results}) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1


def test_fifty_matching_entries_at_once_make_one_flag_with_every_occurrence(app, clinician, served):
    phone = make_patient(clinician)
    bodies = [entry(substances=[{"name": "diazepam", "prescribed": False}]) for _ in range(PARALLEL)]
    results = in_parallel([lambda b=b: call(f"{served}/api/v1/entries", phone.token, b) for b in bodies])
    assert [status for status, _ in results] == [201] * PARALLEL
    with app.app_context():
        found = db.session.scalars(sa.select(Flag).where(Flag.rule == "unprescribed_substance")).all()
        assert len(found) == 1
        assert found[0].occurrences == PARALLEL
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Occurrence)) == PARALLEL


def test_parallel_reviews_of_one_flag_one_wins(app, clinician, served):
    phone = make_patient(clinician)
    phone.post("/entries", json=entry(substances=[{"name": "tramadol", "prescribed": False}]))
    flag_id = clinician.get("/flags").json["items"][0]["id"]
    review = {"action": "resolve", "note": "talked it through"}
    results = in_parallel([lambda: call(f"{served}/api/v1/flags/{flag_id}/review", clinician.token, review)] * 10)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 9
    with app.app_context():
        flag = db.session.get(Flag, uuid.UUID(flag_id))
        assert flag.status == "resolved" and len(flag.reviews) == 1


def test_parallel_batches_of_overlapping_entries_store_each_once(app, clinician, served):
    phone = make_patient(clinician)
    start = days_ago_at(5, hour=0)
    bodies = [entry(recorded_at=(start + dt.timedelta(hours=n)).isoformat(), craving=n % 10) for n in range(40)]
    results = in_parallel([lambda: call(f"{served}/api/v1/entries/batch", phone.token, {"entries": bodies})] * 6)
    assert all(status == 200 for status, _ in results)
    created = sum(1 for _, answer in results for r in answer["results"] if r["status"] == "created")
    assert created == 40
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 40


# A phone's own requests take turns (its patient's row is locked for each), and SQLite lets one
# writer in at a time, so only a writer outside those turns can store an item between a batch's
# look-up of its client_ids and its insert: on PostgreSQL, another connection.
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_batch_item_stored_meanwhile_by_another_writer_is_a_duplicate(app, clinician, monkeypatch):
    phone = make_patient(clinician)
    start = days_ago_at(1, hour=8)
    bodies = [entry(recorded_at=(start + dt.timedelta(minutes=n)).isoformat(), craving=n) for n in range(5)]
    bodies.append(entry(substances=[{"name": "diazepam", "prescribed": False}]))
    raced = bodies[2]
    with app.app_context():
        other_writer = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    stored_meanwhile: list = []
    real_stored_days = flags.stored_days

    def an_item_lands_first(patient, *args, **kwargs):
        if not stored_meanwhile:
            row, _ = service_entries._rows(patient, raced, EntryCreateSchema().load(raced),
                                           service_entries.body_hash(raced))
            with other_writer.connect() as conn:
                conn.execute(sa.insert(Entry.__table__), row)
            stored_meanwhile.append(row["id"])
        return real_stored_days(patient, *args, **kwargs)

    monkeypatch.setattr(flags, "stored_days", an_item_lands_first)
    try:
        answer = phone.post("/entries/batch", json={"entries": bodies})
    finally:
        other_writer.dispose()

    assert answer.status_code == 200, answer.get_json()
    statuses = [r["status"] for r in answer.json["results"]]
    assert statuses == ["created", "created", "duplicate", "created", "created", "created"]
    assert answer.json["results"][2]["entry"]["id"] == str(stored_meanwhile[0])
    assert [f["rule"] for f in answer.json["results"][5]["entry"]["flags"]] == ["unprescribed_substance"]
    with app.app_context():
        stored = db.session.scalars(sa.select(Entry.client_id)).all()
        assert sorted(map(str, stored)) == sorted(b["client_id"] for b in bodies)


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_entries_matching_several_rules_at_once_never_deadlock(app, clinician, served):
    """Each entry raises two flags; all arrive together. Locks are taken in one order, so every
    entry is stored (no deadlock answered 503) and every occurrence counted."""
    phone = make_patient(clinician, prescription={"daily_dose_mg": 30, "max_daily_mg": 60, "approach": "flexible"})
    bodies = [entry(symptoms=[{"code": "nausea", "severity": 2 + n % 2}],
                    substances=[{"name": "diazepam", "prescribed": False}]) for n in range(24)]
    results = in_parallel([lambda b=b: call(f"{served}/api/v1/entries", phone.token, b) for b in bodies])
    assert [status for status, _ in results] == [201] * 24
    with app.app_context():
        for flag in db.session.scalars(sa.select(Flag)):
            counted = db.session.scalar(sa.select(sa.func.count()).select_from(Occurrence)
                                        .where(Occurrence.flag_id == flag.id))
            assert flag.occurrences == counted == 24, flag.rule


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_an_entry_posted_while_the_time_zone_changes_lands_on_its_day_in_the_new_zone(app, clinician, served):
    phone = make_patient(clinician, timezone="Europe/Paris")
    written = days_ago_at(2, hour=23, minute=30, zone="Europe/Paris")
    results = in_parallel([
        lambda: call(f"{served}/api/v1/patients/{phone.id}", clinician.token, {"timezone": "Asia/Tokyo"}, "PATCH"),
        *[lambda: call(f"{served}/api/v1/entries", phone.token, entry(recorded_at=written.isoformat(), craving=2))] * 4,
    ])
    assert [status for status, _ in results] == [200, 201, 201, 201, 201]
    tokyo_day = written.astimezone(ZoneInfo("Asia/Tokyo")).date()
    with app.app_context():
        assert set(db.session.scalars(sa.select(Entry.local_date))) == {tokyo_day}
