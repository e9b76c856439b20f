"""Test accuracy by epoch: the statistics on hand-made records, the section on a real grid."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer.bench.epochs import epoch_curves, epoch_tables, tracks_test
from nlptransfer.bench.grid import expand_grid
from nlptransfer.bench.report import write_report
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.runner import run_grid
from nlptransfer.bench.schema import parse_bench_config


def record(mode, seed, dev, test, kept):
    """A run as the runner writes it: per-epoch dev/test accuracy, the kept (1-based) epoch."""
    return {
        "run_id": f"{mode}-{seed}",
        "dataset": {"name": "sst2"},
        "vectors": "/data/glove.6B.100d.txt.gz",
        "model": "cnn",
        "mode": mode,
        "variant": None,
        "seed": seed,
        "train_fraction": 1.0,
        "best_epoch": kept,
        "metrics": {"test": {"accuracy": test[kept - 1]}},
        "history": [
            {"epoch": i + 1, "accuracy": d, "test_accuracy": t}
            for i, (d, t) in enumerate(zip(dev, test, strict=True))
        ],
    }


def test_kept_oracle_and_per_epoch_means():
    records = [
        record("frozen", 0, dev=[0.70, 0.80, 0.75], test=[0.72, 0.74, 0.78], kept=2),
        # stopped early: it counts for the epochs it ran, not as a zero afterwards
        record("frozen", 1, dev=[0.78, 0.76], test=[0.80, 0.70], kept=1),
        record("finetune", 0, dev=[0.8, 0.9, 0.7], test=[0.85, 0.82, 0.81], kept=2),
    ]
    untracked = record("finetune", 1, dev=[0.9], test=[0.9], kept=1)
    for h in untracked["history"]:
        del h["test_accuracy"]
    assert not tracks_test(untracked)
    frozen, tuned = epoch_curves([*records, untracked])  # report order: frozen, then finetune
    assert (frozen.mode, frozen.n, tuned.mode, tuned.n) == ("frozen", 2, "finetune", 1)
    assert frozen.vectors == "glove.6B.100d.txt.gz"
    assert frozen.kept_test_mean == pytest.approx((74 + 80) / 2)
    assert frozen.oracle_test_mean == pytest.approx((78 + 80) / 2)
    assert frozen.oracle_epoch_mean == pytest.approx((3 + 1) / 2)
    np.testing.assert_allclose(frozen.test_by_epoch, [76, 72, 78])
    np.testing.assert_allclose(frozen.dev_by_epoch, [74, 78, 75])
    assert tuned.kept_test_mean == pytest.approx(82) and tuned.oracle_test_mean == pytest.approx(85)
    table = epoch_tables([frozen, tuned])
    assert "| sst2 | glove.6B.100d.txt.gz | cnn | frozen | 2 | 77.00 | 79.00 | 2.0 |" in table
    assert "| sst2 | finetune | 80.0 / 85.0 | 90.0 / 82.0 | 70.0 / 81.0 |" in table
    assert epoch_curves([untracked]) == [] and epoch_tables([]) == ""


GRID = """\
name: tiny-epochs
datasets: [sst2]
vectors: [glove-6b-50d]
models: [nbow]
modes: [frozen, finetune]
seeds: [0]
max_train_examples: 300
tokenizer: {name: whitespace}
train: {epochs: 3, optimizer: adam, lr: 0.01, batch_size: 50, patience: null, track_test: true}
"""


def test_a_grid_with_track_test_reports_test_accuracy_by_epoch(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    records = run_grid(
        expand_grid(parse_bench_config(GRID)), ResultsStore(tmp_path), progress=False
    )
    for r in records:
        assert len(r["history"]) == 3 and tracks_test(r)
        kept = r["history"][r["best_epoch"] - 1]
        assert kept["test_accuracy"] == r["metrics"]["test"]["accuracy"]
    report = write_report(tmp_path).read_text()
    assert "## Test accuracy by epoch" in report
    assert "| sst2 | glove-6b-50d | nbow | frozen | 1 |" in report
    assert (tmp_path / "plots" / "epochs-sst2-glove-6b-50d-nbow.png").stat().st_size > 1000
