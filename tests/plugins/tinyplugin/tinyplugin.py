"""A classifier nlptransfer finds through the entry point group ``nlptransfer.classifiers``.

It keeps the same build contract as the built-in classifiers: ``build(embedding, num_classes,
**options)`` returns a :class:`~nlptransfer.nn.classifiers.TextClassifier` whose ``config``
records its options, so a model folder can rebuild it by name.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nlptransfer.nn.classifiers import TextClassifier
from nlptransfer.nn.embedding import PretrainedEmbedding


class TinyClassifier(TextClassifier):
    """The mean of the token embeddings, scaled, then one linear layer."""

    name = "tiny"

    def __init__(
        self, embedding: PretrainedEmbedding, num_classes: int, *, scale: float = 1.0
    ) -> None:
        super().__init__(embedding, num_classes, {"scale": scale})
        self.scale = scale
        self.out = nn.Linear(embedding.output_dim, num_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = (ids != self.embedding.padding_idx).unsqueeze(2).to(torch.float32)
        mean = (self.embedding(ids) * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.out(mean * self.scale)


def build(embedding: PretrainedEmbedding, num_classes: int, **options: Any) -> TinyClassifier:
    """The entry point: what ``nlptransfer train --model tiny`` builds."""
    return TinyClassifier(embedding, num_classes, **options)
