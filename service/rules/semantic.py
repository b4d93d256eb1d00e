"""The note reader's semantic layer: each sentence of a note, compared with labelled examples.

A local sentence-embedding model (no network at run time) places each sentence near the labelled
examples it means the same as; a sentence close enough to an example of a sign, by that sign's
threshold, is a match. Pure: text in, matches out; the model is loaded once per process.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SemanticMatch:
    code: str  # a symptom code of the vocabulary
    similarity: float  # cosine similarity to the nearest labelled example of that sign
    example: str  # that example, for the clinician to compare


def classify(sentences: Sequence[str]) -> list[SemanticMatch | None]:
    """Return, for each sentence, the sign it most likely reports, or None."""
    return [None for _ in sentences]  # no model yet: the phrase layer alone reads notes
