"""Report statistics against scipy on records shaped as the runner writes them."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from nlptransfer.bench.summary import mean_std_ci, paired_t_p_value, summarize

FROZEN = [0.80, 0.81, 0.79, 0.82, 0.80]
RANDOM = [0.75, 0.74, 0.76, 0.75, 0.73]


def test_mean_std_ci_match_scipy():
    values = [80.0, 81.0, 79.0, 82.0, 80.0]
    mean, std, half = mean_std_ci(values)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(values), scale=stats.sem(values))
    assert math.isclose(mean, 80.4) and math.isclose(std, np.std(values, ddof=1))
    assert math.isclose(mean - half, low) and math.isclose(mean + half, high)


def test_paired_t_p_value_matches_scipy_and_handles_no_spread():
    diffs = [0.5, -0.2, 1.1, 0.4]
    assert math.isclose(paired_t_p_value(diffs), stats.ttest_1samp(diffs, 0).pvalue)
    assert paired_t_p_value([0.3, 0.3, 0.3]) == 0.0  # the same move on every pair: certain
    assert paired_t_p_value([0.0, 0.0]) is None  # nothing moved: nothing to test
    assert paired_t_p_value([1.0]) is None  # one pair has no spread to test against


def test_summaries_and_paired_verdicts(records):
    summaries, comparisons = summarize(records)
    by_mode = {s.mode: s for s in summaries}
    assert by_mode["finetune"].n == 5 and math.isclose(by_mode["finetune"].accuracy_mean, 83.4)
    assert by_mode["random"].vectors == "glove.txt" and by_mode["random"].n == 5
    tuned_vs_frozen = next(c for c in comparisons if (c.a, c.b) == ("finetune", "frozen"))
    assert math.isclose(tuned_vs_frozen.mean_difference, 3.0, abs_tol=1e-9)
    # every pair differs by exactly 3 points: no variance, p = 0, a clear "helps"
    assert tuned_vs_frozen.verdict == "helps" and tuned_vs_frozen.t_p_value == 0.0
    random_vs = next(c for c in comparisons if (c.a, c.b) == ("frozen", "random"))
    diffs = (np.array(FROZEN) - np.array(RANDOM)) * 100
    assert math.isclose(random_vs.t_p_value, stats.ttest_1samp(diffs, 0).pvalue)
    assert math.isclose(random_vs.wilcoxon_p_value, stats.wilcoxon(diffs).pvalue)


def test_a_mode_variant_is_summarized_and_compared_with_its_mode_and_frozen(records, record):
    gradual = [0.84, 0.85, 0.83, 0.86, 0.84]  # finetune + 1 point on every seed
    records += [
        record("sst2", "finetune", seed, gradual[seed], variant="gradual") for seed in range(5)
    ]
    summaries, comparisons = summarize(records)
    by_mode = {s.mode: s for s in summaries}
    assert math.isclose(by_mode["gradual"].accuracy_mean, 84.4)
    assert math.isclose(by_mode["finetune"].accuracy_mean, 83.4)  # not mixed with the variant
    assert [s.mode for s in summaries] == ["random", "frozen", "finetune", "gradual"]
    pairs = {(c.a, c.b): c for c in comparisons}
    assert math.isclose(pairs[("gradual", "finetune")].mean_difference, 1.0)
    assert pairs[("gradual", "finetune")].t_p_value == 0.0  # the same +1 on every seed
    assert pairs[("gradual", "frozen")].verdict == "helps"
    assert ("gradual", "random") not in pairs


def test_no_significant_difference_and_hurts(record):
    recs = []
    noise = [0.01, -0.01, 0.02, -0.02, 0.0]
    for seed in range(5):
        recs.append(record("trec", "frozen", seed, 0.9))
        recs.append(record("trec", "finetune", seed, 0.9 + noise[seed]))
        recs.append(record("trec", "multichannel", seed, 0.85 + noise[seed] / 10))
    _, comparisons = summarize(recs)
    verdicts = {(c.a, c.b): c.verdict for c in comparisons}
    assert verdicts[("finetune", "frozen")] == "no significant difference"
    assert verdicts[("multichannel", "frozen")] == "hurts"


def test_folds_are_the_replications_where_a_grid_cross_validates(record):
    # MR and Subj: 10-fold CV, one seed; runs pair by fold, not by (the shared) seed
    recs = [record("mr", "frozen", 0, 0.75 + fold / 100, fold=fold) for fold in range(3)]
    recs += [record("mr", "finetune", 0, 0.77 + fold / 100, fold=fold) for fold in range(3)]
    summaries, [comparison] = summarize(recs)
    assert [s.n for s in summaries] == [3, 3]
    assert comparison.pairs == 3 and math.isclose(comparison.mean_difference, 2.0)
