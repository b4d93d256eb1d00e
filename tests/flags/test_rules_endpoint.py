"""GET /rules: the catalogue of warning signs, the symptom vocabulary and the sedatives."""
from __future__ import annotations

import pytest

from conftest import entry
from flagkit import assert_invalid, assert_problem, post_entry

# warning-signs.md, the Rules table: code and base severity, in the table's order.
RULES = [
    ("anaphylaxis", "urgent"), ("seizure_or_hallucinations", "urgent"), ("suicidal_thoughts", "urgent"),
    ("cns_depression", "urgent"), ("confusion", "high"), ("dose_above_studied_max", "urgent"),
    ("dose_above_prescribed", "high"), ("baclofen_withdrawal", "high"), ("alcohol_with_baclofen", "moderate"),
    ("unprescribed_substance", "high"), ("misuse_signal", "moderate"), ("alcohol_withdrawal", "high"),
    ("persistent_craving", "moderate"), ("continued_drinking", "moderate"), ("mood_symptoms", "moderate"),
    ("side_effect", "moderate"),
    # warning-signs.md, "Questionnaires" and "The silent patient".
    ("depression_screen", "moderate"), ("anxiety_screen", "moderate"), ("craving_screen", "moderate"),
    ("silent_patient", "moderate"),
]

# warning-signs.md, the Symptom vocabulary.
SYMPTOM_CODES = [
    "hives", "rash", "swelling_face_lips_tongue", "throat_tightness", "difficulty_breathing", "itching",
    "drowsiness", "confusion", "dizziness", "lightheadedness", "fainting", "low_blood_pressure", "tingling",
    "muscle_stiffness", "muscle_weakness", "slurred_speech", "slow_breathing", "hallucinations", "seizure",
    "tremor", "sweating", "racing_heart", "agitation", "anxiety", "low_mood", "euphoria", "suicidal_thoughts",
    "insomnia", "nausea", "vomiting", "headache", "fever",
]


@pytest.fixture
def catalogue(clinician) -> dict:
    answer = clinician.get("/rules")
    assert answer.status_code == 200, answer.get_json()
    return answer.json


def test_the_catalogue_has_the_rules_of_the_tables(catalogue):
    rules = catalogue["rules"]

    assert [(r["code"], r["severity"]) for r in rules] == RULES
    for rule in rules:
        assert isinstance(rule["version"], int) and rule["version"] >= 1, rule
        assert isinstance(rule["title"], str) and rule["title"].strip(), rule
        assert isinstance(rule["description"], str) and rule["description"].strip(), rule
        assert set(rule["source"]) == {"document", "quote"}, rule
        assert rule["source"]["document"].strip() and rule["source"]["quote"].strip(), rule
    judges = {r["code"]: r["judges"] for r in rules}
    assert judges["suicidal_thoughts"] == ["entry", "questionnaire"] and judges["silent_patient"] == ["sweep"]


def test_rules_quote_their_source(catalogue):
    by_code = {r["code"]: r for r in catalogue["rules"]}

    assert by_code["anaphylaxis"]["source"] == {
        "document": "baclofen-aud.txt",
        "quote": "In rare instances, a person may experience a serious allergic reaction called anaphylaxis"
                 " while taking baclofen."}
    assert "300 mg/day" in by_code["dose_above_studied_max"]["source"]["quote"]
    assert "lorazepam" in by_code["unprescribed_substance"]["source"]["quote"]
    # A clinical rule says so instead of naming the seed document.
    assert by_code["suicidal_thoughts"]["source"]["document"] != "baclofen-aud.txt"
    assert by_code["seizure_or_hallucinations"]["source"]["document"] != "baclofen-aud.txt"


def test_the_catalogue_serves_the_symptom_vocabulary(catalogue):
    symptoms = catalogue["symptoms"]

    assert [s["code"] for s in symptoms] == SYMPTOM_CODES
    assert all(set(s) == {"code", "label"} and s["label"].strip() for s in symptoms)
    labels = {s["code"]: s["label"] for s in symptoms}
    assert labels["hives"] == "raised itchy welts on the skin"
    assert labels["suicidal_thoughts"] == "thoughts of ending my life"
    assert labels["muscle_stiffness"] == "muscle stiffness or spasms coming back"


def test_every_served_symptom_code_is_accepted_in_an_entry(patient, catalogue):
    codes = [s["code"] for s in catalogue["symptoms"]]

    made = post_entry(patient, entry(symptoms=[{"code": code, "severity": 1} for code in codes]))

    assert sorted(s["code"] for s in made["symptoms"]) == sorted(codes)
    assert_invalid(patient.post("/entries", json=entry(symptoms=[{"code": "sneezing", "severity": 1}])),
                   "symptoms")


def test_the_catalogue_serves_the_sedatives(catalogue):
    sedatives = catalogue["sedatives"]
    lowered = {name.lower() for name in sedatives}

    assert all(isinstance(name, str) and name.strip() for name in sedatives)
    for name in ("lorazepam", "diazepam", "alprazolam", "xanax", "valium", "ativan", "zolpidem", "tramadol",
                 "methadone", "gabapentin", "pregabalin", "quetiapine", "promethazine"):
        assert name in lowered, f"{name} is a sedative in warning-signs.md"
    assert "baclofen" not in lowered


def test_the_patient_app_reads_the_same_catalogue(patient, catalogue):
    answer = patient.get("/rules")

    assert answer.status_code == 200, answer.get_json()
    assert answer.json == catalogue


def test_the_catalogue_needs_a_token(client):
    assert_problem(client.get("/api/v1/rules"), 401)
    assert_problem(client.get("/api/v1/rules", headers={"Authorization": "Bearer bwp_not-a-token"}), 401)
