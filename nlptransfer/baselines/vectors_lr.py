"""``vectors-lr``: the mean of the pretrained vectors of a text's tokens + logistic regression.

The literal "feature extraction" use of word vectors: fixed features, a new classifier on top
(C by cross-validation on the training set, after standardising each feature). Texts are split
with the grid's tokenizer and words found as its embedding layers find them; words the vectors
lack are left out of the mean, and a text with none of its words there gets the zero vector.
Mode ``frozen`` only.

Example:
    >>> import numpy as np
    >>> from nlptransfer import Vectors
    >>> from nlptransfer.baselines.base import BaselineData
    >>> from nlptransfer.text.tokenize import get_tokenizer
    >>> vectors = Vectors(["good", "bad"], np.array([[1.0, 0.0], [0.0, 1.0]], np.float32))
    >>> texts = ["good", "good good", "bad", "bad bad"] * 4
    >>> fit = train(BaselineData((texts, [1, 1, 0, 0] * 4), ["neg", "pos"], mode="frozen",
    ...                          test=(["good", "bad"], [1, 0]), vectors=vectors,
    ...                          tokenizer=get_tokenizer("whitespace"), options={"cv_folds": 2}))
    >>> fit.predictions["test"], fit.pretrained_rows
    ([1, 0], 2)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlptransfer._util.extras import require
from nlptransfer.baselines.base import BaselineData, BaselineFit
from nlptransfer.baselines.logistic import fit_with_cv, import_sklearn, linear_parameters
from nlptransfer.baselines.word_rows import pretrained_rows


def mean_vectors(
    token_lists: Sequence[Sequence[str]], rows: Mapping[str, np.ndarray], dim: int
) -> np.ndarray:
    """``[len(token_lists), dim]``: per text, the mean of its tokens' rows (zeros if none).

    >>> mean_vectors([["a", "b", "zzz"], []], {"a": np.ones(2), "b": np.zeros(2)}, 2).tolist()
    [[0.5, 0.5], [0.0, 0.0]]
    """
    out = np.zeros((len(token_lists), dim), dtype=np.float64)
    for i, tokens in enumerate(token_lists):
        found = [rows[t] for t in tokens if t in rows]
        if found:
            out[i] = np.mean(found, axis=0)
    return out


def scaler() -> Any:
    """The untrained feature scaling: ``StandardScaler``."""
    scale = require("sklearn.preprocessing", extra="bench", purpose="the vectors-lr baseline")
    return scale.StandardScaler()


def train(data: BaselineData) -> BaselineFit:
    """Fit on the mean vectors of ``data.train``, predict the dev and test splits."""
    if data.vectors is None or data.tokenizer is None:
        raise ValueError("vectors-lr needs pretrained vectors and a tokenizer")
    tokens = {"train": data.tokenizer.tokenize_batch(list(data.train[0]))}
    for name, split in data.splits().items():
        tokens[name] = data.tokenizer.tokenize_batch(list(split[0]))
    rows = pretrained_rows(data.vectors, (t for split in tokens.values() for t in split))
    features = {name: mean_vectors(t, rows, data.vectors.dim) for name, t in tokens.items()}
    import_sklearn()
    started = time.perf_counter()  # the fit, as a neural run's train_seconds times its epochs
    model, chosen = fit_with_cv(
        scaler,
        "scale",
        features["train"],
        list(data.train[1]),
        options=data.options,
        seed=data.seed,
    )
    seconds = time.perf_counter() - started
    predictions = {
        name: [int(p) for p in model.predict(features[name])] if len(features[name]) else []
        for name in data.splits()
    }
    return BaselineFit(
        predictions=predictions,
        train_seconds=round(seconds, 3),
        trainable_parameters=linear_parameters(model.named_steps["lr"]),
        vocab_size=len({t for split in tokens["train"] for t in split}),
        pretrained_rows=len(rows),
        details={**chosen, "features": f"mean of {data.vectors.dim}d pretrained vectors"},
    )
