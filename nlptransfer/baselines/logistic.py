"""Logistic regression with C chosen by cross-validation on the training set (scikit-learn).

``tfidf-lr`` and ``vectors-lr`` share it: a grid search over :data:`DEFAULT_CS` with stratified,
shuffled folds (seeded by the run's seed), scored by accuracy, then a refit on the whole training
set with the chosen C. Nothing of the dev or test split is seen. The fits run with one BLAS
thread: on problems this size, threads only add overhead (tens of times slower on a busy
machine), and a grid runs several runs at a time instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    estimator: Any,
    parameter: str,
    features: Any,
    labels: Sequence[int],
    *,
    options: Mapping[str, Any],
    seed: int,
) -> tuple[Any, dict[str, Any]]:
    """Fit ``estimator`` with ``parameter`` (its C) chosen by cross-validated accuracy.

    Returns the refit estimator and what was chosen: ``{"C": ..., "cv_accuracy": ...,
    "cv_folds": ...}`` (``cv_folds`` 0 when a class has a single example: C is then 1).
    """
    selection = require(
        "sklearn.model_selection", extra="bench", purpose="the logistic regression baselines"
    )
    cs = [float(c) for c in options.get("Cs", DEFAULT_CS)]
    counts = np.bincount(np.asarray(labels, dtype=np.int64))
    smallest = int(counts[counts > 0].min()) if counts.any() else 0
    folds = min(int(options.get("cv_folds", DEFAULT_FOLDS)), smallest)
    if folds < 2 or len(cs) == 1:
        chosen = cs[0] if len(cs) == 1 else 1.0
        estimator.set_params(**{parameter: chosen})
        with one_blas_thread():
            estimator.fit(features, labels)
        return estimator, {"C": chosen, "cv_accuracy": None, "cv_folds": 0}
    search = selection.GridSearchCV(
        estimator,
        {parameter: cs},
        cv=selection.StratifiedKFold(folds, shuffle=True, random_state=seed),
        scoring="accuracy",
        n_jobs=1,
        refit=True,
    )
    with one_blas_thread():
        search.fit(features, labels)
    chosen = float(search.best_params_[parameter])
    return search.best_estimator_, {
        "C": chosen,
        "cv_accuracy": round(float(search.best_score_), 4),
        "cv_folds": folds,
    }


def one_blas_thread() -> Any:
    """A context in which numpy's and scipy's BLAS and OpenMP use one thread."""
    threadpoolctl = require(
        "threadpoolctl", extra="bench", purpose="the logistic regression baselines"
    )
    return threadpoolctl.threadpool_limits(limits=1)


def linear_parameters(model: Any) -> int:
    """Coefficients plus intercepts of a fitted linear model."""
    return int(np.size(model.coef_) + np.size(model.intercept_))
