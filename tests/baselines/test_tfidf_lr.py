"""tfidf-lr on real SST-2 sentences: better than the majority class, and exactly what a
hand-built scikit-learn pipeline with the same settings gives."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from nlptransfer.baselines import BASELINES, train_baseline
from tests.baselines.conftest import accuracy, majority


def test_beats_the_majority_class_and_equals_a_hand_built_pipeline(sst2):
    (texts, labels), (test_texts, gold) = sst2["train"], sst2["test"]
    fit = train_baseline(
        "tfidf-lr", (texts, labels), label_names=["negative", "positive"], test=sst2["test"], seed=3
    )
    ours = accuracy(fit.predictions["test"], gold)
    assert ours > majority(labels, gold) + 0.1

    by_hand = GridSearchCV(
        Pipeline(
            [
                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                ("lr", LogisticRegression(max_iter=1000, random_state=3)),
            ]
        ),
        {"lr__C": [0.01, 0.1, 1.0, 10.0, 100.0]},
        cv=StratifiedKFold(5, shuffle=True, random_state=3),
        scoring="accuracy",
    )
    with threadpool_limits(1):  # as fast as ours (BLAS threads only slow these small fits)
        by_hand.fit(texts, labels)
    assert fit.details["C"] == by_hand.best_params_["lr__C"]
    assert fit.predictions["test"] == by_hand.predict(test_texts).tolist()
    assert ours == accuracy(by_hand.predict(test_texts).tolist(), gold)
    n_features = len(by_hand.best_estimator_.named_steps["tfidf"].vocabulary_)
    assert fit.vocab_size == n_features and fit.trainable_parameters == n_features + 1
    assert fit.pretrained_rows is None and fit.train_seconds > 0


def test_takes_no_mode_and_no_tokenizer_and_refuses_unknown_options(sst2):
    tfidf = BASELINES.get("tfidf-lr")
    assert tfidf.modeless and not tfidf.uses_tokenizer and not tfidf.uses_vectors("none")
    with pytest.raises(ValueError, match=r"unknown option\(s\) C for the baseline 'tfidf-lr'"):
        train_baseline("tfidf-lr", sst2["train"], label_names=["n", "p"], C=1.0)


def test_a_class_with_one_example_skips_cross_validation():
    fit = train_baseline(
        "tfidf-lr",
        (["good", "great film", "fine film", "bad"], [1, 1, 1, 0]),
        label_names=["n", "p"],
        test=(["good"], [1]),
    )
    assert fit.details == {
        "C": 1.0,
        "cv_accuracy": None,
        "cv_folds": 0,
        "ngram_range": [1, 2],
        "sublinear_tf": True,
    }
