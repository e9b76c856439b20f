"""Statistics of a benchmark's runs: cells, per-mode means and intervals, paired comparisons.

A *cell* is one dataset x vectors x model x training fraction; within it, runs are grouped by
*arm* (the embedding mode, or a named variant of one) and by replication (the seed, or the
cross-validation fold). Per arm: mean, standard deviation and the 95% confidence interval of
the mean (Student's t) of test accuracy and macro-F1. Paired comparisons match runs by
replication (same seed or fold, so the same data split): the mean difference, its 95% interval,
a paired t-test and a Wilcoxon signed-rank test. The verdict uses the t-test at 0.05 (with 5
replications the Wilcoxon test cannot go below p = 0.0625).

Example:
    >>> runs = [{"dataset": {"name": "sst2"}, "vectors": "/data/glove.txt", "model": "cnn",
    ...          "mode": mode, "seed": seed, "train_fraction": 1.0, "train_examples": 100,
    ...          "metrics": {"test": {"accuracy": acc, "macro_f1": acc}},
    ...          "timings": {"train_seconds": 1.0, "vectors_load_seconds": 0.1},
    ...          "peak_memory_mb": 100.0, "trainable_parameters": 10}
    ...         for mode, accs in (("frozen", [0.80, 0.82]), ("finetune", [0.83, 0.84]))
    ...         for seed, acc in enumerate(accs)]
    >>> summaries, [comparison] = summarize(runs)
    >>> [(s.mode, s.vectors, round(s.accuracy_mean, 2)) for s in summaries]
    [('frozen', 'glove.txt', 81.0), ('finetune', 'glove.txt', 83.5)]
    >>> comparison.a, comparison.b, round(comparison.mean_difference, 2), comparison.pairs
    ('finetune', 'frozen', 2.5, 2)
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

MODE_ORDER = ("random", "frozen", "finetune", "multichannel")
COMPARISONS = (
    ("finetune", "frozen"),
    ("multichannel", "frozen"),
    ("multichannel", "finetune"),
    ("frozen", "random"),
    ("finetune", "random"),
)
ALPHA = 0.05

#: Kim (2014), CNN test accuracy (%) with word2vec GoogleNews 300d: rand, static, non-static,
#: multichannel (SST-2 trained on phrases and sentences). From ../shared/data/README.md.
KIM_2014 = {
    "mr": {"random": 76.1, "frozen": 81.0, "finetune": 81.5, "multichannel": 81.1},
    "sst2": {"random": 82.7, "frozen": 86.8, "finetune": 87.2, "multichannel": 88.1},
    "subj": {"random": 89.6, "frozen": 93.0, "finetune": 93.4, "multichannel": 93.2},
    "trec": {"random": 91.2, "frozen": 92.8, "finetune": 93.6, "multichannel": 92.2},
}
KIM_2014["sst2-phrases"] = KIM_2014["sst2"]

#: (dataset, vectors, model, train fraction): the key of a cell
Cell = tuple[str, str, str, float]


@dataclass
class ModeSummary:
    """One mode's results in one cell (dataset x vectors x model x train fraction)."""

    dataset: str
    vectors: str
    model: str
    train_fraction: float
    mode: str
    n: int
    accuracy_mean: float
    accuracy_std: float
    accuracy_ci95: float
    macro_f1_mean: float
    macro_f1_std: float
    macro_f1_ci95: float
    train_examples: float
    train_seconds: float
    #: Training examples per second of training, the mean over the runs (``None``: unmeasured).
    train_examples_per_second: float | None
    #: How long loading the vectors took where they were loaded (``None``: the runs use none).
    vectors_load_seconds: float | None
    peak_memory_mb: float
    trainable_parameters: float


@dataclass
class Comparison:
    """A paired comparison of two modes over matched replications."""

    dataset: str
    vectors: str
    model: str
    train_fraction: float
    a: str
    b: str
    pairs: int
    mean_difference: float
    ci95: float
    t_p_value: float | None
    wilcoxon_p_value: float | None
    verdict: str


def mean_std_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean, sample standard deviation and 95% CI half-width (Student's t); 0s for n < 2.

    >>> [round(x, 3) for x in mean_std_ci([1.0, 2.0, 3.0])]
    [2.0, 1.0, 2.484]
    """
    arr = np.asarray(values, dtype=np.float64)
    if len(arr) == 0:
        return math.nan, math.nan, math.nan
    if len(arr) == 1:
        return float(arr[0]), 0.0, 0.0
    std = float(arr.std(ddof=1))
    half = float(stats.t.ppf(0.975, len(arr) - 1) * std / math.sqrt(len(arr)))
    return float(arr.mean()), std, half


def paired_t_p_value(differences: Sequence[float]) -> float | None:
    """The paired t-test's p for differences of matched runs; None for fewer than two pairs.

    When every pair differs by the same non-zero amount there is no variance to test against
    and the difference is certain: p = 0.

    >>> round(paired_t_p_value([1.0, 2.0, 1.5]), 4), paired_t_p_value([0.5, 0.5]), paired_t_p_value([1.0])
    (0.0351, 0.0, None)
    """
    arr = np.round(np.asarray(differences, dtype=np.float64), 9)  # exact up to float noise
    if len(arr) < 2:
        return None
    if np.ptp(arr) > 0:
        return float(stats.ttest_rel(arr, np.zeros_like(arr)).pvalue)
    return 0.0 if arr[0] != 0 else None


def vectors_name(value: str | None) -> str:
    """How reports name a run's vectors: a path's file name, a catalogue name as it is.

    >>> vectors_name("/data/glove.6B.100d.txt.gz"), vectors_name("glove-6b-50d"), vectors_name(None)
    ('glove.6B.100d.txt.gz', 'glove-6b-50d', '-')
    """
    if not value:
        return "-"
    return Path(value).name if ("/" in value or "\\" in value) else value


def arm(record: dict[str, Any]) -> str:
    """What reports call a run's mode: its mode variant's name, or its embedding mode."""
    return record.get("variant") or record["mode"]


def arm_order(arms: Iterable[str]) -> list[str]:
    """The embedding modes in :data:`MODE_ORDER`, then variants in the order first seen.

    >>> arm_order(["gradual", "finetune", "frozen", "finetune"])
    ['frozen', 'finetune', 'gradual']
    """
    unique = list(dict.fromkeys(arms))
    return sorted(unique, key=lambda m: MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER))


def cell_of(record: dict[str, Any]) -> Cell:
    """The cell a run belongs to: (dataset, vectors as reports name them, model, fraction)."""
    return (
        record["dataset"]["name"],
        vectors_name(record["vectors"]),
        record["model"],
        record["train_fraction"],
    )


def group_cells(
    records: Iterable[dict[str, Any]],
) -> dict[Cell, dict[str, dict[int, dict[str, Any]]]]:
    """(dataset, vectors, model, fraction) -> mode or variant -> replicate -> record."""
    cells: dict[Cell, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        rep = r["fold"] if r.get("fold") is not None else r["seed"]
        cells[cell_of(r)][arm(r)][rep] = r
    return cells


def sort_key(cell: Sequence[Any]) -> tuple[str, ...]:
    """The order reports list cells in."""
    return tuple(map(str, cell))


def _comparisons(modes: dict[str, dict[int, dict[str, Any]]]) -> list[tuple[str, str]]:
    """The fixed mode pairs, then each variant against its own mode and against ``frozen``."""
    pairs = list(COMPARISONS)
    for name in arm_order(modes):
        base = next(iter(modes[name].values()))["mode"]
        if name == base:  # an embedding mode (or a baseline's "none"), not a variant
            continue
        for other in dict.fromkeys((base, "frozen")):
            pairs.append((name, other))
    return pairs


def summarize(records: list[dict[str, Any]]) -> tuple[list[ModeSummary], list[Comparison]]:
    """Per-mode statistics and paired comparisons for every cell."""
    summaries: list[ModeSummary] = []
    comparisons: list[Comparison] = []
    for key, modes in sorted(group_cells(records).items(), key=lambda kv: sort_key(kv[0])):
        for mode in arm_order(modes):
            summaries.append(_summary(key, mode, list(modes[mode].values())))
        for a, b in _comparisons(modes):
            if a not in modes or b not in modes:
                continue
            shared = sorted(set(modes[a]) & set(modes[b]))
            if not shared:
                continue
            diffs = [100 * (_accuracy(modes[a][k]) - _accuracy(modes[b][k])) for k in shared]
            comparisons.append(_compare(key, a, b, diffs))
    return summaries, comparisons


def _accuracy(record: dict[str, Any]) -> float:
    return record["metrics"]["test"]["accuracy"]


def _summary(key: Cell, mode: str, runs: list[dict[str, Any]]) -> ModeSummary:
    acc = mean_std_ci([100 * _accuracy(r) for r in runs])
    f1 = mean_std_ci([100 * r["metrics"]["test"]["macro_f1"] for r in runs])
    return ModeSummary(
        *key,
        mode,
        len(runs),
        *acc,
        *f1,
        train_examples=float(np.mean([r["train_examples"] for r in runs])),
        train_seconds=float(np.mean([r["timings"]["train_seconds"] for r in runs])),
        train_examples_per_second=_mean_of_known(
            r["timings"].get("train_examples_per_second") for r in runs
        ),
        vectors_load_seconds=_max_of_known(r["timings"].get("vectors_load_seconds") for r in runs),
        peak_memory_mb=float(max(r["peak_memory_mb"] for r in runs)),
        trainable_parameters=float(np.mean([r["trainable_parameters"] for r in runs])),
    )


def _mean_of_known(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def _max_of_known(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(max(known)) if known else None


def _compare(key: Cell, a: str, b: str, diffs: list[float]) -> Comparison:
    mean, _, half = mean_std_ci(diffs)
    t_p = paired_t_p_value(diffs)
    w_p = None
    arr = np.round(np.asarray(diffs), 9)  # accuracy differences: exact up to float noise
    if len(arr) >= 2 and np.any(arr != 0):
        with warnings.catch_warnings():  # scipy warns on identical differences; p is still exact
            warnings.simplefilter("ignore", RuntimeWarning)
            w_p = float(stats.wilcoxon(arr).pvalue)
    if len(arr) < 2:
        verdict = "one pair: untested"  # no spread to test against; more seeds or folds needed
    elif t_p is not None and t_p < ALPHA:
        verdict = "helps" if mean > 0 else "hurts"
    else:
        verdict = "no significant difference"
    return Comparison(*key, a, b, len(diffs), mean, half, t_p, w_p, verdict)
