"""Symptoms found in a note: how the engine merges them, and what the real note reader must find.

The first part stands a reader in for `read_note`, so it tests the engine alone. The second part
runs the real reader (written separately); its lines that need a finding are skipped while
`read_note` finds nothing in their note, so they can be judged once the reader lands.
"""
import pytest

from rule_factories import codes, entry, match
from service.rules import notes
from service.rules.notes import NoteFinding, read_note


@pytest.fixture
def note_says(monkeypatch):
    """Make the note reader find the given (code, words) pairs in any note."""

    def say(*findings):
        found = tuple(NoteFinding(code, words) for code, words in findings)
        monkeypatch.setattr(notes, "read_note", lambda text: found)

    return say


def test_a_symptom_only_in_the_note_counts_with_severity_2(note_says):
    note_says(("confusion", "can't think straight"))
    found = match("confusion", entry(note="I can't think straight"))
    assert found.evidence == {
        "symptoms": {"confusion": 2},
        "note_words": {"confusion": "can't think straight"},
        "renal_impairment": False,
    }


@pytest.mark.parametrize("structured, counted", [(1, 1), (2, 2), (3, 3)])
def test_a_symptom_also_reported_in_the_app_keeps_its_severity(note_says, structured, counted):
    # Severity 2 is for a symptom found only in the note; the note still names its words.
    note_says(("confusion", "confused"))
    found = match("confusion", entry(symptoms={"confusion": structured}, note="so confused"))
    assert found.evidence["symptoms"] == {"confusion": counted}
    assert found.evidence["note_words"] == {"confusion": "confused"}


def test_note_words_only_for_the_symptoms_found_in_the_note(note_says):
    note_says(("difficulty_breathing", "can't breathe"))
    found = match("anaphylaxis", entry(symptoms={"hives": 2, "fainting": 1}, note="can't breathe"))
    assert found.evidence == {
        "symptoms": {"difficulty_breathing": 2, "hives": 2, "fainting": 1},
        "note_words": {"difficulty_breathing": "can't breathe"},
    }


def test_a_note_alone_can_raise_an_urgent_flag(note_says):
    note_says(("suicidal_thoughts", "end it all"))
    found = match("suicidal_thoughts", entry(craving=5, note="I want to end it all"))
    assert (found.severity, found.symptoms) == ("urgent", {"suicidal_thoughts"})
    assert found.evidence["note_words"] == {"suicidal_thoughts": "end it all"}


def test_a_note_symptom_another_rule_fired_for_is_no_side_effect(note_says):
    note_says(("hallucinations", "hearing voices"))
    assert codes(entry(note="hearing voices")) == ["seizure_or_hallucinations"]


def test_note_slow_breathing_is_cns_depression(note_says):
    note_says(("slow_breathing", "barely breathing"))
    assert codes(entry(note="he says I was barely breathing")) == ["cns_depression"]


def test_no_note_no_reading(monkeypatch):
    def must_not_read(text):
        raise AssertionError("read_note called without a note")

    monkeypatch.setattr(notes, "read_note", must_not_read)
    assert codes(entry(craving=2)) == []


# -- the real note reader, through the engine


def needs_reader(text):
    return pytest.mark.skipif(read_note(text) == (), reason="read_note finds nothing yet (the reader has not landed)")


FINDS = [
    ("Had a bad week. Honestly I want to end it all.", "suicidal_thoughts", "suicidal_thoughts"),
    ("I just want to die", "suicidal_thoughts", "suicidal_thoughts"),
    ("my lips are swelling", "swelling_face_lips_tongue", "anaphylaxis"),
    ("throat is closing", "throat_tightness", "anaphylaxis"),
    ("I can't breathe properly", "difficulty_breathing", "anaphylaxis"),
    ("breathing very slow tonight", "slow_breathing", "cns_depression"),
    ("had a seizure this morning", "seizure", "seizure_or_hallucinations"),
    ("hearing voices again", "hallucinations", "seizure_or_hallucinations"),
    ("don't know where I am", "confusion", "confusion"),
]


@pytest.mark.parametrize(
    "text, code, rule",
    [pytest.param(text, code, rule, marks=needs_reader(text), id=code + ": " + text) for text, code, rule in FINDS],
)
def test_reader_finds_the_sign_and_the_rule_fires(text, code, rule):
    found = match(rule, entry(note=text))
    assert found is not None and code in found.symptoms
    assert found.evidence["note_words"][code]


@pytest.mark.parametrize(
    "text",
    [
        "No rash, no swelling, breathing fine today.",
        "didn't have a seizure",
        "not confused at all",
        "denies suicidal thoughts",
        "my brother had a seizure",
        "Feeling good, walked the dog.",
    ],
)
def test_reader_raises_nothing_for_negated_or_someone_else(text):
    assert codes(entry(craving=3, note=text)) == []


def test_a_semantic_finding_says_what_example_the_sentence_was_like(monkeypatch):
    sentence = "woke on the floor with a bitten tongue"
    found_ = (NoteFinding("seizure", sentence, "semantic", "came round on the kitchen floor", 0.81),)
    monkeypatch.setattr(notes, "read_note", lambda text: found_)
    found = match("seizure_or_hallucinations", entry(note=sentence))
    assert found.evidence["note_words"] == {"seizure": sentence}
    assert found.evidence["note_semantic"] == {"seizure": {"example": "came round on the kitchen floor", "similarity": 0.81}}


def test_a_phrase_finding_adds_no_semantic_evidence(note_says):
    note_says(("seizure", "had a fit"))
    assert "note_semantic" not in match("seizure_or_hallucinations", entry(note="had a fit")).evidence
