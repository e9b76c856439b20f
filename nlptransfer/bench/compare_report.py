"""``compare``'s report: ``report.md``, ``report.html`` (self-contained) and ``summary.json``.

:func:`compare_summary` is the JSON (schema in ``docs/compare.md``: the recommendation, the
systems with accuracy means and 95% intervals and training seconds, the paired comparisons,
the learning curve, the data summary, the drift); :func:`compare_markdown` the report's text;
:func:`write_compare_report` writes all three, each atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlptransfer._util.files import atomic_output
from nlptransfer.bench.compare_plots import curve_figure, systems_figure
from nlptransfer.bench.learning_curve import CurvePoint, crossing_sentence
from nlptransfer.bench.report_html import markdown_to_html
from nlptransfer.bench.verdict import PairedComparison, Verdict
from nlptransfer.train.drift import EmbeddingDrift

SUMMARY_VERSION = 1


def compare_summary(
    verdict: Verdict,
    *,
    curve: Sequence[CurvePoint] = (),
    data: Mapping[str, Any] | None = None,
    drift: EmbeddingDrift | None = None,
    setup: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON-ready summary (``summary.json``)."""
    return {
        "format": "nlptransfer-compare",
        "version": SUMMARY_VERSION,
        "units": {"accuracy": "percent", "train_seconds": "seconds, mean over seeds"},
        "recommendation": verdict.recommendation.to_dict(),
        "systems": [s.to_dict() for s in verdict.systems],
        "comparisons": [c.to_dict() for c in verdict.comparisons],
        "tests": verdict.notes,
        "learning_curve": {
            "points": [
                {
                    "train_fraction": p.train_fraction,
                    "train_examples": p.train_examples,
                    "cnn-frozen": round(p.frozen, 3),
                    "cnn-finetune": round(p.finetune, 3),
                }
                for p in curve
            ],
            "crossing": crossing_sentence(curve) if len(curve) > 1 else None,
        },
        "data": dict(data or {}),
        "drift": drift.to_dict() if drift is not None else None,
        "setup": dict(setup or {}),
    }


def _comparison_row(c: PairedComparison) -> str:
    seeds = ", ".join(f"{p:.3g}" for p in c.mcnemar_p.values()) or "-"
    wilcoxon = "-" if c.wilcoxon_p_value is None else f"{c.wilcoxon_p_value:.3g}"
    floor = f" (≥ {2 / 2**c.seed_pairs:g} possible)" if c.seed_pairs >= 2 else ""
    verdict = c.untested or ("**yes**" if c.significantly_worse else "no")
    return (
        f"| {c.best} − {c.other} | {c.seed_pairs} | {c.difference:+.2f} "
        f"| [{c.ci95[0]:+.2f}, {c.ci95[1]:+.2f}] | {c.interval} | {seeds} | {wilcoxon}{floor} "
        f"| {verdict} |"
    )


def compare_markdown(
    verdict: Verdict,
    *,
    title: str,
    curve: Sequence[CurvePoint] = (),
    data_text: str | None = None,
    drift: EmbeddingDrift | None = None,
    setup_lines: Sequence[str] = (),
    figures: Sequence[str] = (),
) -> str:
    """The report in Markdown; ``figures`` are the image paths, systems first then the curve."""
    rec = verdict.recommendation
    lines = [
        f"# {title}",
        "",
        f"**Use {rec.system}.** {rec.reason}",
        "",
        "## Systems",
        "",
        f"Test accuracy at the full training set ({verdict.systems[0].train_examples:,.0f} "
        "examples), mean over seeds with its 95% Student-t interval; training seconds are the "
        "mean per run.",
        "",
        "| system | test accuracy % | 95% interval | seeds | train s |",
        "|---|---|---|---|---|",
    ]
    for s in verdict.systems:
        mark = " (recommended)" if s.name == rec.system else ""
        lines.append(
            f"| {s.name}{mark} | {s.accuracy_mean:.2f} | [{s.accuracy_ci95[0]:.2f}, "
            f"{s.accuracy_ci95[1]:.2f}] | {s.runs} | {s.train_seconds:.2f} |"
        )
    if figures:
        lines += ["", f"![systems]({figures[0]})"]
    lines += [
        "",
        f"## {verdict.systems[0].name} against each other system",
        "",
        "Differences in test accuracy points (the effect size), on the same test examples and "
        "seeds. McNemar's exact test is given per seed; the Wilcoxon test over seed pairs, with "
        "the smallest p it could reach with this many seeds.",
        "",
        "| comparison | seed pairs | difference | 95% interval | interval from | McNemar exact p (per seed) | Wilcoxon p | significantly worse? |",
        "|---|---|---|---|---|---|---|---|",
        *(_comparison_row(c) for c in verdict.comparisons),
        "",
        "The tests and what they can show:",
        "",
        *(f"- {note}" for note in verdict.notes),
    ]
    if len(curve) > 1:
        lines += [
            "",
            "## Frozen or fine-tuned, as the training set grows",
            "",
            crossing_sentence(curve),
            "",
            "| share of the full training set | examples | cnn-frozen % | cnn-finetune % | fine-tuned − frozen |",
            "|---|---|---|---|---|",
            *(
                f"| {p.train_examples / curve[-1].train_examples:.0%} | {p.train_examples:,.0f} "
                f"| {p.frozen:.2f} "
                f"| {p.finetune:.2f} | {p.finetune - p.frozen:+.2f} |"
                for p in curve
            ),
        ]
        if len(figures) > 1:
            lines += ["", f"![learning curve]({figures[1]})"]
    if data_text:
        lines += ["", "## The data", "", "```", data_text.rstrip(), "```"]
    if drift is not None:
        lines += ["", drift.markdown(heading="##")]
    if setup_lines:
        lines += ["", "## How this was made", "", *setup_lines]
    return "\n".join(lines) + "\n"


def write_compare_report(
    folder: str | Path,
    verdict: Verdict,
    *,
    title: str,
    curve: Sequence[CurvePoint] = (),
    data: Mapping[str, Any] | None = None,
    data_text: str | None = None,
    drift: EmbeddingDrift | None = None,
    setup: Mapping[str, Any] | None = None,
    setup_lines: Sequence[str] = (),
) -> dict[str, Path]:
    """Write report.md (figures under plots/), report.html and summary.json; returns their paths."""
    folder = Path(folder)
    images = {"plots/systems.png": systems_figure(verdict.systems, verdict.recommendation.system)}
    if len(curve) > 1:
        images["plots/learning-curve.png"] = curve_figure(curve)
    for name, png in images.items():
        _write(folder / name, png)
    markdown = compare_markdown(
        verdict,
        title=title,
        curve=curve,
        data_text=data_text,
        drift=drift,
        setup_lines=setup_lines,
        figures=list(images),
    )
    summary = compare_summary(verdict, curve=curve, data=data, drift=drift, setup=setup)
    paths = {
        "markdown": folder / "report.md",
        "html": folder / "report.html",
        "summary": folder / "summary.json",
    }
    _write(paths["markdown"], markdown.encode("utf-8"))
    _write(paths["html"], markdown_to_html(markdown, images=images, title=title).encode("utf-8"))
    _write(paths["summary"], (json.dumps(summary, indent=2) + "\n").encode("utf-8"))
    return paths


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
