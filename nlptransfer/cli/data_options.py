"""The options that say how to read a dataset file, the same for every command that reads one.

``nlptransfer train``, ``evaluate`` (and ``compare``) take them as parameters typed with the
aliases below, then turn the values into :func:`~nlptransfer.data.load_dataset` arguments with
:func:`load_dataset_options`. A grid's dataset entries take the same keys (``text_column``,
``label_column``, ``format``, ``header``, ``columns``, ``label_names``, ``on_bad_rows``).

A command declares them as::

    def train(..., text_column: TextColumnOption = None, label_column: LabelColumnOption = None,
              format: FormatOption = None, header: HeaderOption = None,
              columns: ColumnsOption = None, label_names: LabelNamesOption = None,
              on_bad_rows: OnBadRowsOption = "error"):
        options = load_dataset_options(text_column=text_column, ...)

Example:
    >>> load_dataset_options(text_column=["title", "description"], header=False, columns="label,title,description")
    {'text_column': ['title', 'description'], 'header': False, 'columns': ['label', 'title', 'description'], 'on_bad_rows': 'error'}
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

#: The file formats (kept in step with ``nlptransfer.data.readers.FILE_FORMATS`` by a test;
#: not imported from there, so that ``--help`` stays quick).
FORMATS = ("csv", "tsv", "jsonl", "parquet", "kim")

#: What ``--on-bad-rows`` accepts.
BAD_ROWS = ("error", "warn")

TextColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--text-column",
        help="The text column (CSV, TSV, JSON lines, Parquet); repeat it to join several "
        "with a space (e.g. a title and a description). Default: guessed from the header.",
    ),
]
LabelColumnOption = Annotated[
    str | None,
    typer.Option("--label-column", help="The label column. Default: guessed from the header."),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"The files' format: {', '.join(FORMATS)} (kim: 'LABEL TEXT' lines). Default: "
        "from the extension, else the content.",
    ),
]
HeaderOption = Annotated[
    bool | None,
    typer.Option(
        "--header/--no-header",
        help="Whether CSV/TSV files start with a header. Default: yes, unless --columns.",
        show_default=False,
    ),
]
ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="The fields of headerless CSV/TSV files, in order: text,label or label,text "
        "(other names for --text-column to pick).",
    ),
]
LabelNamesOption = Annotated[
    str | None,
    typer.Option(
        "--label-names",
        help="The classes, comma separated, in id order (e.g. neg,pos). Default: taken from "
        "the data, and refused when they look wrong (words, typos).",
    ),
]
OnBadRowsOption = Annotated[
    str,
    typer.Option(
        "--on-bad-rows",
        help="Rows without text or label, or malformed: error (stop, listing them) or warn "
        "(skip them with a warning).",
    ),
]


def load_dataset_options(
    *,
    text_column: list[str] | None = None,
    label_column: str | None = None,
    format: str | None = None,
    header: bool | None = None,
    columns: str | None = None,
    label_names: str | None = None,
    on_bad_rows: str = "error",
) -> dict[str, Any]:
    """The command-line file options as keyword arguments of ``load_dataset``.

    Options left at their defaults are left out, so a catalogued dataset (which refuses file
    options) takes the result as well; ``on_bad_rows`` is always there.

    Raises:
        typer.BadParameter: an unknown format or bad-rows policy, ``--columns`` that do not name
            each field once, ``--columns`` with ``--header``.
    """
    options: dict[str, Any] = {}
    if text_column:
        options["text_column"] = text_column[0] if len(text_column) == 1 else list(text_column)
    if label_column is not None:
        options["label_column"] = label_column
    if format is not None:
        if format.lower() not in FORMATS:
            raise typer.BadParameter(
                f"unknown format {format!r}; expected one of {', '.join(FORMATS)}",
                param_hint="--format",
            )
        options["format"] = format.lower()
    if header is not None:
        options["header"] = header
    if columns is not None:
        names = [name.strip() for name in columns.split(",")]
        if len(names) < 2 or not all(names) or len(set(names)) != len(names):
            raise typer.BadParameter(
                f"expected the field names in order, each once (e.g. text,label), found {columns!r}",
                param_hint="--columns",
            )
        if header:
            raise typer.BadParameter(
                "--columns names the fields of files without a header: use it with --no-header",
                param_hint="--columns",
            )
        options["columns"] = names
    if label_names is not None:
        names = [name.strip() for name in label_names.split(",")]
        if not all(names) or len(set(names)) != len(names):
            raise typer.BadParameter(
                f"expected distinct class names, comma separated, found {label_names!r}",
                param_hint="--label-names",
            )
        options["label_names"] = names
    if on_bad_rows not in BAD_ROWS:
        raise typer.BadParameter(
            f"expected one of {', '.join(BAD_ROWS)}, found {on_bad_rows!r}",
            param_hint="--on-bad-rows",
        )
    options["on_bad_rows"] = on_bad_rows
    return options
