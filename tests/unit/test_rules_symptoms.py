"""Rules led by what the patient reports: one line per condition and boundary."""
import pytest

from rule_factories import codes, entry, match, patient, severity, steady
from service.rules import Day

# A day with baclofen and alcohol: what turns sedation into an emergency.
DRINKING_ON_BACLOFEN = {"doses": [20], "drinks": 2}


# -- anaphylaxis


@pytest.mark.parametrize(
    "symptoms, fires",
    [
        ({"swelling_face_lips_tongue": 1}, True),
        ({"throat_tightness": 1}, True),
        ({"difficulty_breathing": 1}, True),
        ({"hives": 1, "fainting": 1}, True),
        ({"hives": 1, "lightheadedness": 1}, True),
        ({"rash": 1, "low_blood_pressure": 1}, True),
        ({"hives": 3}, False),
        ({"rash": 3, "itching": 3}, False),
        ({"fainting": 3}, False),
        ({"lightheadedness": 2, "low_blood_pressure": 2}, False),
    ],
)
def test_anaphylaxis(symptoms, fires):
    assert severity("anaphylaxis", entry(symptoms=symptoms)) == ("urgent" if fires else None)


def test_anaphylaxis_explains_every_sign_of_the_reaction():
    found = match("anaphylaxis", entry(symptoms={"swelling_face_lips_tongue": 2, "hives": 3, "dizziness": 2}))
    assert found.symptoms == {"swelling_face_lips_tongue", "hives"}
    assert found.evidence == {"symptoms": {"swelling_face_lips_tongue": 2, "hives": 3}}
    # dizziness is no sign of it, so it stays a side effect of its own
    assert "side_effect" in codes(entry(symptoms={"swelling_face_lips_tongue": 2, "hives": 3, "dizziness": 2}))


# -- seizure_or_hallucinations


@pytest.mark.parametrize("symptom", ["seizure", "hallucinations"])
def test_seizure_or_hallucinations_at_any_severity(symptom):
    assert severity("seizure_or_hallucinations", entry(symptoms={symptom: 1})) == "urgent"


def test_seizure_evidence_nothing_changed():
    found = match("seizure_or_hallucinations", entry(symptoms={"seizure": 3}))
    assert found.evidence == {"symptoms": {"seizure": 3}, "baclofen_dropped": False, "drinking_stopped": False}


def test_seizure_evidence_baclofen_dropped():
    found = match("seizure_or_hallucinations", entry(symptoms={"seizure": 3}), days=steady(60, -9, -3))
    assert found.evidence["baclofen_dropped"] is True


def test_seizure_evidence_baclofen_steady():
    found = match("seizure_or_hallucinations", entry(symptoms={"seizure": 3}), days=steady(60, -9, 0))
    assert found.evidence["baclofen_dropped"] is False


@pytest.mark.parametrize(
    "days, drinks_today, stopped",
    [
        ({-1: Day(drinks=6)}, None, True),
        ({-3: Day(drinks=1)}, 0, True),
        ({-4: Day(drinks=6)}, None, False),
        ({-1: Day(drinks=6)}, 1, False),
        ({-1: Day(drinks=6), 0: Day(drinks=1)}, None, False),
        ({}, None, False),
    ],
)
def test_seizure_evidence_drinking_stopped(days, drinks_today, stopped):
    found = match("seizure_or_hallucinations", entry(symptoms={"hallucinations": 2}, drinks=drinks_today), days=days)
    assert found.evidence["drinking_stopped"] is stopped


# -- suicidal_thoughts


@pytest.mark.parametrize("level", [1, 2, 3])
def test_suicidal_thoughts_at_any_severity(level):
    assert severity("suicidal_thoughts", entry(symptoms={"suicidal_thoughts": level})) == "urgent"


def test_suicidal_thoughts_not_a_side_effect():
    assert codes(entry(symptoms={"suicidal_thoughts": 3})) == ["suicidal_thoughts"]


# -- cns_depression


def test_slow_breathing_alone_is_enough():
    assert severity("cns_depression", entry(symptoms={"slow_breathing": 1})) == "urgent"


@pytest.mark.parametrize(
    "symptoms, fires",
    [
        ({"drowsiness": 3}, True),
        ({"drowsiness": 2}, False),
        ({"confusion": 1}, True),
        ({"slurred_speech": 1}, True),
        ({"fainting": 1}, True),
        ({"dizziness": 3}, False),
    ],
)
def test_cns_depression_signs_with_baclofen_and_alcohol(symptoms, fires):
    found = severity("cns_depression", entry(symptoms=symptoms, **DRINKING_ON_BACLOFEN))
    assert found == ("urgent" if fires else None)


def test_cns_depression_not_without_baclofen():
    assert severity("cns_depression", entry(symptoms={"confusion": 2}, drinks=4)) is None


def test_cns_depression_not_on_baclofen_alone():
    assert severity("cns_depression", entry(symptoms={"confusion": 2}, doses=[20]), patient(max_daily=60)) is None


def test_cns_depression_with_a_stored_dose_and_the_entry_drinks():
    an_entry = entry(symptoms={"slurred_speech": 2}, drinks=1)
    assert severity("cns_depression", an_entry, days={0: Day(baclofen_mg=20)}) == "urgent"


def test_cns_depression_with_a_stored_sedative_that_day():
    days = {0: Day(baclofen_mg=20, sedatives=frozenset({"Xanax"}))}
    assert severity("cns_depression", entry(symptoms={"fainting": 1}), days=days) == "urgent"


def test_cns_depression_not_with_a_sedative_the_day_before():
    days = {0: Day(baclofen_mg=20), -1: Day(sedatives=frozenset({"Xanax"}))}
    assert severity("cns_depression", entry(symptoms={"fainting": 1}), days=days) is None


@pytest.mark.parametrize("prescribed", [True, False])
def test_cns_depression_with_a_sedative_in_the_entry(prescribed):
    an_entry = entry(symptoms={"drowsiness": 3}, doses=[20], substances={"Lorazepam 1 mg": prescribed})
    assert severity("cns_depression", an_entry) == "urgent"


def test_cns_depression_not_with_a_substance_that_is_no_sedative():
    an_entry = entry(symptoms={"drowsiness": 3}, doses=[20], substances={"ibuprofen": True})
    assert severity("cns_depression", an_entry) is None


@pytest.mark.parametrize("total, fires", [(60, False), (60.5, True)])
def test_cns_depression_above_the_prescribed_maximum(total, fires):
    found = severity("cns_depression", entry(symptoms={"confusion": 1}, doses=[total]), patient(max_daily=60))
    assert found == ("urgent" if fires else None)


def test_cns_depression_no_prescription_no_maximum():
    assert severity("cns_depression", entry(symptoms={"confusion": 1}, doses=[250])) is None


def test_cns_depression_evidence():
    found = match(
        "cns_depression",
        entry(symptoms={"drowsiness": 3, "slow_breathing": 2}, doses=[40], drinks=3),
        patient(max_daily=80),
    )
    assert found.symptoms == {"slow_breathing", "drowsiness"}
    assert found.evidence == {
        "symptoms": {"slow_breathing": 2, "drowsiness": 3},
        "date": "2026-11-20",
        "daily_total_mg": 40,
        "drinks": 3,
        "sedatives": [],
        "max_daily_mg": 80,
        "above_prescribed": False,
    }


def test_slow_breathing_alone_lists_only_itself():
    found = match("cns_depression", entry(symptoms={"slow_breathing": 1, "drowsiness": 3}))
    assert found.symptoms == {"slow_breathing"}


# -- confusion


@pytest.mark.parametrize("level", [1, 2, 3])
def test_confusion_high(level):
    assert severity("confusion", entry(symptoms={"confusion": level})) == "high"


def test_confusion_urgent_with_renal_impairment():
    assert severity("confusion", entry(symptoms={"confusion": 1}), patient(renal_impairment=True)) == "urgent"


def test_confusion_evidence():
    found = match("confusion", entry(symptoms={"confusion": 2}))
    assert found.evidence == {"symptoms": {"confusion": 2}, "renal_impairment": False}


def test_confusion_in_renal_impairment_is_no_cns_depression_without_baclofen():
    # scenario 09_confusion_renal
    assert codes(entry(symptoms={"confusion": 1}), patient(renal_impairment=True)) == ["confusion"]


# -- mood_symptoms

WITHDRAWAL_DAY = {-1: Day(drinks=8)}


@pytest.mark.parametrize(
    "symptoms, expected",
    [
        ({"low_mood": 1}, None),
        ({"low_mood": 2}, "moderate"),
        ({"low_mood": 3}, "high"),
        ({"anxiety": 1}, None),
        ({"anxiety": 2}, "moderate"),
        ({"anxiety": 3}, "moderate"),
        ({"anxiety": 3, "low_mood": 3}, "high"),
    ],
)
def test_mood_symptoms(symptoms, expected):
    assert severity("mood_symptoms", entry(symptoms=symptoms)) == expected


def test_mood_not_when_alcohol_withdrawal_explains_the_anxiety():
    found = codes(entry(symptoms={"anxiety": 3, "tremor": 2}), days=WITHDRAWAL_DAY)
    assert found == ["alcohol_withdrawal"]


def test_mood_still_for_low_mood_beside_alcohol_withdrawal():
    found = match("mood_symptoms", entry(symptoms={"anxiety": 2, "tremor": 2, "low_mood": 2}), days=WITHDRAWAL_DAY)
    assert found.symptoms == {"low_mood"}


def test_mood_for_anxiety_when_no_alcohol_withdrawal():
    # the same symptoms without a heavy drinking day before
    found = match("mood_symptoms", entry(symptoms={"anxiety": 2, "tremor": 2}))
    assert found.symptoms == {"anxiety"}


# -- side_effect


@pytest.mark.parametrize("level, expected", [(1, None), (2, "moderate"), (3, "high")])
def test_side_effect_by_severity(level, expected):
    assert severity("side_effect", entry(symptoms={"headache": level})) == expected


def test_side_effect_high_when_any_is_severe():
    found = match("side_effect", entry(symptoms={"headache": 2, "insomnia": 3, "fever": 1}))
    assert (found.severity, found.symptoms) == ("high", {"headache", "insomnia"})
    assert found.evidence == {"symptoms": {"insomnia": 3, "headache": 2}}


def test_side_effect_not_for_what_another_rule_fired_for():
    found = match("side_effect", entry(symptoms={"confusion": 3, "headache": 2}))
    assert found.symptoms == {"headache"}


def test_no_side_effect_when_every_symptom_is_explained():
    assert codes(entry(symptoms={"confusion": 3})) == ["confusion"]


def test_side_effect_for_a_withdrawal_sign_without_a_drop():
    assert severity("side_effect", entry(symptoms={"itching": 2})) == "moderate"


def test_side_effect_not_for_a_withdrawal_sign_after_a_drop():
    # scenario 07_baclofen_withdrawal
    found = codes(entry(-1, symptoms={"itching": 2, "tingling": 1}), days=steady(60, -12, -4))
    assert found == ["baclofen_withdrawal"]


def test_side_effect_for_euphoria_without_baclofen():
    assert codes(entry(symptoms={"euphoria": 2})) == ["side_effect"]


def test_no_side_effect_for_low_mood_reported_as_mood():
    assert codes(entry(symptoms={"low_mood": 2})) == ["mood_symptoms"]
