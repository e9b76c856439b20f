"""Run records shaped as the runner writes them, for the report's tests; the harness's tests are
skipped where its extra is not installed (the core install, `make test-core`)."""

from __future__ import annotations

import pytest

from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "scipy", "yaml", "matplotlib")


def make_record(dataset, mode, seed, accuracy, vectors="glove.txt", fold=None, variant=None):
    """A finished run's record with the fields the statistics and the report read."""
    return {
        "variant": variant,
        "run_id": f"{dataset}-{mode}-{seed}-{vectors}",
        "dataset": {"name": dataset},
        "vectors": vectors,
        "model": "cnn",
        "mode": mode,
        "seed": seed,
        "fold": fold,
        "train_fraction": 1.0,
        "train_examples": 100,
        "metrics": {"test": {"accuracy": accuracy, "macro_f1": accuracy - 0.01}},
        "timings": {"train_seconds": 2.0, "vectors_load_seconds": 0.5},
        "peak_memory_mb": 300.0,
        "trainable_parameters": 1000,
    }


FROZEN = [0.80, 0.81, 0.79, 0.82, 0.80]
TUNED = [0.83, 0.84, 0.82, 0.85, 0.83]
RANDOM = [0.75, 0.74, 0.76, 0.75, 0.73]


@pytest.fixture
def record():
    """:func:`make_record`, for a test to build its own runs."""
    return make_record


@pytest.fixture
def records():
    """SST-2 runs of three modes over five seeds: fine-tuned is frozen + 3 points on each."""
    out = []
    for seed in range(5):
        out.append(make_record("sst2", "frozen", seed, FROZEN[seed]))
        out.append(make_record("sst2", "finetune", seed, TUNED[seed]))
        out.append(make_record("sst2", "random", seed, RANDOM[seed]))
    return out
