"""Test accuracy epoch by epoch, for grids run with ``train: {track_test: true}``.

Each run of such a grid records its test accuracy after every epoch (``test_accuracy`` in its
history) beside the dev accuracy that chose the epoch kept. Per grid cell and mode this gives:

- the test accuracy of the epoch kept (the best dev epoch), what the run reports;
- the *oracle*: each run's best test epoch, averaged. No rule for choosing the epoch can beat
  it, so a mean below a target says no choice of epoch reaches the target with this recipe;
- the mean dev and test accuracy after each epoch: where the two curves part, dev-based
  selection keeps epochs the test set does not reward.

Their figure is :func:`nlptransfer.bench.plots.plot_epoch_curves`.

Example:
    >>> run = {"dataset": {"name": "sst2"}, "vectors": "glove", "model": "cnn", "mode": "frozen",
    ...        "train_fraction": 1.0, "seed": 0, "best_epoch": 2,
    ...        "metrics": {"test": {"accuracy": 0.80}},
    ...        "history": [{"epoch": 1, "accuracy": 0.79, "test_accuracy": 0.82},
    ...                    {"epoch": 2, "accuracy": 0.81, "test_accuracy": 0.80}]}
    >>> [curve] = epoch_curves([run])
    >>> curve.kept_test_mean, curve.oracle_test_mean, curve.test_by_epoch
    (80.0, 82.0, [82.0, 80.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlptransfer.bench.summary import arm_order, group_cells, sort_key


@dataclass
class EpochCurve:
    """One cell and mode of a grid, over its runs that scored the test set every epoch."""

    dataset: str
    vectors: str
    model: str
    train_fraction: float
    mode: str
    n: int
    #: mean test accuracy (%) of the epoch each run kept (its best dev epoch)
    kept_test_mean: float
    #: mean over runs of the best test accuracy (%) any of its epochs reached
    oracle_test_mean: float
    #: mean (1-based) epoch of each run's best test accuracy
    oracle_epoch_mean: float
    #: mean dev / test accuracy (%) after each epoch, over the runs that reached it
    dev_by_epoch: list[float]
    test_by_epoch: list[float]


def tracks_test(record: dict[str, Any]) -> bool:
    """Whether a run scored the test set after every epoch."""
    history = record.get("history") or []
    return bool(history) and all("test_accuracy" in h for h in history)


def epoch_curves(records: Sequence[dict[str, Any]]) -> list[EpochCurve]:
    """An :class:`EpochCurve` for each cell and mode with runs that tracked the test set."""
    cells = group_cells([r for r in records if tracks_test(r)])
    return [
        _curve(*cell, mode, list(cells[cell][mode].values()))
        for cell in sorted(cells, key=sort_key)
        for mode in arm_order(cells[cell])
    ]


def _curve(dataset, vectors, model, fraction, mode, runs) -> EpochCurve:
    tests = [[100 * h["test_accuracy"] for h in r["history"]] for r in runs]
    devs = [[100 * h.get("accuracy", np.nan) for h in r["history"]] for r in runs]
    longest = max(len(t) for t in tests)
    return EpochCurve(
        dataset=dataset,
        vectors=vectors,
        model=model,
        train_fraction=fraction,
        mode=mode,
        n=len(runs),
        kept_test_mean=float(np.mean([100 * r["metrics"]["test"]["accuracy"] for r in runs])),
        oracle_test_mean=float(np.mean([max(t) for t in tests])),
        oracle_epoch_mean=float(np.mean([int(np.argmax(t)) + 1 for t in tests])),
        dev_by_epoch=[_mean_at(devs, e) for e in range(longest)],
        test_by_epoch=[_mean_at(tests, e) for e in range(longest)],
    )


def _mean_at(curves: list[list[float]], epoch: int) -> float:
    values = [c[epoch] for c in curves if len(c) > epoch and not np.isnan(c[epoch])]
    return float(np.mean(values)) if values else float("nan")


def epoch_tables(curves: Sequence[EpochCurve]) -> str:
    """Markdown: the kept epoch against the oracle, then the mean curves epoch by epoch."""
    if not curves:
        return ""
    lines = [
        "| dataset | vectors | model | mode | n | test at the epoch kept (best dev) "
        "| best test epoch of each run (oracle) | its mean epoch |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in curves:
        lines.append(
            f"| {c.dataset} | {c.vectors} | {c.model} | {c.mode} | {c.n} "
            f"| {c.kept_test_mean:.2f} | {c.oracle_test_mean:.2f} | {c.oracle_epoch_mean:.1f} |"
        )
    return "\n".join([*lines, "", by_epoch_table(curves)])


def by_epoch_table(curves: Sequence[EpochCurve]) -> str:
    """Markdown: each mode's mean dev / test accuracy after each epoch."""
    longest = max((len(c.test_by_epoch) for c in curves), default=0)
    lines = [
        "Mean accuracy (%) after each epoch, dev / test:",
        "",
        "| dataset | mode | " + " | ".join(str(e + 1) for e in range(longest)) + " |",
        "|---|---|" + "---|" * longest,
    ]
    for c in curves:
        cells = [
            f"{d:.1f} / {t:.1f}" if not np.isnan(t) else "-"
            for d, t in zip(c.dev_by_epoch, c.test_by_epoch, strict=True)
        ]
        cells += ["-"] * (longest - len(cells))
        lines.append(f"| {c.dataset} | {c.mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
