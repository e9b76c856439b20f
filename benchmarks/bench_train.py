"""Training throughput: nlptransfer's Kim CNN against the same model written as tutorials write it.

Both sides train Kim's CNN (windows 3/4/5 x 100 maps, four padding tokens on each side of a
sentence as in Kim's code, ReLU, max-over-time pooling, dropout 0.5, max-norm 3 on the output
layer) with Adam (lr 1e-3), batches of 50, on the same tokens (the
dataset's text split on whitespace), for the same number of epochs, with no dev evaluation in
between. What differs is the machinery:

* **ours**: ``nlptransfer.train_classifier`` -- the embedding holds only the training
  vocabulary's rows (pretrained vectors found through the fallback rules), token ids are
  computed once, and batches are bucketed by length.
* **reference**: a plain PyTorch loop as the tutorials write it -- the embedding covers the whole
  vectors file (``nn.Embedding.from_pretrained``) plus rows for training words it lacks, a
  ``DataLoader`` shuffles examples and its ``collate_fn`` pads each random batch to its longest
  sentence, and ``torch.optim.Adam`` steps every parameter, the full embedding matrix included.

Throughput is training sentences per second of training-loop time (data preparation, model
construction and evaluation excluded, for both). Each side first trains one untimed epoch on
1,000 sentences in each mode, so one-off costs of a process's first training fall on neither
side's timed runs. The runs are interleaved (for each seed and
mode: ours, then the reference, alternating which goes first), so a busy spell of a shared
machine falls on both alike. Test accuracy after the last epoch is reported for each, to show the
speed is not bought with accuracy.

Usage:
    .venv/bin/python benchmarks/bench_train.py [--dataset sst2] [--vectors PATH] [--epochs 5]
        [--seeds 0 1 2 3 4] [--modes frozen finetune] [--threads N] [--out benchmarks/results/train.md]

Needs ``NLPTRANSFER_DATA`` (default ``../shared/data``) for the dataset and the default vectors
(GloVe 6B 100d); exits with a message naming what is missing otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader

logger = logging.getLogger("bench_train")

ROOT = Path(__file__).resolve().parent.parent
MODES = ("frozen", "finetune")
GOAL = 2.0
BATCH_SIZE = 50
LR = 1e-3
WINDOWS = (3, 4, 5)
FILTERS = 100
#: Rows of words the vectors lack start at U[-OOV_SCALE, OOV_SCALE], on both sides (Kim's value).
OOV_SCALE = 0.25
#: Sentences in the untimed warm-up epoch each side runs before the timed runs.
WARMUP_SENTENCES = 1000


# -- the reference: Kim's CNN as a PyTorch tutorial writes it -------------------------------------
class TutorialCNN(nn.Module):
    """Embedding -> Conv1d per window -> ReLU -> max-pool -> dropout -> linear."""

    def __init__(self, embeddings: torch.Tensor, freeze: bool, num_classes: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding.from_pretrained(embeddings, freeze=freeze, padding_idx=0)
        dim = embeddings.shape[1]
        self.convs = nn.ModuleList(nn.Conv1d(dim, FILTERS, w) for w in WINDOWS)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(FILTERS * len(WINDOWS), num_classes)

    def forward(self, text: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(text).permute(0, 2, 1)
        pooled = [F.relu(conv(embedded)).max(dim=2).values for conv in self.convs]
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


@dataclass
class ReferenceData:
    """The reference's vocabulary (every vectors word, then the training words it lacks)."""

    stoi: dict[str, int]
    embeddings: torch.Tensor

    @classmethod
    def build(cls, vectors: Any, train_tokens: list[list[str]], seed: int) -> ReferenceData:
        stoi = {"<pad>": 0, "<unk>": 1}
        for word in vectors.words:
            stoi.setdefault(word, len(stoi))
        known = len(stoi)
        for tokens in train_tokens:
            for token in tokens:
                stoi.setdefault(token, len(stoi))
        generator = torch.Generator().manual_seed(seed)
        matrix = torch.empty(len(stoi), vectors.dim).uniform_(
            -OOV_SCALE, OOV_SCALE, generator=generator
        )
        matrix[0] = 0.0
        matrix[2:known] = torch.from_numpy(np.asarray(vectors.matrix, dtype=np.float32))
        return cls(stoi, matrix)

    def encode(self, tokens: list[str]) -> torch.Tensor:
        ids = [self.stoi.get(t, 1) for t in tokens] or [0]
        return torch.tensor(ids, dtype=torch.long)


def _collate(batch: list[tuple[torch.Tensor, int]]) -> tuple[torch.Tensor, torch.Tensor]:
    texts, labels = zip(*batch, strict=True)
    edge = max(WINDOWS) - 1  # Kim's padding on both sides, as our CNN's default does
    padded = pad_sequence([F.pad(t, (edge, edge)) for t in texts], batch_first=True)
    return padded, torch.tensor(labels)


def run_reference(
    data: ReferenceData,
    train: tuple[list[list[str]], list[int]],
    test: tuple[list[list[str]], list[int]],
    *,
    mode: str,
    epochs: int,
    seed: int,
    num_classes: int,
) -> dict[str, float]:
    torch.manual_seed(seed)
    model = TutorialCNN(data.embeddings.clone(), freeze=mode == "frozen", num_classes=num_classes)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR)
    examples = [(data.encode(t), y) for t, y in zip(*train, strict=True)]
    loader = DataLoader(examples, batch_size=BATCH_SIZE, shuffle=True, collate_fn=_collate)
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for text, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(text), labels)
            loss.backward()
            optimizer.step()
            with torch.no_grad():  # Kim's max-norm 3 on the output layer
                model.fc.weight.copy_(torch.renorm(model.fc.weight, 2, 0, 3.0))
    seconds = time.perf_counter() - started
    model.eval()
    correct = 0
    with torch.no_grad():
        test_examples = [(data.encode(t), y) for t, y in zip(*test, strict=True)]
        for text, labels in DataLoader(test_examples, batch_size=256, collate_fn=_collate):
            correct += int((model(text).argmax(dim=1) == labels).sum())
    return {
        "seconds": seconds,
        "sentences_per_second": len(examples) * epochs / seconds,
        "test_accuracy": correct / len(test[1]),
        "embedding_rows": data.embeddings.shape[0],
    }


# -- ours ----------------------------------------------------------------------------------------
def run_ours(
    vectors: Any,
    train: tuple[list[str], list[int]],
    test: tuple[list[str], list[int]],
    *,
    label_names: list[str],
    mode: str,
    epochs: int,
    seed: int,
) -> dict[str, float]:
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    config = TrainConfig(
        epochs=epochs,
        optimizer="adam",
        lr=LR,
        batch_size=BATCH_SIZE,
        patience=None,
        seed=seed,
        progress=False,
    )
    run = train_classifier(
        train,
        label_names=label_names,
        vectors=vectors,
        test=test,
        model="cnn",
        mode=mode,
        tokenizer="whitespace",
        oov={"name": "uniform", "scale": OOV_SCALE},  # the reference's (and Kim's) U[-0.25, 0.25]
        train_config=config,
    )
    return {
        "seconds": run.fit.train_seconds,
        "sentences_per_second": run.fit.examples_per_second,
        "test_accuracy": run.metrics["test"]["accuracy"],
        "embedding_rows": run.metrics["vocab_size"],
    }


# -- driver --------------------------------------------------------------------------------------
def _summary(results: list[dict[str, Any]], modes: list[str]) -> list[dict[str, Any]]:
    rows = []
    for mode in modes:
        row: dict[str, Any] = {"mode": mode}
        for impl in ("ours", "reference"):
            runs = [r for r in results if r["mode"] == mode and r["impl"] == impl]
            sentences = sum(r["sentences_per_second"] * r["seconds"] for r in runs)
            accuracies = [r["test_accuracy"] for r in runs]
            row[impl] = {
                "sentences_per_second": sentences / sum(r["seconds"] for r in runs),
                "test_accuracy_mean": float(np.mean(accuracies)),
                "test_accuracy_std": float(np.std(accuracies, ddof=1)) if len(runs) > 1 else 0.0,
                "embedding_rows": runs[0]["embedding_rows"],
            }
        row["speedup"] = (
            row["ours"]["sentences_per_second"] / row["reference"]["sentences_per_second"]
        )
        row["accuracy_difference"] = (
            row["ours"]["test_accuracy_mean"] - row["reference"]["test_accuracy_mean"]
        )
        rows.append(row)
    return rows


def _markdown(summary: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "# Training throughput: nlptransfer vs a tutorial-style PyTorch loop",
        "",
        f"Command: `{meta['command']}`  ",
        f"Dataset: {meta['dataset']} ({meta['train_examples']:,} training sentences), vectors "
        f"`{meta['vectors']}`, {meta['epochs']} epochs, seeds {meta['seeds']}, "
        f"{meta['threads']} torch thread(s); {meta['machine']}; {meta['finished_at']}.",
        "",
        "| mode | ours (sent/s) | reference (sent/s) | speed-up | goal | ours test acc | "
        "reference test acc | embedding rows (ours / reference) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary:
        ours, ref = row["ours"], row["reference"]
        lines.append(
            f"| {row['mode']} | {ours['sentences_per_second']:,.0f} | "
            f"{ref['sentences_per_second']:,.0f} | {row['speedup']:.2f}x | >= {GOAL:.0f}x | "
            f"{100 * ours['test_accuracy_mean']:.1f} ± {100 * ours['test_accuracy_std']:.1f} | "
            f"{100 * ref['test_accuracy_mean']:.1f} ± {100 * ref['test_accuracy_std']:.1f} | "
            f"{ours['embedding_rows']:,} / {ref['embedding_rows']:,} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_home = Path(os.environ.get("NLPTRANSFER_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--dataset", default="sst2")
    parser.add_argument("--vectors", default=str(data_home / "vectors" / "glove.6B.100d.txt.gz"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "train.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("NLPTRANSFER_DATA", str(data_home))

    import nlptransfer
    from nlptransfer._util.files import atomic_output
    from nlptransfer.text.tokenize import get_tokenizer

    if not Path(args.vectors).exists() and "/" in args.vectors:
        logger.error("vectors file %s not found (set NLPTRANSFER_DATA or --vectors)", args.vectors)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    dataset = nlptransfer.load_dataset(args.dataset)
    label_names = dataset["train"].features["label"].names
    train = (list(dataset["train"]["text"]), list(dataset["train"]["label"]))
    test = (list(dataset["test"]["text"]), list(dataset["test"]["label"]))
    vectors = nlptransfer.load_vectors(args.vectors)
    tokenizer = get_tokenizer("whitespace")
    train_tokens = (tokenizer.tokenize_batch(train[0]), train[1])
    test_tokens = (tokenizer.tokenize_batch(test[0]), test[1])
    reference = ReferenceData.build(vectors, train_tokens[0], seed=0)

    def run(impl: str, mode: str, seed: int, epochs: int, rows: slice) -> dict[str, float]:
        """One training run of ``impl`` on the training sentences in ``rows``."""
        if impl == "ours":
            return run_ours(
                vectors,
                (train[0][rows], train[1][rows]),
                test,
                label_names=label_names,
                mode=mode,
                epochs=epochs,
                seed=seed,
            )
        return run_reference(
            reference,
            (train_tokens[0][rows], train_tokens[1][rows]),
            test_tokens,
            mode=mode,
            epochs=epochs,
            seed=seed,
            num_classes=len(label_names),
        )

    # One untimed epoch of each implementation and mode on a slice of the data first: the first
    # training in a process pays one-off costs (thread pools, allocator, kernel selection) that
    # would otherwise fall on whichever side happens to run first.
    for mode in args.modes:
        logger.info("warm-up: one epoch of each side, %s, %d sentences", mode, WARMUP_SENTENCES)
        for impl in ("ours", "reference"):
            run(impl, mode, seed=0, epochs=1, rows=slice(0, WARMUP_SENTENCES))

    results: list[dict[str, Any]] = []
    turn = 0
    for seed in args.seeds:
        for mode in args.modes:
            order = ("ours", "reference") if turn % 2 == 0 else ("reference", "ours")
            turn += 1
            for impl in order:
                outcome = run(impl, mode, seed=seed, epochs=args.epochs, rows=slice(None))
                results.append({"impl": impl, "mode": mode, "seed": seed, **outcome})
                logger.info(
                    "%-9s %-8s seed %d: %7.0f sentences/s, test accuracy %.4f",
                    impl,
                    mode,
                    seed,
                    outcome["sentences_per_second"],
                    outcome["test_accuracy"],
                )

    summary = _summary(results, args.modes)
    meta = {
        "command": shlex.join(["python", "benchmarks/bench_train.py", *(argv or sys.argv[1:])]),
        "dataset": args.dataset,
        "train_examples": len(train[1]),
        "vectors": Path(args.vectors).name,
        "epochs": args.epochs,
        "seeds": args.seeds,
        "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    text = _markdown(summary, meta)
    for path, content in (
        (args.out, text),
        (
            args.out.with_suffix(".json"),
            json.dumps({"meta": meta, "summary": summary, "runs": results}, indent=1) + "\n",
        ),
    ):
        with atomic_output(path) as tmp:
            tmp.write_text(content)
    print(text)
    missed = [row["mode"] for row in summary if row["speedup"] < GOAL]
    if missed:
        logger.warning("goal of %.0fx missed for: %s", GOAL, ", ".join(missed))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
