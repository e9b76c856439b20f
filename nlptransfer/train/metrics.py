"""Classification metrics: accuracy, macro-F1 and the confusion matrix (numpy only).

Example:
    >>> m = classification_metrics([0, 1, 1, 0], [0, 1, 0, 0], num_classes=2)
    >>> m["accuracy"], round(m["macro_f1"], 4), m["confusion_matrix"]
    (0.75, 0.7333, [[2, 0], [1, 1]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion_matrix(gold: Sequence[int], predicted: Sequence[int], num_classes: int) -> np.ndarray:
    """``m[i, j]`` = how many examples of class ``i`` were predicted as ``j``."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(gold, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def classification_metrics(
    gold: Sequence[int], predicted: Sequence[int], num_classes: int
) -> dict[str, Any]:
    """Accuracy, macro-F1 (classes absent from both gold and predictions are left out of the
    mean), per-class F1 and the confusion matrix, as a JSON-ready dict."""
    matrix = confusion_matrix(gold, predicted, num_classes)
    total = int(matrix.sum())
    true_positive = np.diag(matrix).astype(np.float64)
    precision_den = matrix.sum(axis=0)
    recall_den = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(
            precision_den + recall_den > 0,
            2 * true_positive / (precision_den + recall_den),
            np.nan,
        )
    present = ~np.isnan(f1)
    return {
        "accuracy": float(true_positive.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "f1_per_class": [None if np.isnan(x) else float(x) for x in f1],
        "confusion_matrix": matrix.tolist(),
        "examples": total,
    }
