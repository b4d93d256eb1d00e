#!/usr/bin/env python3
"""Fine-tune the note reader's sentence encoder on the development set, and write it as int8 ONNX.

all-MiniLM-L6-v2 places sentences by topic: "my face isn't swollen" sits next to "my face is
swollen", and "I'm so done" far from anything about dying. Fine-tuned on the train split's notes
(those it does not keep to calibrate the thresholds: `note_training.calibrates`), it places them by
what the reader must tell apart. It learns the way the service reads: a note runs through the
model whole, each sentence is the mean of its tokens as read in the note, a head reads each
sentence with ConText's shares of it, and a note carries a sign when its best sentence does
(sentences ConText closes to a sign never count for it). The head is dropped; `flask --app service
notes train` then fits the service's classifier on the new vectors and chooses its thresholds on
the calibration notes.

Needs PyTorch (CPU) and transformers, which the service does not: run it from a separate venv with
`pip install torch transformers onnx onnxruntime -e .`, from the repository's root:

    VENV/bin/python tests/notes/finetune.py --base DIR_OF_all-MiniLM-L6-v2 [--epochs 8] [--layers N]

DIR is the sentence-transformers release of all-MiniLM-L6-v2 (config.json, model.safetensors).
Writes service/rules/models/note-encoder.int8.onnx and prints its sha256; the classifier trained next
records it.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service.note_training import calibrates  # noqa: E402
from service.notes_cli import devset  # noqa: E402
from service.rules import encoder as service_encoder  # noqa: E402
from service.rules.notes import read_phrases  # noqa: E402

OUT = ROOT / "service" / "rules" / "models" / "note-encoder.int8.onnx"
CLS, SEP = service_encoder.CLS, service_encoder.SEP


def prepare(notes, signs, tokenizer):
    """Each note as the model sees it: its windows of tokens, ConText's view of each sentence."""
    prepared = []
    for dev in notes:
        reading = read_phrases(dev.note)
        read = service_encoder.read_windows(tokenizer, dev.note, reading.spans)
        shares = np.array(reading.shares(), np.float32)
        closed = np.array([[reading.closed_to(i, s) for s in signs] for i in range(len(reading.spans))], bool)
        has_tokens = np.zeros(len(reading.spans), bool)
        has_tokens[[n for owners in read.sentence_of for n in owners]] = True
        closed |= ~has_tokens[:, None]  # no tokens: nothing to read
        labels = np.array([s in dev.signs for s in signs], np.float32)
        prepared.append((read, shares, closed, labels))
    return prepared


class Reader(torch.nn.Module):
    def __init__(self, base: Path, signs: int, layers: int | None = None):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        if layers:  # the first layers only: a shallower encoder reads a note in less time
            self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
            self.encoder.config.num_hidden_layers = layers
        self.head = torch.nn.Sequential(torch.nn.Linear(384 + 5, 64), torch.nn.ReLU(), torch.nn.Linear(64, signs))

    def forward(self, batch):
        """One logit per (note, sign): the best of the note's open sentences."""
        windows = [w for note in batch for w in (note[0].ids or ((0,),))]
        ids, mask = (torch.from_numpy(a) for a in service_encoder.batch(windows))
        hidden = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        logits, row = [], 0
        for read, shares, closed, _ in batch:
            # As service_encoder.pool: the mean of each sentence's tokens in the note's windows.
            sums = hidden.new_zeros((read.sentences, hidden.shape[-1]))
            counts = hidden.new_zeros(read.sentences)
            for owners in read.sentence_of:
                index = torch.tensor(owners, dtype=torch.long)
                sums = sums.index_add(0, index, hidden[row, 1 : len(owners) + 1])
                counts = counts.index_add(0, index, torch.ones(len(owners)))
                row += 1
            row += not read.ids  # the stand-in window of a note without a token
            pooled = torch.nn.functional.normalize(sums / counts.clamp(min=1)[:, None], dim=1)
            sentence_logits = self.head(torch.cat([pooled, torch.from_numpy(shares)], dim=1))
            logits.append(sentence_logits.masked_fill(torch.from_numpy(closed), -30.0).max(dim=0).values)
        return torch.stack(logits)


def auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def export(model: Reader, path: Path) -> str:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Hidden(torch.nn.Module):  # the encoder alone, called by name as the service calls it
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state

    model.eval()
    encoder = Hidden(model.encoder)
    sample = torch.tensor([[CLS, 2026, 2003, SEP]])
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "encoder.onnx"
        torch.onnx.export(
            encoder, (sample, torch.ones_like(sample), torch.zeros_like(sample)), str(plain),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "sequence"} for name in
                          ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
            opset_version=17, dynamo=False,
        )
        quantize_dynamic(str(plain), str(path), weight_type=QuantType.QInt8)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="all-MiniLM-L6-v2 (sentence-transformers release)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--layers", type=int, default=None, help="keep only the first N of its 6 layers")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--export-only", action="store_true", help="export the weights saved beside --out")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(2)

    loader = devset()
    train = loader.select(loader.load(), "train")
    tune = [n for n in train if not calibrates(n.note)]
    calibration = [n for n in train if calibrates(n.note)]
    signs = loader.SIGNS
    tokenizer = service_encoder.Encoder.tokenizer_only()
    tune_set, calibration_set = prepare(tune, signs, tokenizer), prepare(calibration, signs, tokenizer)
    print(f"tuning on {len(tune_set)} notes, {len(calibration_set)} kept to calibrate", file=sys.stderr)

    model = Reader(args.base, len(signs), args.layers)
    if args.export_only:
        model.load_state_dict(torch.load(args.out.with_suffix(".pt")))
        print(f"wrote {args.out}, sha256 {export(model, args.out)}")
        return
    labels = np.stack([p[3] for p in tune_set])
    pos_weight = torch.tensor((len(labels) - labels.sum(0)) / labels.sum(0).clip(min=1), dtype=torch.float32)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimiser = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": 4e-5},
        {"params": model.head.parameters(), "lr": 2e-3},
    ], weight_decay=0.01)
    batch_size = 16
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = list(range(len(tune_set)))
        random.shuffle(order)
        began, total = time.monotonic(), 0.0
        for at in range(0, len(order), batch_size):
            batch = [tune_set[i] for i in order[at : at + batch_size]]
            loss = loss_of(model(batch), torch.from_numpy(np.stack([b[3] for b in batch])))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss) * len(batch)
        model.eval()
        with torch.no_grad():
            scores = torch.cat([model(calibration_set[i : i + 32]) for i in range(0, len(calibration_set), 32)]).numpy()
        truth = np.stack([p[3] for p in calibration_set])
        aucs = [auc(scores[:, k], truth[:, k]) for k in range(len(signs))]
        print(f"epoch {epoch}: loss {total / len(order):.4f}, {time.monotonic() - began:.0f} s; calibration AUC "
              + " ".join(f"{s[:6]} {a:.3f}" for s, a in zip(signs, aucs)), file=sys.stderr)

    torch.save(model.state_dict(), args.out.with_suffix(".pt"))  # to export again without training again
    digest = export(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), sha256 {digest}")


if __name__ == "__main__":
    main()
