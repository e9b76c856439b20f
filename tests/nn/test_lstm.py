"""bidirectional_lstm against nn.LSTM over packed sequences, the computation it replaces."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nlptransfer.nn.classifiers import build_classifier
from nlptransfer.nn.embedding import PretrainedEmbedding
from nlptransfer.nn.lstm import bidirectional_lstm


def packed_reference(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    output, _ = nn.utils.rnn.pad_packed_sequence(
        lstm(packed)[0], batch_first=True, total_length=x.shape[1]
    )
    return output


@pytest.mark.parametrize("layers", [1, 2])
def test_outputs_and_gradients_equal_the_packed_lstm(layers):
    torch.manual_seed(0)
    lstm = nn.LSTM(7, 5, num_layers=layers, bidirectional=True, batch_first=True).eval()
    # unsorted lengths, one full, one of a single step; padding holds noise, not zeros
    x = torch.randn(4, 9, 7, requires_grad=True)
    lengths = torch.tensor([3, 9, 1, 6])
    ours, reference = bidirectional_lstm(lstm, x, lengths), packed_reference(lstm, x, lengths)
    torch.testing.assert_close(ours, reference, atol=1e-6, rtol=1e-5)
    assert ours[2, 1:].abs().sum() == 0  # zeros after the last step, as pad_packed_sequence
    inputs = [x, *lstm.parameters()]
    grads = torch.autograd.grad(ours.square().sum(), inputs)
    expected = torch.autograd.grad(reference.square().sum(), inputs)
    for got, want in zip(grads, expected, strict=True):
        torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-5)


def test_the_backward_direction_never_reads_the_padding():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    x, lengths = torch.randn(2, 6, 3), torch.tensor([6, 2])
    noisy = x.clone()
    noisy[1, 2:] = 100.0
    torch.testing.assert_close(
        bidirectional_lstm(lstm, x, lengths), bidirectional_lstm(lstm, noisy, lengths)
    )


def test_needs_a_bidirectional_batch_first_lstm():
    with pytest.raises(ValueError, match="bidirectional=True, batch_first=True"):
        bidirectional_lstm(nn.LSTM(3, 4, batch_first=True), torch.randn(1, 2, 3), torch.tensor([2]))


@pytest.mark.parametrize("pooling", ["max", "mean"])
def test_the_bilstm_classifier_scores_as_over_packed_sequences(pooling):
    torch.manual_seed(0)
    rows = np.random.default_rng(0).normal(size=(20, 6)).astype(np.float32)
    rows[0] = 0
    embedding = PretrainedEmbedding(rows, np.ones(20, bool), mode="frozen")
    model = build_classifier("bilstm", embedding, num_classes=3, hidden=4, pooling=pooling).eval()
    ids = torch.tensor([[5, 6, 7, 0, 0], [1, 2, 3, 4, 5], [9, 0, 0, 0, 0]])
    lengths = (ids != 0).sum(dim=1)
    output = packed_reference(model.lstm, model.embedding(ids), lengths)
    valid = (torch.arange(5)[None, :] < lengths[:, None]).unsqueeze(2)
    if pooling == "max":
        pooled = output.masked_fill(~valid, float("-inf")).amax(dim=1)
    else:
        pooled = (output * valid).sum(dim=1) / lengths.unsqueeze(1)
    torch.testing.assert_close(model(ids), model.out(pooled), atol=1e-6, rtol=1e-5)
