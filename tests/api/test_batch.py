"""POST /entries/batch: an offline phone syncing; each entry stands alone."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from api_helpers import assert_invalid, names, rows, utc_now
from conftest import entry

from service.extensions import db
from service.models import Dose, Entry


def batch(patient, items):
    answer = patient.post("/entries/batch", json={"entries": items})
    assert answer.status_code == 200, answer.get_json()
    return answer.json["results"]


def test_results_come_in_the_order_given_with_their_status(patient):
    stored = entry(craving=2)
    conflicting = entry(craving=3)
    assert patient.post("/entries", json=stored).status_code == 201
    assert patient.post("/entries", json=conflicting).status_code == 201
    new_one = entry(craving=4)
    invalid = entry(craving=11)
    items = [new_one, stored, dict(conflicting, craving=9), invalid, 42]
    results = batch(patient, items)
    assert [r["status"] for r in results] == ["created", "duplicate", "conflict", "invalid", "invalid"]
    assert [r["client_id"] for r in results[:4]] == [i["client_id"] for i in items[:4]]
    assert results[4]["client_id"] is None
    created, duplicate, conflict, bad, not_object = results
    assert created["entry"]["client_id"] == new_one["client_id"] and created["entry"]["craving"] == 4
    assert "flags" in created["entry"]
    assert duplicate["entry"]["client_id"] == stored["client_id"]
    assert names(conflict["errors"], "client_id")
    assert "entry" not in conflict
    assert names(bad["errors"], "craving") and "entry" not in bad
    assert not_object["errors"]


def test_a_duplicate_answers_the_stored_entry(patient):
    stored = patient.post("/entries", json=(body := entry(craving=2))).json
    result = batch(patient, [body])[0]
    assert result["status"] == "duplicate"
    assert result["entry"]["id"] == stored["id"]


@pytest.mark.parametrize("item", [42, "entry", None, True, [], [entry(craving=1)], 1.5])
def test_an_item_that_is_not_an_object_is_invalid(patient, item):
    results = batch(patient, [item, entry(craving=1)])
    assert results[0]["status"] == "invalid"
    assert results[0]["errors"]
    assert all(isinstance(m, list) for m in results[0]["errors"].values())
    assert results[1]["status"] == "created"


@pytest.mark.parametrize("item,field", [
    ({"recorded_at": "2026-01-01T08:00:00+00:00", "craving": 2}, "client_id"),
    ({"client_id": "nope", "recorded_at": "2026-01-01T08:00:00+00:00", "craving": 2}, "client_id"),
    ({"client_id": str(uuid.uuid4()), "craving": 2}, "recorded_at"),
    ({"client_id": str(uuid.uuid4()), "recorded_at": "2026-01-01T08:00:00", "craving": 2}, "recorded_at"),
    ({"client_id": str(uuid.uuid4()), "recorded_at": "2026-01-01T08:00:00+00:00"}, "body"),
])
def test_an_invalid_item_carries_errors_naming_the_field(patient, item, field):
    if "recorded_at" in item and item["recorded_at"].endswith("+00:00"):
        item = dict(item, recorded_at=(utc_now() - dt.timedelta(minutes=5)).isoformat())
    result = batch(patient, [item])[0]
    assert result["status"] == "invalid"
    assert names(result["errors"], field), result["errors"]


def test_an_invalid_item_keeps_its_client_id_when_it_has_one(patient):
    item = entry(craving=99)
    assert batch(patient, [item])[0]["client_id"] == item["client_id"]


def test_each_valid_item_is_stored_even_when_others_are_invalid(app, patient):
    good = [entry(craving=n) for n in range(3)]
    items = [good[0], entry(craving=-1), good[1], "junk", good[2], entry(note="x" * 3000)]
    results = batch(patient, items)
    assert [r["status"] for r in results] == ["created", "invalid", "created", "invalid", "created", "invalid"]
    listed = {e["client_id"] for e in patient.get("/entries").json["items"]}
    assert listed == {g["client_id"] for g in good}
    assert len(rows(app, Entry)) == 3


def test_an_item_replayed_in_a_later_batch_is_a_duplicate(patient):
    items = [entry(craving=n) for n in range(3)]
    first = batch(patient, items)
    again = batch(patient, items + [entry(craving=7)])
    assert [r["status"] for r in again] == ["duplicate"] * 3 + ["created"]
    assert [r["entry"]["id"] for r in again[:3]] == [r["entry"]["id"] for r in first]
    assert len(patient.get("/entries").json["items"]) == 4


def test_the_same_item_twice_in_one_batch_is_stored_once(patient):
    item = entry(craving=5)
    results = batch(patient, [item, item])
    assert sorted(r["status"] for r in results) == ["created", "duplicate"]
    assert results[0]["entry"]["id"] == results[1]["entry"]["id"]
    assert len(patient.get("/entries").json["items"]) == 1


def test_the_same_client_id_with_two_bodies_in_one_batch_stores_one(patient):
    item = entry(craving=5)
    results = batch(patient, [item, dict(item, craving=6)])
    assert sorted(r["status"] for r in results) == ["conflict", "created"]
    assert len(patient.get("/entries").json["items"]) == 1


def test_a_batch_entry_is_the_same_as_one_posted_alone(patient):
    # An entry first sent alone, then again in a batch after a lost answer, is a duplicate;
    # and one first sent in a batch, then alone, answers 200.
    alone = entry(craving=1)
    patient.post("/entries", json=alone)
    in_batch = entry(craving=2)
    assert batch(patient, [alone, in_batch])[0]["status"] == "duplicate"
    assert patient.post("/entries", json=in_batch).status_code == 200


def test_entries_are_stored_in_recorded_at_order_but_answered_as_given(patient):
    now = utc_now()
    items = [entry(recorded_at=(now - dt.timedelta(hours=h)).isoformat(), craving=h) for h in (1, 5, 3)]
    results = batch(patient, items)
    assert [r["entry"]["craving"] for r in results] == [1, 5, 3]
    assert [e["craving"] for e in patient.get("/entries").json["items"]] == [1, 3, 5]


def test_two_hundred_entries_is_the_most(patient):
    items = [entry(craving=n % 11) for n in range(200)]
    results = batch(patient, items)
    assert len(results) == 200 and {r["status"] for r in results} == {"created"}


@pytest.mark.parametrize("body,field", [
    ({"entries": [entry(craving=1) for _ in range(201)]}, "entries"),
    ({"entries": []}, "entries"),
    ({}, "entries"),
    ({"entries": None}, "entries"),
    ({"entries": {"a": 1}}, "entries"),
    ({"entries": "x"}, "entries"),
    ({"entries": [entry(craving=1)], "device": "phone"}, "device"),
])
def test_a_bad_batch_is_422_and_stores_nothing(app, patient, body, field):
    assert_invalid(patient.post("/entries/batch", json=body), field)
    assert rows(app, Entry) == []


@pytest.mark.parametrize("fields", [
    {"craving": 4},  # no lists at all: SQL NULL, never JSON null, which the history query relies on
    {"doses": [{"amount_mg": 20}, {"amount_mg": 10}], "alcohol_drinks": 1.5, "note": "after dinner",
     "symptoms": [{"code": "nausea", "severity": 2}], "substances": [{"name": "diazepam", "prescribed": True}]},
    {"symptoms": [], "substances": []},
])
def test_a_batch_stores_the_same_row_as_one_post(app, patient, fields):
    alone = entry(**fields)
    in_batch = dict(alone, client_id=str(uuid.uuid4()))
    assert patient.post("/entries", json=alone).status_code == 201
    assert batch(patient, [in_batch])[0]["status"] == "created"
    columns = [c for c in Entry.__table__.columns if c.key not in ("id", "client_id", "body", "body_hash",
                                                                   "received_at")]
    with app.app_context():
        stored = {}
        for body in (alone, in_batch):
            where = Entry.client_id == uuid.UUID(body["client_id"])
            row = db.session.execute(sa.select(*columns, Entry.symptoms.is_(None).label("no_symptoms"),
                                               Entry.substances.is_(None).label("no_substances")).where(where)).one()
            doses = db.session.execute(sa.select(Dose.amount_mg, Dose.taken_at, Dose.local_date)
                                       .join(Entry, Entry.id == Dose.entry_id).where(where)
                                       .order_by(Dose.id)).all()
            stored[body["client_id"]] = (row._asdict(), doses)
    assert stored[alone["client_id"]] == stored[in_batch["client_id"]]
    assert stored[alone["client_id"]][0]["no_symptoms"] is ("symptoms" not in fields)
