"""``nlptransfer compare``: run the systems you would weigh on your data, and say which to use."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer

from nlptransfer.cli.console import console
from nlptransfer.cli.data_options import (
    ColumnsOption,
    FormatOption,
    HeaderOption,
    LabelColumnOption,
    LabelNamesOption,
    OnBadRowsOption,
    TextColumnOption,
    load_dataset_options,
)
from nlptransfer.data.catalog import DATASETS


def compare(
    train_file: Path | None = typer.Option(
        None, help="Your labelled training file (CSV/TSV/JSONL/Parquet/Kim LABEL TEXT)."
    ),
    test_file: Path | None = typer.Option(None, help="Test file (default: carved from train)."),
    dev_file: Path | None = typer.Option(None, help="Dev file (default: carved from train)."),
    dataset: str | None = typer.Option(
        None,
        "--dataset",
        "-d",
        help=f"A catalogue dataset instead of files ({', '.join(DATASETS.names())}); with files, "
        "the name the report gives them.",
    ),
    vectors: list[str] = typer.Option(
        ["glove-6b-50d"], "--vectors", help="Vectors name or path; repeat to compare several."
    ),
    seeds: int = typer.Option(3, min=1, help="Seeds per system (0..N-1)."),
    curve: bool = typer.Option(
        False,
        "--curve",
        help="Add a learning curve (10%, 30%, 100% of the training set): where do frozen and "
        "fine-tuned vectors cross?",
    ),
    out: Path = typer.Option(
        Path("compare"), "--out", "-o", help="Folder for the runs (resumable) and the report."
    ),
    epochs: int | None = typer.Option(None, min=1, help="Epochs per CNN run (default 25)."),
    max_train_examples: int | None = typer.Option(
        None, min=1, help="Train on at most this many examples (a stratified sample)."
    ),
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    format: FormatOption = None,
    header: HeaderOption = None,
    columns: ColumnsOption = None,
    label_names: LabelNamesOption = None,
    on_bad_rows: OnBadRowsOption = "error",
    tokenizer: str = typer.Option("spacy", help="The tokenizer (spacy, whitespace, regex...)."),
    lowercase: bool = typer.Option(False, help="Lowercase tokens."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Runs at a time."),
    drift: bool = typer.Option(
        True,
        "--drift/--no-drift",
        help="Save one fine-tuned CNN under OUT/model and report what moved in its vectors.",
    ),
) -> None:
    """Which system should you use? Random, frozen and fine-tuned vectors in a CNN, and the
    baselines, on your data: accuracy with intervals, paired tests, and one recommendation."""
    from nlptransfer.bench.compare_systems import compare as run_compare

    file_options = load_dataset_options(
        text_column=text_column,
        label_column=label_column,
        format=format,
        header=header,
        columns=columns,
        label_names=label_names,
        on_bad_rows=on_bad_rows,
    )
    if file_options.get("on_bad_rows") == "error":  # the default: grids leave it out
        del file_options["on_bad_rows"]
    if not train_file and not dataset:
        raise typer.BadParameter(
            "give --train-file FILE or --dataset NAME", param_hint="--train-file"
        )
    if not train_file and (test_file or dev_file):
        raise typer.BadParameter("--test-file and --dev-file go with --train-file")
    outcome = run_compare(
        train_file,
        test_file=test_file,
        dev_file=dev_file,
        dataset=dataset,
        vectors=vectors,
        seeds=seeds,
        curve=curve,
        out=out,
        epochs=epochs,
        max_train_examples=max_train_examples,
        tokenizer={"name": tokenizer, **({"lowercase": True} if lowercase else {})},
        jobs=jobs,
        drift=drift,
        command="nlptransfer " + shlex.join(sys.argv[1:]),
        **file_options,
    )
    verdict = outcome.verdict
    lines = ["", "system               test accuracy %   95% interval      train s"]
    for s in verdict.systems:
        lines.append(
            f"{s.name:20} {s.accuracy_mean:8.2f}         [{s.accuracy_ci95[0]:.2f}, "
            f"{s.accuracy_ci95[1]:.2f}]  {s.train_seconds:9.2f}"
        )
    console.print("\n".join(lines), markup=False, highlight=False)
    if outcome.curve:
        from nlptransfer.bench.learning_curve import crossing_sentence

        console.print("\n" + crossing_sentence(outcome.curve), markup=False, highlight=False)
    for name in outcome.skipped:
        console.print(f"left out: {name} (not available in this installation)", highlight=False)
    rec = outcome.recommendation
    console.print(f"\n[bold]Use {rec.system}.[/bold] {rec.reason}", highlight=False, soft_wrap=True)
    console.print(
        f"report: {outcome.paths['html']} (also {outcome.paths['markdown'].name}, "
        f"{outcome.paths['summary'].name})",
        highlight=False,
        soft_wrap=True,
    )
