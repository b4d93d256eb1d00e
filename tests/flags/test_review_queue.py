"""GET /flags: the clinician's review queue, its order, filters, pages and scope."""
from __future__ import annotations

import uuid

import pytest

from conftest import entry, make_patient
from flagkit import RANK, assert_invalid, assert_problem, entry_on, flag_in, post_entry, queue, review

RX_90 = {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible"}


class Seeded:
    """Two patients of `clinician` and one of `other_clinician`, with flags of every severity."""

    def __init__(self, clinician, other_clinician):
        self.a = make_patient(clinician, prescription=RX_90)
        self.b = make_patient(clinician, prescription=RX_90)
        self.c = make_patient(other_clinician, prescription=RX_90)
        # Sent in an order unlike the queue's: within a severity the later-sent flag was seen first.
        post_entry(self.b, entry_on(2, doses=[{"amount_mg": 320}]))  # urgent + high, seen D-2
        post_entry(self.a, entry_on(5, symptoms=[{"code": "suicidal_thoughts", "severity": 2}]))  # urgent D-5
        post_entry(self.a, entry_on(6, substances=[{"name": "lorazepam", "prescribed": False}]))  # high D-6
        post_entry(self.b, entry_on(1, symptoms=[{"code": "low_mood", "severity": 2}]))  # moderate D-1
        post_entry(self.a, entry_on(7, doses=[{"amount_mg": 30}], alcohol_drinks=1))  # moderate D-7
        post_entry(self.c, entry_on(3, doses=[{"amount_mg": 320}]))

    def expected(self) -> list[tuple[str, str]]:
        return [(self.a.id, "suicidal_thoughts"), (self.b.id, "dose_above_studied_max"),
                (self.a.id, "unprescribed_substance"), (self.b.id, "dose_above_prescribed"),
                (self.a.id, "alcohol_with_baclofen"), (self.b.id, "mood_symptoms")]


@pytest.fixture
def seeded(clinician, other_clinician) -> Seeded:
    return Seeded(clinician, other_clinician)


def keys(items: list[dict]) -> list[tuple[str, str]]:
    return [(f["patient_id"], f["rule"]) for f in items]


def test_the_queue_is_urgent_then_high_then_moderate_oldest_first(clinician, seeded):
    items = queue(clinician)

    assert keys(items) == seeded.expected()
    assert [f["severity"] for f in items] == ["urgent", "urgent", "high", "high", "moderate", "moderate"]
    assert all(f["status"] == "open" for f in items)
    assert {f["patient_reference"] for f in items} == {seeded.a.record["reference"], seeded.b.record["reference"]}


def test_the_queue_follows_first_seen_at_when_a_late_entry_moves_it_earlier(clinician, seeded):
    # A low mood written nine days ago, synced now: B's mood flag was first seen before A's drinking.
    post_entry(seeded.b, entry_on(9, symptoms=[{"code": "low_mood", "severity": 2}]))

    moderate = queue(clinician, severity="moderate")

    assert keys(moderate) == [(seeded.b.id, "mood_symptoms"), (seeded.a.id, "alcohol_with_baclofen")]
    assert moderate[0]["occurrences"] == 2


def test_pages_of_one_walk_every_flag_once_in_queue_order(clinician, seeded):
    whole = queue(clinician)
    seen, cursor = [], None
    for _ in range(20):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        answer = clinician.get("/flags", query_string=params)
        assert answer.status_code == 200, answer.get_json()
        assert len(answer.json["items"]) == 1
        seen.append(answer.json["items"][0]["id"])
        cursor = answer.json["next_cursor"]
        if cursor is None:
            break

    assert seen == [f["id"] for f in whole]
    assert len(set(seen)) == len(seeded.expected())


def test_pages_keep_their_filters(clinician, seeded):
    first = clinician.get("/flags", query_string={"limit": 1, "severity": "high"})
    assert first.status_code == 200, first.get_json()
    second = clinician.get("/flags", query_string={"limit": 1, "severity": "high",
                                                   "cursor": first.json["next_cursor"]})
    assert second.status_code == 200, second.get_json()

    assert keys(first.json["items"] + second.json["items"]) == seeded.expected()[2:4]
    assert second.json["next_cursor"] is None


def test_a_clinician_sees_only_the_flags_of_their_own_patients(clinician, other_clinician, seeded):
    mine = queue(clinician)
    theirs = queue(other_clinician)

    assert {f["patient_id"] for f in mine} == {seeded.a.id, seeded.b.id}
    assert keys(theirs) == [(seeded.c.id, "dose_above_studied_max"), (seeded.c.id, "dose_above_prescribed")]
    for flag in mine:
        answer = other_clinician.get(f"/flags/{flag['id']}")
        assert_problem(answer, 404)
    filtered = other_clinician.get("/flags", query_string={"patient_id": seeded.a.id})
    assert filtered.status_code in (200, 404), filtered.get_json()
    if filtered.status_code == 200:
        assert filtered.json["items"] == []


def test_another_clinician_cannot_review_my_flag(clinician, other_clinician, seeded):
    flag = queue(clinician)[0]

    for body in ({"action": "acknowledge"}, {"action": "resolve", "note": "Not mine to close."}):
        assert_problem(other_clinician.post(f"/flags/{flag['id']}/review", json=body), 404)

    assert queue(clinician)[0] == flag


def test_an_unknown_flag_is_a_404(clinician, seeded):
    assert_problem(clinician.get(f"/flags/{uuid.uuid4()}"), 404)
    assert_problem(clinician.post(f"/flags/{uuid.uuid4()}/review", json={"action": "acknowledge"}), 404)


def test_the_status_filter_defaults_to_open(clinician, seeded):
    items = queue(clinician)
    acknowledged, resolved, dismissed = items[0], items[2], items[4]
    review(clinician, acknowledged["id"], "acknowledge")
    review(clinician, resolved["id"], "resolve", note="Dose reviewed with the patient.")
    review(clinician, dismissed["id"], "dismiss", note="Logged by mistake.")

    still_open = [f["id"] for f in items if f["id"] not in (acknowledged["id"], resolved["id"], dismissed["id"])]
    assert [f["id"] for f in queue(clinician)] == still_open
    assert [f["id"] for f in queue(clinician, status="open")] == still_open
    assert [(f["id"], f["status"]) for f in queue(clinician, status="acknowledged")] == \
        [(acknowledged["id"], "acknowledged")]
    assert [(f["id"], f["status"]) for f in queue(clinician, status="resolved")] == [(resolved["id"], "resolved")]
    assert [(f["id"], f["status"]) for f in queue(clinician, status="dismissed")] == \
        [(dismissed["id"], "dismissed")]


@pytest.mark.parametrize("severity", ["urgent", "high", "moderate"])
def test_the_severity_filter(clinician, seeded, severity):
    items = queue(clinician, severity=severity)

    assert keys(items) == [k for k, s in zip(seeded.expected(), ["urgent"] * 2 + ["high"] * 2 + ["moderate"] * 2)
                           if s == severity]
    assert all(f["severity"] == severity for f in items)


def test_the_patient_filter(clinician, seeded):
    a_only = queue(clinician, patient_id=seeded.a.id)
    b_urgent = queue(clinician, patient_id=seeded.b.id, severity="urgent")

    assert keys(a_only) == [k for k in seeded.expected() if k[0] == seeded.a.id]
    assert [RANK[f["severity"]] for f in a_only] == sorted(RANK[f["severity"]] for f in a_only)
    assert keys(b_urgent) == [(seeded.b.id, "dose_above_studied_max")]


def test_an_entry_flag_appears_in_the_queue_at_once(clinician, patient):
    made = post_entry(patient, entry(symptoms=[{"code": "seizure", "severity": 3}]))

    flag = flag_in(made, "seizure_or_hallucinations")
    assert [f["id"] for f in queue(clinician, severity="urgent")] == [flag["id"]]


@pytest.mark.parametrize("query, field", [
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"status": "closed"}, "status"),
    ({"status": "OPEN"}, "status"),
    ({"severity": "critical"}, "severity"),
    ({"patient_id": "not-a-uuid"}, "patient_id"),
    ({"cursor": "forged"}, "cursor"),
])
def test_bad_queue_queries_are_422_naming_the_field(clinician, query, field):
    assert_invalid(clinician.get("/flags", query_string=query), field)


def test_the_queue_is_for_clinicians(client, patient):
    assert_problem(patient.get("/flags"), 403)
    assert_problem(client.get("/api/v1/flags"), 401)
    assert_problem(client.get("/api/v1/flags", headers={"Authorization": "Bearer bwc_not-a-token"}), 401)
