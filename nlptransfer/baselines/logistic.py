"""Logistic regression with C chosen by cross-validation on the training set (scikit-learn).

``tfidf-lr`` and ``vectors-lr`` share it: a grid search over :data:`DEFAULT_CS` with stratified,
shuffled folds (seeded by the run's seed), scored by accuracy, then a refit on the whole training
set with the chosen C. Nothing of the dev or test split is seen. It gives what scikit-learn's
``GridSearchCV`` over ``Pipeline([features, LogisticRegression])`` gives (the same folds, scores
and choice, ties to the smaller C), but fits the features (a TF-IDF vectorizer, a scaler) once
per fold instead of once per fold and C: on SST-2, fitting the bigram vectorizer takes longer
than fitting the regression. The fits run with one BLAS thread: on problems this size threads
only add overhead (tens of times slower on a busy machine), and a grid runs several runs at a
time instead.

Example:
    >>> from sklearn.preprocessing import StandardScaler
    >>> x = np.array([[0.0], [0.2], [0.1], [1.0], [0.9], [1.2]])
    >>> model, chosen = fit_with_cv(StandardScaler, "scale", x, [0, 0, 0, 1, 1, 1],
    ...                             options={"cv_folds": 3}, seed=0)
    >>> model.predict(np.array([[0.05], [1.1]])).tolist(), chosen["cv_folds"]
    ([0, 1], 3)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nlptransfer._util.extras import require

#: The values of C tried (inverse regularisation strength), a decade apart.
DEFAULT_CS = (0.01, 0.1, 1.0, 10.0, 100.0)
#: Cross-validation folds on the training set (fewer when the smallest class has fewer rows).
DEFAULT_FOLDS = 5
#: The options ``tfidf-lr`` and ``vectors-lr`` take (a grid's ``model_options``).
OPTIONS = ("Cs", "cv_folds", "max_iter")


def logistic_regression(seed: int, max_iter: int = 1000) -> Any:
    """scikit-learn's ``LogisticRegression`` (lbfgs, multinomial for several classes)."""
    linear = require(
        "sklearn.linear_model", extra="bench", purpose="the logistic regression baselines"
    )
    return linear.LogisticRegression(max_iter=max_iter, random_state=seed)


def fit_with_cv(
    make_features: Callable[[], Any],
    features_name: str,
    inputs: Any,
    labels: Sequence[int],
    *,
    options: Mapping[str, Any],
    seed: int,
) -> tuple[Any, dict[str, Any]]:
    """``Pipeline([(features_name, make_features()), ("lr", LogisticRegression)])`` fit on
    ``inputs`` with C chosen by cross-validated accuracy.

    Returns the fitted pipeline and what was chosen: ``{"C": ..., "cv_accuracy": ...,
    "cv_folds": ...}`` (``cv_folds`` 0 when a class has a single example: C is then 1).
    """
    selection = require(
        "sklearn.model_selection", extra="bench", purpose="the logistic regression baselines"
    )
    pipeline = require(
        "sklearn.pipeline", extra="bench", purpose="the logistic regression baselines"
    )
    y = np.asarray(labels, dtype=np.int64)
    cs = [float(c) for c in options.get("Cs", DEFAULT_CS)]
    max_iter = int(options.get("max_iter", 1000))
    counts = np.bincount(y)
    smallest = int(counts[counts > 0].min()) if counts.any() else 0
    folds = min(int(options.get("cv_folds", DEFAULT_FOLDS)), smallest)
    chosen: dict[str, Any] = {
        "C": cs[0] if len(cs) == 1 else 1.0,
        "cv_accuracy": None,
        "cv_folds": 0,
    }
    with one_blas_thread():
        if folds >= 2 and len(cs) > 1:
            split = selection.StratifiedKFold(folds, shuffle=True, random_state=seed)
            scores = np.zeros((len(cs), folds))
            for fold, (train, held_out) in enumerate(split.split(np.zeros(len(y)), y)):
                features = make_features()
                x_train = features.fit_transform(_rows(inputs, train))
                x_held_out = features.transform(_rows(inputs, held_out))
                for i, c in enumerate(cs):
                    model = logistic_regression(seed, max_iter).set_params(C=c)
                    model.fit(x_train, y[train])
                    scores[i, fold] = np.mean(model.predict(x_held_out) == y[held_out])
            means = scores.mean(axis=1)
            best = int(np.argmax(means))  # the first of equal scores: the smaller C
            chosen = {"C": cs[best], "cv_accuracy": round(float(means[best]), 4), "cv_folds": folds}
        features = make_features()
        model = logistic_regression(seed, max_iter).set_params(C=chosen["C"])
        model.fit(features.fit_transform(_rows(inputs, np.arange(len(y)))), y)
    return pipeline.Pipeline([(features_name, features), ("lr", model)]), chosen


def _rows(inputs: Any, index: np.ndarray) -> Any:
    """Rows ``index`` of a matrix, or the items ``index`` of a list of texts."""
    if isinstance(inputs, np.ndarray):
        return inputs[index]
    return [inputs[i] for i in index]


def import_sklearn() -> None:
    """Import what :func:`fit_with_cv` uses, so a trainer's clock does not time the imports."""
    for module in (
        "sklearn.linear_model",
        "sklearn.model_selection",
        "sklearn.pipeline",
        "sklearn.feature_extraction.text",
        "sklearn.preprocessing",
    ):
        require(module, extra="bench", purpose="the logistic regression baselines")
    require("threadpoolctl", extra="bench", purpose="the logistic regression baselines")


def one_blas_thread() -> Any:
    """A context in which numpy's and scipy's BLAS and OpenMP use one thread."""
    threadpoolctl = require(
        "threadpoolctl", extra="bench", purpose="the logistic regression baselines"
    )
    return threadpoolctl.threadpool_limits(limits=1)


def linear_parameters(model: Any) -> int:
    """Coefficients plus intercepts of a fitted linear model."""
    return int(np.size(model.coef_) + np.size(model.intercept_))
