"""The baselines on real data (Kim's SST-2 files in ../shared/data, GloVe 6B 50d from PyPI);
skipped where scikit-learn (the ``bench`` extra) is not installed. fastText's tests skip on
their own where the ``fasttext`` extra is missing."""

from __future__ import annotations

import pytest

from tests.conftest import read_kim, skip_unless_installed

skip_unless_installed("sklearn")


@pytest.fixture(scope="session")
def sst2(shared_file):
    """1,500 SST-2 training sentences, the dev and the test set."""
    return {
        "train": read_kim(shared_file("kim2014/stsa.binary.train"), 1500),
        "dev": read_kim(shared_file("kim2014/stsa.binary.dev")),
        "test": read_kim(shared_file("kim2014/stsa.binary.test")),
    }


@pytest.fixture(scope="session")
def glove():
    from nlptransfer import load_vectors

    return load_vectors("glove-6b-50d")


def accuracy(predicted, gold):
    return sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)


def majority(labels, gold):
    """The accuracy of always answering the training set's most frequent class."""
    top = max(set(labels), key=labels.count)
    return sum(g == top for g in gold) / len(gold)
