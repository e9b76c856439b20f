"""Paired tests of two systems on the same test examples, and what a few seeds can show.

Two systems scored on the same test set can be compared example by example, which says far
more than a handful of seed means can:

- :func:`mcnemar_exact`: McNemar's exact test on the discordant examples (``b``: only A right,
  ``c``: only B right); under "no difference" each discordant example is a fair coin, so the
  p-value is the two-sided binomial test of ``b`` successes in ``b + c`` tosses.
- :func:`bootstrap_difference`: the 95% interval of the accuracy difference A - B (percentage
  points), resampling test examples (and seeds, when there are several), each example keeping
  its predictions from every seed together: seeds repeat the same test examples, so pooling
  them as if independent would overstate the evidence.
- :func:`wilcoxon_min_p`: the smallest p-value a two-sided Wilcoxon signed-rank test over ``n``
  seed pairs can reach, ``2 / 2**n``: 0.5 with 2 pairs, 0.25 with 3, 0.0625 with 5. Below 6 pairs
  it can never reach p < 0.05, whatever the accuracies: a "not significant" from it says only
  that there were too few seeds.

Example:
    >>> round(mcnemar_exact(12, 3), 4), wilcoxon_min_p(3)
    (0.0352, 0.25)
    >>> import numpy as np
    >>> a = np.array([[True] * 90 + [False] * 10])    # one seed, 100 test examples: 90% right
    >>> b = np.array([[True] * 80 + [False] * 20])    # 80% right, wrong on a's 10 too
    >>> mean, lo, hi = bootstrap_difference(a, b, draws=500, seed=0)
    >>> round(mean, 1), lo > 0 and hi < 20
    (10.0, True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

#: The significance level of every test here.
ALPHA = 0.05


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for ``b`` and ``c`` discordant examples.

    The binomial test of ``min(b, c)`` successes in ``b + c`` fair tosses, doubled (capped at
    1), computed in exact integer arithmetic; 1.0 when there is no discordant example.

    Example:
        >>> mcnemar_exact(0, 0), mcnemar_exact(5, 5), round(mcnemar_exact(10, 0), 5)
        (1.0, 1.0, 0.00195)
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got {b} and {c}")
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1))
    return float(min(Fraction(1), Fraction(2 * tail, 2**n)))


def discordant(correct_a: np.ndarray, correct_b: np.ndarray) -> tuple[int, int]:
    """``(b, c)``: examples only A got right, examples only B got right.

    >>> discordant(np.array([True, True, False, False]), np.array([True, False, True, False]))
    (1, 1)
    """
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError(f"expected predictions on the same examples, got {a.shape} and {b.shape}")
    return int((a & ~b).sum()), int((~a & b).sum())


def bootstrap_difference(
    correct_a: np.ndarray | Sequence[np.ndarray],
    correct_b: np.ndarray | Sequence[np.ndarray],
    *,
    draws: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Accuracy of A minus B in percentage points, with its 95% percentile bootstrap interval.

    Args:
        correct_a / correct_b: per replicate (seed or fold) a boolean vector, True where the
            system was right; replicate ``r`` of A and of B must cover the same test examples
            in the same order (the same seed's split).
        draws: bootstrap resamples.
        seed: the resampling's seed (the interval is reproducible).

    When every replicate has the same test set (seeds over one split), each draw resamples the
    replicates and, once, the test examples, applied to every replicate (an example is the unit,
    with its predictions from every seed); otherwise (cross-validation folds) each replicate's
    examples are resampled on their own.

    Returns:
        ``(difference, low, high)``.
    """
    pairs = [
        (np.asarray(a, bool).ravel(), np.asarray(b, bool).ravel())
        for a, b in zip(correct_a, correct_b, strict=True)
    ]
    if not pairs:
        raise ValueError("no replicate to compare")
    for a, b in pairs:
        if a.shape != b.shape or not len(a):
            raise ValueError(
                f"expected the same non-empty test examples for both, got {a.shape} and {b.shape}"
            )
    diffs = [a.astype(np.float64) - b.astype(np.float64) for a, b in pairs]
    observed = 100 * float(np.mean([d.mean() for d in diffs]))
    rng = np.random.default_rng(seed)
    reps = len(diffs)
    stats = np.empty(draws)
    if len({len(d) for d in diffs}) == 1:
        matrix = np.stack(diffs)  # [replicates, examples]
        n = matrix.shape[1]
        for i in range(draws):
            rows = rng.integers(0, reps, reps) if reps > 1 else np.zeros(1, int)
            cols = rng.integers(0, n, n)
            stats[i] = matrix[np.ix_(rows, cols)].mean()
    else:
        for i in range(draws):
            rows = rng.integers(0, reps, reps) if reps > 1 else np.zeros(1, int)
            stats[i] = np.mean(
                [diffs[r][rng.integers(0, len(diffs[r]), len(diffs[r]))].mean() for r in rows]
            )
    low, high = np.percentile(100 * stats, [2.5, 97.5])
    return observed, float(low), float(high)


def wilcoxon_min_p(pairs: int) -> float:
    """The smallest two-sided p a Wilcoxon signed-rank test over ``pairs`` pairs can give.

    Every pair on one side, the most extreme of the ``2**pairs`` equally likely sign patterns:
    ``2 / 2**pairs`` (exact distribution, no ties).

    >>> [wilcoxon_min_p(n) for n in (2, 3, 5, 6)]
    [0.5, 0.25, 0.0625, 0.03125]
    """
    if pairs < 1:
        raise ValueError(f"pairs must be >= 1, got {pairs}")
    return min(1.0, 2.0 / 2**pairs)


def wilcoxon_p(differences: Sequence[float]) -> float | None:
    """The two-sided Wilcoxon signed-rank p over seed pairs; None for fewer than 2 or all zero."""
    from scipy import stats

    arr = np.round(np.asarray(differences, np.float64), 9)
    if len(arr) < 2 or not np.any(arr != 0):
        return None
    with warnings.catch_warnings():  # scipy warns on ties; the p-value is still what it says
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        return float(stats.wilcoxon(arr).pvalue)


def wilcoxon_note(pairs: int, *, per_example: bool = True) -> str:
    """One sentence on what a Wilcoxon test over ``pairs`` seed pairs can show (``per_example``:
    whether per-example tests were available to carry the comparison instead).

    >>> wilcoxon_note(3)
    'a Wilcoxon signed-rank test over 3 seed pairs cannot go below p = 0.25 (6 pairs are the fewest that can reach p < 0.05), so it cannot show a difference here; the per-example tests can'
    """
    instead = "the per-example tests can" if per_example else "more seeds would be needed"
    if pairs < 2:
        carry = "the per-example tests carry it" if per_example else "more seeds are needed"
        return f"one seed: no test over seeds is possible; {carry}"
    floor = wilcoxon_min_p(pairs)
    if floor >= ALPHA:
        return (
            f"a Wilcoxon signed-rank test over {pairs} seed pairs cannot go below p = {floor:g} "
            "(6 pairs are the fewest that can reach p < 0.05), so it cannot show a difference "
            f"here; {instead}"
        )
    beside = "beside the per-example tests" if per_example else "beside the t-test"
    return (
        f"a Wilcoxon signed-rank test over {pairs} seed pairs can reach p = {floor:g}; it is "
        f"reported {beside}"
    )
