"""One grid run of a baseline: train it on the run's sample, score its predictions.

The runner (:func:`nlptransfer.bench.runner.execute_run`) hands over the same splits, training
sample, vectors and tokenizer a neural run gets; this returns the parts of the record that
depend on the model, with the same keys a neural run's record has (``best_epoch``,
``epochs_run`` and ``history`` are ``None``/empty: a baseline has no epochs to choose from).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlptransfer.baselines.base import BaselineData, Split
from nlptransfer.baselines.names import BASELINES
from nlptransfer.train.metrics import classification_metrics

if TYPE_CHECKING:
    from nlptransfer.bench.grid import RunSpec
    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors

#: The metrics a record keeps per split.
METRIC_KEYS = ("accuracy", "macro_f1", "confusion_matrix")


def baseline_outcome(
    spec: RunSpec,
    *,
    train: Split,
    dev: Split | None,
    test: Split | None,
    label_names: Sequence[str],
    vectors: Vectors | None,
    tokenizer: Tokenizer | None,
) -> dict[str, Any]:
    """Train the baseline ``spec.model`` and return its record's model-dependent fields."""
    baseline = BASELINES.get(spec.model)
    data = BaselineData(
        train=train,
        label_names=label_names,
        dev=dev,
        test=test,
        mode=spec.mode,
        seed=spec.seed,
        vectors=vectors,
        tokenizer=tokenizer if baseline.uses_tokenizer else None,
        options=spec.model_options,
    )
    fit = baseline.train(data)
    metrics = {}
    for name, split in data.splits().items():
        scores = classification_metrics(list(split[1]), fit.predictions[name], len(label_names))
        metrics[name] = {k: scores[k] for k in METRIC_KEYS}
    seconds = fit.train_seconds
    return {
        "metrics": metrics,
        "predictions": fit.predictions,
        "best_epoch": None,
        "epochs_run": None,
        "history": [],
        "tokenizer_used": data.tokenizer.config() if data.tokenizer is not None else None,
        "vocab_size": fit.vocab_size,
        "pretrained_rows": fit.pretrained_rows,
        "trainable_parameters": fit.trainable_parameters,
        "train_seconds": seconds,
        "train_examples_per_second": round(len(train[1]) / seconds, 1) if seconds > 0 else None,
        "baseline": fit.details,
    }
