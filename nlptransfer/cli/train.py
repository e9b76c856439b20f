"""``nlptransfer train | predict | evaluate``: a classifier from the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

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
from nlptransfer.nn.names import CLASSIFIERS, EMBEDDING_MODES
from nlptransfer.text.tokenize import TOKENIZERS

#: The data summary's file in a model folder.
DATA_SUMMARY_FILE = "data-summary.json"


def _dataset(name, train_file, dev_file, test_file, fold, seed, file_options: dict[str, Any]):
    from nlptransfer.data import load_dataset

    if not name and not train_file:
        raise typer.BadParameter("give --dataset NAME or --train-file FILE", param_hint="--dataset")
    options = {"seed": seed, **file_options}
    if fold is not None:
        options["fold"] = fold
    if train_file:
        return load_dataset(
            None, train_file=train_file, dev_file=dev_file, test_file=test_file, **options
        )
    return load_dataset(name, **options)


def train(
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help=f"A dataset name: {', '.join(DATASETS.names())}."
    ),
    train_file: Path | None = typer.Option(
        None, help="Training file (CSV/TSV/JSONL/Parquet/Kim LABEL TEXT)."
    ),
    dev_file: Path | None = typer.Option(None, help="Dev file (default: carved from train)."),
    test_file: Path | None = typer.Option(None, help="Test file."),
    vectors: str | None = typer.Option(
        "glove-6b-50d", help="Vectors name or path (none for --mode random)."
    ),
    model: str = typer.Option("cnn", help=f"One of: {', '.join(CLASSIFIERS.names())}."),
    mode: str = typer.Option("finetune", help=f"One of: {', '.join(EMBEDDING_MODES)}."),
    epochs: int = typer.Option(25, min=1),
    optimizer: str = typer.Option("adam", help="adam, adamw, adadelta (Kim's) or sgd."),
    lr: float | None = typer.Option(None, help="Learning rate (default per optimizer)."),
    batch_size: int = typer.Option(50, min=1),
    patience: int = typer.Option(5, min=1, help="Early stopping patience in epochs."),
    seed: int = typer.Option(0),
    fold: int | None = typer.Option(None, help="Cross-validation fold for mr/subj (0-9)."),
    tokenizer: str | None = typer.Option(
        None,
        help=f"One of: {', '.join(TOKENIZERS.names())}. Default: the vectors' own tokenizer for "
        "token vectors (model2vec, WordLlama), else spacy.",
    ),
    lowercase: bool = typer.Option(
        False, help="Lowercase tokens (uncased vectors match either way)."
    ),
    threads: int | None = typer.Option(None, help="CPU threads for torch."),
    track_test: bool = typer.Option(
        False,
        "--track-test",
        help="Also score the test set after every epoch, into metrics.json's history "
        "(the epoch kept is still chosen on dev).",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Model folder to write."),
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    format: FormatOption = None,
    header: HeaderOption = None,
    columns: ColumnsOption = None,
    label_names: LabelNamesOption = None,
    on_bad_rows: OnBadRowsOption = "error",
) -> None:
    """Train a text classifier on pretrained vectors; write a self-contained model folder.

    Before training it shows what was read (rows, classes, text lengths, the vectors' coverage,
    train/test duplicates), and keeps it in the model folder as data-summary.json.
    """
    file_options = load_dataset_options(
        text_column=text_column,
        label_column=label_column,
        format=format,
        header=header,
        columns=columns,
        label_names=label_names,
        on_bad_rows=on_bad_rows,
    )
    CLASSIFIERS.canonical(model)  # a typo fails before torch loads, naming the close matches
    if tokenizer is not None:
        TOKENIZERS.canonical(tokenizer)
    if mode not in EMBEDDING_MODES:
        raise typer.BadParameter(
            f"expected one of {', '.join(EMBEDDING_MODES)}", param_hint="--mode"
        )

    from nlptransfer._util.files import atomic_output
    from nlptransfer.data.summary import summarize_dataset
    from nlptransfer.text.tokenize import MemoizedTokenizer, get_tokenizer
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig
    from nlptransfer.vectors.load import load_vectors

    config = TrainConfig(
        epochs=epochs,
        optimizer=optimizer,
        lr=lr,
        batch_size=batch_size,
        patience=patience,
        seed=seed,
        threads=threads,
        track_test=track_test,
    )
    ds = _dataset(dataset, train_file, dev_file, test_file, fold, seed, file_options)
    labels = ds["train"].features["label"].names
    loaded = None if vectors in (None, "", "none") else load_vectors(vectors)
    if loaded is None and mode != "random":
        raise typer.BadParameter(f"mode {mode!r} needs --vectors", param_hint="--vectors")
    own_tokenizer = tokenizer is None and loaded is not None and loaded.has_tokenizer
    if own_tokenizer and lowercase:
        raise typer.BadParameter(
            f"{vectors} split text with their own tokenizer, which decides case itself; drop "
            "--lowercase, or name a tokenizer with --tokenizer",
            param_hint="--lowercase",
        )
    # one memo for the summary and training: the texts are split once
    split_with = (
        None
        if own_tokenizer
        else MemoizedTokenizer(get_tokenizer(tokenizer or "spacy", lowercase=lowercase))
    )
    summary = summarize_dataset(ds, vectors=loaded, tokenizer=split_with)
    if not os.environ.get("NLPTRANSFER_QUIET"):
        console.print(summary.render(), markup=False, highlight=False)
    run = train_classifier(
        (ds["train"]["text"], ds["train"]["label"]),
        label_names=labels,
        vectors=loaded,
        dev=(ds["dev"]["text"], ds["dev"]["label"]),
        test=(ds["test"]["text"], ds["test"]["label"]) if "test" in ds else None,
        model=model,
        mode=mode,
        tokenizer=split_with,
        train_config=config,
        out=out,
        info={"dataset": {"name": dataset or str(train_file), "fold": fold, **file_options}},
    )
    with atomic_output(out / DATA_SUMMARY_FILE) as tmp:
        tmp.write_text(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False), "utf-8")
    for split in ("dev", "test"):
        if split in run.metrics:
            m = run.metrics[split]
            console.print(f"{split}: accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}")
    console.print(f"model folder: {out}")


def predict(
    folder: Path = typer.Argument(..., help="A model folder written by `nlptransfer train`."),
    text: list[str] | None = typer.Option(
        None, "--text", "-t", help="A text to classify (repeatable)."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="A file with one text a line (plain, .gz, .bz2 or .xz)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
    backend: str = typer.Option(
        "torch", help="torch; onnx or onnx-int8: the folder's exported model, without PyTorch."
    ),
) -> None:
    """Classify texts: one line per input with the label and its probability."""
    from nlptransfer.data.texts import read_texts
    from nlptransfer.deploy.backends import load_classifier

    if not text and file is None:
        raise typer.BadParameter("give --text or --file", param_hint="--text")
    texts = list(text or []) + (read_texts(file, "lines") if file is not None else [])
    pipeline = load_classifier(folder, backend=backend)
    for source, p in zip(texts, pipeline.predict(texts), strict=True):
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "text": source,
                        "label": p.label,
                        "probability": round(p.probability, 6),
                        "probabilities": p.probabilities,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(f"{p.label}\t{p.probability:.4f}\t{source}")


def evaluate(
    folder: Path = typer.Argument(..., help="A model folder written by `nlptransfer train`."),
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help="Evaluate on this dataset's test split."
    ),
    test_file: Path | None = typer.Option(None, help="Or on this labelled file."),
    fold: int | None = typer.Option(None, help="Cross-validation fold for mr/subj."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    format: FormatOption = None,
    header: HeaderOption = None,
    columns: ColumnsOption = None,
    on_bad_rows: OnBadRowsOption = "error",
    backend: str = typer.Option(
        "torch", help="torch; onnx or onnx-int8: the folder's exported model, without PyTorch."
    ),
) -> None:
    """Accuracy, macro-F1 and the confusion matrix of a trained model on labelled data."""
    file_options = load_dataset_options(
        text_column=text_column,
        label_column=label_column,
        format=format,
        header=header,
        columns=columns,
        on_bad_rows=on_bad_rows,
    )
    from nlptransfer.data import load_dataset
    from nlptransfer.data.dataset import read_labelled_file
    from nlptransfer.deploy.backends import load_classifier

    if test_file is None and not dataset:
        raise typer.BadParameter("give --dataset or --test-file", param_hint="--dataset")
    pipeline = load_classifier(folder, backend=backend)
    names = pipeline.label_names
    if test_file is not None:
        texts, labels = read_labelled_file(test_file, names, **file_options)
    else:
        split = load_dataset(dataset, fold=fold, **file_options)["test"]
        if list(split.features["label"].names) != names:
            raise typer.BadParameter(
                f"the dataset's labels {split.features['label'].names} differ from the model's {names}"
            )
        texts, labels = split["text"], split["label"]
    metrics = pipeline.evaluate(texts, labels)
    if as_json:
        typer.echo(json.dumps(metrics, indent=2))
        return
    console.print(
        f"accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  ({metrics['examples']} examples)"
    )
    table = Table(title="confusion matrix (rows: gold, columns: predicted)")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    for name, row in zip(names, metrics["confusion_matrix"], strict=True):
        table.add_row(name, *map(str, row))
    console.print(table)
