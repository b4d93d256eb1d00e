"""The note reader's semantic layer: each sentence of a note, scored for each sign.

A local sentence-embedding model (`encoder`, no network at run time) reads the note and gives
each sentence a vector; a small classifier, trained on the development set's train split, reads
it with ConText's shares of it and scores it for each sign; a score at or over that sign's
threshold is a match. The thresholds were chosen for recall first, within a limit on false alarms
(`service/note_training.py`). Pure: text in, matches out; model and classifier are loaded once per
process.
"""
from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.rules import encoder

CLASSIFIER = Path(__file__).resolve().parent / "models" / "note_classifier.npz"


@dataclass(frozen=True)
class SemanticMatch:
    code: str  # a symptom code of the vocabulary
    score: float  # the classifier's probability that the sentence reports the sign
    similarity: float  # cosine similarity to the nearest labelled example of that sign
    example: str  # that example, for the clinician to compare


@dataclass(frozen=True)
class Classifier:
    """A small network over a sentence's vector and ConText's shares of it: one hidden layer, then
    one probability per sign."""

    signs: tuple[str, ...]
    layers: tuple[np.ndarray, ...]  # hidden weights, hidden bias, output weights, output bias
    thresholds: np.ndarray  # (signs,)
    bank: np.ndarray  # (examples, dimensions): labelled sentences of the train split
    bank_signs: np.ndarray  # (examples,): the index of each example's sign
    bank_text: tuple[str, ...]
    trained_on: str  # digest of the train split it learnt from
    encoder_sha256: str = ""  # the encoder whose vectors it learnt: another one's would mislead it

    def scores(self, features: np.ndarray) -> np.ndarray:
        """(sentences, signs) probabilities; a sentence without tokens scores 0."""
        w1, b1, w2, b2 = self.layers
        z = np.maximum(features @ w1 + b1, 0) @ w2 + b2
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        p[~features[:, : encoder.DIMENSIONS].any(axis=1)] = 0
        return p

    def nearest(self, vector: np.ndarray, sign: int) -> tuple[str, float]:
        mine = np.flatnonzero(self.bank_signs == sign)
        if not len(mine):
            return "", 0.0
        similarity = self.bank[mine].astype(np.float32) @ vector
        best = int(np.argmax(similarity))
        return self.bank_text[mine[best]], float(similarity[best])

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, **{f"layer{n}": layer.astype(np.float32) for n, layer in enumerate(self.layers)},
            thresholds=self.thresholds.astype(np.float32), bank=self.bank.astype(np.float16),
            bank_signs=self.bank_signs.astype(np.int16),
            meta=np.array(json.dumps({"signs": self.signs, "bank_text": self.bank_text, "trained_on": self.trained_on,
                                      "encoder_sha256": self.encoder_sha256}, ensure_ascii=False)),
        )

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path) as saved:
            meta = json.loads(str(saved["meta"]))
            layers = tuple(saved[f"layer{n}"] for n in range(4))
            return cls(tuple(meta["signs"]), layers, saved["thresholds"], saved["bank"],
                       saved["bank_signs"], tuple(meta["bank_text"]), meta["trained_on"], meta["encoder_sha256"])


def features(vectors: np.ndarray, shares: Sequence[Sequence[float]]) -> np.ndarray:
    """What the classifier reads of each sentence: its vector, then ConText's shares of it."""
    return np.hstack([vectors, np.asarray(shares, dtype=np.float32).reshape(len(vectors), -1)])


_settings: dict = {"model_path": None, "threads": 2, "classifier_path": CLASSIFIER}
_classifier: dict[Path, Classifier | None] = {}
_lock = threading.Lock()


def configure(model_path: str | Path | None = None, threads: int = 2, classifier_path: str | Path | None = None):
    """Where the model and classifier are; they load when a note first needs them."""
    _settings.update(model_path=model_path, threads=threads, classifier_path=Path(classifier_path or CLASSIFIER))
    _classify.cache_clear()


def classifier() -> Classifier | None:
    """The trained classifier, or None before one was trained."""
    path = _settings["classifier_path"]
    if path not in _classifier:
        with _lock:
            _classifier[path] = Classifier.load(path) if path.is_file() else None
    return _classifier[path]


def current_encoder(trained: Classifier | None = None) -> encoder.Encoder:
    """The encoder, checked against the one `trained` learnt from (none: whichever is set)."""
    expected = trained.encoder_sha256 if trained is not None else None
    return encoder.encoder(_settings["model_path"], _settings["threads"], expected)


def vectors(text: str, spans: Sequence[tuple[int, int]], trained: Classifier | None = None) -> np.ndarray:
    return current_encoder(trained).sentences(text, spans)


def classify(text: str, spans: Sequence[tuple[int, int]],
             shares: Sequence[Sequence[float]]) -> list[list[SemanticMatch]]:
    """For each (start, end) sentence of `text`, with ConText's shares of it (`Sentence.shares`),
    the signs it reports, most likely first."""
    if not spans:
        return []
    return list(_classify(text, tuple(map(tuple, spans)), tuple(map(tuple, shares))))


@functools.lru_cache(maxsize=4096)  # short notes recur ("slept badly"): read each once per process
def _classify(text: str, spans: tuple, shares: tuple) -> tuple[list[SemanticMatch], ...]:
    model = classifier()
    if model is None:
        return tuple([] for _ in spans)
    found = vectors(text, spans, model)
    scores = model.scores(features(found, shares))
    matches = []
    for n, row in enumerate(scores):
        over = [k for k in np.argsort(-row / model.thresholds) if row[k] >= model.thresholds[k]]
        matches.append([SemanticMatch(model.signs[k], float(row[k]), *reversed(model.nearest(found[n], k)))
                        for k in over])
    return tuple(matches)


def warm() -> None:
    """Load the model and classifier now, so the first note does not wait for them."""
    if classifier() is not None:
        classify("warm up.", [(0, 8)], [(0.0,) * 5])
