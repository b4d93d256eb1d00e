"""Lists: limit 1–200 (default 50), opaque cursors that walk every item once and survive new rows."""
from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import assert_invalid, local_today, utc_now, walk
from conftest import entry, make_patient


def log_many(patient, n: int, *, start_minutes: int = 10, same_time: bool = False) -> list[str]:
    """Log n entries a minute apart (or all at one moment); return their ids, newest first."""
    base = utc_now() - dt.timedelta(minutes=start_minutes)
    items = [entry(recorded_at=(base - dt.timedelta(minutes=0 if same_time else i)).isoformat(), craving=i % 11)
             for i in range(n)]
    ids = []
    for chunk in range(0, n, 200):
        answer = patient.post("/entries/batch", json={"entries": items[chunk:chunk + 200]})
        assert answer.status_code == 200
        ids.extend(r["entry"]["id"] for r in answer.json["results"])
    return ids


def test_the_default_page_holds_50(patient):
    ids = log_many(patient, 51)
    first = patient.get("/entries").json
    assert [e["id"] for e in first["items"]] == ids[:50]
    assert first["next_cursor"]
    second = patient.get("/entries", query_string={"cursor": first["next_cursor"]}).json
    assert [e["id"] for e in second["items"]] == ids[50:]
    assert second["next_cursor"] is None


def test_a_page_of_200_is_the_largest(patient):
    ids = log_many(patient, 201)
    page = patient.get("/entries", query_string={"limit": 200}).json
    assert len(page["items"]) == 200 and page["next_cursor"]
    assert_invalid(patient.get("/entries", query_string={"limit": 201}), "limit")
    rest = patient.get("/entries", query_string={"limit": 200, "cursor": page["next_cursor"]}).json
    assert [e["id"] for e in rest["items"]] == ids[200:]


def test_a_page_of_one(patient):
    ids = log_many(patient, 3)
    pages = walk(patient, "/entries", 1)
    assert [[e["id"] for e in p] for p in pages] == [[i] for i in ids]


def test_an_exact_multiple_ends_with_a_null_cursor(patient):
    log_many(patient, 6)
    pages = walk(patient, "/entries", 3)
    assert [len(p) for p in pages] == [3, 3]


def test_an_empty_list_has_a_null_cursor(clinician, patient):
    assert patient.get("/entries").json == {"items": [], "next_cursor": None}
    assert clinician.get(f"/patients/{patient.id}/entries").json == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_cursors_walk_every_entry_once_newest_first(patient, limit):
    ids = log_many(patient, 7)
    pages = walk(patient, "/entries", limit)
    walked = [e["id"] for page in pages for e in page]
    assert walked == ids
    assert all(len(p) == limit for p in pages[:-1])


def test_entries_written_at_the_same_moment_are_each_walked_once(clinician, patient):
    ids = log_many(patient, 9, same_time=True)
    walked = [e["id"] for page in walk(patient, "/entries", 2) for e in page]
    assert sorted(walked) == sorted(ids) and len(walked) == 9
    by_clinician = [e["id"] for page in walk(clinician, f"/patients/{patient.id}/entries", 4) for e in page]
    assert by_clinician == walked


def test_the_clinicians_entry_list_pages_the_same_way_within_a_range(clinician, patient):
    ids = log_many(patient, 5)  # the last 15 minutes: the patient's today or, just after midnight, yesterday
    today = local_today()
    bounds = {"from": (today - dt.timedelta(days=1)).isoformat(), "to": today.isoformat()}
    pages = walk(clinician, f"/patients/{patient.id}/entries", 2, **bounds)
    assert [e["id"] for p in pages for e in p] == ids


def test_new_entries_between_pages_neither_repeat_nor_skip_the_old_ones(patient):
    old = log_many(patient, 6, start_minutes=30)
    first = patient.get("/entries", query_string={"limit": 3}).json
    assert [e["id"] for e in first["items"]] == old[:3]
    # Newer entries arrive while the phone reads, and one synced late from long ago.
    log_many(patient, 4, start_minutes=1)
    late = patient.post("/entries", json=entry(recorded_at=(utc_now() - dt.timedelta(days=3)).isoformat(),
                                               craving=1)).json["id"]
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = patient.get("/entries", query_string={"limit": 3, "cursor": cursor}).json
        rest.extend(e["id"] for e in page["items"])
        cursor = page["next_cursor"]
    assert rest == old[3:] + [late]


def test_patients_page_oldest_first_once_each(clinician):
    made = [make_patient(clinician).id for _ in range(5)]
    pages = walk(clinician, "/patients", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [p["id"] for page in pages for p in page] == made


def test_audit_pages_newest_first_once_each(app, clinician, patient):
    for _ in range(4):
        clinician.get(f"/patients/{patient.id}")
    pages = walk(clinician, f"/patients/{patient.id}/audit", 2)
    walked = [r for page in pages for r in page]
    stamps = [r["at"] for r in walked]
    assert stamps == sorted(stamps, reverse=True)
    # Each page read is itself audited after the first; the first read saw at least the five before it.
    assert len(walked) >= 5


def _tamper(cursor: str, position: int) -> str:
    char = cursor[position]
    swap = "B" if char != "B" else "C"
    return cursor[:position] + swap + cursor[position + 1:]


def test_a_tampered_cursor_is_422(patient):
    log_many(patient, 3)
    cursor = patient.get("/entries", query_string={"limit": 1}).json["next_cursor"]
    assert patient.get("/entries", query_string={"limit": 1, "cursor": cursor}).status_code == 200
    for position in (0, 1, len(cursor) // 2, len(cursor) - 5):
        if cursor[position] == ".":
            continue
        tampered = _tamper(cursor, position)
        assert tampered != cursor
        assert_invalid(patient.get("/entries", query_string={"limit": 1, "cursor": tampered}), "cursor")
    assert_invalid(patient.get("/entries", query_string={"cursor": cursor[:-1]}), "cursor")
    assert_invalid(patient.get("/entries", query_string={"cursor": cursor + "A"}), "cursor")


def test_a_cursor_from_another_list_is_422(clinician, patient):
    log_many(patient, 3)
    make_patient(clinician)
    for _ in range(3):
        clinician.get(f"/patients/{patient.id}")
    entries_cursor = clinician.get(f"/patients/{patient.id}/entries", query_string={"limit": 1}).json["next_cursor"]
    audit_cursor = clinician.get(f"/patients/{patient.id}/audit", query_string={"limit": 1}).json["next_cursor"]
    patients_cursor = clinician.get("/patients", query_string={"limit": 1}).json["next_cursor"]
    assert entries_cursor and audit_cursor and patients_cursor
    assert_invalid(clinician.get(f"/patients/{patient.id}/entries", query_string={"cursor": audit_cursor}), "cursor")
    assert_invalid(clinician.get(f"/patients/{patient.id}/audit", query_string={"cursor": entries_cursor}), "cursor")
    assert_invalid(clinician.get(f"/patients/{patient.id}/entries", query_string={"cursor": patients_cursor}),
                   "cursor")
    assert_invalid(clinician.get("/patients", query_string={"cursor": entries_cursor}), "cursor")
    assert_invalid(clinician.get("/flags", query_string={"cursor": entries_cursor}), "cursor")


def test_a_cursor_from_another_app_secret_is_422(app, patient):
    from itsdangerous import URLSafeSerializer

    log_many(patient, 2)
    forged = URLSafeSerializer("not-the-secret", salt="cursor:entries").dumps(
        [{"t": utc_now().isoformat()}, {"u": "00000000-0000-0000-0000-000000000000"}])
    assert_invalid(patient.get("/entries", query_string={"cursor": forged}), "cursor")
