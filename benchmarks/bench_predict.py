"""Predicting with a trained classifier: PyTorch against ONNX (float32) against ONNX int8.

For each classifier kind (Kim's CNN, the BiLSTM, NBoW), a model is trained on SST-2's training
sentences (GloVe 6B 50d, the offline package) into ``benchmarks/.work/predict/KIND``, or taken
from ``--folder``, and exported with ``export_onnx`` (float32 and int8). Then, over SST-2's test
set (1,821 sentences), in one process:

* **correctness first**: each backend's accuracy on the test set, the largest difference between
  the float ONNX model's probabilities and PyTorch's, and how many labels int8 keeps;
* **speed**: ``predict_proba`` called on batches of 1 and of 64 texts, text in, probabilities out
  (tokenizing included), the three backends interleaved batch by batch so a busy spell of a
  shared machine falls on all of them alike. Texts per second (the batch size over the time
  of the median call; the JSON also has texts over the summed time of all calls, which a busy
  machine's preemptions dominate) and latency per call, p50 and p99. PyTorch and onnxruntime both get
  ``--threads`` threads (default 1: a serving worker each).
* **memory**: a fresh interpreter per backend imports nlptransfer, loads the folder and predicts
  the whole test set in batches of 64, then reports its peak RSS (``VmHWM``) and its RSS after
  (``VmRSS``), and whether ``torch`` was imported; the same for an interpreter that only
  imports nlptransfer, for reference.

Usage:
    .venv/bin/python benchmarks/bench_predict.py [--kinds cnn bilstm nbow] [--threads 1]
        [--rounds 2] [--folder RUN] [--out benchmarks/results/predict.md]

Needs ``NLPTRANSFER_DATA`` (default ``../shared/data``) for Kim's SST-2 files, and the
``export`` extra (torch, onnx, onnxruntime).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import torch

from nlptransfer._util.files import atomic_output
from nlptransfer.deploy.backends import load_classifier
from nlptransfer.deploy.onnx_predictor import INT8_FILE, ONNX_FILE, load_onnx_classifier

logger = logging.getLogger("bench_predict")

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "predict"
BACKENDS = ("torch", "onnx", "onnx-int8")
BATCH_SIZES = (1, 64)
#: The classifier trained for each kind: (model, embedding mode, options).
KINDS = {
    "cnn": ("cnn", "finetune", {}),
    "bilstm": ("bilstm", "finetune", {}),
    "nbow": ("nbow", "finetune", {}),
}

MEMORY_PROBE = """
import json, sys
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
import nlptransfer
imported = status("VmRSS:")
if sys.argv[2] != "none":
    model = nlptransfer.load_classifier(sys.argv[1], backend=sys.argv[2])
    texts = json.loads(open(sys.argv[3]).read())
    for start in range(0, len(texts), 64):
        model.predict_proba(texts[start : start + 64])
print(json.dumps({"after_imports": imported, "rss": status("VmRSS:"), "peak": status("VmHWM:"),
                  "torch_imported": "torch" in sys.modules}))
"""


def read_kim(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, text = line.split(" ", 1)
        texts.append(text)
        labels.append(int(label))
    return texts, labels


def train(kind: str, data: Path, epochs: int) -> Path:
    """Train ``kind`` on SST-2 into the work folder (reused when already there)."""
    from nlptransfer import load_vectors
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    folder = WORK / kind
    if (folder / "model.safetensors").is_file():
        return folder
    model, mode, options = KINDS[kind]
    logger.info("training %s on SST-2 into %s", kind, folder)
    kim = data / "kim2014"
    train_classifier(
        read_kim(kim / "stsa.binary.train"),
        label_names=["negative", "positive"],
        vectors=load_vectors("glove-6b-50d"),
        dev=read_kim(kim / "stsa.binary.dev"),
        test=read_kim(kim / "stsa.binary.test"),
        model=model,
        mode=mode,
        tokenizer="whitespace",
        model_options=options,
        train_config=TrainConfig(epochs=epochs, optimizer="adam", lr=1e-3, seed=0, progress=False),
        out=folder,
        info={"dataset": {"name": "sst2"}},
    )
    return folder


def correctness(models: dict[str, Any], texts: list[str], gold: list[int]) -> dict[str, Any]:
    probs = {name: model.predict_proba(texts) for name, model in models.items()}
    y = np.asarray(gold)
    return {
        "accuracy": {name: float((p.argmax(1) == y).mean()) for name, p in probs.items()},
        "largest_difference_onnx": float(np.abs(probs["onnx"] - probs["torch"]).max()),
        "largest_difference_int8": float(np.abs(probs["onnx-int8"] - probs["torch"]).max()),
        "int8_label_agreement": float(
            (probs["onnx-int8"].argmax(1) == probs["torch"].argmax(1)).mean()
        ),
    }


def speed(
    models: dict[str, Any], texts: list[str], batch_size: int, rounds: int
) -> dict[str, dict[str, float]]:
    """Each backend's texts/s and per-call latency, calls interleaved across backends."""
    seconds: dict[str, list[float]] = {name: [] for name in models}
    batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
    for model in models.values():  # warm up: first calls allocate
        model.predict_proba(batches[0])
    for turn in range(rounds):
        for i, batch in enumerate(batches):
            names = list(models)
            shift = (i + turn) % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                models[name].predict_proba(batch)
                seconds[name].append(time.perf_counter() - started)
    out = {}
    for name, times in seconds.items():
        ms = 1000 * np.asarray(times)
        out[name] = {
            # from the median call: the sum of the calls is at the mercy of a busy machine's
            # preemptions (it is kept too, as texts_per_second_overall)
            "texts_per_second": batch_size / float(np.median(times)),
            "texts_per_second_overall": rounds * len(texts) / float(np.sum(times)),
            "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)),
            "calls": len(times),
        }
    return out


def memory(folder: Path, texts_file: Path) -> dict[str, dict[str, Any]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    out = {}
    for backend in ("none", *BACKENDS):
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, str(folder), backend, str(texts_file)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        out[backend] = json.loads(done.stdout)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--folder", type=Path, help="Benchmark this model folder instead.")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="Passes over the test set.")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "predict.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = Path(os.environ.get("NLPTRANSFER_DATA", ROOT.parent / "shared" / "data"))
    if not (data / "kim2014" / "stsa.binary.test").exists():
        logger.error("%s: Kim's SST-2 files not found (set NLPTRANSFER_DATA)", data)
        return 2
    texts, gold = read_kim(data / "kim2014" / "stsa.binary.test")
    torch.set_num_threads(args.threads)
    load_at_start = os.getloadavg()
    folders = (
        {"given": args.folder}
        if args.folder
        else {kind: train(kind, data, args.epochs) for kind in args.kinds}
    )
    WORK.mkdir(parents=True, exist_ok=True)
    texts_file = WORK / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    rows = []
    for kind, folder in folders.items():
        from nlptransfer.train.model_folder import load_classifier as load_torch

        pipeline = load_torch(folder)
        for quantize, name in ((None, ONNX_FILE), ("int8", INT8_FILE)):
            if not (folder / name).is_file():
                pipeline.export_onnx(folder, quantize=quantize)
        models = {
            "torch": load_classifier(folder),
            "onnx": load_onnx_classifier(folder, threads=args.threads),
            "onnx-int8": load_onnx_classifier(folder, file=INT8_FILE, threads=args.threads),
        }
        sizes = {
            "torch": (folder / "model.safetensors").stat().st_size,
            "onnx": (folder / ONNX_FILE).stat().st_size,
            "onnx-int8": (folder / INT8_FILE).stat().st_size,
        }
        check = correctness(models, texts, gold)
        logger.info("%s: %s", kind, check)
        timings = {b: speed(models, texts, b, args.rounds) for b in BATCH_SIZES}
        rss = memory(folder, texts_file)
        config = json.loads((folder / "config.json").read_text())
        rows.append(
            {
                "kind": kind,
                "classifier": config["classifier"],
                "embedding": config["embedding"]["mode"],
                "vocab_rows": config["embedding"]["rows"],
                "file_bytes": sizes,
                **check,
                "speed": {str(b): t for b, t in timings.items()},
                "memory": rss,
            }
        )
        for b, t in timings.items():
            logger.info(
                "%s batch %d: %s", kind, b, {n: round(v["texts_per_second"]) for n, v in t.items()}
            )
    meta = {
        "command": shlex.join(["python", "benchmarks/bench_predict.py", *(argv or sys.argv[1:])]),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
            f"onnxruntime {onnxruntime.__version__}, {args.threads} thread(s) each"
        ),
        "load_average": {"start": load_at_start, "end": os.getloadavg()},
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "texts": len(texts),
        "rounds": args.rounds,
    }
    text = report(meta, rows)
    with atomic_output(args.out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    with atomic_output(args.out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(text)
    return 0


def report(meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    mib = 2**20
    load = meta["load_average"]
    lines = [
        "# Predicting: PyTorch against ONNX against ONNX int8",
        "",
        f"Command: `{meta['command']}`  ",
        f"{meta['machine']}; {meta['finished_at']}. SST-2's test set ({meta['texts']} "
        f"sentences), {meta['rounds']} passes; `predict_proba` on batches of texts (tokenizing "
        "included), the backends interleaved call by call. Texts/s: the batch size over the "
        "median call's time (the JSON also has the texts over all calls' summed time).",
        "",
        f"**The machine was shared** with seven other sessions' work (load average "
        f"{load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at the end, on "
        f"{os.cpu_count()} CPUs): absolute numbers are low and noisy; compare the backends "
        "within a row, which ran side by side.",
        "",
        "## Correctness",
        "",
        "| model | accuracy torch | onnx | int8 | largest difference onnx | int8 | int8 labels kept "
        "| file torch | onnx | int8 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        acc, size = r["accuracy"], r["file_bytes"]
        lines.append(
            f"| {r['kind']} ({r['embedding']}, {r['vocab_rows']:,} rows) | {acc['torch']:.4f} "
            f"| {acc['onnx']:.4f} | {acc['onnx-int8']:.4f} | {r['largest_difference_onnx']:.1e} "
            f"| {r['largest_difference_int8']:.1e} | {100 * r['int8_label_agreement']:.2f}% "
            f"| {size['torch'] / mib:.1f} MiB | {size['onnx'] / mib:.1f} MiB "
            f"| {size['onnx-int8'] / mib:.1f} MiB |"
        )
    lines += [
        "",
        "## Speed",
        "",
        "| model | batch | torch texts/s | onnx | int8 | torch p50 / p99 (ms) | onnx | int8 "
        "| onnx speed-up | int8 speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for batch, t in r["speed"].items():
            tps = {n: t[n]["texts_per_second"] for n in BACKENDS}
            lat = {n: f"{t[n]['p50_ms']:.2f} / {t[n]['p99_ms']:.2f}" for n in BACKENDS}
            lines.append(
                f"| {r['kind']} | {batch} | {tps['torch']:,.0f} | {tps['onnx']:,.0f} "
                f"| {tps['onnx-int8']:,.0f} | {lat['torch']} | {lat['onnx']} | {lat['onnx-int8']} "
                f"| {tps['onnx'] / tps['torch']:.1f}x | {tps['onnx-int8'] / tps['torch']:.1f}x |"
            )
    lines += [
        "",
        "## Memory of a serving process",
        "",
        "A fresh interpreter per backend: import nlptransfer, load the folder, predict the test "
        "set in batches of 64. Peak RSS (`VmHWM`) and RSS after; `none` only imports nlptransfer.",
        "",
        "| model | none | torch peak / after | onnx | int8 | torch imported by onnx? |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        m = r["memory"]
        cell = {n: f"{m[n]['peak'] / mib:.0f} / {m[n]['rss'] / mib:.0f} MiB" for n in BACKENDS}
        torch_in = (
            "yes" if m["onnx"]["torch_imported"] or m["onnx-int8"]["torch_imported"] else "no"
        )
        lines.append(
            f"| {r['kind']} | {m['none']['peak'] / mib:.0f} MiB | {cell['torch']} | {cell['onnx']} "
            f"| {cell['onnx-int8']} | {torch_in} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
