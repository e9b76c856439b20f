"""``compare``'s figures: each system's accuracy against its training time, and the learning curve.

Each figure is returned as PNG bytes (the HTML report inlines them) and written beside the
Markdown report under ``plots/``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from nlptransfer.bench.learning_curve import CurvePoint
from nlptransfer.bench.plots import _pyplot
from nlptransfer.bench.verdict import SystemResult


def _png(fig: object) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=100, format="png", bbox_inches="tight")  # type: ignore[attr-defined]
    return buffer.getvalue()


def systems_figure(systems: Sequence[SystemResult], recommended: str) -> bytes:
    """Horizontal bars: test accuracy with its 95% interval per system, training seconds noted."""
    plt = _pyplot()
    order = list(reversed(systems))  # most accurate on top
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(order) + 1.2))
    means = np.array([s.accuracy_mean for s in order])
    errors = np.array(
        [
            [s.accuracy_mean - s.accuracy_ci95[0] for s in order],
            [s.accuracy_ci95[1] - s.accuracy_mean for s in order],
        ]
    )
    colors = ["C2" if s.name == recommended else "C0" for s in order]
    ax.barh(range(len(order)), means, xerr=errors, color=colors, capsize=3)
    ax.set_yticks(range(len(order)), [f"{s.name} ({s.train_seconds:.1f} s)" for s in order])
    low = float(min(s.accuracy_ci95[0] for s in order))
    high = float(max(s.accuracy_ci95[1] for s in order))
    ax.set_xlim(max(0.0, low - 5), min(100.0, high + 2))
    ax.set_xlabel("test accuracy % (mean over seeds, 95% interval); green: recommended")
    fig.tight_layout()
    data = _png(fig)
    plt.close(fig)
    return data


def curve_figure(points: Sequence[CurvePoint]) -> bytes:
    """Frozen and fine-tuned CNN accuracy against the number of training examples."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.array([p.train_examples for p in points])
    for label, mean, ci in (
        ("cnn-frozen", [p.frozen for p in points], [p.frozen_ci95 for p in points]),
        ("cnn-finetune", [p.finetune for p in points], [p.finetune_ci95 for p in points]),
    ):
        ax.plot(x, mean, marker="o", label=label)
        ax.fill_between(x, [c[0] for c in ci], [c[1] for c in ci], alpha=0.15)
    ax.set_xscale("log")
    ax.set_xlabel("training examples")
    ax.set_ylabel("test accuracy % (95% interval)")
    ax.set_title("frozen or fine-tuned, as the training set grows")
    ax.legend(fontsize=8)
    fig.tight_layout()
    data = _png(fig)
    plt.close(fig)
    return data
