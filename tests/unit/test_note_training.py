"""How the semantic layer's thresholds are chosen: false alarms counted as `notes evaluate` counts
them, by rule, the phrase layer's included."""
import numpy as np
import pytest

from service import note_training
from service.note_training import Example, choose_thresholds

SIGNS = ("swelling_face_lips_tongue", "throat_tightness", "suicidal_thoughts")


def example(signs=(), phrase_signs=(), look_alike=True):
    return Example("a note", frozenset(signs), ["a note"], look_alike, np.zeros((1, 1)), frozenset(phrase_signs),
                   np.zeros((1, len(SIGNS)), bool))


def alarms(examples, best, thresholds=(0.5, 0.5, 0.5)):
    return note_training._alarms(examples, SIGNS, [np.array(b) for b in best], np.array(thresholds))


def test_a_phrase_that_fires_a_rule_the_note_lacks_is_a_false_alarm():
    assert alarms([example(phrase_signs={"suicidal_thoughts"})], [(0, 0, 0)]) == 1.0


def test_another_sign_of_the_rule_the_note_carries_is_no_false_alarm():
    # swelling and a tight throat both fire anaphylaxis: the note must fire it, whichever sign is found
    assert alarms([example(signs={"swelling_face_lips_tongue"})], [(0, 0.9, 0)]) == 0.0
    assert alarms([example(signs={"swelling_face_lips_tongue"})], [(0, 0, 0.9)]) == 1.0


def test_notes_that_are_not_look_alikes_are_not_counted():
    assert alarms([example(look_alike=False), example()], [(0.9, 0, 0), (0, 0, 0)]) == 0.0


def test_the_thresholds_leave_room_for_the_phrase_layers_own_alarms(monkeypatch):
    monkeypatch.setattr(note_training, "ALARMS", 0.2)
    rng = np.random.default_rng(0)
    scores = [rng.uniform(0, 1, len(SIGNS)) for _ in range(90)] + [np.array([0, 0, 0.99])] * 10
    carrying = [example(signs={"suicidal_thoughts"}, look_alike=False) for _ in range(10)]
    quiet = [example() for _ in range(90)] + carrying
    noisy = [example() for _ in range(80)] + [example(phrase_signs={"throat_tightness"}) for _ in range(10)] + carrying

    alone, _ = choose_thresholds(quiet, SIGNS, scores)
    shared, report = choose_thresholds(noisy, SIGNS, scores)

    assert alarms(noisy, scores, shared) == pytest.approx(report["false alarms"], abs=1e-3)
    assert 0.1 < report["false alarms"] <= 0.2
    assert alarms(quiet, scores, alone) <= 0.2
    assert all(shared >= alone) and any(shared > alone)  # the phrases' alarms took part of the budget
    assert report["suicidal_thoughts"]["found"] == 10
