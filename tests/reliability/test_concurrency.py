"""Many phones and clinicians at once, against a served app: nothing doubled, nothing lost."""
from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from conftest import entry, make_patient
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
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=5)
    bodies = [entry(recorded_at=(start + dt.timedelta(hours=n)).isoformat(), craving=n % 10) for n in range(40)]
    results = in_parallel([lambda: call(f"{served}/api/v1/entries/batch", phone.token, {"entries": bodies})] * 6)
    assert all(status == 200 for status, _ in results)
    created = sum(1 for _, answer in results for r in answer["results"] if r["status"] == "created")
    assert created == 40
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 40


# SQLite takes its write lock when a request begins, so no other request can store anything
# between a batch's look-up of its client_ids and its insert: the race exists on PostgreSQL only.
@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_batch_item_stored_meanwhile_by_another_request_is_a_duplicate(app, clinician, served, monkeypatch):
    phone = make_patient(clinician)
    assert phone.get("/entries").status_code == 200  # the phone was just seen: neither request writes its device
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=6)
    bodies = [entry(recorded_at=(start + dt.timedelta(minutes=n)).isoformat(), craving=n) for n in range(5)]
    bodies.append(entry(substances=[{"name": "diazepam", "prescribed": False}]))
    raced = bodies[2]
    retried: list[int] = []
    real_stored_days = flags.stored_days

    def a_retry_lands_first(*args, **kwargs):
        # The phone's retry of one item, over another connection, lands after the batch looked
        # its client_ids up and before it inserts them.
        if not retried:
            racer = threading.Thread(target=lambda: retried.append(
                call(f"{served}/api/v1/entries", phone.token, raced)[0]))
            racer.start()
            racer.join(30)
        return real_stored_days(*args, **kwargs)

    monkeypatch.setattr(flags, "stored_days", a_retry_lands_first)
    answer = phone.post("/entries/batch", json={"entries": bodies})

    assert retried == [201]
    assert answer.status_code == 200, answer.get_json()
    statuses = [r["status"] for r in answer.json["results"]]
    assert statuses == ["created", "created", "duplicate", "created", "created", "created"]
    assert [f["rule"] for f in answer.json["results"][5]["entry"]["flags"]] == ["unprescribed_substance"]
    with app.app_context():
        stored = db.session.scalars(sa.select(Entry.client_id)).all()
        assert sorted(map(str, stored)) == sorted(b["client_id"] for b in bodies)
