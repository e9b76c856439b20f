"""``nlptransfer vectors ...``: inspect, convert and query pretrained vectors."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from nlptransfer.cli.console import console
from nlptransfer.vectors import Vectors, load_vectors
from nlptransfer.vectors.convert import writable_formats, write_vectors
from nlptransfer.vectors.formats.base import normalize_format

app = typer.Typer(help="Inspect, convert and query pretrained word vectors.", no_args_is_help=True)

SOURCE_HELP = "A vectors file or .ntv folder, or a catalogue name such as glove-6b-50d."


def _load(source: str, format: str | None, allow_pickle: bool, limit: int | None = None) -> Vectors:
    return load_vectors(source, format=format, allow_pickle=allow_pickle, limit=limit)


def _human(n: float | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return str(n)


def describe(vectors: Vectors, sample: int = 8) -> dict:
    """The facts ``vectors info`` shows (:meth:`Vectors.describe`), as a JSON-ready dict."""
    return vectors.describe(sample).to_dict()


@app.command()
def info(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    format: str | None = typer.Option(None, "--format", "-f", help="Override format detection."),
    allow_pickle: bool = typer.Option(False, help="Allow gensim pickle files (trusted only)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Format, size, a sample of words and norm statistics of a vectors source."""
    facts = describe(_load(source, format, allow_pickle))
    if as_json:
        typer.echo(json.dumps(facts, indent=2))
        return
    table = Table(title=f"vectors: {source}", show_header=False)
    norm = facts["norm"]
    rows = [
        (
            "format",
            f"{facts['format']}"
            + (f" (from {facts['source_format']})" if facts["source_format"] else ""),
        ),
        ("words", f"{facts['words']:,}"),
        ("dim", str(facts["dim"])),
        ("subword vectors", "yes (fastText)" if facts["subwords"] else "no"),
        ("size on disk", _human(facts["disk_bytes"])),
        (
            "size in memory",
            _human(facts["memory_bytes"]) + (" (memory-mapped)" if facts["memory_mapped"] else ""),
        ),
        ("load time", f"{facts['load_seconds']:.2f} s"),
        (
            "norms",
            "  ".join(f"{key} {norm[key]:.3f}" for key in ("min", "mean", "max", "std")),
        ),
        ("sample", " ".join(facts["sample"])),
    ]
    if facts["license"]:
        rows.append(("license", facts["license"]))
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


@app.command()
def convert(
    src: str = typer.Argument(..., help=SOURCE_HELP),
    dst: Path = typer.Argument(..., help="Where to write."),
    to: str = typer.Option("native", "--to", help=f"One of: {', '.join(writable_formats())}."),
    format: str | None = typer.Option(
        None, "--format", "-f", help="Override input format detection."
    ),
    limit: int | None = typer.Option(None, help="Keep only the first N rows."),
    allow_pickle: bool = typer.Option(False, help="Allow gensim pickle files (trusted only)."),
    vocab: Path | None = typer.Option(
        None, "--vocab", help="Keep only the words listed in this file (UTF-8, one a line)."
    ),
    vocab_of: str | None = typer.Option(
        None, "--vocab-of", help="Keep only the words of these vectors (a path or a name)."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="The vectors' language (a code such as de), kept in their provenance; a spaCy "
        "pipeline (--to spacy) gets its tokenizer (default: en).",
    ),
) -> None:
    """Convert vectors to the native store, word2vec binary/text, GloVe text or a spaCy pipeline.

    With --vocab or --vocab-of only the chosen words are kept (in SRC's order), for a small
    file holding what a dataset needs, or to give two vectors files the same vocabulary.
    --to spacy writes a pipeline folder that spacy.load(DST) opens, with these vectors.
    """
    to = normalize_format(to)  # an alias (vec, w2v, ...) names its format, as format= does
    if to not in writable_formats():
        raise typer.BadParameter(
            f"expected one of {', '.join(writable_formats())}, got {to!r}", param_hint="--to"
        )
    if vocab is not None and vocab_of is not None:
        raise typer.BadParameter("give --vocab or --vocab-of, not both", param_hint="--vocab")
    wanted = _word_list(vocab) if vocab is not None else None
    if vocab_of is not None:
        wanted = _load(vocab_of, None, allow_pickle).words
    vectors = load_vectors(src, format=format, allow_pickle=allow_pickle, limit=limit, vocab=wanted)
    if lang is not None:
        vectors.meta["language"] = lang
    written = write_vectors(vectors, dst, to)
    console.print(f"wrote {len(vectors):,} x {vectors.dim} vectors as {to} to {written}")
    missing = len(set(wanted)) - len(vectors) if wanted is not None else 0
    if missing:
        where = f"the first {limit:,} rows of {src}" if limit else src
        console.print(f"{missing:,} of the words asked for are not in {where}")


def _word_list(path: Path) -> list[str]:
    """The words of a UTF-8 file, one a line; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise typer.BadParameter(f"no such file: {path}", param_hint="--vocab") from None
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(
            f"{path} is not UTF-8 (byte offset {exc.start})", param_hint="--vocab"
        ) from None
    words = [line for line in lines if line.strip()]
    if not words:
        raise typer.BadParameter(
            f"expected words in {path}, one a line, found none", param_hint="--vocab"
        )
    return words
