"""The semantic layer with its real model and classifier: the sentence vectors, the classifier's
provenance, and a few findings end to end. How well it reads is measured by `notes evaluate`."""
import numpy as np
import pytest

from service.note_training import digest
from service.notes_cli import devset
from service.rules import encoder, semantic
from service.rules.notes import read_note, sentences


@pytest.fixture(scope="module")
def model():
    return encoder.encoder()


def vector(model, text):
    return model.sentences(text, [(0, len(text))])[0]


def test_the_encoder_is_the_one_the_classifier_learnt_from_and_fits_in_the_repository(model):
    assert model.sha256 == semantic.classifier().encoder_sha256
    assert encoder.MODEL.stat().st_size < 30 * 1024 * 1024


def test_alike_sentences_lie_closer_than_unlike_ones(model):
    lips, mouth, dog = (vector(model, t) for t in
                        ("my lips are swollen", "my mouth is all puffed up", "walked the dog after lunch"))
    assert lips @ mouth > lips @ dog + 0.2
    assert np.linalg.norm(lips) == pytest.approx(1.0, abs=1e-5)


def test_every_sentence_of_a_note_longer_than_the_window_gets_its_vector(model):
    note = "Took my dose and walked the dog in the park with my sister. " * 60
    spans = sentences(note)
    vectors = model.sentences(note, spans)
    assert len(spans) == 60 and vectors.shape == (60, encoder.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_sentence_without_a_word_gets_no_vector_and_no_match(model):
    note = "Fine today.   "
    spans = [(0, 11), (11, 14)]
    assert not model.sentences(note, spans)[1].any()
    assert semantic.classify(note, spans, [(0.0,) * 5] * 2)[1] == []


def test_a_file_that_is_not_the_model_is_refused(tmp_path):
    with pytest.raises(encoder.ModelUnavailable, match="not the encoder the note classifier was trained with"):
        encoder.Encoder(encoder.MODEL, expected_sha256="0" * 64)
    with pytest.raises(encoder.ModelUnavailable, match="no note model"):
        encoder.Encoder(tmp_path / "missing.onnx")


def test_the_classifier_was_trained_on_the_train_split_as_it_is_now():
    loader = devset()
    notes = loader.load()
    trained = semantic.classifier()
    assert trained.trained_on == digest(loader.select(notes, "train")), (
        "the development set's train split changed: run `flask --app service notes train`")
    held_out = {n.note.strip() for n in loader.select(notes, "heldout")}
    assert not held_out & set(trained.bank_text), "a held-out note is among the classifier's examples"
    assert trained.signs == loader.SIGNS and len(trained.thresholds) == len(loader.SIGNS)


@pytest.mark.parametrize("text, code", [
    ("Woke up on the kitchen floor with a bitten tongue and had wet myself", "seizure"),
    ("I keep seeing little men in the corner of the room", "hallucinations"),
    ("tengo la lengua enorme", "swelling_face_lips_tongue"),
])
def test_an_indirect_description_is_found_with_the_example_it_was_like(text, code):
    found = {f.code: f for f in read_note(text)}
    assert code in found and found[code].layer == "semantic"
    assert found[code].words == text and found[code].example
    assert 0 < found[code].similarity <= 1


@pytest.mark.parametrize("text", [
    "had 2 beers, craving 6, took 25mg at lunch, slept fine",
    "face isn't swollen",
    "my brother had a seizure last year",
])
def test_an_ordinary_or_denied_note_is_left_alone(text):
    assert read_note(text) == ()


def test_a_note_is_read_whole_and_each_token_belongs_to_its_sentence():
    # ids and (start, end) offsets as the tokenizer gives them for "no fits. lost in my street"
    offsets = [(0, 2), (3, 7), (7, 8), (9, 13), (14, 16), (17, 19), (20, 26)]
    read = encoder.windows(range(7), offsets, [(0, 8), (8, 26)])
    assert read.ids == ((0, 1, 2, 3, 4, 5, 6),)
    assert read.sentence_of == ((0, 0, 0, 1, 1, 1, 1),)


def test_windows_end_at_a_sentence_and_a_sentence_longer_than_a_window_is_cut(monkeypatch):
    monkeypatch.setattr(encoder, "MAX_TOKENS", 4)
    offsets = [(n, n + 1) for n in range(11)]  # one character a token
    read = encoder.windows(range(11), offsets, [(0, 3), (3, 5), (5, 11)])
    assert read.ids == ((0, 1, 2), (3, 4), (5, 6, 7, 8), (9, 10))
    assert read.sentence_of == ((0, 0, 0), (1, 1), (2, 2, 2, 2), (2, 2))


def test_a_sentence_reads_differently_after_another(model):
    # read in the note, a sentence's vector carries what came before it
    alone = vector(model, "it came back last night")
    note = "The voices stopped in March. it came back last night"
    after = model.sentences(note, [(0, 28), (28, len(note))])[1]
    assert not np.allclose(alone, after, atol=1e-3)


@pytest.mark.parametrize("note", ["!!!", "...", "?", "😭😭😭", "10/10"])
def test_a_sentence_without_a_letter_is_not_read(model, note):
    assert not model.sentences(note, [(0, len(note))]).any()
    assert semantic.classify(note, [(0, len(note))], [(0.0,) * 5]) == [[]]
