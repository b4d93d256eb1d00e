"""The catalogue in code is the table of warning-signs.md."""
import json

import pytest

from rule_factories import codes, entry

from service.rules import (
    RULES,
    RULES_BY_CODE,
    SEDATIVES,
    SEVERITY_RANK,
    SYMPTOM_CODES,
    SYMPTOMS,
    is_sedative,
)
from service.rules.catalogue import NOTE_RULES, NOTE_SIGN_RULES
from service.rules.engine import CHECKS, CHECKS_OF_FINDINGS
from service.rules.questionnaires import CHECKS as QUESTIONNAIRE_CHECKS

TABLE_CODES = [
    "anaphylaxis",
    "seizure_or_hallucinations",
    "suicidal_thoughts",
    "cns_depression",
    "confusion",
    "dose_above_studied_max",
    "dose_above_prescribed",
    "baclofen_withdrawal",
    "alcohol_with_baclofen",
    "unprescribed_substance",
    "misuse_signal",
    "alcohol_withdrawal",
    "persistent_craving",
    "continued_drinking",
    "mood_symptoms",
    "side_effect",
]
QUESTIONNAIRE_CODES = ["depression_screen", "anxiety_screen", "craving_screen"]
SWEEP_CODES = ["silent_patient"]

VOCABULARY = [
    "hives", "rash", "swelling_face_lips_tongue", "throat_tightness", "difficulty_breathing",
    "itching", "drowsiness", "confusion", "dizziness", "lightheadedness", "fainting",
    "low_blood_pressure", "tingling", "muscle_stiffness", "muscle_weakness", "slurred_speech",
    "slow_breathing", "hallucinations", "seizure", "tremor", "sweating", "racing_heart",
    "agitation", "anxiety", "low_mood", "euphoria", "suicidal_thoughts", "insomnia", "nausea",
    "vomiting", "headache", "fever",
]

BASE_SEVERITY = {
    "anaphylaxis": ("urgent", ("urgent",)),
    "seizure_or_hallucinations": ("urgent", ("urgent",)),
    "suicidal_thoughts": ("urgent", ("urgent",)),
    "cns_depression": ("urgent", ("urgent",)),
    "confusion": ("high", ("high", "urgent")),
    "dose_above_studied_max": ("urgent", ("urgent",)),
    "dose_above_prescribed": ("high", ("high",)),
    "baclofen_withdrawal": ("high", ("high",)),
    "alcohol_with_baclofen": ("moderate", ("moderate", "high")),
    "unprescribed_substance": ("high", ("high",)),
    "misuse_signal": ("moderate", ("moderate", "high")),
    "alcohol_withdrawal": ("high", ("high",)),
    "persistent_craving": ("moderate", ("moderate",)),
    "continued_drinking": ("moderate", ("moderate",)),
    "mood_symptoms": ("moderate", ("moderate", "high")),
    "side_effect": ("moderate", ("moderate", "high")),
    "depression_screen": ("moderate", ("moderate", "high")),
    "anxiety_screen": ("moderate", ("moderate",)),
    "craving_screen": ("moderate", ("moderate",)),
    "silent_patient": ("moderate", ("moderate", "high")),
}

CLINICAL = {"seizure_or_hallucinations", "suicidal_thoughts", "depression_screen", "silent_patient"}


def test_the_tables_rules_in_order_then_the_questionnaires_then_the_sweep():
    assert [rule.code for rule in RULES] == TABLE_CODES + QUESTIONNAIRE_CODES + SWEEP_CODES
    assert [r.code for r in RULES if "entry" in r.judges] == TABLE_CODES
    assert [r.code for r in RULES if "questionnaire" in r.judges] == ["suicidal_thoughts"] + QUESTIONNAIRE_CODES
    assert [r.code for r in RULES if "sweep" in r.judges] == SWEEP_CODES


def test_rules_by_code():
    assert list(RULES_BY_CODE) == TABLE_CODES + QUESTIONNAIRE_CODES + SWEEP_CODES
    assert all(RULES_BY_CODE[rule.code] is rule for rule in RULES)


def test_engine_applies_the_rules_in_catalogue_order():
    assert [check.__name__ for check in CHECKS + CHECKS_OF_FINDINGS] == TABLE_CODES
    assert [check.__name__ for check in QUESTIONNAIRE_CHECKS] == ["suicidal_thoughts"] + QUESTIONNAIRE_CODES


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_complete(rule):
    assert rule.version == 1
    assert (rule.severity, rule.severities) == BASE_SEVERITY[rule.code]
    assert rule.severities[0] == rule.severity
    assert rule.title and rule.description and rule.guidance
    assert rule.source["quote"]
    json.dumps(rule.source)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_source_names_its_document(rule):
    if rule.code in CLINICAL:
        assert (rule.kind, rule.source["document"]) == ("clinical", "clinical practice")
    else:
        assert (rule.kind, rule.source["document"]) == ("seed", "baclofen-aud.txt")


@pytest.mark.parametrize(
    "code, words",
    [
        ("confusion", "Severity: high; urgent when `renal_impairment`."),
        ("alcohol_with_baclofen", "Severity: moderate; high on a heavy drinking day."),
        ("misuse_signal", "high with `depression` or on a day above the prescribed maximum"),
        ("mood_symptoms", "Severity: moderate; high when `low_mood` is 3."),
        ("side_effect", "Severity: moderate; high at severity 3."),
    ],
)
def test_description_carries_the_stronger_form(code, words):
    assert words in RULES_BY_CODE[code].description


def test_rules_are_frozen_and_hashable():
    rule = RULES[0]
    with pytest.raises(AttributeError):
        rule.severity = "moderate"
    assert len(set(RULES)) == 20


def test_severity_rank():
    assert dict(SEVERITY_RANK) == {"moderate": 1, "high": 2, "urgent": 3}


def test_every_symptom_of_the_vocabulary_in_order_with_its_label():
    assert [code for code, _ in SYMPTOMS] == VOCABULARY
    assert SYMPTOM_CODES == frozenset(VOCABULARY)
    assert dict(SYMPTOMS)["slow_breathing"] == "slow or shallow breathing"
    assert all(label for _, label in SYMPTOMS)


GENERICS = [
    "alprazolam", "bromazepam", "chlordiazepoxide", "clonazepam", "diazepam", "lorazepam",
    "oxazepam", "temazepam", "zolpidem", "zopiclone", "codeine", "tramadol", "oxycodone",
    "morphine", "methadone", "buprenorphine", "heroin", "fentanyl", "gabapentin", "pregabalin",
    "promethazine", "hydroxyzine", "quetiapine", "GHB", "sodium oxybate", "barbiturate",
]
BRANDS = [
    "Xanax", "Valium", "Ativan", "Klonopin", "Librium", "Lexotan", "Restoril", "Serax", "Ambien",
    "Stilnox", "Imovane", "Zimovane", "Lunesta", "Tramal", "Ultram", "OxyContin", "Percocet",
    "Subutex", "Suboxone", "Neurontin", "Lyrica", "Phenergan", "Atarax", "Vistaril", "Seroquel",
    "Xyrem", "phenobarbital", "butalbital", "secobarbital",
]


@pytest.mark.parametrize("name", GENERICS + BRANDS)
def test_named_sedatives_are_listed_and_recognised(name):
    assert name.lower() in {s.lower() for s in SEDATIVES}
    assert is_sedative(name)


@pytest.mark.parametrize(
    "name",
    [
        "LORAZEPAM",
        "xAnAx",
        "Lorazepam 1 mg",
        "Lorazepam 1mg",
        "lorazepam1mg",
        "xanax bar",
        "xanax bars",
        "  diazepam\t",
        "sodium   oxybate",
        "Sodium Oxybate 4.5 g",
        "2 x Valium 5mg",
        "barbiturates",
        "tramadol/paracetamol",
        "codeine (cough syrup)",
        "héroïne",
    ],
)
def test_sedative_names_as_patients_write_them(name):
    assert is_sedative(name)


# The catalogue names classes and gives members of each; the other members of a class sedate as much.
@pytest.mark.parametrize("name", ["midazolam", "triazolam", "benzos", "hydrocodone", "Dilaudid", "diphenhydramine",
                                  "olanzapine", "pentobarbital", "Nembutal", "Seconal", "gamma-hydroxybutyrate"])
def test_other_members_of_the_named_classes(name):
    assert is_sedative(name)


@pytest.mark.parametrize(
    "name",
    [
        "ibuprofen",
        "coffee",
        "alcohol",
        "paracetamol",
        "baclofen",
        "sertraline",
        "",
        "   ",
        "Suboxonebis",
        "xanaxish",
        "preghb",
        "morphineX",
    ],
)
def test_not_sedatives(name):
    assert not is_sedative(name)


# ------------------------------------------------------------------ the signs a note is read for


@pytest.mark.parametrize("sign, rule", sorted(NOTE_SIGN_RULES.items()))
def test_each_note_sign_fires_its_rule_alone(sign, rule):
    """What `notes evaluate` scores a note by is what the engine does with a sign found in it."""
    # A note's sign counts at severity 2, with no dose, drink or sedative to go with it.
    assert codes(entry(symptoms={sign: 2})) == [rule]


def test_confusion_feeds_cns_depression_only_with_more_than_the_note():
    assert codes(entry(symptoms={"confusion": 2})) == ["confusion"]
    assert "cns_depression" in codes(entry(symptoms={"confusion": 2}, doses=[30], drinks=3))


def test_the_note_rules_are_catalogue_rules_in_its_order():
    assert set(NOTE_SIGN_RULES) <= SYMPTOM_CODES and len(NOTE_SIGN_RULES) == 8
    assert NOTE_RULES == ("anaphylaxis", "seizure_or_hallucinations", "suicidal_thoughts", "cns_depression",
                          "confusion")
