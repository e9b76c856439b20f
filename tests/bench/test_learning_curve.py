"""Frozen against fine-tuned as the training set grows: the curve and where it crosses."""

from __future__ import annotations

from nlptransfer.bench.learning_curve import CurvePoint, crossing_sentence, learning_curve
from nlptransfer.bench.verdict import judge
from tests.bench.test_verdict import GOLD_BY_SEED, runs


def test_learning_curve_and_where_frozen_and_fine_tuned_cross():
    records = []
    for fraction, frozen, tuned in ((0.1, 0.75, 0.65), (0.3, 0.78, 0.80), (1.0, 0.80, 0.88)):
        records += runs("cnn", "frozen", frozen, 5.0, fraction=fraction, salt=7)
        records += runs("cnn", "finetune", tuned, 6.0, fraction=fraction, salt=7)
    points = learning_curve(records)
    assert [p.train_examples for p in points] == [100, 300, 1000]
    sentence = crossing_sentence(points)
    assert sentence.startswith("Frozen vectors lead with 100 training examples")
    assert "cross between 100 and 300 examples" in sentence
    # the verdict judges the full training set only
    assert judge(records, GOLD_BY_SEED, draws=100).systems[0].train_fraction == 1.0


def test_crossing_sentence_without_a_curve():
    assert crossing_sentence([]).startswith("No learning curve")
    point = CurvePoint(1.0, 10, 50.0, 40.0, (0, 1), (0, 1))
    assert "Frozen vectors lead at every training size" in crossing_sentence([point])
