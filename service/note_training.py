"""Teach the semantic layer from the development set's train split.

Each sentence of a note is an example. A note's labels say which signs it carries, not which of
its sentences carries them: a one-sentence note labels its sentence; in a longer note the sentence
the classifier scores highest for a sign is taken as the one that carries it (multiple-instance
learning, two rounds), and its other sentences teach nothing about that sign. Every sentence of a
note without the sign is an example of what the sign is not.

Thresholds are chosen for recall first, within a limit on false alarms: on the calibration notes
(a quarter of the train split the encoder was not fine-tuned on), scored by a classifier that
never saw them (five folds), each sign's threshold is as low as it can be while, all signs
together, at most `ALARMS` of the look-alike notes fire a rule they do not carry. The phrase
layer's own false alarms count in that share, as `notes evaluate` counts them.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from service.note_evaluation import LOOK_ALIKE_KINDS
from service.rules import encoder, semantic
from service.rules.catalogue import NOTE_SIGN_RULES
from service.rules.notes import read_phrases

# Of the look-alike notes, at most, the phrase layer's alarms included, on scores from classifiers
# that never saw them.
ALARMS = 0.15
# How those alarms are shared: a sign missed most dearly gets a larger share (weights; others 1).
# Suicidal thoughts have the most look-alikes ("dying for a smoke", "done with drinking"): on the
# calibration notes, 8 shares found 79 % of them where 3 found 64 %, and more signs in all (78 %, 76 %).
ALARM_SHARE = {"suicidal_thoughts": 8}
THRESHOLD_FLOOR = 0.05  # never lower: below it the classifier no longer tells a sign from chat
FOLDS = 5
HIDDEN = 64
L2 = 1e-4
STEPS = 300
RATE = 0.01


@dataclass
class Example:
    """A note of the train split, read: its sentences' vectors and what the phrase layer found."""

    note: str
    signs: frozenset[str]
    sentences: list[str]
    look_alike: bool  # a note without a sign, or one that looks like a sign it does not carry
    features: np.ndarray  # (sentences, features): what the classifier reads of each
    phrase_signs: frozenset[str]
    closed: np.ndarray  # (sentences, signs): where the reader would not take a semantic match

    @functools.cached_property  # read for every sign at every step of the threshold search
    def rules(self) -> frozenset[str]:
        """The rules the note's signs fire."""
        return frozenset(NOTE_SIGN_RULES[sign] for sign in self.signs)

    @functools.cached_property
    def phrase_rules(self) -> frozenset[str]:
        """The rules the phrase layer fires on its own."""
        return frozenset(NOTE_SIGN_RULES[sign] for sign in self.phrase_signs)


def read_examples(notes: Sequence, signs: Sequence[str],
                  progress: Callable[[int, int], None] | None = None) -> list[Example]:
    examples = []
    for done, dev in enumerate(notes, 1):
        reading = read_phrases(dev.note)
        features = semantic.features(semantic.vectors(dev.note, reading.spans), reading.shares())
        closed = np.array([[reading.closed_to(i, sign) for sign in signs] for i in range(len(reading.spans))])
        look_alike = not dev.signs or dev.kind in LOOK_ALIKE_KINDS
        examples.append(Example(dev.note, frozenset(dev.signs), [dev.note[a:b].strip() for a, b in reading.spans],
                                look_alike, features, frozenset(reading.found), closed))
        if progress and (done % 100 == 0 or done == len(notes)):
            progress(done, len(notes))
    return examples


def digest(notes: Sequence) -> str:
    """Names the train split a classifier learnt from: its notes and their signs."""
    lines = sorted(json.dumps([n.note, sorted(n.signs)], ensure_ascii=False) for n in notes)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _labels(examples: list[Example], signs: Sequence[str], model: semantic.Classifier | None):
    """Stack every sentence; label 1, 0, or -1 (teaches nothing) for each sign."""
    rows, labels = [], []
    for ex in examples:
        y = np.zeros((len(ex.sentences), len(signs)), dtype=np.int8)
        scores = model.scores(ex.features) if model is not None else None
        for k, sign in enumerate(signs):
            if sign not in ex.signs:
                continue
            if len(ex.sentences) == 1:
                y[0, k] = 1
            else:
                y[:, k] = -1
                if scores is not None:
                    y[int(np.argmax(scores[:, k])), k] = 1
        rows.append(ex.features)
        labels.append(y)
    return np.vstack(rows), np.vstack(labels)


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """One hidden layer, one output per sign, each sign's classes weighted to half its loss; Adam,
    full batch, from a fixed seed so the same examples give the same classifier."""
    rng = np.random.default_rng(0)
    n, d = x.shape
    k = y.shape[1]
    known = (y >= 0).astype(np.float32)
    target = (y == 1).astype(np.float32)
    positives = target.sum(axis=0).clip(min=1)
    negatives = (known - target).sum(axis=0).clip(min=1)
    weight = known * (target * (0.5 / positives) + (1 - target) * (0.5 / negatives))
    params = [rng.normal(0, np.sqrt(2 / d), (d, HIDDEN)).astype(np.float32), np.zeros(HIDDEN, np.float32),
              rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, k)).astype(np.float32), np.zeros(k, np.float32)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, STEPS + 1):
        w1, b1, w2, b2 = params
        hidden = np.maximum(x @ w1 + b1, 0)
        p = 1 / (1 + np.exp(-np.clip(hidden @ w2 + b2, -30, 30)))
        error = weight * (p - target)
        back = (error @ w2.T) * (hidden > 0)
        grads = [x.T @ back + L2 * w1, back.sum(axis=0), hidden.T @ error + L2 * w2, error.sum(axis=0)]
        for param, grad, (m, v) in zip(params, grads, moments):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= RATE * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return tuple(params)


def fit(examples: list[Example], signs: Sequence[str]) -> semantic.Classifier:
    """Train on the examples; thresholds 0.5 until `choose_thresholds`."""
    model = None
    for _ in range(3):  # single sentences first, then the best sentence of each longer note, twice
        x, y = _labels(examples, signs, model)
        layers = _fit(x, y)
        model = semantic.Classifier(tuple(signs), layers, np.full(len(signs), 0.5), np.zeros((0, x.shape[1])),
                                    np.zeros(0, np.int16), (), "")
    x, y = _labels(examples, signs, model)
    texts = [s for ex in examples for s in ex.sentences]
    chosen = [(row, k) for row, k in zip(*np.nonzero(y == 1))]
    vectors = x[:, : encoder.DIMENSIONS]
    return semantic.Classifier(
        tuple(signs), layers, model.thresholds, vectors[[row for row, _ in chosen]], np.array([k for _, k in chosen]),
        tuple(texts[row] for row, _ in chosen), "",
    )


def calibrates(note: str) -> bool:
    """Whether a train note is kept to choose the thresholds: a quarter of the split, by its text.
    The encoder is fine-tuned on the other notes only (tests/notes/finetune.py), so the scores the
    thresholds are chosen on come from vectors made for notes the encoder never saw."""
    return int(hashlib.sha1(("calibrate:" + note).encode()).hexdigest(), 16) % 4 == 0


def fold_of(note: str) -> int:
    return int(hashlib.sha1(("fold:" + note).encode()).hexdigest(), 16) % FOLDS


def held_out_scores(examples: list[Example], signs: Sequence[str]) -> list[np.ndarray]:
    """Each note's best score per sign over its sentences, from a classifier trained without the
    note's fold."""
    best: list[np.ndarray | None] = [None] * len(examples)
    for fold in range(FOLDS):
        inside = [ex for ex in examples if fold_of(ex.note) != fold]
        model = fit(inside, signs)
        for n, ex in enumerate(examples):
            if fold_of(ex.note) == fold:
                best[n] = np.where(ex.closed, 0, model.scores(ex.features)).max(axis=0)
    return best


def _thresholds(examples: list[Example], signs: Sequence[str], best: list[np.ndarray], quota: float) -> np.ndarray:
    """Per sign, the lowest threshold at which at most `quota` of the look-alike notes would fire
    its rule where they do not carry it and no phrase fired it already."""
    look_alikes = [n for n, ex in enumerate(examples) if ex.look_alike]
    thresholds = np.zeros(len(signs))
    for k, sign in enumerate(signs):
        allowed = int(quota * ALARM_SHARE.get(sign, 1) * len(look_alikes))
        rule = NOTE_SIGN_RULES[sign]
        scores = sorted((best[n][k] for n in look_alikes
                         if rule not in examples[n].rules | examples[n].phrase_rules), reverse=True)
        thresholds[k] = max(THRESHOLD_FLOOR, scores[allowed] + 1e-6 if allowed < len(scores) else 0)
    return thresholds


def _alarms(examples: list[Example], signs: Sequence[str], best: list[np.ndarray], thresholds: np.ndarray) -> float:
    """The share of look-alike notes that would fire a rule they do not carry, by a phrase or by the
    semantic layer: false alarms as `notes evaluate` counts them."""
    look_alikes = [n for n, ex in enumerate(examples) if ex.look_alike]
    raised = 0
    for n in look_alikes:
        ex = examples[n]
        fired = ex.phrase_rules | {NOTE_SIGN_RULES[sign] for k, sign in enumerate(signs) if best[n][k] >= thresholds[k]}
        raised += bool(fired - ex.rules)
    return raised / max(1, len(look_alikes))


def choose_thresholds(examples: list[Example], signs: Sequence[str], best: list[np.ndarray]) -> tuple[np.ndarray, dict]:
    """Each sign's threshold as low as it can go (recall first) while the look-alike notes, read by
    classifiers that never saw them, raise no more than ALARMS of false alarms in all, the phrase
    layer's included: a rule they do not carry."""
    low, high = 0.0, 1.0
    for _ in range(20):  # the largest share of the alarms for each sign that keeps the total
        quota = (low + high) / 2
        if _alarms(examples, signs, best, _thresholds(examples, signs, best, quota)) <= ALARMS:
            low = quota
        else:
            high = quota
    thresholds = _thresholds(examples, signs, best, low)
    report = {}
    for k, sign in enumerate(signs):
        carrying = [n for n, ex in enumerate(examples) if sign in ex.signs]
        by_phrases = [n for n in carrying if sign in examples[n].phrase_signs]
        found = sum(1 for n in carrying if sign in examples[n].phrase_signs or best[n][k] >= thresholds[k])
        report[sign] = {"threshold": round(float(thresholds[k]), 3), "notes": len(carrying), "found": found,
                        "phrases_alone": len(by_phrases)}
    report["false alarms"] = round(_alarms(examples, signs, best, thresholds), 3)
    return thresholds, report


def train(notes: Sequence, signs: Sequence[str], progress: Callable[[int, int], None] | None = None):
    """The classifier for the semantic layer, and a report of how its thresholds were chosen."""
    examples = read_examples(notes, signs, progress)
    best = held_out_scores(examples, signs)
    kept = [n for n, ex in enumerate(examples) if calibrates(ex.note)]
    thresholds, report = choose_thresholds([examples[n] for n in kept], signs, [best[n] for n in kept])
    model = fit(examples, signs)
    trained = semantic.Classifier(model.signs, model.layers, thresholds, model.bank, model.bank_signs,
                                  model.bank_text, digest(notes), semantic.current_encoder().sha256)
    return trained, report
