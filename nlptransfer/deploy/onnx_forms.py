"""Each classifier in the form :func:`~nlptransfer.deploy.onnx_export.export_onnx` traces:
the same function of the token ids, written with operators ONNX has.

- :class:`StaticEmbedding`: the embedding as the lookup tables it reads at inference (one per
  channel; rows with a pretrained vector taken from the pretrained copy under
  ``trainable_rows="oov"``; rows renormalised to ``max_norm`` as ``nn.Embedding`` does on lookup);
- :class:`ConvKimCNN`: Kim's CNN with ``conv1d`` over every position, windows that reach past a
  sentence masked out of the max, in place of :func:`~nlptransfer.nn.window_max.window_max`
  (which computes the same products once per distinct token through ``torch.unique`` and a
  custom autograd function, which ONNX has no operator for);
- the BiLSTM and NBoW as they are;
- :class:`Probabilities`: softmax on top.

``tests/deploy/test_onnx_export.py`` proves each equal to what it replaces.
"""

from __future__ import annotations

import copy
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from nlptransfer.nn.classifiers import KimCNN, TextClassifier
from nlptransfer.nn.embedding import PretrainedEmbedding


class StaticEmbedding(nn.Module):
    """A :class:`PretrainedEmbedding` as it reads at inference: fixed tables, one per channel.

    Args:
        embedding: the trained layer; its current tables are copied (renormalised to its
            ``max_norm``, if any, as each looked-up row would be).
    """

    def __init__(self, embedding: PretrainedEmbedding) -> None:
        super().__init__()
        tables = []
        for weight in embedding.channels:
            table = weight.detach().clone()
            if embedding.max_norm is not None:  # what F.embedding(max_norm=...) does to a row
                rows = torch.arange(table.shape[0])
                torch.embedding_renorm_(table, rows, embedding.max_norm, 2.0)
            tables.append(table)
        for i, table in enumerate(tables):
            self.register_buffer(f"table{i}", table)
        self.channel_count = len(tables)
        self.rows = int(tables[0].shape[0])
        self.proj = copy.deepcopy(embedding.proj)
        self.padding_idx = embedding.padding_idx
        self.channel_dim = embedding.channel_dim
        self.output_dim = embedding.output_dim

    def forward_channels(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """One ``[..., dim]`` tensor per channel, as :meth:`PretrainedEmbedding.forward_channels`."""
        return [F.embedding(ids, getattr(self, f"table{i}")) for i in range(self.channel_count)]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        channels = self.forward_channels(ids)
        out = channels[0] if len(channels) == 1 else torch.cat(channels, dim=-1)
        return self.proj(out) if self.proj is not None else out


class ConvKimCNN(nn.Module):
    """Kim's CNN (:class:`~nlptransfer.nn.classifiers.KimCNN`) with ``conv1d`` in place of
    :func:`~nlptransfer.nn.window_max.window_max`: the same function of the ids, written with
    ONNX operators (inference only: dropout is left out).

    Example:
        >>> import numpy as np
        >>> from nlptransfer.nn import PretrainedEmbedding, build_classifier
        >>> emb = PretrainedEmbedding(np.random.rand(9, 6).astype("f"), np.ones(9, bool))
        >>> cnn = build_classifier("cnn", emb, num_classes=3, filters=5).eval()
        >>> ids = torch.tensor([[3, 4, 5, 6, 7, 8], [2, 8, 0, 0, 0, 0]])
        >>> torch.allclose(ConvKimCNN(cnn)(ids), cnn(ids), atol=1e-6)
        True
    """

    def __init__(self, cnn: KimCNN) -> None:
        super().__init__()
        self.cnn = cnn

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        cnn = self.cnn
        embedding = cast(Any, cnn.embedding)  # a PretrainedEmbedding or a StaticEmbedding
        widest = max(cnn.windows)
        pad = embedding.padding_idx
        lengths = (ids != pad).sum(dim=1)
        if cnn.padding == "wide":
            ids = F.pad(ids, (widest - 1, widest - 1), value=pad)
            lengths = lengths + 2 * (widest - 1)
        # Always `widest` more columns of padding: no test on the (dynamic) length, and the
        # windows they add reach past every sentence's length, so they never enter the max.
        ids = F.pad(ids, (0, widest), value=pad)
        lengths = torch.clamp(lengths, min=widest).unsqueeze(1)
        if embedding.proj is None:
            channels = embedding.forward_channels(ids)
            x = channels[0] if len(channels) == 1 else channels[0] + channels[1]
        else:
            x = embedding(ids)
        x = x.transpose(1, 2)  # [batch, features, time]
        pooled = []
        for conv, width in zip(cnn.convs, cnn.windows, strict=True):
            y = F.conv1d(x, cast(nn.Conv1d, conv).weight)  # [batch, filters, positions]
            starts = torch.arange(y.shape[2], device=ids.device).unsqueeze(0)
            inside = (starts + width <= lengths).unsqueeze(1)  # window within the sentence
            pooled.append(y.masked_fill(~inside, float("-inf")).amax(dim=2))
        features = F.relu(torch.cat(pooled, dim=1) + cnn.conv_bias.flatten())
        return cast(torch.Tensor, cnn.out(features))


class Probabilities(nn.Module):
    """``ids -> softmax(classifier(ids))``: the graph :func:`export_onnx` writes."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.classifier(ids), dim=-1)


def inference_module(model: TextClassifier) -> nn.Module:
    """The module :func:`export_onnx` traces: ``model`` with a :class:`StaticEmbedding`, Kim's
    CNN as :class:`ConvKimCNN`, softmax on top; in eval mode, the original left untouched."""
    copied = copy.deepcopy(model).eval()
    if isinstance(copied.embedding, PretrainedEmbedding):
        static = StaticEmbedding(copied.embedding)
        copied.embedding = cast(PretrainedEmbedding, static)  # duck-typed for the classifiers
    classifier: nn.Module = ConvKimCNN(copied) if isinstance(copied, KimCNN) else copied
    return Probabilities(classifier).eval()
