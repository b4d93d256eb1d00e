"""Sentence vectors on the CPU: a fine-tuned all-MiniLM-L6-v2 (Apache-2.0), int8, run by ONNX Runtime.

The sentences of a note are read together, in one batch, and each on its own: what one sentence
says does not colour the next. A sentence is the mean of its tokens' vectors. The model is loaded
once per process, on first use; nothing goes to the network.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODELS = Path(__file__).resolve().parent / "models"
# all-MiniLM-L6-v2's first four layers, fine-tuned on the development set's notes by
# tests/notes/finetune.py, with int8 weights; its tokenizer is the base model's.
MODEL = MODELS / "note-encoder.int8.onnx"
TOKENIZER = MODELS / "all-MiniLM-L6-v2.tokenizer.json"
DIMENSIONS = 384
MAX_TOKENS = 254  # of one sentence; the model reads 256 with [CLS] and [SEP]
CLS, SEP = 101, 102  # the tokenizer's: the model was trained with them around each text


class ModelUnavailable(RuntimeError):
    """The model file is missing or is not the model the classifier was trained on."""


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
        """One unit vector per (start, end) span of `text`; a span without a token gets zeros."""
        vectors = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        encoded = self.tokenizer.encode_batch([text[start:end] for start, end in spans], add_special_tokens=False)
        rows = [(n, e.ids[:MAX_TOKENS]) for n, e in enumerate(encoded) if e.ids]
        if not rows:
            return vectors
        ids, mask = batch([tokens for _, tokens in rows])
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0})[0]
        # The mean of the sentence's own tokens, without [CLS], [SEP] and padding.
        words = mask.copy()
        words[:, 0] = 0
        words[np.arange(len(rows)), mask.sum(axis=1) - 1] = 0
        pooled = (hidden * words[..., None]).sum(axis=1) / words.sum(axis=1, keepdims=True)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors[[n for n, _ in rows]] = pooled
        return vectors


def batch(sentences: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of each sentence between [CLS] and [SEP], padded to the longest; and the mask."""
    width = max(len(tokens) for tokens in sentences) + 2
    ids = np.zeros((len(sentences), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, tokens in enumerate(sentences):
        ids[row, : len(tokens) + 2] = [CLS, *tokens, SEP]
        mask[row, : len(tokens) + 2] = 1
    return ids, mask


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
