"""Pearson and Spearman correlation with two-sided p-values, in numpy alone.

The intrinsic evaluation (:func:`~nlptransfer.vectors.intrinsic.word_similarity`) reports both,
as gensim's ``evaluate_word_pairs`` does with scipy; these give scipy's ``pearsonr`` and
``spearmanr`` numbers (the tests compare them) so that the core install needs no scipy. Both
p-values are the t-test's, ``I_{1 - r^2}((n - 2) / 2, 1 / 2)``: the regularized incomplete beta
function, evaluated by its continued fraction.

Example:
    >>> r, p = pearsonr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(r, 4), round(p, 4)
    (0.8, 0.1041)
    >>> rho, p = spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])  # the two 7s share rank 3.5
    >>> round(rho, 4), round(p, 4)
    (0.8208, 0.0886)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["Correlation", "pearsonr", "spearmanr"]

_MAX_ITERATIONS = 10_000
_EPSILON = 1e-15
_TINY = 1e-300


class Correlation(NamedTuple):
    """A correlation coefficient and its two-sided p-value (``nan`` for constant input)."""

    statistic: float
    pvalue: float


def pearsonr(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> Correlation:
    """Pearson's r and the two-sided p-value for no correlation (scipy's ``pearsonr``).

    Raises:
        ValueError: ``x`` and ``y`` differ in length or hold fewer than two values.

    Example:
        >>> pearsonr([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]).statistic > 0.99
        True
    """
    a, b = _pair(x, y)
    if len(a) == 2:
        return Correlation(float(np.sign(a[1] - a[0]) * np.sign(b[1] - b[0])), 1.0)
    a = a - a.mean()
    b = b - b.mean()
    norm_a, norm_b = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if norm_a == 0 or norm_b == 0:
        return _constant_input()
    r = float(np.clip(np.dot(a / norm_a, b / norm_b), -1.0, 1.0))
    return Correlation(r, _pvalue(r, len(a)))


def spearmanr(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> Correlation:
    """Spearman's rho (Pearson's r of the ranks, ties averaged) and its two-sided p-value.

    Raises:
        ValueError: ``x`` and ``y`` differ in length or hold fewer than two values.

    Example:
        >>> round(spearmanr([10, 20, 30, 40], [1, 3, 2, 4]).statistic, 12)
        0.8
    """
    a, b = (_ranks(values) for values in _pair(x, y))
    if a.min() == a.max() or b.min() == b.max():
        return _constant_input()
    rho = float(np.clip(np.corrcoef(a, b)[0, 1], -1.0, 1.0))  # as scipy computes it
    return Correlation(rho, _pvalue(rho, len(a)) if len(a) > 2 else float("nan"))


def _pair(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=np.float64).ravel()
    b = np.asarray(y, dtype=np.float64).ravel()
    if len(a) != len(b):
        raise ValueError(f"x and y must have the same length, found {len(a)} and {len(b)}")
    if len(a) < 2:
        raise ValueError(f"x and y must hold at least 2 values, found {len(a)}")
    return a, b


def _constant_input() -> Correlation:
    warnings.warn(
        "an input is constant: the correlation is not defined", RuntimeWarning, stacklevel=3
    )
    return Correlation(float("nan"), float("nan"))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing the mean of their ranks (scipy's ``rankdata``)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def _pvalue(r: float, n: int) -> float:
    """Two-sided p-value of correlation ``r`` over ``n`` pairs: ``I_{1-r^2}((n-2)/2, 1/2)``."""
    r = abs(r)
    return _betainc((n - 2) / 2.0, 0.5, (1.0 - r) * (1.0 + r), r * r)


def _betainc(a: float, b: float, x: float, one_minus_x: float) -> float:
    """The regularized incomplete beta function ``I_x(a, b)``; ``1 - x`` given without loss."""
    if x <= 0.0:
        return 0.0
    if one_minus_x <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log(one_minus_x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, one_minus_x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of ``I_x(a, b)`` by the modified Lentz method."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    fraction = d
    for m in range(1, _MAX_ITERATIONS + 1):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            step = c * d
            fraction *= step
        if abs(step - 1.0) < _EPSILON:
            return fraction
    raise ArithmeticError(f"incomplete beta I_x({a}, {b}) at x={x} did not converge")
