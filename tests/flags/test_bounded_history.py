"""Judging an entry reads a bounded window: its SQL does not grow with the patient's history."""
from __future__ import annotations

import sqlalchemy as sa

from conftest import entry, make_patient
from flagkit import entry_on, flag_in, post_batch, post_entry
from service.extensions import db

RX_90 = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}


def patient_with_history(clinician, days: int):
    """A patient with two quiet entries (30 mg each, within the prescription) on each of the last `days` days."""
    patient = make_patient(clinician, prescription=RX_90)
    bodies = [entry_on(days_ago, hour=hour, doses=[{"amount_mg": 30}], craving=3)
              for days_ago in range(1, days + 1) for hour in (8, 20)]
    for start in range(0, len(bodies), 200):
        results = post_batch(patient, bodies[start:start + 200])
        assert all(r["status"] == "created" and r["entry"]["flags"] == [] for r in results), results
    return patient


def statements_of(app, send) -> list[str]:
    """Return the SQL statements the database received while `send()` ran."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        with app.app_context():
            sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def test_one_entry_costs_the_same_statements_after_two_days_or_sixty(app, clinician):
    short = patient_with_history(clinician, days=2)
    long = patient_with_history(clinician, days=60)

    def drinks(patient):
        made = {}

        def send():
            made["entry"] = post_entry(patient, entry(doses=[{"amount_mg": 30}], alcohol_drinks=1))
        return made, send

    short_made, send_short = drinks(short)
    long_made, send_long = drinks(long)
    short_sql = statements_of(app, send_short)
    long_sql = statements_of(app, send_long)

    # Both entries opened the same flag, so both took the same path through the service.
    assert flag_in(short_made["entry"], "alcohol_with_baclofen")["severity"] == "moderate"
    assert flag_in(long_made["entry"], "alcohol_with_baclofen")["severity"] == "moderate"
    assert any("INSERT INTO entries" in s for s in short_sql), short_sql
    assert len(long_sql) == len(short_sql), (
        f"{len(short_sql)} statements after 2 days of history, {len(long_sql)} after 60:\n"
        + "\n".join(s.splitlines()[0][:120] for s in long_sql))


def test_an_occurrence_costs_the_same_statements_after_two_days_or_sixty(app, clinician):
    short = patient_with_history(clinician, days=2)
    long = patient_with_history(clinician, days=60)
    for patient in (short, long):
        flag_in(post_entry(patient, entry_on(0, doses=[{"amount_mg": 30}], alcohol_drinks=1)),
                "alcohol_with_baclofen")

    counts = []
    for patient in (short, long):
        sql = statements_of(app, lambda p=patient: flag_in(
            post_entry(p, entry(alcohol_drinks=1, craving=4)), "alcohol_with_baclofen"))
        counts.append(len(sql))

    assert counts[0] == counts[1], f"{counts[0]} statements after 2 days of history, {counts[1]} after 60"


def test_a_late_entry_costs_the_same_statements_as_todays(app, clinician):
    long = patient_with_history(clinician, days=60)
    post_entry(long, entry(craving=2))  # today has an entry too, like the day 30 days ago

    today_sql = statements_of(app, lambda: post_entry(long, entry(craving=5)))
    late_sql = statements_of(app, lambda: post_entry(long, entry_on(30, hour=14, craving=5)))

    assert len(late_sql) == len(today_sql)


def test_the_queue_costs_the_same_statements_for_few_or_many_flags(app, clinician):
    few = make_patient(clinician, prescription=RX_90)
    many = make_patient(clinician, prescription=RX_90)
    post_entry(few, entry(substances=[{"name": "lorazepam", "prescribed": False}]))
    post_entry(many, entry_on(3, doses=[{"amount_mg": 320}], alcohol_drinks=1,
                              substances=[{"name": "lorazepam", "prescribed": False}]))
    post_entry(many, entry_on(2, symptoms=[{"code": "low_mood", "severity": 3}, {"code": "seizure", "severity": 2},
                                           {"code": "suicidal_thoughts", "severity": 2}]))
    post_entry(many, entry_on(1, symptoms=[{"code": "headache", "severity": 2}, {"code": "rash", "severity": 1},
                                           {"code": "difficulty_breathing", "severity": 2}]))
    listed = {}

    def read(patient):
        def send():
            answer = clinician.get("/flags", query_string={"patient_id": patient.id})
            assert answer.status_code == 200, answer.get_json()
            listed[patient.id] = answer.json["items"]
        return send

    few_sql = statements_of(app, read(few))
    many_sql = statements_of(app, read(many))

    assert len(listed[few.id]) == 1 and len(listed[many.id]) >= 8, listed
    assert len(many_sql) == len(few_sql), (
        f"{len(few_sql)} statements to list 1 flag, {len(many_sql)} to list {len(listed[many.id])}:\n"
        + "\n".join(s.splitlines()[0][:120] for s in many_sql))


def test_the_statements_of_one_entry_are_pinned(app, clinician):
    """Token, entry, doses, history, open flags; one flag added to, one opened (in a savepoint): no N+1."""
    phone = make_patient(clinician, prescription={"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"})
    post_entry(phone, entry(doses=[{"amount_mg": 20}], alcohol_drinks=1))  # opens alcohol_with_baclofen
    body = entry(doses=[{"amount_mg": 20}, {"amount_mg": 20}], alcohol_drinks=2,
                 symptoms=[{"code": "dizziness", "severity": 2}, {"code": "nausea", "severity": 2}],
                 substances=[{"name": "lorazepam", "prescribed": True}], note="a long day")
    statements = statements_of(app, lambda: post_entry(phone, body))
    writes = [s for s in statements if not s.upper().startswith(("SELECT", "BEGIN", "COMMIT"))]
    assert len(statements) <= 14, statements
    assert len([s for s in statements if s.upper().startswith("SELECT")]) <= 3, statements
    assert len(writes) <= 9, writes  # SQLite inserts the two doses one by one


def test_a_batch_costs_the_same_statements_for_ten_entries_or_two_hundred(app, clinician):
    """Entries that carry different fields (some craving only, some drinks, doses, symptoms or a
    note) still go in together: one INSERT for the entries and one for the doses, whatever the size."""
    def varied(days_ago: int, hour: int) -> dict:
        kinds = [{"craving": 4}, {"doses": [{"amount_mg": 20}]}, {"alcohol_drinks": 1, "craving": 6},
                 {"symptoms": [{"code": "nausea", "severity": 1}], "note": "a long day"},
                 {"substances": [{"name": "lorazepam", "prescribed": True}], "doses": [{"amount_mg": 10}]}]
        return entry_on(days_ago, hour=hour, **kinds[(days_ago + hour) % len(kinds)])

    sizes = {}
    for size in (10, 200):
        patient = make_patient(clinician, prescription=RX_90)
        bodies = [varied(1 + n // 8, 7 + n % 8 * 2) for n in range(size)]
        results = {}

        def send(patient=patient, bodies=bodies, results=results):
            results["items"] = post_batch(patient, bodies)
        sizes[size] = statements_of(app, send)
        assert [r["status"] for r in results["items"]] == ["created"] * size

    entry_inserts = [s for s in sizes[200] if s.upper().startswith("INSERT INTO ENTRIES")]
    assert len(entry_inserts) == 1, entry_inserts
    assert len(sizes[200]) == len(sizes[10]), (
        f"{len(sizes[10])} statements for 10 entries, {len(sizes[200])} for 200:\n"
        + "\n".join(s.splitlines()[0][:120] for s in sizes[200]))
