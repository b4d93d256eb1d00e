"""Sentence vectors on the CPU: a fine-tuned all-MiniLM-L6-v2 (Apache-2.0), int8, run by ONNX Runtime.

A note is read whole, in one pass, and each sentence's vector is the mean of its own tokens as the
model read them in the note: "the dark thoughts" after "a year ago" is not what it is after "since
last night". A note longer than the model's window is read in windows of whole sentences. Reading
the note as one sequence also costs less than reading its sentences side by side, padded to the
longest. The model is loaded once per process, on first use; nothing goes to the network.
"""
from __future__ import annotations

import hashlib
import threading
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODELS = Path(__file__).resolve().parent / "models"
# all-MiniLM-L6-v2, fine-tuned on the development set's notes by tests/notes/finetune.py, with
# int8 weights; its tokenizer is the base model's.
MODEL = MODELS / "note-encoder.int8.onnx"
TOKENIZER = MODELS / "all-MiniLM-L6-v2.tokenizer.json"
DIMENSIONS = 384
MAX_TOKENS = 254  # of one window; the model reads 256 with [CLS] and [SEP]
CLS, SEP = 101, 102  # the tokenizer's: the model was trained with them around each text


class ModelUnavailable(RuntimeError):
    """The model file is missing or is not the model the classifier was trained on."""


@dataclass(frozen=True)
class Windows:
    """A note's tokens as the model reads them: windows of at most MAX_TOKENS token ids, and for
    each token the index of the sentence it belongs to."""

    ids: tuple[tuple[int, ...], ...]
    sentence_of: tuple[tuple[int, ...], ...]
    sentences: int


def windows(ids: Sequence[int], offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> Windows:
    """Cut a note's tokens (ids, character offsets) into windows at sentence boundaries. A token
    belongs to the (start, end) span that holds its first character; a sentence longer than a
    window is cut where the window ends."""
    starts = [start for start, _ in spans]
    by_sentence: list[list[int]] = [[] for _ in spans]
    for token, (first, _) in zip(ids, offsets):
        n = bisect_right(starts, first) - 1
        if n >= 0 and first < spans[n][1]:
            by_sentence[n].append(token)
    cut: list[list[tuple[int, int]]] = [[]]
    for n, tokens in enumerate(by_sentence):
        if cut[-1] and len(cut[-1]) + len(tokens) > MAX_TOKENS:
            cut.append([])
        for token in tokens:
            if len(cut[-1]) == MAX_TOKENS:
                cut.append([])
            cut[-1].append((token, n))
    cut = [window for window in cut if window]
    return Windows(tuple(tuple(t for t, _ in w) for w in cut), tuple(tuple(n for _, n in w) for w in cut), len(spans))


def read_windows(tokenizer, text: str, spans: Sequence[tuple[int, int]]) -> Windows:
    """`text` tokenized whole, then cut into windows of its (start, end) sentences. A sentence
    without a letter ("!!!", "...", "?", a row of emoji) holds no word the model knows: it is not
    read, and gets no vector."""
    spans = [(start, end) if any(c.isalpha() for c in text[start:end]) else (start, start) for start, end in spans]
    encoded = tokenizer.encode(text, add_special_tokens=False)
    return windows(encoded.ids, encoded.offsets, spans)


class Encoder:
    @staticmethod
    def tokenizer_only():
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(TOKENIZER))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def __init__(self, model_path: Path | str, threads: int = 2, expected_sha256: str | None = None):
        import onnxruntime

        model_path = Path(model_path)
        if not model_path.is_file():
            raise ModelUnavailable(f"no note model at {model_path}")
        self.sha256 = hashlib.sha256(model_path.read_bytes()).hexdigest()
        if expected_sha256 and self.sha256 != expected_sha256:
            raise ModelUnavailable(f"{model_path} is not the encoder the note classifier was trained with "
                                   f"(sha256 {self.sha256}, expected {expected_sha256})")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # its warnings about unused initialisers are not ours to act on
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = self.tokenizer_only()

    def sentences(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """One unit vector per (start, end) span of `text`; a span without a token or a letter gets zeros."""
        read = read_windows(self.tokenizer, text, spans)
        if not read.ids:
            return np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        ids, mask = batch(read.ids)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0})[0]
        return pool(hidden, read)


def batch(windows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of each window between [CLS] and [SEP], padded to the longest; and the mask."""
    width = max(len(tokens) for tokens in windows) + 2
    ids = np.zeros((len(windows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, tokens in enumerate(windows):
        ids[row, : len(tokens) + 2] = [CLS, *tokens, SEP]
        mask[row, : len(tokens) + 2] = 1
    return ids, mask


def pool(hidden: np.ndarray, read: Windows) -> np.ndarray:
    """Each sentence's unit vector: the mean of its tokens' hidden states, [CLS] and [SEP] left out."""
    sums = np.zeros((read.sentences, hidden.shape[-1]), dtype=np.float32)
    counts = np.zeros(read.sentences, dtype=np.float32)
    for row, owners in enumerate(read.sentence_of):
        belongs = np.equal.outer(np.arange(read.sentences), owners).astype(np.float32)  # (sentences, tokens)
        sums += belongs @ hidden[row, 1 : len(owners) + 1]
        counts += belongs.sum(axis=1)
    had = counts > 0
    sums[had] /= counts[had, None]
    sums[had] /= np.linalg.norm(sums[had], axis=1, keepdims=True)
    return sums


_loaded: dict[tuple[str, int, str | None], Encoder] = {}
_lock = threading.Lock()


def encoder(model_path: Path | str | None = None, threads: int = 2, expected_sha256: str | None = None) -> Encoder:
    """The process's encoder for that file, loaded on first use."""
    key = (str(model_path or MODEL), threads, expected_sha256)
    if key not in _loaded:
        with _lock:
            if key not in _loaded:
                _loaded[key] = Encoder(key[0], threads, expected_sha256)
    return _loaded[key]
