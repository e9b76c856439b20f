"""Metrics against scikit-learn (installed with the dependencies) on real-looking label vectors."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from nlptransfer.train.metrics import classification_metrics


def test_matches_sklearn():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 6, 500)
    predicted = np.where(rng.random(500) < 0.7, gold, rng.integers(0, 6, 500))
    ours = classification_metrics(gold, predicted, 6)
    assert ours["accuracy"] == accuracy_score(gold, predicted)
    assert np.isclose(ours["macro_f1"], f1_score(gold, predicted, average="macro"))
    assert ours["confusion_matrix"] == confusion_matrix(gold, predicted, labels=range(6)).tolist()


def test_class_missing_everywhere_is_left_out_of_macro_f1():
    ours = classification_metrics([0, 1, 0], [0, 1, 1], 3)
    assert ours["f1_per_class"][2] is None
    assert np.isclose(ours["macro_f1"], f1_score([0, 1, 0], [0, 1, 1], average="macro"))
