"""What every predictor of a model folder does the same way, whatever runs the model (numpy only).

:class:`TextPredictor` tokenizes, encodes, batches texts as the trainer does (sorted by length,
right-padded with id 0) and turns class probabilities into :class:`Prediction` records and
metrics. A subclass says how a batch of token ids becomes probabilities:
:class:`~nlptransfer.train.model_folder.TextClassifierPipeline` with PyTorch,
:class:`~nlptransfer.deploy.onnx_predictor.OnnxClassifier` with onnxruntime.

Example:
    >>> import numpy as np
    >>> from nlptransfer import Vocab, get_tokenizer
    >>> class Counts(TextPredictor):  # "positive" the more tokens a text has
    ...     def predict_batch(self, ids):
    ...         n = (ids != 0).sum(axis=1, keepdims=True)
    ...         return np.hstack([1 / (1 + n), n / (1 + n)]).astype(np.float32)
    >>> model = Counts(get_tokenizer("whitespace"), Vocab.build([["a", "b"]]), ["short", "long"])
    >>> [p.label for p in model.predict(["a", "a b a b"])]
    ['short', 'long']
    >>> model.evaluate(["a", "b a b"], ["short", "long"])["accuracy"]
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlptransfer._util.errors import DatasetError
from nlptransfer.text.tokenize import Tokenizer
from nlptransfer.text.vocab import Vocab
from nlptransfer.train.metrics import classification_metrics


@dataclass
class Prediction:
    """One prediction: the label, its probability, and every class's probability."""

    label: str
    probability: float
    probabilities: dict[str, float]


def pad_ids(sequences: Sequence[np.ndarray], pad: int = 0) -> np.ndarray:
    """Stack token-id arrays into ``[batch, longest]`` int64 (at least one column), right-padded.

    Example:
        >>> pad_ids([np.array([5, 6]), np.array([], np.int64)]).tolist()
        [[5, 6], [0, 0]]
    """
    longest = max((len(s) for s in sequences), default=0)
    out = np.full((len(sequences), max(longest, 1)), pad, dtype=np.int64)
    for i, seq in enumerate(sequences):
        out[i, : len(seq)] = seq
    return out


class TextPredictor:
    """Tokenizer + vocabulary + label names around a model that scores batches of token ids.

    Subclasses implement :meth:`predict_batch` (or override :meth:`predict_proba`).
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        vocab: Vocab,
        label_names: Sequence[str],
        *,
        info: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.vocab = vocab
        self.label_names = list(label_names)
        self.info = dict(info or {})
        self.metrics = dict(metrics or {})

    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Token ids of each text (computed once; reuse them across epochs)."""
        return [
            np.asarray(self.vocab.encode(tokens), dtype=np.int64)
            for tokens in self.tokenizer.tokenize_batch(texts)
        ]

    def predict_batch(self, ids: np.ndarray) -> np.ndarray:
        """Class probabilities ``[batch, classes]`` (float32) of right-padded ids ``[batch, time]``."""
        raise NotImplementedError

    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``[len(texts), classes]``, in the order of ``texts``.

        Texts are scored in batches of similar length (as the trainer evaluates), which
        changes nothing but the padding: every classifier ignores the padding its batch adds.
        """
        sequences = self.encode(texts)
        out = np.zeros((len(sequences), len(self.label_names)), dtype=np.float32)
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            out[index] = self.predict_batch(pad_ids([sequences[i] for i in index]))
        return out

    def predict(self, texts: Sequence[str] | str) -> list[Prediction]:
        """The most probable label of each text, with probabilities."""
        if isinstance(texts, str):
            texts = [texts]
        probs = self.predict_proba(list(texts))
        out = []
        for row in probs:
            best = int(row.argmax())
            out.append(
                Prediction(
                    label=self.label_names[best],
                    probability=float(row[best]),
                    probabilities={n: float(p) for n, p in zip(self.label_names, row, strict=True)},
                )
            )
        return out

    def evaluate(
        self, texts: Sequence[str], labels: Sequence[int] | Sequence[str], batch_size: int = 256
    ) -> dict[str, Any]:
        """Accuracy, macro-F1, per-class F1 and the confusion matrix on labelled texts.

        Args:
            texts: the texts.
            labels: their gold labels, as class ids or as names among :attr:`label_names`.
            batch_size: texts scored at a time.

        Returns:
            :func:`~nlptransfer.train.metrics.classification_metrics`' JSON-ready dict;
            rows of the confusion matrix are gold labels, columns predictions, both in the
            order of :attr:`label_names`.

        Raises:
            DatasetError: texts and labels differ in number, or a label is not the model's.
        """
        gold = self._label_ids(labels)
        if len(gold) != len(texts):
            raise DatasetError(f"expected a label for each of {len(texts)} texts, got {len(gold)}")
        predicted = self.predict_proba(list(texts), batch_size=batch_size).argmax(axis=1)
        return classification_metrics(gold, predicted.tolist(), len(self.label_names))

    def _label_ids(self, labels: Sequence[int] | Sequence[str]) -> list[int]:
        ids = {name: i for i, name in enumerate(self.label_names)}
        out = []
        for label in labels:
            if isinstance(label, str):
                if label not in ids:
                    raise DatasetError(
                        f"label {label!r} is not one of the model's labels {self.label_names}"
                    )
                out.append(ids[label])
            elif 0 <= int(label) < len(self.label_names):
                out.append(int(label))
            else:
                raise DatasetError(
                    f"label id {label} is out of range: the model has "
                    f"{len(self.label_names)} labels {self.label_names}"
                )
        return out
