"""Stratified, seeded splitting of row indices: carve a dev (or test) set, k folds, subsamples.

Pure functions over a sequence of label ids; they return sorted row indices, so rows keep their
file order inside every split. The same labels and seed always give the same split.

- :func:`stratified_split` carves a fraction out, each class in proportion (largest remainders
  settle the rounding, so the carved size is ``round(fraction * n)``), leaving at least one row
  of every class behind.
- :func:`stratified_folds` deals the rows of each class, shuffled, round-robin into ``k`` folds:
  every fold has ``n // k`` or ``n // k + 1`` rows and each class spread as evenly.
- :func:`stratified_sample` keeps ``size`` rows in class proportion (for ``limit=``).

Example:
    >>> labels = [0] * 6 + [1] * 4
    >>> rest, dev = stratified_split(labels, 0.5, seed=0)
    >>> len(dev), sorted(labels[i] for i in dev)
    (5, [0, 0, 0, 1, 1])
    >>> folds = stratified_folds(labels, 2, seed=0)
    >>> [int((folds == f).sum()) for f in range(2)]
    [5, 5]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlptransfer._util.errors import DatasetError


def _by_class(labels: Sequence[int] | np.ndarray) -> list[np.ndarray]:
    """Row indices of each class, classes in ascending order."""
    array = np.asarray(labels)
    return [np.flatnonzero(array == value) for value in np.unique(array)]


def _allocate(counts: np.ndarray, total: int, caps: np.ndarray) -> np.ndarray:
    """Split ``total`` over classes in proportion to ``counts`` (largest remainders), capped."""
    if total == 0 or counts.sum() == 0:
        return np.zeros_like(counts)
    quotas = counts * total / counts.sum()
    take = np.minimum(np.floor(quotas).astype(int), caps)
    remainders = quotas - np.floor(quotas)
    for index in np.argsort(-remainders, kind="stable"):  # ties: the lower class first
        if take.sum() >= total:
            break
        if take[index] < caps[index]:
            take[index] += 1
    return take


def stratified_split(
    labels: Sequence[int] | np.ndarray, fraction: float, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Carve ``round(fraction * n)`` rows out, stratified by label, reproducibly by ``seed``.

    Every class keeps at least one row in the remainder.

    Returns:
        ``(rest, carved)``: sorted row indices.

    Raises:
        DatasetError: ``fraction`` is not strictly between 0 and 1.

    Example:
        >>> rest, carved = stratified_split([0, 0, 0, 0, 1, 1, 1, 1], 0.25, seed=1)
        >>> len(rest), len(carved)
        (6, 2)
    """
    if not 0 < fraction < 1:
        raise DatasetError(f"a split fraction must be between 0 and 1, found {fraction}")
    rng = np.random.default_rng(seed)
    classes = _by_class(labels)
    counts = np.array([len(rows) for rows in classes])
    take = _allocate(counts, round(fraction * counts.sum()), np.maximum(counts - 1, 0))
    carved = [rng.permutation(rows)[:k] for rows, k in zip(classes, take, strict=True)]
    carved_rows = np.sort(np.concatenate([*carved, np.empty(0, dtype=int)]))
    rest = np.setdiff1d(np.arange(len(labels)), carved_rows, assume_unique=True)
    return rest, carved_rows


def stratified_folds(
    labels: Sequence[int] | np.ndarray, n_folds: int, *, seed: int = 0
) -> np.ndarray:
    """Assign each row a fold ``0..n_folds-1``, stratified by label, reproducibly by ``seed``.

    Returns:
        An int array: the fold of each row.

    Raises:
        DatasetError: fewer than 2 folds, or more folds than rows.

    Example:
        >>> stratified_folds([0, 0, 0, 1, 1, 1], 3, seed=0).tolist()
        [1, 2, 0, 2, 1, 0]
    """
    if n_folds < 2 or n_folds > len(labels):
        raise DatasetError(
            f"n_folds must be between 2 and the number of rows ({len(labels)}), found {n_folds}"
        )
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(rows) for rows in _by_class(labels)])
    folds = np.empty(len(labels), dtype=int)
    folds[order] = np.arange(len(order)) % n_folds
    return folds


def fold_split(folds: np.ndarray, fold: int) -> tuple[np.ndarray, np.ndarray]:
    """``(rest, held_out)``: sorted row indices outside and inside ``fold``.

    Raises:
        DatasetError: ``fold`` is not one of the folds.

    Example:
        >>> fold_split(np.array([0, 1, 0, 1]), 1)
        (array([0, 2]), array([1, 3]))
    """
    n_folds = int(folds.max()) + 1 if len(folds) else 0
    if not 0 <= fold < n_folds:
        raise DatasetError(f"fold must be between 0 and {n_folds - 1}, found {fold}")
    return np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)


def stratified_sample(
    labels: Sequence[int] | np.ndarray, size: int, *, seed: int = 0
) -> np.ndarray:
    """Sorted indices of ``size`` rows in class proportion (all rows when ``size >= n``).

    Example:
        >>> stratified_sample([0] * 8 + [1] * 2, 5, seed=0).size
        5
    """
    if size >= len(labels):
        return np.arange(len(labels))
    if size <= 0:
        raise DatasetError(f"limit must be a positive number of rows, found {size}")
    rng = np.random.default_rng(seed)
    classes = _by_class(labels)
    counts = np.array([len(rows) for rows in classes])
    take = _allocate(counts, size, counts)
    kept = [rng.permutation(rows)[:k] for rows, k in zip(classes, take, strict=True)]
    return np.sort(np.concatenate(kept))
