"""Report statistics against scipy on records shaped as the runner writes them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from nlptransfer.bench.report import mean_std_ci, summarize, write_report
from nlptransfer.bench.results import ResultsStore


def record(dataset, mode, seed, accuracy, vectors="glove.txt", fold=None, variant=None):
    return {
        "variant": variant,
        "run_id": f"{dataset}-{mode}-{seed}-{vectors}",
        "dataset": {"name": dataset},
        "vectors": vectors,
        "model": "cnn",
        "mode": mode,
        "seed": seed,
        "fold": fold,
        "train_fraction": 1.0,
        "train_examples": 100,
        "metrics": {"test": {"accuracy": accuracy, "macro_f1": accuracy - 0.01}},
        "timings": {"train_seconds": 2.0, "vectors_load_seconds": 0.5},
        "peak_memory_mb": 300.0,
        "trainable_parameters": 1000,
    }


FROZEN = [0.80, 0.81, 0.79, 0.82, 0.80]
TUNED = [0.83, 0.84, 0.82, 0.85, 0.83]
RANDOM = [0.75, 0.74, 0.76, 0.75, 0.73]


@pytest.fixture
def records():
    out = []
    for seed in range(5):
        out.append(record("sst2", "frozen", seed, FROZEN[seed]))
        out.append(record("sst2", "finetune", seed, TUNED[seed]))
        out.append(record("sst2", "random", seed, RANDOM[seed]))
    return out


def test_mean_std_ci_match_scipy():
    values = [80.0, 81.0, 79.0, 82.0, 80.0]
    mean, std, half = mean_std_ci(values)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(values), scale=stats.sem(values))
    assert math.isclose(mean, 80.4) and math.isclose(std, np.std(values, ddof=1))
    assert math.isclose(mean - half, low) and math.isclose(mean + half, high)


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


def test_a_mode_variant_is_summarized_and_compared_with_its_mode_and_frozen(records):
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


def test_no_significant_difference_and_hurts():
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


def test_a_single_run_claims_no_spread_and_a_single_pair_no_verdict(tmp_path):
    store = ResultsStore(tmp_path)
    store.append(record("imdb", "frozen", 0, 0.8596))
    store.append(record("imdb", "finetune", 0, 0.8580))
    _, comparisons = summarize(list(store.records()))
    assert [c.verdict for c in comparisons] == ["one pair: untested"]
    text = write_report(tmp_path).read_text()
    assert "| 85.96 (one run) |" in text and "± 0.00" not in text
    assert "| finetune − frozen | 1 | -0.16 | - | - | **one pair: untested** |" in text


def test_write_report_files(tmp_path, records):
    store = ResultsStore(tmp_path)
    for r in records:
        store.append(r)
    path = write_report(tmp_path, title="demo")
    text = path.read_text()
    assert "# demo" in text and "finetune − frozen" in text and "**helps**" in text
    assert "Kim 2014" in text  # sst2 with cnn gets the published numbers beside ours
    assert "by epoch" not in text  # no run tracked the test set every epoch
    assert (tmp_path / "plots" / "bars-glove.txt-cnn.png").stat().st_size > 1000
    assert (tmp_path / "summary.csv").read_text().startswith("dataset,vectors,model")
    leftovers = [p.name for p in tmp_path.rglob("*") if ".tmp-" in p.name]
    assert not leftovers  # files are written to a temporary sibling, then renamed into place


def test_learning_curve_plot(tmp_path):
    store = ResultsStore(tmp_path)
    for fraction, base in ((0.1, 0.6), (0.5, 0.7), (1.0, 0.8)):
        for seed in range(3):
            for mode, bonus in (("frozen", 0.02), ("finetune", 0.0)):
                r = record("sst2", mode, seed, base + bonus + seed / 100)
                r["train_fraction"] = fraction
                r["train_examples"] = int(1000 * fraction)
                r["run_id"] += f"-{fraction}"
                store.append(r)
    write_report(tmp_path)
    assert (tmp_path / "plots" / "curve-sst2-glove.txt-cnn.png").exists()


def test_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no finished runs"):
        write_report(tmp_path)
