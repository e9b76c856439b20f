"""Turning token-id sequences into padded batches, bucketed by length.

Token ids are computed once (by the caller) and kept as arrays; each epoch only reorders them.
Bucketing sorts examples of similar length together inside large shuffled pools, so batches
carry little padding while their order stays random.

Example:
    >>> import numpy as np
    >>> seqs = [np.array([5, 6, 7]), np.array([8]), np.array([9, 9])]
    >>> batches = list(iterate_batches(seqs, [0, 1, 0], batch_size=2, shuffle=False))
    >>> [b[0].tolist() for b in batches]  # sorted by length: little padding
    [[[8, 0], [9, 9]], [[5, 6, 7]]]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch

#: Examples sorted by length together, as a multiple of the batch size.
POOL_BATCHES = 50


def pad_batch(sequences: Sequence[np.ndarray], pad: int = 0) -> torch.Tensor:
    """Stack sequences into ``[batch, longest]`` int64, padded with ``pad``."""
    longest = max((len(s) for s in sequences), default=0)
    out = np.full((len(sequences), max(longest, 1)), pad, dtype=np.int64)
    for i, seq in enumerate(sequences):
        out[i, : len(seq)] = seq
    return torch.from_numpy(out)


def bucketed_order(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Batches of example indices: shuffled, then sorted by length within pools of batches."""
    n = len(lengths)
    if rng is None:  # evaluation: sort everything by length, keep batches in that order
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]
    order = rng.permutation(n)
    pool = batch_size * POOL_BATCHES
    batches: list[np.ndarray] = []
    for start in range(0, n, pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = rng.permutation(len(batches))
    return [batches[i] for i in shuffled]


def iterate_batches(
    sequences: Sequence[np.ndarray],
    labels: Sequence[int] | None,
    batch_size: int,
    *,
    shuffle: bool = True,
    rng: np.random.Generator | None = None,
    bucket: bool = True,
) -> Iterator[tuple[torch.Tensor, torch.Tensor | None, np.ndarray]]:
    """Yield ``(ids, labels, indices)`` batches; ``indices`` say which examples they hold."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    if shuffle:
        rng = rng or np.random.default_rng()
        if bucket:
            batches = bucketed_order(lengths, batch_size, rng)
        else:
            order = rng.permutation(len(sequences))
            batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    else:
        if bucket:
            batches = bucketed_order(lengths, batch_size, None)
        else:
            order = np.arange(len(sequences))
            batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    label_array = None if labels is None else np.asarray(labels, dtype=np.int64)
    for index in batches:
        ids = pad_batch([sequences[i] for i in index])
        y = None if label_array is None else torch.from_numpy(label_array[index])
        yield ids, y, index
