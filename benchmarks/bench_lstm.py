"""The BiLSTM classifier's LSTM: ``bidirectional_lstm`` against ``nn.LSTM`` over packed sequences.

Both compute the same thing (a bidirectional LSTM that sees each sentence's own tokens only):

* **packed**: ``pack_padded_sequence`` -> ``nn.LSTM(bidirectional=True)`` ->
  ``pad_packed_sequence``, as the BiLSTM classifier did before and as tutorials write it;
* **ours**: :func:`nlptransfer.nn.lstm.bidirectional_lstm` -- each direction over the padded
  batch, the backward one on each sentence reversed within its own length.

The batches are the trainer's: real sentence lengths (whitespace tokens; IMDB reviews cut at
256 tokens as ``configs/imdb.yaml`` cuts them) grouped by :func:`bucketed_order`, 50 a batch,
with random 100-dimensional inputs (GloVe 100d's width) and the classifier's 150 hidden units.
Each batch is timed forward and backward (max pooling, then a sum) with both implementations,
alternating which goes first; the table gives the median time per batch and the largest
difference between their outputs.

Usage:
    .venv/bin/python benchmarks/bench_lstm.py [--batches 30] [--threads 1 2]
        [--out benchmarks/results/lstm.md]

Needs ``NLPTRANSFER_DATA`` (default ``../shared/data``) for the IMDB and SST-2 files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import logging
import os
import platform
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nlptransfer._util.files import atomic_output
from nlptransfer.nn.lstm import bidirectional_lstm, packed_lstm
from nlptransfer.train.batching import bucketed_order

logger = logging.getLogger("bench_lstm")

ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZE, FEATURES, HIDDEN = 50, 100, 150


def imdb_lengths(data: Path, cap: int = 256) -> np.ndarray:
    with gzip.open(data / "imdb" / "train.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return np.array([min(len(row["text"].split()), cap) for row in csv.DictReader(f)])


def sst2_lengths(data: Path) -> np.ndarray:
    lines = (data / "kim2014" / "stsa.binary.train").read_text(encoding="utf-8").splitlines()
    return np.array([len(line.split()) - 1 for line in lines])  # less the label


def time_batches(lengths: np.ndarray, batches: int, threads: int, seed: int) -> dict[str, Any]:
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    lstm = nn.LSTM(FEATURES, HIDDEN, bidirectional=True, batch_first=True)
    groups = bucketed_order(lengths, BATCH_SIZE, rng)
    chosen = rng.choice(len(groups), size=min(batches, len(groups)), replace=False)
    seconds: dict[str, list[float]] = {"packed": [], "ours": []}
    largest_difference = 0.0
    for turn, g in enumerate(chosen):
        batch_lengths = torch.as_tensor(lengths[groups[g]])
        x = torch.randn(len(batch_lengths), int(batch_lengths.max()), FEATURES, requires_grad=True)
        outputs = {}
        order = ("packed", "ours") if turn % 2 == 0 else ("ours", "packed")
        for name in order:
            run = packed_lstm if name == "packed" else bidirectional_lstm
            started = time.perf_counter()
            output = run(lstm, x, batch_lengths)
            output.amax(dim=1).sum().backward()
            seconds[name].append(time.perf_counter() - started)
            outputs[name] = output.detach()
            lstm.zero_grad()
        largest_difference = max(
            largest_difference, float((outputs["packed"] - outputs["ours"]).abs().max())
        )
    packed_ms = 1000 * float(np.median(seconds["packed"]))
    ours_ms = 1000 * float(np.median(seconds["ours"]))
    return {
        "batches": len(chosen),
        "mean_length": float(lengths.mean()),
        "packed_ms": packed_ms,
        "ours_ms": ours_ms,
        "speedup": packed_ms / ours_ms,
        "largest_output_difference": largest_difference,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "lstm.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = Path(os.environ.get("NLPTRANSFER_DATA", ROOT.parent / "shared" / "data"))
    if not (data / "imdb" / "train.csv.gz").exists():
        logger.error("%s: IMDB files not found (set NLPTRANSFER_DATA)", data)
        return 2
    workloads = {
        "IMDB train (cut at 256)": imdb_lengths(data),
        "SST-2 train": sst2_lengths(data),
    }
    rows = []
    for name, lengths in workloads.items():
        for threads in args.threads:
            result = time_batches(lengths, args.batches, threads, seed=0)
            rows.append({"workload": name, "threads": threads, **result})
            logger.info(
                "%s, %d thread(s): packed %.1f ms, ours %.1f ms (%.2fx)",
                name,
                threads,
                result["packed_ms"],
                result["ours_ms"],
                result["speedup"],
            )
    meta = {
        "command": shlex.join(["python", "benchmarks/bench_lstm.py", *(argv or sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    lines = [
        "# BiLSTM: `bidirectional_lstm` against `nn.LSTM` over packed sequences",
        "",
        f"Command: `{meta['command']}`  ",
        f"{meta['machine']}; {meta['finished_at']}. Batches of {BATCH_SIZE} bucketed by length "
        f"as the trainer does, {FEATURES} input features, {HIDDEN} hidden units each way; "
        "median time of a forward and backward pass per batch.",
        "",
        "| workload | mean tokens | threads | batches | packed (ms) | ours (ms) | speed-up "
        "| largest output difference |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workload']} | {r['mean_length']:.0f} | {r['threads']} | {r['batches']} "
            f"| {r['packed_ms']:.1f} | {r['ours_ms']:.1f} | {r['speedup']:.2f}x "
            f"| {r['largest_output_difference']:.1e} |"
        )
    text = "\n".join(lines) + "\n"
    with atomic_output(args.out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    with atomic_output(args.out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
