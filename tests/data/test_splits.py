"""Stratified, seeded dev carving and k-fold cross-validation, on real label distributions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nlptransfer.data import load_dataset
from nlptransfer.data.readers import read_split
from nlptransfer.data.splits import (
    fold_split,
    stratified_folds,
    stratified_sample,
    stratified_split,
)
from nlptransfer.errors import DatasetError


@pytest.fixture(scope="module")
def trec_labels(shared_data):
    """TREC's real training labels: six classes from 86 (ABBR) to 1,250 (ENTY) rows."""
    split = read_split(shared_data / "kim2014" / "TREC.train.all")
    return np.array([int(label) for label in split.labels])


def test_dev_carving_keeps_class_proportions(trec_labels):
    rest, dev = stratified_split(trec_labels, 0.1, seed=0)
    assert len(dev) == round(0.1 * len(trec_labels))
    assert len(rest) + len(dev) == len(trec_labels)
    assert not set(rest) & set(dev)
    whole, carved = Counter(trec_labels.tolist()), Counter(trec_labels[dev].tolist())
    for label, count in whole.items():
        assert abs(carved[label] - 0.1 * count) <= 1, (label, carved[label], count)


def test_dev_carving_is_reproducible_by_seed(trec_labels):
    first = stratified_split(trec_labels, 0.1, seed=3)[1]
    again = stratified_split(trec_labels, 0.1, seed=3)[1]
    other = stratified_split(trec_labels, 0.1, seed=4)[1]
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.all(np.diff(first) > 0)  # sorted: rows keep their file order


def test_carving_leaves_every_class_in_the_rest():
    labels = [0] * 10 + [1]
    rest, carved = stratified_split(labels, 0.5, seed=0)
    assert 10 in rest and len(carved) == round(0.5 * 11)
    assert set(carved.tolist()) <= set(range(10))


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_fraction_out_of_range(fraction):
    with pytest.raises(DatasetError, match="between 0 and 1"):
        stratified_split([0, 1, 0, 1], fraction)


def test_kfold_partitions_and_stratifies(trec_labels):
    folds = stratified_folds(trec_labels, 10, seed=0)
    assert folds.shape == trec_labels.shape and set(folds.tolist()) == set(range(10))
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 1
    for label in np.unique(trec_labels):
        per_fold = np.bincount(folds[trec_labels == label], minlength=10)
        assert per_fold.max() - per_fold.min() <= 1, (label, per_fold)
    held = [fold_split(folds, k)[1] for k in range(10)]
    assert sorted(np.concatenate(held).tolist()) == list(range(len(trec_labels)))  # disjoint, cover
    rest, test = fold_split(folds, 3)
    assert not set(rest) & set(test) and len(rest) + len(test) == len(trec_labels)


def test_kfold_is_reproducible_by_seed(trec_labels):
    assert np.array_equal(
        stratified_folds(trec_labels, 10, seed=1), stratified_folds(trec_labels, 10, seed=1)
    )
    assert not np.array_equal(
        stratified_folds(trec_labels, 10, seed=1), stratified_folds(trec_labels, 10, seed=2)
    )


def test_kfold_arguments_checked():
    with pytest.raises(DatasetError, match="n_folds"):
        stratified_folds([0, 1, 0], 1)
    with pytest.raises(DatasetError, match="n_folds"):
        stratified_folds([0, 1, 0], 4)
    with pytest.raises(DatasetError, match=r"fold must be between 0 and 2, found 3"):
        fold_split(stratified_folds([0, 1, 0, 1, 0, 1], 3), 3)


def test_sample_keeps_proportions(trec_labels):
    rows = stratified_sample(trec_labels, 500, seed=0)
    assert len(rows) == 500 and len(set(rows.tolist())) == 500
    carved = Counter(trec_labels[rows].tolist())
    for label, count in Counter(trec_labels.tolist()).items():
        assert abs(carved[label] - 500 * count / len(trec_labels)) <= 1


def _check_folds_cover(shared_data, n_folds):
    """The k-fold protocol through load_dataset: test folds are disjoint and cover MR."""
    texts = read_split(shared_data / "kim2014" / "rt-polarity.all").texts
    repeated = {text for text, count in Counter(texts).items() if count > 1}
    held_out: Counter = Counter()
    for fold in range(n_folds):
        ds = load_dataset("mr", fold=fold, n_folds=n_folds)
        test = ds["test"]
        held_out += Counter(test["text"])
        assert ds["train"].num_rows + ds["dev"].num_rows + test.num_rows == 10662
        per_class = 5331 // n_folds
        assert all(count in (per_class, per_class + 1) for count in Counter(test["label"]).values())
        # dev comes out of this fold's training rows, never from its test rows
        assert not (set(ds["dev"]["text"]) & set(test["text"])) - repeated
        assert not (set(ds["train"]["text"]) & set(test["text"])) - repeated
    assert held_out == Counter(texts)


def test_mr_three_folds_cover_every_sentence_once(data_env):
    _check_folds_cover(data_env, 3)


@pytest.mark.slow
def test_mr_ten_folds_cover_every_sentence_once(data_env):
    _check_folds_cover(data_env, 10)
