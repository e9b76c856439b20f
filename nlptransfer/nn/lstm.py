"""A bidirectional LSTM over right-padded batches, without packed sequences.

``nn.LSTM`` over a ``PackedSequence`` gives each sentence exactly its own steps, but on CPU it
is slow: on the trainer's batches of IMDB reviews (50 a batch, mean 179 tokens, 100 features,
150 hidden units) its forward and backward pass took 2.2 times as long as this function's, on
one thread or two; on SST-2's short sentences, 1.05 to 1.25 times (``benchmarks/bench_lstm.py``,
both in the same run).

Padding alone would be wrong for the backward direction, which would read the padding before a
sentence's last word. So each direction runs as its own one-directional LSTM over a padded
batch: the forward one on the batch as it is, the backward one on each sentence reversed within
its own length (still right-padded). An LSTM step depends only on the steps before it, so every
output at a real token equals the packed LSTM's, and outputs at padding positions are returned
as zeros, as ``pad_packed_sequence`` does. The layer's parameters stay those of the
``nn.LSTM(bidirectional=True)`` it is given, so saved models load either way.

On CUDA the packed ``nn.LSTM`` is used as it is: cuDNN runs packed sequences in fused kernels
(the slowness measured here is the CPU's), and it wants the weights in the one flat buffer that
``nn.LSTM`` keeps, not passed one by one.

Example:
    >>> import torch
    >>> from torch import nn
    >>> lstm = nn.LSTM(4, 3, bidirectional=True, batch_first=True)
    >>> x, lengths = torch.randn(2, 5, 4), torch.tensor([5, 2])
    >>> packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True)
    >>> reference, _ = nn.utils.rnn.pad_packed_sequence(lstm(packed)[0], batch_first=True)
    >>> torch.allclose(bidirectional_lstm(lstm, x, lengths), reference, atol=1e-6)
    True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def bidirectional_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Run ``lstm`` (bidirectional, ``batch_first``) over right-padded ``x`` of the given lengths.

    Args:
        lstm: an ``nn.LSTM`` with ``bidirectional=True`` and ``batch_first=True``.
        x: ``[batch, time, features]``, each sentence's steps first, then padding.
        lengths: ``[batch]``, each sentence's number of real steps (1 to ``time``).

    Returns:
        ``[batch, time, 2 * hidden]``: forward and backward outputs side by side, as
        ``pad_packed_sequence`` returns them (zeros after each sentence's last step).
    """
    if not (lstm.bidirectional and lstm.batch_first):
        raise ValueError("bidirectional_lstm needs nn.LSTM(bidirectional=True, batch_first=True)")
    if x.is_cuda:
        return packed_lstm(lstm, x, lengths)
    time = x.shape[1]
    steps = torch.arange(time, device=x.device).unsqueeze(0)
    lengths = lengths.to(x.device).unsqueeze(1)
    valid = steps < lengths
    # Each sentence reversed within its own length; the padding stays where it is. Applying the
    # same permutation twice restores the order.
    reverse = torch.where(valid, lengths - 1 - steps, steps)
    hidden = x
    for layer in range(lstm.num_layers):
        if layer and lstm.dropout and lstm.training:
            hidden = F.dropout(hidden, lstm.dropout, training=True)
        forward = _one_direction(lstm, layer, "", hidden)
        backward = _one_direction(lstm, layer, "_reverse", _permute(hidden, reverse))
        hidden = torch.cat([forward, _permute(backward, reverse)], dim=2)
    return hidden * valid.unsqueeze(2)


def packed_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The same through ``pack_padded_sequence`` and ``nn.LSTM``: the CUDA path, and the peer
    ``benchmarks/bench_lstm.py`` measures on CPU."""
    packed = nn.utils.rnn.pack_padded_sequence(
        x, lengths.cpu(), batch_first=True, enforce_sorted=False
    )
    output, _ = nn.utils.rnn.pad_packed_sequence(
        lstm(packed)[0], batch_first=True, total_length=x.shape[1]
    )
    return output


def _permute(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    return torch.gather(x, 1, index.unsqueeze(2).expand(-1, -1, x.shape[2]))


def _one_direction(lstm: nn.LSTM, layer: int, suffix: str, x: torch.Tensor) -> torch.Tensor:
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if lstm.bias else [])
    params = [getattr(lstm, f"{name}_l{layer}{suffix}") for name in names]
    zeros = x.new_zeros(1, x.shape[0], lstm.hidden_size)
    output, _, _ = torch.lstm(
        x, (zeros, zeros), params, lstm.bias, 1, 0.0, lstm.training, False, True
    )
    return output
