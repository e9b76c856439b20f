"""Reports of a benchmark folder: the tables in Markdown, and every report file written.

``write_report(folder)`` reads ``runs.jsonl`` and writes ``report.md``, ``summary.csv``,
``summary.json``, ``comparisons.csv`` and PNG plots under ``plots/``; for runs that scored the
test set after every epoch (``train: {track_test: true}``) also a section of test accuracy by
epoch. The statistics are :mod:`nlptransfer.bench.summary`'s, the test accuracy by epoch
:mod:`nlptransfer.bench.epochs`', the figures :mod:`nlptransfer.bench.plots`'.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import ResultsNotFoundError
from nlptransfer._util.files import atomic_output
from nlptransfer.bench.epochs import epoch_curves, epoch_tables
from nlptransfer.bench.plots import plot_epoch_curves, plot_summaries
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.summary import KIM_2014, Comparison, ModeSummary, summarize

logger = logging.getLogger(__name__)


def _fmt(mean: float, std: float, ci: float, n: int) -> str:
    if n < 2:  # one run has no spread: a "± 0.00" would claim a precision it does not have
        return f"{mean:.2f} (one run)"
    return f"{mean:.2f} ± {std:.2f} [±{ci:.2f}]"


#: The per-arm table's columns, named for someone who has not read the code.
SUMMARY_COLUMNS = (
    "dataset",
    "vectors",
    "model",
    "mode",
    "training fraction",
    "training examples",
    "runs",
    "test accuracy % (mean ± sd [95% CI])",
    "test macro-F1 %",
    "training s",
    "training examples/s",
    "vectors load s",
    "peak memory MB",
    "trainable parameters",
)


def _optional(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def markdown_tables(summaries: list[ModeSummary], comparisons: list[Comparison]) -> str:
    """The report's tables in Markdown.

    The vectors load time is how long loading the vectors file took in the process that loaded
    it (each process loads a file once and reuses it); ``-`` for runs without vectors.
    """
    lines = [
        "| " + " | ".join(SUMMARY_COLUMNS) + " |",
        "|" + "---|" * len(SUMMARY_COLUMNS),
    ]
    for s in summaries:
        lines.append(
            f"| {s.dataset} | {s.vectors} | {s.model} | {s.mode} | {s.train_fraction:g} "
            f"| {s.train_examples:.0f} | {s.n} "
            f"| {_fmt(s.accuracy_mean, s.accuracy_std, s.accuracy_ci95, s.n)} "
            f"| {_fmt(s.macro_f1_mean, s.macro_f1_std, s.macro_f1_ci95, s.n)} "
            f"| {s.train_seconds:.1f} | {_optional(s.train_examples_per_second, ',.0f')} "
            f"| {_optional(s.vectors_load_seconds, '.2f')} | {s.peak_memory_mb:.0f} "
            f"| {s.trainable_parameters:,.0f} |"
        )
    lines += [
        "",
        "Paired comparisons (test accuracy, percentage points, matched seeds/folds; verdict by paired t-test at 0.05):",
        "",
        "| dataset | vectors | model | training fraction | comparison | pairs | difference [95% CI] | t-test p | Wilcoxon p | verdict |",
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


def write_report(folder: str | Path, *, title: str | None = None) -> Path:
    """Write report.md, summary.csv/json, comparisons.csv and plots/ for a results folder."""
    folder = Path(folder)
    records = list(ResultsStore(folder).records())
    if not records:
        raise ResultsNotFoundError(f"{folder}: no finished runs in runs.jsonl to report on")
    summaries, comparisons = summarize(records)
    plots = plot_summaries(summaries, folder / "plots")
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


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _write_text(path, buffer.getvalue())
