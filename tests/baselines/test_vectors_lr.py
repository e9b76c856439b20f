"""vectors-lr on real SST-2 sentences with GloVe 6B 50d: frozen features, a new classifier."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer.baselines import BASELINES, train_baseline
from nlptransfer.baselines.vectors_lr import mean_vectors
from nlptransfer.baselines.word_rows import pretrained_rows
from nlptransfer.text.tokenize import get_tokenizer
from tests.baselines.conftest import accuracy, majority


def test_beats_the_majority_class_with_the_grids_tokenizer(sst2, glove):
    (texts, labels), gold = sst2["train"], sst2["test"][1]
    fit = train_baseline(
        "vectors-lr",
        (texts, labels),
        label_names=["negative", "positive"],
        dev=sst2["dev"],
        test=sst2["test"],
        vectors=glove,
        tokenizer=get_tokenizer("whitespace"),
    )
    assert accuracy(fit.predictions["test"], gold) > majority(labels, gold) + 0.1
    assert len(fit.predictions["dev"]) == len(sst2["dev"][1])
    assert fit.trainable_parameters == glove.dim + 1  # binary: one row of coefficients
    assert 0.9 * fit.vocab_size < fit.pretrained_rows  # Kim's SST-2 is lowercased like GloVe
    assert fit.details["C"] in (0.01, 0.1, 1.0, 10.0, 100.0) and fit.details["cv_folds"] == 5


def test_features_are_the_mean_of_the_vectors_the_embedding_layers_would_find(glove):
    tokens = [["The", "movie", "qqqzxv"], ["qqqzxv"]]
    rows = pretrained_rows(glove, tokens)
    assert sorted(rows) == ["The", "movie"]  # "The" found lowercased, as the grid finds it
    features = mean_vectors(tokens, rows, glove.dim)
    assert np.allclose(features[0], (glove["the"] + glove["movie"]) / 2)
    assert not features[1].any()  # no word found: the zero vector


@pytest.mark.parametrize("mode", ["finetune", "random", "multichannel"])
def test_runs_frozen_only(sst2, glove, mode):
    with pytest.raises(ValueError, match=f"vectors-lr does not run in mode '{mode}'"):
        train_baseline(
            "vectors-lr", sst2["train"], label_names=["n", "p"], mode=mode, vectors=glove
        )
    assert list(BASELINES.get("vectors-lr").modes) == ["frozen"]


def test_needs_vectors(sst2):
    with pytest.raises(ValueError, match="vectors-lr in mode 'frozen' needs pretrained vectors"):
        train_baseline("vectors-lr", sst2["train"], label_names=["n", "p"])
