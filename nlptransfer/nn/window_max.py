"""Max-over-time of 1-D convolutions, computed once per distinct token instead of per position.

A convolution of width ``h`` over token rows ``x`` is ``y[t] = sum_k W_k x[t + k]``. A batch of
sentences repeats tokens (padding, ``the``, ``,`` ...): in a bucketed SST-2 batch of 50 sentences
only about a third of the positions hold a token not seen earlier in the batch. So the products
``W_k x`` are computed once per *distinct* token and every window slot (one matrix product), and
each window's sum is then gathered from them (:func:`torch.nn.functional.embedding_bag`).

The backward pass uses max pooling's sparsity: only the winning window of each filter receives a
gradient, so the gradient of the product table is a scatter of ``batch x filters x width`` values,
where a convolution's backward pass runs over every position. When the rows are trained, the row
and weight gradients then come from one matrix product each. When they are frozen (a frozen
embedding), the weight gradient is read straight off the winning windows' rows, one weighted
``embedding_bag`` (a tenth of the product's work on SST-2's batches: the forward and backward pass
of the three convolutions 6.9 ms -> 3.7 ms a batch, measured on a busy 2-core machine).

The result equals ``conv1d`` followed by ``max`` over time, up to float rounding (the sums are
taken in a different order). On SST-2's bucketed batches (GloVe 100d, 3 x 100 filters), the
forward and backward pass of the three convolutions took half the time of ``conv1d`` on one CPU
thread and three quarters on two; ``benchmarks/bench_train.py`` measures the whole training loop.

Example:
    >>> import torch
    >>> ids = torch.tensor([[0, 4, 5, 4, 0], [0, 6, 4, 0, 0]])
    >>> table = torch.randn(7, 8)  # one row per token id
    >>> weights = [torch.randn(3, 8, 2), torch.randn(3, 8, 3)]  # (filters, dim, width)
    >>> unique, inverse = torch.unique(ids, return_inverse=True)
    >>> fast = window_max(table[unique], inverse, weights)
    >>> x = table[ids].transpose(1, 2)
    >>> slow = torch.cat([torch.conv1d(x, w).amax(dim=2) for w in weights], dim=1)
    >>> torch.allclose(fast, slow, atol=1e-5)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F


def window_max(
    rows: torch.Tensor,
    inverse: torch.Tensor,
    weights: Sequence[torch.Tensor],
    lengths: torch.Tensor | None = None,
) -> torch.Tensor:
    """``max_t conv1d(rows[inverse], w)`` for each weight ``w``, concatenated over the weights.

    Args:
        rows: ``[distinct, dim]``, one row per distinct token of the batch.
        inverse: ``[batch, length]`` indices into ``rows`` (``torch.unique``'s inverse); every
            sentence at least as long as the widest filter.
        weights: convolution weights ``[filters, dim, width]`` (``nn.Conv1d.weight``, no bias),
            all with the same number of filters.
        lengths: ``[batch]``, how many leading positions of each row of ``inverse`` belong to its
            sentence (each at least the widest filter); windows reaching past them are left out
            of the max, so the padding a batch adds changes nothing. ``None``: every position.

    Returns:
        ``[batch, filters * len(weights)]``: the max over positions of each filter's response.
    """
    filters = weights[0].shape[0]
    if any(w.shape[0] != filters for w in weights):
        raise ValueError("all convolutions must have the same number of filters")
    widths = [int(w.shape[2]) for w in weights]
    if inverse.shape[1] < max(widths):
        raise ValueError(
            f"sentences of {inverse.shape[1]} positions are shorter than the widest filter "
            f"({max(widths)}); pad them first"
        )
    if lengths is not None and bool((lengths < max(widths)).any()):
        raise ValueError(f"every length must be at least the widest filter ({max(widths)})")
    # Column block (slot) s of the table holds W_k x for the k-th position of one filter's window.
    stacked = torch.cat([w.permute(1, 2, 0).reshape(w.shape[1], -1) for w in weights], dim=1)
    slots = sum(widths)
    base = inverse * slots
    if lengths is not None:
        # Positions past a sentence's length read an extra block of -inf rows written after the
        # products, so every window that reaches them sums to -inf and never wins the max: the
        # mask costs one pass over the [batch, length] ids instead of one over every window's
        # sums (and no copy of the table, which the products are written into in place).
        outside = torch.arange(inverse.shape[1], device=inverse.device) >= lengths.unsqueeze(1)
        base = base.masked_fill(outside, rows.shape[0] * slots)
    # Under torch.no_grad (evaluation) the winners are not kept: nothing will ask for them.
    keep = torch.is_grad_enabled() and (rows.requires_grad or stacked.requires_grad)
    return _WindowMax.apply(rows, stacked, base, tuple(widths), lengths is not None, keep)


class _WindowMax(torch.autograd.Function):
    """The product table ``rows @ stacked``, each window's sum of its slots, max over positions.

    The backward pass scatters the pooled gradient into the table rows of each filter's winning
    window, then takes the row and weight gradients from that table with one matrix product each.
    """

    @staticmethod
    def forward(
        ctx: Any,
        rows: torch.Tensor,
        stacked: torch.Tensor,
        base: torch.Tensor,
        widths: tuple[int, ...],
        masked: bool,
        keep: bool,
    ) -> torch.Tensor:
        distinct, columns = rows.shape[0], stacked.shape[1]
        filters = columns // sum(widths)
        products = distinct * columns
        flat = rows.new_empty(products + (columns if masked else 0))
        torch.mm(rows, stacked, out=flat[:products].view(distinct, columns))
        if masked:
            flat[products:] = float("-inf")
        table = flat.view(-1, filters)  # [(distinct + masked) * slots, filters]
        batch = base.shape[0]
        pooled, winners = [], []
        first_slot = 0
        for width in widths:
            slots = torch.arange(first_slot, first_slot + width, device=base.device)
            windows = base.unfold(1, width, 1) + slots  # [batch, positions, width] table rows
            sums = F.embedding_bag(windows.reshape(-1, width), table, mode="sum")
            by_position = sums.view(batch, -1, filters)
            if keep:  # the max and the table rows of each filter's winning window
                # max pooling over the whole length gives the max with its position 3x faster
                # than ``max(dim=1)`` on this view (SST-2 batches: 24 against 73 us)
                best, where = F.max_pool1d_with_indices(
                    by_position.transpose(1, 2), (by_position.shape[1],)
                )
                pooled.append(best.squeeze(2))
                index = where.expand(batch, filters, width)
                winners.append(torch.gather(windows, 1, index))
            else:  # no positions needed: amax, faster still (8 us)
                pooled.append(by_position.amax(dim=1))
            first_slot += width
        if keep:
            ctx.save_for_backward(rows, stacked, *winners)
        ctx.filters = filters
        return torch.cat(pooled, dim=1)

    @staticmethod
    def backward(
        ctx: Any, grad: torch.Tensor
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, None, None, None, None]:
        rows, stacked, *winners = ctx.saved_tensors
        filters = ctx.filters
        distinct, columns = rows.shape[0], stacked.shape[1]
        if not ctx.needs_input_grad[0]:  # frozen rows: the weights' gradient alone
            grad_stacked = (
                _weight_gradient(rows, grad, winners, filters, columns // filters)
                if ctx.needs_input_grad[1]
                else None
            )
            return None, grad_stacked, None, None, None, None
        # Winners are never in the -inf block (every sentence has a window inside its length),
        # so the scatter stays within the products.
        grad_table = grad.new_zeros(distinct * columns)
        column = torch.arange(filters, device=grad.device).view(1, filters, 1)
        for i, winner in enumerate(winners):
            width = winner.shape[2]
            values = grad[:, i * filters : (i + 1) * filters].unsqueeze(2).expand(-1, -1, width)
            grad_table.index_add_(0, (winner * filters + column).reshape(-1), values.reshape(-1))
        grad_products = grad_table.view(distinct, columns)
        grad_rows = grad_products @ stacked.T if ctx.needs_input_grad[0] else None
        grad_stacked = rows.T @ grad_products if ctx.needs_input_grad[1] else None
        return grad_rows, grad_stacked, None, None, None, None


def _weight_gradient(
    rows: torch.Tensor,
    grad: torch.Tensor,
    winners: Sequence[torch.Tensor],
    filters: int,
    slots: int,
) -> torch.Tensor:
    """The gradient of ``stacked`` from the winning windows alone, as one weighted
    ``embedding_bag``: column ``slot * filters + f`` is the sum over the batch of the row at that
    slot of filter ``f``'s winning window, weighted by the pooled gradient of ``f``.

    The dense route (the product table's gradient, mostly zeros, times the rows) multiplies a
    ``[dim, distinct] x [distinct, slots * filters]`` product; this one reads ``batch x filters x
    slots`` rows, about a tenth of the work on SST-2's batches.
    """
    tokens, weights = [], []
    for i, winner in enumerate(winners):  # winner: [batch, filters, width] table rows
        width = winner.shape[2]
        # table row = token * slots + slot; the slots of one width are consecutive, < slots
        tokens.append(torch.div(winner, slots, rounding_mode="floor").permute(2, 1, 0))
        pooled = grad[:, i * filters : (i + 1) * filters].T  # [filters, batch]
        weights.append(pooled.unsqueeze(0).expand(width, -1, -1))
    bags = torch.cat(tokens).reshape(slots * filters, -1)  # one bag per (slot, filter)
    per_row = torch.cat(weights).reshape(slots * filters, -1)
    summed = F.embedding_bag(bags, rows, per_sample_weights=per_row, mode="sum")
    return summed.T  # [dim, slots * filters], the layout of ``stacked``
