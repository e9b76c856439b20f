"""``tfidf-lr``: word 1-2 gram TF-IDF (sublinear tf) + logistic regression, C by cross-validation.

The TF-IDF features are scikit-learn's own (lowercased, its default word pattern), as a user of
it would build them; the vectorizer is refit inside each cross-validation fold, so the C chosen
never saw its fold's held-out rows. It uses no vectors and no embedding mode.

Example:
    >>> from nlptransfer.baselines.base import BaselineData
    >>> texts = ["a good film", "a great film", "a bad film", "an awful film"] * 4
    >>> fit = train(BaselineData((texts, [1, 1, 0, 0] * 4), ["neg", "pos"],
    ...                          test=(["good", "awful"], [1, 0]), options={"cv_folds": 2}))
    >>> fit.predictions["test"], fit.details["ngram_range"]
    ([1, 0], [1, 2])
"""

from __future__ import annotations

import time
from typing import Any

from nlptransfer._util.extras import require
from nlptransfer.baselines.base import BaselineData, BaselineFit
from nlptransfer.baselines.logistic import fit_with_cv, import_sklearn, linear_parameters

NGRAM_RANGE = (1, 2)


def vectorizer() -> Any:
    """The untrained features: ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``."""
    text = require(
        "sklearn.feature_extraction.text", extra="bench", purpose="the tfidf-lr baseline"
    )
    return text.TfidfVectorizer(ngram_range=NGRAM_RANGE, sublinear_tf=True)


def train(data: BaselineData) -> BaselineFit:
    """Fit on ``data.train`` (C by cross-validation), predict the dev and test splits."""
    texts, labels = list(data.train[0]), list(data.train[1])
    import_sklearn()
    started = time.perf_counter()
    model, chosen = fit_with_cv(
        vectorizer,
        "tfidf",
        texts,
        labels,
        options=data.options,
        seed=data.seed,
    )
    seconds = time.perf_counter() - started
    predictions = {
        name: [int(p) for p in model.predict(list(split[0]))] if len(split[0]) else []
        for name, split in data.splits().items()
    }
    return BaselineFit(
        predictions=predictions,
        train_seconds=round(seconds, 3),
        trainable_parameters=linear_parameters(model.named_steps["lr"]),
        vocab_size=len(model.named_steps["tfidf"].vocabulary_),
        details={**chosen, "ngram_range": list(NGRAM_RANGE), "sublinear_tf": True},
    )
