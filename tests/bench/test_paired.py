"""The paired tests against scipy: McNemar's exact test is the binomial test, Wilcoxon's floor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nlptransfer.bench.paired import (
    bootstrap_difference,
    discordant,
    mcnemar_exact,
    wilcoxon_min_p,
    wilcoxon_note,
    wilcoxon_p,
)


@given(st.integers(0, 400), st.integers(0, 400))
@settings(max_examples=200, deadline=None)
def test_mcnemar_exact_is_scipys_two_sided_binomial_test(b, c):
    expected = 1.0 if b + c == 0 else stats.binomtest(min(b, c), b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-9, abs=1e-300)
    assert mcnemar_exact(b, c) == mcnemar_exact(c, b)


def test_mcnemar_exact_on_large_counts_stays_exact():
    # far beyond float's range for 2**n: still the binomial tail, not 0/0 or an overflow
    assert mcnemar_exact(5000, 5200) == pytest.approx(stats.binomtest(5000, 10200).pvalue, rel=1e-9)
    with pytest.raises(ValueError, match=">= 0"):
        mcnemar_exact(-1, 3)


@pytest.mark.parametrize("pairs", [2, 3, 4, 5, 6, 7])
def test_wilcoxon_floor_is_what_scipy_gives_when_every_pair_agrees(pairs):
    differences = np.arange(1, pairs + 1, dtype=float)
    assert wilcoxon_min_p(pairs) == pytest.approx(stats.wilcoxon(differences).pvalue)
    assert wilcoxon_p(differences) == pytest.approx(wilcoxon_min_p(pairs))


def test_three_seed_pairs_can_never_reach_significance_and_the_note_says_so():
    assert wilcoxon_min_p(3) == 0.25
    note = wilcoxon_note(3)
    assert "cannot go below p = 0.25" in note and "per-example" in note
    assert "can reach p = 0.03125" in wilcoxon_note(6)
    assert "more seeds" in wilcoxon_note(3, per_example=False)


def test_discordant_counts_and_shape_check():
    a = np.array([1, 1, 0, 0, 1], bool)
    b = np.array([1, 0, 1, 0, 0], bool)
    assert discordant(a, b) == (2, 1)
    with pytest.raises(ValueError, match="same examples"):
        discordant(a, b[:4])


def test_bootstrap_of_identical_systems_is_zero_and_of_a_real_gap_excludes_zero():
    rng = np.random.default_rng(0)
    right = rng.random((3, 500)) < 0.8
    assert bootstrap_difference(right, right, draws=200) == (0.0, 0.0, 0.0)
    better = right | (rng.random((3, 500)) < 0.3)  # right wherever `right` is, and more
    diff, low, high = bootstrap_difference(better, right, draws=500)
    assert diff == pytest.approx(100 * (better.mean() - right.mean()))
    assert 0 < low < diff < high


def test_bootstrap_interval_is_close_to_the_normal_one_for_one_seed():
    """One seed: the interval of a paired difference of proportions, sd from the discordants."""
    rng = np.random.default_rng(1)
    a = rng.random(2000) < 0.75
    b = np.where(rng.random(2000) < 0.9, a, ~a)
    _, low, high = bootstrap_difference([a], [b], draws=4000, seed=3)
    d = a.astype(float) - b.astype(float)
    half = 1.96 * 100 * d.std(ddof=1) / np.sqrt(len(d))
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)


def test_bootstrap_over_folds_of_different_sizes_and_bad_input():
    a = [np.ones(50, bool), np.ones(40, bool)]
    b = [np.zeros(50, bool), np.zeros(40, bool)]
    assert bootstrap_difference(a, b, draws=50) == (100.0, 100.0, 100.0)
    with pytest.raises(ValueError, match="same non-empty"):
        bootstrap_difference([np.ones(3, bool)], [np.ones(4, bool)])
    with pytest.raises(ValueError, match="no replicate"):
        bootstrap_difference([], [])
