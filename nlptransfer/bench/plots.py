"""The report's figures (matplotlib, drawn off-screen, saved as PNG atomically).

- ``bars-VECTORS-MODEL.png``: test accuracy per dataset and mode, with 95% intervals;
- ``curve-DATASET-VECTORS-MODEL.png``: a learning curve, where a grid varies the training fraction;
- ``epochs-DATASET-VECTORS-MODEL.png``: mean dev and test accuracy by epoch (``track_test`` grids).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlptransfer._util.files import atomic_output
from nlptransfer.bench.summary import ModeSummary, arm_order

if TYPE_CHECKING:
    from nlptransfer.bench.epochs import EpochCurve


def slug(text: str) -> str:
    """``text`` safe as part of a file name (plots are named after datasets and vectors).

    >>> slug("glove.6B.100d.txt.gz"), slug("my vectors/v2")
    ('glove.6B.100d.txt.gz', 'my_vectors_v2')
    """
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def save_figure(fig: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG, atomically."""
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png", bbox_inches="tight")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_summaries(summaries: Sequence[ModeSummary], folder: Path) -> list[Path]:
    """Grouped bars with 95% CIs per vectors x model, and learning curves where fractions vary."""
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    groups: dict[tuple[str, str], list[ModeSummary]] = defaultdict(list)
    for s in summaries:
        groups[(s.vectors, s.model)].append(s)
    for (vectors, model), items in groups.items():
        full = [s for s in items if s.train_fraction == max(x.train_fraction for x in items)]
        datasets = sorted({s.dataset for s in full})
        modes = arm_order(s.mode for s in full)
        fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(datasets), 4))
        width = 0.8 / max(len(modes), 1)
        for i, mode in enumerate(modes):
            xs, ys, es = [], [], []
            for j, d in enumerate(datasets):
                match = [s for s in full if s.dataset == d and s.mode == mode]
                if match:
                    xs.append(j + (i - (len(modes) - 1) / 2) * width)
                    ys.append(match[0].accuracy_mean)
                    es.append(match[0].accuracy_ci95)
            ax.bar(xs, ys, width, yerr=es, capsize=3, label=mode)
        ax.set_xticks(range(len(datasets)), datasets)
        ax.set_ylabel("test accuracy % (95% CI)")
        low = min((s.accuracy_mean - s.accuracy_ci95 for s in full), default=0)
        ax.set_ylim(
            max(0, low - 5),
            min(100, max((s.accuracy_mean + s.accuracy_ci95 for s in full), default=100) + 3),
        )
        ax.set_title(f"{model}, {vectors}")
        # beside the axes: with five or more modes a legend inside would cover the bars
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.tight_layout()
        path = folder / f"bars-{slug(vectors)}-{model}.png"
        save_figure(fig, path)
        plt.close(fig)
        written.append(path)
        for dataset in sorted({s.dataset for s in items}):
            curve = [s for s in items if s.dataset == dataset]
            if len({s.train_fraction for s in curve}) < 2:
                continue
            fig, ax = plt.subplots(figsize=(6, 4))
            for mode in arm_order(s.mode for s in curve):
                points = sorted(
                    (s.train_examples, s.accuracy_mean, s.accuracy_ci95)
                    for s in curve
                    if s.mode == mode
                )
                if points:
                    x, y, e = map(np.asarray, zip(*points, strict=True))
                    ax.plot(x, y, marker="o", label=mode)
                    ax.fill_between(x, y - e, y + e, alpha=0.15)
            ax.set_xscale("log")
            ax.set_xlabel("training examples")
            ax.set_ylabel("test accuracy % (95% CI)")
            ax.set_title(f"learning curve: {dataset}, {model}, {vectors}")
            ax.legend(fontsize=8)
            fig.tight_layout()
            path = folder / f"curve-{slug(dataset)}-{slug(vectors)}-{model}.png"
            save_figure(fig, path)
            plt.close(fig)
            written.append(path)
    return written


def plot_epoch_curves(curves: Sequence[EpochCurve], folder: Path) -> list[Path]:
    """One figure per cell: each mode's mean dev (dashed) and test (solid) accuracy by epoch."""
    plt = _pyplot()
    cells: dict[tuple[Any, ...], list[EpochCurve]] = defaultdict(list)
    for c in curves:
        cells[(c.dataset, c.vectors, c.model, c.train_fraction)].append(c)
    written = []
    for (dataset, vectors, model, _), items in cells.items():
        fig, ax = plt.subplots(figsize=(6, 4))
        for i, c in enumerate(items):
            epochs = np.arange(1, len(c.test_by_epoch) + 1)
            color = f"C{i}"
            ax.plot(epochs, c.test_by_epoch, marker="o", color=color, label=f"{c.mode} test")
            ax.plot(epochs, c.dev_by_epoch, linestyle="--", color=color, label=f"{c.mode} dev")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy % (mean over runs)")
        ax.set_title(f"by epoch: {dataset}, {model}, {vectors}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = folder / f"epochs-{slug(dataset)}-{slug(vectors)}-{model}.png"
        folder.mkdir(parents=True, exist_ok=True)
        save_figure(fig, path)
        plt.close(fig)
        written.append(path)
    return written
