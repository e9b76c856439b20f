"""Reading labelled text files: CSV, TSV, JSON lines, Parquet and the Kim ``LABEL TEXT`` format.

Each reader turns one file into a :class:`~nlptransfer.data.raw_split.RawSplit`: texts, raw label
values and line numbers, plus the rows that cannot be examples (empty text, no label, a line with
the wrong number of fields, invalid JSON) as bad rows with their line numbers. Labels stay as
found; mapping them to ids is :mod:`nlptransfer.data.labels`' job.

Formats (``format=`` names; otherwise detected from the extension, then from the content):

- ``csv``: comma separated, with a header, RFC 4180 quoting (``.csv``).
- ``tsv``: tab separated, with a header, no quoting: a ``"`` is text (``.tsv``, ``.tab``).
- ``jsonl``: one JSON object a line (``.jsonl``, ``.ndjson``, ``.json``).
- ``parquet``: a Parquet table (``.parquet``, ``.pq``); row numbers instead of lines.
- ``kim``: one example a line, ``LABEL TEXT``, label and text separated by whitespace, as in
  the sentence-classification suite of Kim (2014) (``.txt``, ``.all``, or a first line that
  starts with an integer and a space).

Text files may be gzip, bzip2 or xz compressed (``reviews.csv.gz``). They are read as UTF-8 line
by line with a Latin-1 fallback and a warning naming the file (:mod:`nlptransfer.data.encoding`).
The text and label columns of CSV, TSV, JSON lines and Parquet are taken from ``text_column`` /
``label_column`` or guessed from the header (:mod:`nlptransfer.data.columns`); which
were used is logged and kept in the split's notes. ``text_column`` may name several columns (a
title and a description): their texts are joined with a space. A CSV or TSV file without a header
is read with ``header=False`` and ``columns=["text", "label"]`` (or ``"label,text"``: the names of
its fields, in order). What was guessed rather than given (the format, the columns) is kept in the
split's ``guesses``, each naming the option that sets it, so that a guess that reads nonsense can
be refused with the fix (:mod:`nlptransfer.data.label_checks`).

Nothing is misread silently: a quote that is never closed in a CSV file would swallow the rows
after it into one text; such a record is a bad row naming the line of the quote (and the reader
goes on at the next line), and a tab inside the text of a file guessed to be in Kim's format
(a tab-separated file named ``.txt``) is an error saying which options read it right.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = path.write_text("sentiment,review\\npos,a fine film\\nneg,\\n")
    >>> split = read_split(path)
    >>> split.texts, split.labels
    (['a fine film'], ['pos'])
    >>> print(split.bad_rows[0].line, split.bad_rows[0].problem)
    3 empty text
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqdm.auto import tqdm

from nlptransfer._util.errors import DatasetError
from nlptransfer._util.progress import progress_enabled
from nlptransfer.data.columns import LABEL_COLUMNS as LABEL_COLUMNS  # re-exported: public here
from nlptransfer.data.columns import TEXT_COLUMNS as TEXT_COLUMNS
from nlptransfer.data.columns import choose_columns, join_texts, record_guess
from nlptransfer.data.columns import guess_column as guess_column
from nlptransfer.data.delimited import parse_delimited
from nlptransfer.data.encoding import decode_lines, read_bytes
from nlptransfer.data.options_hint import hint
from nlptransfer.data.raw_split import RawSplit

logger = logging.getLogger(__name__)

#: The formats :func:`read_split` reads.
FILE_FORMATS = ("csv", "tsv", "jsonl", "parquet", "kim")

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "kim",
    ".all": "kim",
}
_COMPRESSION = (".gz", ".bz2", ".xz")
#: A line in Kim's ``LABEL TEXT`` format: an integer label, whitespace, then text.
KIM_LINE = re.compile(r"-?\d+\s+\S")

#: Files larger than this (decompressed) show a progress bar while their rows are parsed.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024


def format_from_name(path: str | Path) -> str | None:
    """The format ``path``'s extension names (compression suffix ignored), or ``None``.

    Example:
        >>> format_from_name("train.tsv.gz"), format_from_name("rt-polarity.all")
        ('tsv', 'kim')
        >>> format_from_name("README") is None
        True
    """
    return _EXTENSIONS.get(_extension(path))


def _extension(path: str | Path) -> str:
    name = Path(path).name.lower()
    for suffix in _COMPRESSION:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return os.path.splitext(name)[1]


def detect_file_format(path: str | Path) -> str:
    """The format of ``path``: from its extension (compression suffix ignored), else its content.

    Example:
        >>> detect_file_format("train.tsv.gz"), detect_file_format("rt-polarity.all")
        ('tsv', 'kim')

    Raises:
        DatasetError: neither the extension nor the first line tells the format.
    """
    return guess_file_format(path)[0]


def guess_file_format(path: str | Path) -> tuple[str, str]:
    """The format of ``path`` and how it was told (``"from the extension .txt"``, ...).

    Example:
        >>> guess_file_format("reviews.all")
        ('kim', 'from the extension .all')
    """
    path = Path(path)
    extension = _extension(path)
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension], f"from the extension {extension}"
    with open(path, "rb") as handle:
        if handle.read(4) == b"PAR1":
            return "parquet", "from the content (Parquet magic bytes)"
    data = read_bytes(path, 65536)
    first = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    seen = f"from the first line {first[:40]!r}"
    if first.lstrip().startswith("{"):
        return "jsonl", seen
    if "\t" in first:
        return "tsv", seen
    if KIM_LINE.match(first):
        return "kim", seen
    if "," in first:
        return "csv", seen
    raise DatasetError(
        f"{path}: cannot tell the format: the extension {extension or '(none)'!r} is not one of "
        f"{sorted(_EXTENSIONS)} and the first line {first[:80]!r} is not JSON, tab or comma "
        f"separated, nor 'LABEL TEXT'; pass {hint('format', 'FORMAT')} "
        f"(one of {', '.join(FILE_FORMATS)})"
    )


def read_split(
    path: str | Path,
    *,
    format: str | None = None,
    text_column: str | Sequence[str] | None = None,
    label_column: str | None = None,
    header: bool | None = None,
    columns: str | Sequence[str] | None = None,
    encoding: str | None = None,
    progress: bool | None = None,
) -> RawSplit:
    """Read one labelled file into a :class:`RawSplit` (labels as found, bad rows recorded).

    Args:
        path: the file (text formats may be gzip/bzip2/xz compressed).
        format: one of :data:`FILE_FORMATS`; detected when ``None``.
        text_column: the text column (CSV, TSV, JSON lines, Parquet), or several whose texts
            are joined with a space; guessed when ``None``.
        label_column: the label column; guessed when ``None``.
        header: whether a CSV or TSV file starts with a header (default: it does, unless
            ``columns`` is given).
        columns: the names of a headerless CSV or TSV file's fields, in order (``"text,label"``
            or a list); guessed for a two-field file when ``header=False`` and none are given.
        encoding: decode text files with this codec only, instead of UTF-8 with fallback.
        progress: progress bar while parsing large files (default: on a terminal or in
            Jupyter, see ``progress_enabled``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DatasetError: unknown format, missing header or columns, an unreadable Parquet file,
            tabs inside the texts of a file whose Kim format was guessed.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
        >>> _ = path.write_text("1 a stirring , funny film\\n0 one long string of cliches .\\n")
        >>> read_split(path).labels
        ['1', '0']
        >>> headerless = path.with_name("tiny.tsv")
        >>> _ = headerless.write_text("a stirring , funny film\\t1\\n")
        >>> read_split(headerless, columns="text,label").labels
        ['1']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    names = _column_names(columns)
    if header is None:
        header = not names
    elif header and names:
        raise DatasetError(
            f"{path}: columns= names the fields of a file without a header; pass "
            f"{hint('header', False)} with it, or leave columns out to use the file's header"
        )
    guessed_format = None
    if format is None:
        format, how = guess_file_format(path)
        guessed_format = f"format {format} ({how}; --format sets it)"
    if format not in FILE_FORMATS:
        raise DatasetError(
            f"{path}: unknown format {format!r}; expected one of {', '.join(FILE_FORMATS)}"
        )
    if (not header or names) and format not in ("csv", "tsv"):
        raise DatasetError(
            f"{path}: header=False and columns= are for CSV and TSV files; this one is read as "
            f"{format}" + (f" ({guessed_format})" if guessed_format else "")
        )
    if format == "parquet":
        split = _read_parquet(path, text_column, label_column)
    else:
        data = read_bytes(path)
        lines, note = decode_lines(data, path, encoding)
        split = RawSplit(str(path))
        if note:
            split.notes.append(note)
        if format == "kim":
            if text_column is not None or label_column is not None:
                raise DatasetError(
                    f"{path}: text_column and label_column are for files with columns; this one "
                    f"is read in Kim's 'LABEL TEXT' format"
                    + (f" ({guessed_format})" if guessed_format else "")
                )
            _parse_kim(_with_progress(lines, path, len(data), progress), split)
            _check_kim_tabs(split, lines, guessed_format)
        elif format == "jsonl":
            _parse_jsonl(
                _with_progress(lines, path, len(data), progress), split, text_column, label_column
            )
        else:
            bar = _progress_bar(lines, path, len(data), progress)
            try:
                parse_delimited(
                    lines,
                    split,
                    "\t" if format == "tsv" else ",",
                    text_column,
                    label_column,
                    header,
                    names,
                    bar,
                )
            finally:
                if bar is not None:
                    bar.close()
    split.format = format
    if guessed_format:
        split.guesses.insert(0, guessed_format)
    logger.debug("%s: %d rows, %d bad (%s)", path, len(split), len(split.bad_rows), format)
    return split


def _column_names(columns: str | Sequence[str] | None) -> list[str]:
    if columns is None:
        return []
    names = [c.strip() for c in columns.split(",")] if isinstance(columns, str) else list(columns)
    if (
        not names
        or not all(isinstance(n, str) and n for n in names)
        or len(set(names)) != len(names)
    ):
        raise DatasetError(
            f"columns must name each field once, in order (e.g. 'text,label'), found {columns!r}"
        )
    return names


def _check_kim_tabs(split: RawSplit, lines: list[str], guessed_format: str | None) -> None:
    """A tab inside a Kim-format text means the format guess was wrong (a TSV named ``.txt``)."""
    tabbed = [line for line, text in zip(split.lines, split.texts, strict=True) if "\t" in text]
    if not tabbed:
        return
    first = lines[tabbed[0] - 1].rstrip("\r\n")
    seen = (
        f"{len(tabbed)} of {len(split)} lines hold a tab inside the text (first: line "
        f"{tabbed[0]}: {first[:80]!r})"
    )
    if guessed_format is None:  # Kim's format was asked for: the tabs are text
        logger.warning("%s: %s; read as text, as format kim was given", split.source, seen)
        return
    raise DatasetError(
        f"{split.source}: read in Kim's 'LABEL TEXT' format as guessed ({guessed_format}), but "
        f"{seen}: this looks like a tab-separated file. Pass --format tsv, with --no-header "
        "and --columns text,label (or label,text) when it has no header (Python and grids: "
        "format='tsv', header=False, columns='text,label'); or --format kim to keep the tabs "
        "as text"
    )


def _with_progress(lines: list[str], path: Path, size: int, progress: bool | None) -> Iterable[str]:
    if not progress_enabled(progress) or size < PROGRESS_MIN_BYTES:
        return lines
    return tqdm(lines, total=len(lines), unit=" lines", desc=path.name, leave=False)


def _progress_bar(lines: list[str], path: Path, size: int, progress: bool | None) -> tqdm | None:
    if not progress_enabled(progress) or size < PROGRESS_MIN_BYTES:
        return None
    return tqdm(total=len(lines), unit=" lines", desc=path.name, leave=False)


def _parse_kim(lines: Iterable[str], split: RawSplit) -> None:
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            split.bad(number, "blank line: expected 'LABEL TEXT'")
            continue
        parts = stripped.split(maxsplit=1)
        if len(parts) == 1:
            split.bad(number, f"empty text: expected 'LABEL TEXT', found {stripped[:80]!r}")
            continue
        split.add(parts[1], parts[0], number)


def _parse_jsonl(
    lines: Iterable[str],
    split: RawSplit,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
) -> None:
    columns: tuple[list[str], str] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            split.bad(number, "blank line: expected a JSON object")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            split.bad(number, f"invalid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(record, dict):
            split.bad(number, f"expected a JSON object, found {type(record).__name__}")
            continue
        if columns is None:
            text, label, note = choose_columns(
                list(record), split.source, text_column, label_column
            )
            columns = (text, label)
            split.notes.append(note)
            record_guess(split, text_column, label_column, note)
        text_value = join_texts([record.get(name) for name in columns[0]])
        split.add_checked(number, text_value, record.get(columns[1]))


def _read_parquet(
    path: Path, text_column: str | Sequence[str] | None, label_column: str | None
) -> RawSplit:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:  # names not UTF-8, too
        raise DatasetError(f"{path}: not a readable Parquet file: {error}") from None
    split = RawSplit(str(path), unit="row")
    texts, label, note = choose_columns(schema.names, str(path), text_column, label_column)
    split.notes.append(note)
    record_guess(split, text_column, label_column, note)
    try:
        table = pq.read_table(path, columns=[*texts, label])
    except (pa.ArrowException, OSError) as error:  # a body that does not decode under its schema
        raise DatasetError(f"{path}: not a readable Parquet file: {error}") from None
    try:
        columns = [table.column(text).to_pylist() for text in texts]
        targets = table.column(label).to_pylist()
    except (pa.ArrowException, UnicodeDecodeError) as error:  # e.g. a string that is not UTF-8
        raise DatasetError(f"{path}: not a readable Parquet file: {error}") from None
    values = zip(*columns, strict=True)
    for number, (parts, target) in enumerate(zip(values, targets, strict=True), 1):
        split.add_checked(number, join_texts(parts), target)
    return split
