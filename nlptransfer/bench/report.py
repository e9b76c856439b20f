"""Reports of a benchmark folder: statistics per mode, paired comparisons, costs, plots.

``write_report(folder)`` reads ``runs.jsonl`` and writes ``report.md``, ``summary.csv``,
``summary.json``, ``comparisons.csv`` and PNG plots under ``plots/``; for runs that scored the
test set after every epoch (``train: {track_test: true}``) also a section of test accuracy by
epoch (:mod:`nlptransfer.bench.epochs`).

Statistics: mean, standard deviation and the 95% confidence interval of the mean (Student's t)
of test accuracy and macro-F1 over the replications (seeds, or cross-validation folds). Paired
comparisons match runs by replication (same seed or fold, so the same data split): the mean
difference, its 95% interval, a paired t-test and a Wilcoxon signed-rank test. The verdict
uses the t-test at 0.05 (with 5 replications the Wilcoxon test cannot go below p = 0.0625).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from nlptransfer._util.errors import ResultsNotFoundError
from nlptransfer._util.files import atomic_output
from nlptransfer.bench.results import ResultsStore

logger = logging.getLogger(__name__)

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
    vectors_load_seconds: float
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


def mean_std_ci(values: list[float]) -> tuple[float, float, float]:
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


def vectors_name(value: str | None) -> str:
    """How reports name a run's vectors: a path's file name, a catalogue name as it is."""
    if not value:
        return "-"
    return Path(value).name if ("/" in value or "\\" in value) else value


def arm(record: dict[str, Any]) -> str:
    """What reports call a run's mode: its mode variant's name, or its embedding mode."""
    return record.get("variant") or record["mode"]


def arm_order(arms: Iterable[str]) -> list[str]:
    """The embedding modes in :data:`MODE_ORDER`, then variants in the order first seen."""
    unique = list(dict.fromkeys(arms))
    return sorted(unique, key=lambda m: MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER))


def group_cells(records: list[dict[str, Any]]) -> dict[tuple, dict[str, dict[int, dict[str, Any]]]]:
    """(dataset, vectors, model, fraction) -> mode or variant -> replicate -> record."""
    cells: dict[tuple, dict[str, dict[int, dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for r in records:
        key = (r["dataset"]["name"], vectors_name(r["vectors"]), r["model"], r["train_fraction"])
        rep = r["fold"] if r.get("fold") is not None else r["seed"]
        cells[key][arm(r)][rep] = r
    return cells


def _comparisons(modes: dict[str, dict[int, dict[str, Any]]]) -> list[tuple[str, str]]:
    """The fixed mode pairs, then each variant against its own mode and against ``frozen``."""
    pairs = list(COMPARISONS)
    for name in arm_order(modes):
        if name in MODE_ORDER:
            continue
        base = next(iter(modes[name].values()))["mode"]
        for other in dict.fromkeys((base, "frozen")):
            pairs.append((name, other))
    return pairs


def summarize(records: list[dict[str, Any]]) -> tuple[list[ModeSummary], list[Comparison]]:
    """Per-mode statistics and paired comparisons for every cell."""
    summaries: list[ModeSummary] = []
    comparisons: list[Comparison] = []
    for key, modes in sorted(group_cells(records).items(), key=lambda kv: tuple(map(str, kv[0]))):
        dataset, vectors, model, fraction = key
        for mode in arm_order(modes):
            runs = list(modes[mode].values())
            acc = mean_std_ci([100 * r["metrics"]["test"]["accuracy"] for r in runs])
            f1 = mean_std_ci([100 * r["metrics"]["test"]["macro_f1"] for r in runs])
            summaries.append(
                ModeSummary(
                    dataset,
                    vectors,
                    model,
                    fraction,
                    mode,
                    len(runs),
                    *acc,
                    *f1,
                    train_examples=float(np.mean([r["train_examples"] for r in runs])),
                    train_seconds=float(np.mean([r["timings"]["train_seconds"] for r in runs])),
                    vectors_load_seconds=float(
                        max(r["timings"]["vectors_load_seconds"] for r in runs)
                    ),
                    peak_memory_mb=float(max(r["peak_memory_mb"] for r in runs)),
                    trainable_parameters=float(np.mean([r["trainable_parameters"] for r in runs])),
                )
            )
        for a, b in _comparisons(modes):
            if a not in modes or b not in modes:
                continue
            shared = sorted(set(modes[a]) & set(modes[b]))
            if not shared:
                continue
            diffs = [
                100
                * (
                    modes[a][k]["metrics"]["test"]["accuracy"]
                    - modes[b][k]["metrics"]["test"]["accuracy"]
                )
                for k in shared
            ]
            comparisons.append(_compare(key, a, b, diffs))
    return summaries, comparisons


def _compare(key: tuple, a: str, b: str, diffs: list[float]) -> Comparison:
    mean, _, half = mean_std_ci(diffs)
    t_p = w_p = None
    arr = np.round(np.asarray(diffs), 9)  # accuracy differences: exact up to float noise
    if len(arr) >= 2 and np.ptp(arr) > 0:
        t_p = float(stats.ttest_rel(arr, np.zeros_like(arr)).pvalue)
    elif len(arr) >= 2 and arr[0] != 0:
        t_p = 0.0  # every pair differs by the same non-zero amount: no variance to test
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


def _fmt(mean: float, std: float, ci: float, n: int) -> str:
    if n < 2:  # one run has no spread: a "± 0.00" would claim a precision it does not have
        return f"{mean:.2f} (one run)"
    return f"{mean:.2f} ± {std:.2f} [±{ci:.2f}]"


def markdown_tables(summaries: list[ModeSummary], comparisons: list[Comparison]) -> str:
    """The report's tables in Markdown."""
    lines = [
        "| dataset | vectors | model | train | mode | n | test accuracy % (mean ± std [95% CI]) | macro-F1 % | train s | vectors load s | peak MB | trainable params |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        lines.append(
            f"| {s.dataset} | {s.vectors} | {s.model} | {s.train_fraction:g} ({s.train_examples:.0f}) | {s.mode} | {s.n} "
            f"| {_fmt(s.accuracy_mean, s.accuracy_std, s.accuracy_ci95, s.n)} "
            f"| {_fmt(s.macro_f1_mean, s.macro_f1_std, s.macro_f1_ci95, s.n)} "
            f"| {s.train_seconds:.1f} | {s.vectors_load_seconds:.2f} | {s.peak_memory_mb:.0f} | {s.trainable_parameters:,.0f} |"
        )
    lines += [
        "",
        "Paired comparisons (test accuracy, percentage points, matched seeds/folds; verdict by paired t-test at 0.05):",
        "",
        "| dataset | vectors | model | train | comparison | pairs | difference [95% CI] | t-test p | Wilcoxon p | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        t_p = "-" if c.t_p_value is None else f"{c.t_p_value:.3g}"
        w_p = "-" if c.wilcoxon_p_value is None else f"{c.wilcoxon_p_value:.3g}"
        lines.append(
            f"| {c.dataset} | {c.vectors} | {c.model} | {c.train_fraction:g} | {c.a} − {c.b} | {c.pairs} "
            f"| {c.mean_difference:+.2f}{'' if c.pairs < 2 else f' [±{c.ci95:.2f}]'} "
            f"| {t_p} | {w_p} | **{c.verdict}** |"
        )
    kim = [
        s
        for s in summaries
        if s.dataset in KIM_2014 and s.model == "cnn" and s.train_fraction == 1.0
    ]
    if kim:
        lines += [
            "",
            "Beside Kim (2014) (CNN, word2vec GoogleNews 300d; ours: the vectors named, mean of the replications):",
            "",
            "| dataset | vectors | mode | ours % | Kim 2014 % |",
            "|---|---|---|---|---|",
        ]
        for s in kim:
            lines.append(
                f"| {s.dataset} | {s.vectors} | {s.mode} | {s.accuracy_mean:.1f} | {KIM_2014[s.dataset].get(s.mode, '-')} |"
            )
    return "\n".join(lines)


def plot(summaries: list[ModeSummary], folder: Path) -> list[Path]:
    """Grouped bars with 95% CIs per vectors x model, and learning curves where fractions vary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    groups: dict[tuple[str, str], list[ModeSummary]] = defaultdict(list)
    for s in summaries:
        groups[(s.vectors, s.model)].append(s)
    for (vectors, model), items in groups.items():
        full = [s for s in items if s.train_fraction == max(x.train_fraction for x in items)]
        datasets = sorted({s.dataset for s in full})
        modes = arm_order(s.mode for s in full)
        fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(datasets), 4))
        width = 0.8 / max(len(modes), 1)
        for i, mode in enumerate(modes):
            xs, ys, es = [], [], []
            for j, d in enumerate(datasets):
                match = [s for s in full if s.dataset == d and s.mode == mode]
                if match:
                    xs.append(j + (i - (len(modes) - 1) / 2) * width)
                    ys.append(match[0].accuracy_mean)
                    es.append(match[0].accuracy_ci95)
            ax.bar(xs, ys, width, yerr=es, capsize=3, label=mode)
        ax.set_xticks(range(len(datasets)), datasets)
        ax.set_ylabel("test accuracy % (95% CI)")
        low = min((s.accuracy_mean - s.accuracy_ci95 for s in full), default=0)
        ax.set_ylim(
            max(0, low - 5),
            min(100, max((s.accuracy_mean + s.accuracy_ci95 for s in full), default=100) + 3),
        )
        ax.set_title(f"{model}, {vectors}")
        # beside the axes: with five or more modes a legend inside would cover the bars
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.tight_layout()
        path = folder / f"bars-{slug(vectors)}-{model}.png"
        save_figure(fig, path)
        plt.close(fig)
        written.append(path)
        for dataset in sorted({s.dataset for s in items}):
            curve = [s for s in items if s.dataset == dataset]
            if len({s.train_fraction for s in curve}) < 2:
                continue
            fig, ax = plt.subplots(figsize=(6, 4))
            for mode in arm_order(s.mode for s in curve):
                points = sorted(
                    (s.train_examples, s.accuracy_mean, s.accuracy_ci95)
                    for s in curve
                    if s.mode == mode
                )
                if points:
                    x, y, e = map(np.asarray, zip(*points, strict=True))
                    ax.plot(x, y, marker="o", label=mode)
                    ax.fill_between(x, y - e, y + e, alpha=0.15)
            ax.set_xscale("log")
            ax.set_xlabel("training examples")
            ax.set_ylabel("test accuracy % (95% CI)")
            ax.set_title(f"learning curve: {dataset}, {model}, {vectors}")
            ax.legend(fontsize=8)
            fig.tight_layout()
            path = folder / f"curve-{slug(dataset)}-{slug(vectors)}-{model}.png"
            save_figure(fig, path)
            plt.close(fig)
            written.append(path)
    return written


def slug(text: str) -> str:
    """``text`` safe as part of a file name (plots are named after datasets and vectors)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def write_report(folder: str | Path, *, title: str | None = None) -> Path:
    """Write report.md, summary.csv/json, comparisons.csv and plots/ for a results folder."""
    folder = Path(folder)
    records = list(ResultsStore(folder).records())
    if not records:
        raise ResultsNotFoundError(f"{folder}: no finished runs in runs.jsonl to report on")
    # epochs builds on this module's helpers, so it is imported here, not at the top
    from nlptransfer.bench.epochs import epoch_curves, epoch_tables, plot_epoch_curves

    summaries, comparisons = summarize(records)
    plots = plot(summaries, folder / "plots")
    curves = epoch_curves(records)
    _write_csv(folder / "summary.csv", [asdict(s) for s in summaries])
    _write_csv(folder / "comparisons.csv", [asdict(c) for c in comparisons])
    _write_text(
        folder / "summary.json",
        json.dumps(
            {
                "summaries": [asdict(s) for s in summaries],
                "comparisons": [asdict(c) for c in comparisons],
            },
            indent=2,
        ),
    )
    body = [
        f"# {title or folder.name}",
        "",
        f"{len(records)} runs. Test accuracy and macro-F1 in %; ± is the standard deviation over "
        "replications (seeds, or cross-validation folds), [±] the 95% confidence interval of the mean.",
        "",
        markdown_tables(summaries, comparisons),
        "",
        *(f"![{p.stem}](plots/{p.name})" for p in plots),
        "",
    ]
    if curves:
        body += [
            "## Test accuracy by epoch",
            "",
            "These runs scored the test set after every epoch (`track_test`). The epoch each run "
            "kept was chosen on dev alone; the oracle column takes each run's best test epoch "
            "instead, a bound no rule for choosing the epoch can beat.",
            "",
            epoch_tables(curves),
            "",
            *(f"![{p.stem}](plots/{p.name})" for p in plot_epoch_curves(curves, folder / "plots")),
            "",
        ]
    path = folder / "report.md"
    _write_text(path, "\n".join(body))
    return path


def _write_text(path: Path, text: str) -> None:
    """Every report file appears whole or not at all (a reader never sees half a table)."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def save_figure(fig: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG, atomically."""
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png", bbox_inches="tight")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _write_text(path, buffer.getvalue())
