"""Pearson and Spearman in numpy alone, against scipy's pearsonr / spearmanr."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nlptransfer.vectors.correlation import pearsonr, spearmanr

X = np.arange(200.0)
# (function, y, statistic, p-value) as scipy 1.17.1 gave them; run where scipy is not installed
RECORDED = [
    (pearsonr, np.sin(X) + 0.01 * X, 0.6276142462277172, 2.654579957018948e-23),
    (spearmanr, np.sin(X) + 0.01 * X, 0.6071686792169806, 1.558101396500725e-21),
    (spearmanr, np.round(np.sin(X * 0.37) * 3), -0.06175171496675684, 0.38503498547847037),
    (pearsonr, np.round(np.sin(X * 0.37) * 3), -0.061737919458818395, 0.3851413733051566),
]


@pytest.mark.parametrize(("function", "y", "statistic", "pvalue"), RECORDED)
def test_recorded_scipy_values(function, y, statistic, pvalue):
    ours = function(X, y)
    assert ours.statistic == pytest.approx(statistic, rel=1e-12)
    assert ours.pvalue == pytest.approx(pvalue, rel=1e-9)


@pytest.mark.parametrize("n", [3, 4, 7, 30, 353, 999, 5000])
def test_matches_scipy_with_and_without_ties(n):
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(n)
    for trial in range(12):
        x = rng.normal(size=n)
        y = rng.uniform(-2, 2) * x + rng.normal(size=n) * rng.uniform(0.05, 5)
        if trial % 3 == 0:  # ties
            x, y = np.round(x, 1), np.round(y, 1)
        for ours, theirs in (
            (pearsonr(x, y), stats.pearsonr(x, y)),
            (spearmanr(x, y), stats.spearmanr(x, y)),
        ):
            assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-12, abs=1e-15)
            assert ours.pvalue == pytest.approx(theirs.pvalue, rel=1e-8, abs=1e-300)


def test_perfect_and_two_point_correlations():
    assert pearsonr([1, 2, 3, 4], [2, 4, 6, 8]) == (1.0, 0.0)
    assert spearmanr([1, 2, 3, 4], [9, 7, 5, 1]) == (-1.0, 0.0)
    assert pearsonr([1, 2], [5, 3]) == (-1.0, 1.0)  # as scipy: two points say nothing


def test_constant_input_is_nan_with_a_warning():
    with pytest.warns(RuntimeWarning, match="constant"):
        r, p = pearsonr([1, 2, 3], [4, 4, 4])
    assert math.isnan(r) and math.isnan(p)
    with pytest.warns(RuntimeWarning, match="constant"):
        assert math.isnan(spearmanr([5, 5, 5], [1, 2, 3]).statistic)


def test_bad_lengths():
    with pytest.raises(ValueError, match="same length, found 3 and 2"):
        pearsonr([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 2 values, found 1"):
        spearmanr([1], [1])
