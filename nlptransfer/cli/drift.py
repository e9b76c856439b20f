"""``nlptransfer drift RUN``: the words whose vectors fine-tuning moved most, and their neighbours."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nlptransfer.cli.console import console


def drift(
    run: Path = typer.Argument(
        ...,
        help="A model folder trained with --mode finetune (or a compare folder: its model/).",
    ),
    k: int = typer.Option(4, "-k", min=1, help="Nearest neighbours per word."),
    top: int = typer.Option(10, "--top", min=0, help="How many of the words that moved most."),
    words: list[str] | None = typer.Option(
        None,
        "--words",
        help="Words to show neighbours for, repeatable or comma-separated "
        "(default: Kim 2014's bad, good, n't, !, ,).",
    ),
    min_count: int = typer.Option(
        5, min=0, help="Rank only words seen at least this many times in training."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of Markdown."),
) -> None:
    """What fine-tuning changed in the vectors (Kim 2014, Table 3): moved words, neighbours."""
    from nlptransfer.train.drift import folder_drift

    folder = (
        run / "model" if not (run / "config.json").exists() and (run / "model").is_dir() else run
    )
    probe = [w for item in words for w in item.split(",") if w] if words else None
    result = folder_drift(folder, k=k, top=top, probe=probe, min_count=min_count)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
    else:
        console.print(result.markdown(heading="#"), markup=False, highlight=False, soft_wrap=True)
