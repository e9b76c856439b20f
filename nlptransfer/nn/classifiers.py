"""Text classifiers over a :class:`PretrainedEmbedding`: Kim's CNN, a BiLSTM, and NBoW.

All take ``ids`` ``[batch, time]`` (padding id 0) and return logits ``[batch, classes]``.
Build them by name with :func:`build_classifier` (the names are in
:data:`~nlptransfer.nn.names.CLASSIFIERS`, plugins' included); each records its options in
``config`` so a trained model folder can rebuild it.

Example:
    >>> import numpy as np, torch
    >>> from nlptransfer.nn.embedding import PretrainedEmbedding
    >>> emb = PretrainedEmbedding(np.random.rand(10, 8).astype("f"), np.ones(10, bool))
    >>> model = build_classifier("cnn", emb, num_classes=2, filters=4)
    >>> model(torch.tensor([[2, 3, 4], [5, 6, 0]])).shape
    torch.Size([2, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from nlptransfer.nn.embedding import PretrainedEmbedding
from nlptransfer.nn.lstm import bidirectional_lstm
from nlptransfer.nn.names import CLASSIFIERS
from nlptransfer.nn.window_max import window_max


class TextClassifier(nn.Module):
    """Base class: holds the embedding, the option record, and the weight constraints.

    The contract every classifier keeps, built-in or from a plugin: it is built as
    ``cls(embedding, num_classes, **options)``; ``forward(ids)`` maps token ids
    ``[batch, time]`` (padding id ``embedding.padding_idx``) to logits ``[batch, num_classes]``;
    ``config`` holds ``name``, ``num_classes`` and every option as JSON values, so that
    ``build_classifier(**config)``-style rebuilding gives the same architecture.

    Example:
        >>> import numpy as np, torch
        >>> from nlptransfer.nn.embedding import PretrainedEmbedding
        >>> class MeanLinear(TextClassifier):
        ...     name = "mean-linear"
        ...     def __init__(self, embedding, num_classes, *, scale=1.0):
        ...         super().__init__(embedding, num_classes, {"scale": scale})
        ...         self.out = nn.Linear(embedding.output_dim, num_classes)
        ...     def forward(self, ids):
        ...         return self.out(self.embedding(ids).mean(dim=1))
        >>> emb = PretrainedEmbedding(np.random.rand(10, 8).astype("f"), np.ones(10, bool))
        >>> model = MeanLinear(emb, 3)
        >>> model.config, model(torch.tensor([[2, 3]])).shape
        ({'name': 'mean-linear', 'num_classes': 3, 'scale': 1.0}, torch.Size([1, 3]))
    """

    name = "base"

    def __init__(
        self, embedding: PretrainedEmbedding, num_classes: int, options: dict[str, Any]
    ) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError(f"num_classes must be >= 2, got {num_classes}")
        self.embedding = embedding
        self.num_classes = num_classes
        self.config: dict[str, Any] = {"name": self.name, "num_classes": num_classes, **options}

    def apply_constraints(self) -> None:
        """Called by the trainer after every optimiser step (e.g. Kim's max-norm); no-op here."""


def _renorm_rows_(weight: torch.Tensor, max_norm: float) -> None:
    with torch.no_grad():
        norms = weight.norm(dim=1, keepdim=True).clamp(min=1e-12)
        weight.mul_(torch.clamp(max_norm / norms, max=1.0))


class KimCNN(TextClassifier):
    """Kim (2014): convolutions of several widths, ReLU, max-over-time pooling, dropout, softmax.

    With a multichannel embedding each filter is applied to both channels and the results are
    added, as in the paper. ``max_norm`` (Kim: 3) caps the L2 norm of the output layer's weight
    rows after every step. ``padding="wide"`` (the default, as in Kim's code) puts ``widest - 1``
    padding tokens on both sides of every sentence, so each word, the first and last included,
    is seen at every position of every filter (on SST-2 with frozen GloVe 100d it was worth
    about a point over ``"valid"``, which pads only sentences shorter than the widest filter).
    Either way each sentence is convolved as if it were alone (padding id 0 marks the end of a
    sentence): the padding its batch adds never enters the max, so predictions do not depend on
    which sentences share a batch.
    """

    name = "cnn"

    def __init__(
        self,
        embedding: PretrainedEmbedding,
        num_classes: int,
        *,
        windows: Sequence[int] = (3, 4, 5),
        filters: int = 100,
        dropout: float = 0.5,
        max_norm: float | None = 3.0,
        padding: str = "wide",
    ) -> None:
        if padding not in ("valid", "wide"):
            raise ValueError(f"padding must be 'valid' or 'wide', got {padding!r}")
        super().__init__(
            embedding,
            num_classes,
            {
                "windows": list(windows),
                "filters": filters,
                "dropout": dropout,
                "max_norm": max_norm,
                "padding": padding,
            },
        )
        in_dim = embedding.channel_dim if embedding.proj is None else embedding.output_dim
        self.windows = tuple(windows)
        self.convs = nn.ModuleList(nn.Conv1d(in_dim, filters, w, bias=False) for w in windows)
        self.conv_bias = nn.Parameter(torch.zeros(len(windows), filters))
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(filters * len(windows), num_classes)
        self.max_norm = max_norm
        self.padding = padding

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        widest = max(self.windows)
        pad = self.embedding.padding_idx
        # Each sentence is convolved as if alone: windows that reach into the padding its batch
        # adds are left out of the max, so a prediction does not depend on the batch it is in.
        lengths = (ids != pad).sum(dim=1)
        if self.padding == "wide":  # Kim's code: widest - 1 padding tokens on both sides
            ids = F.pad(ids, (widest - 1, widest - 1), value=pad)
            lengths = lengths + 2 * (widest - 1)
        if ids.shape[1] < widest:  # too short for the widest filter
            ids = F.pad(ids, (0, widest - ids.shape[1]), value=pad)
        lengths = lengths.clamp(min=widest)
        # The convolutions run once per distinct token of the batch (see window_max); a filter
        # applied to both channels of a multichannel embedding is, being linear, applied to
        # their sum.
        unique, inverse = torch.unique(ids, return_inverse=True)
        if self.embedding.proj is None:
            channels = self.embedding.forward_channels(unique)
            rows = channels[0] if len(channels) == 1 else channels[0] + channels[1]
        else:
            rows = self.embedding(unique)
        weights = [cast(nn.Conv1d, conv).weight for conv in self.convs]
        pooled = window_max(rows, inverse, weights, lengths)
        # max_t relu(x_t + b) == relu(max_t x_t + b): bias and ReLU after pooling give the same
        # features for a fraction of the work (one value per filter, not one per position).
        features = F.relu(pooled + self.conv_bias.flatten())
        return self.out(self.dropout(features))

    def apply_constraints(self) -> None:
        if self.max_norm:
            _renorm_rows_(self.out.weight, self.max_norm)


class BiLSTMClassifier(TextClassifier):
    """A bidirectional LSTM over each sentence's own tokens, max or mean pooled over them."""

    name = "bilstm"

    def __init__(
        self,
        embedding: PretrainedEmbedding,
        num_classes: int,
        *,
        hidden: int = 150,
        layers: int = 1,
        pooling: str = "max",
        dropout: float = 0.5,
    ) -> None:
        if pooling not in ("max", "mean"):
            raise ValueError(f"pooling must be 'max' or 'mean', got {pooling!r}")
        super().__init__(
            embedding,
            num_classes,
            {"hidden": hidden, "layers": layers, "pooling": pooling, "dropout": dropout},
        )
        self.lstm = nn.LSTM(
            embedding.output_dim,
            hidden,
            num_layers=layers,
            bidirectional=True,
            batch_first=True,
            dropout=dropout if layers > 1 else 0.0,
        )
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden, num_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = ids != self.embedding.padding_idx
        lengths = mask.sum(dim=1).clamp(min=1)
        embedded = self.dropout(self.embedding(ids))
        # what a packed nn.LSTM computes, 2x faster on CPU for long texts (nlptransfer.nn.lstm)
        output = bidirectional_lstm(self.lstm, embedded, lengths)
        valid = (
            torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None]
        ).unsqueeze(2)
        if self.pooling == "max":
            pooled = output.masked_fill(~valid, float("-inf")).amax(dim=1)
        else:
            pooled = (output * valid).sum(dim=1) / lengths.unsqueeze(1)
        return self.out(self.dropout(pooled))


class NBoWClassifier(TextClassifier):
    """Neural bag of words: the mean of the token embeddings, then an MLP (fastText-style)."""

    name = "nbow"

    def __init__(
        self,
        embedding: PretrainedEmbedding,
        num_classes: int,
        *,
        hidden: int | None = 100,
        dropout: float = 0.3,
    ) -> None:
        super().__init__(embedding, num_classes, {"hidden": hidden, "dropout": dropout})
        layers: list[nn.Module] = [nn.Dropout(dropout)]
        width = embedding.output_dim
        if hidden:
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, num_classes))
        self.mlp = nn.Sequential(*layers)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = (ids != self.embedding.padding_idx).unsqueeze(2).to(torch.float32)
        summed = (self.embedding(ids) * mask).sum(dim=1)
        return self.mlp(summed / mask.sum(dim=1).clamp(min=1.0))


def build_classifier(
    name: str, embedding: PretrainedEmbedding, num_classes: int, **options: Any
) -> TextClassifier:
    """Build a classifier by its name in :data:`~nlptransfer.nn.names.CLASSIFIERS`.

    The built-ins are ``cnn`` (Kim 2014), ``bilstm`` and ``nbow``; installed plugins add more
    (entry point group ``nlptransfer.classifiers``). Every builder is called as
    ``builder(embedding, num_classes, **options)`` and must return a :class:`TextClassifier`;
    its ``config["name"]`` is set to the registered name, so a model folder rebuilds it by name.

    Raises:
        UnknownNameError: no classifier has that name (a ``ValueError``; the message gives
            the close matches and every name).
        ValueError: an unknown option (the message lists the valid ones).
        TypeError: the builder returned something that is not a :class:`TextClassifier`.

    Example:
        >>> import numpy as np
        >>> emb = PretrainedEmbedding(np.random.rand(10, 8).astype("f"), np.ones(10, bool))
        >>> build_classifier("NBoW", emb, num_classes=3, hidden=None).config
        {'name': 'nbow', 'num_classes': 3, 'hidden': None, 'dropout': 0.3}
    """
    key = CLASSIFIERS.canonical(name)
    builder = CLASSIFIERS.get(key)
    try:
        model = builder(embedding, num_classes, **options)
    except TypeError as exc:
        import inspect

        valid = [
            p
            for p in inspect.signature(builder).parameters
            if p not in ("embedding", "num_classes", "self")
        ]
        raise ValueError(
            f"bad options for classifier {key!r} ({exc}); valid options: {valid}"
        ) from None
    if not isinstance(model, TextClassifier):
        raise TypeError(
            f"the classifier {key!r} (from {CLASSIFIERS.source(key)}) built a "
            f"{type(model).__name__}, not a nlptransfer.nn.classifiers.TextClassifier"
        )
    model.config["name"] = key
    return model
