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
``label_column`` or guessed from the header (:data:`TEXT_COLUMNS`, :data:`LABEL_COLUMNS`); which
were used is logged and kept in the split's notes.

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

import csv
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqdm.auto import tqdm

from nlptransfer._util.errors import DatasetError
from nlptransfer._util.progress import progress_enabled
from nlptransfer.data.encoding import decode_lines, read_bytes
from nlptransfer.data.raw_split import RawSplit

logger = logging.getLogger(__name__)

#: The formats :func:`read_split` reads.
FILE_FORMATS = ("csv", "tsv", "jsonl", "parquet", "kim")

#: Column names taken for the text, in order of preference (compared case-insensitively).
TEXT_COLUMNS = (
    "text",
    "sentence",
    "content",
    "review",
    "tweet",
    "document",
    "body",
    "comment",
    "question",
    "utterance",
)

#: Column names taken for the label, in order of preference (compared case-insensitively).
LABEL_COLUMNS = (
    "label",
    "labels",
    "sentiment",
    "class",
    "category",
    "target",
    "polarity",
    "coarse_label",
    "y",
)

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
    path = Path(path)
    extension = _extension(path)
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    with open(path, "rb") as handle:
        if handle.read(4) == b"PAR1":
            return "parquet"
    data = read_bytes(path, 65536)
    first = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    if first.lstrip().startswith("{"):
        return "jsonl"
    if "\t" in first:
        return "tsv"
    if KIM_LINE.match(first):
        return "kim"
    if "," in first:
        return "csv"
    raise DatasetError(
        f"{path}: cannot tell the format: the extension {extension or '(none)'!r} is not one of "
        f"{sorted(_EXTENSIONS)} and the first line {first[:80]!r} is not JSON, tab or comma "
        f"separated, nor 'LABEL TEXT'; pass format= (one of {', '.join(FILE_FORMATS)})"
    )


def guess_column(columns: Sequence[str], candidates: Sequence[str], what: str, path: str) -> str:
    """The first of ``candidates`` found among ``columns`` (case-insensitive).

    Example:
        >>> guess_column(["label", "content"], TEXT_COLUMNS, "text", "dev.tsv")
        'content'

    Raises:
        DatasetError: none is there; the message lists the columns found and those expected.
    """
    by_lower = {column.lower(): column for column in columns}
    for candidate in candidates:
        if candidate in by_lower:
            return by_lower[candidate]
    raise DatasetError(
        f"{path}: cannot tell which column holds the {what}: expected one of "
        f"{', '.join(candidates)}; found columns {list(columns)}; pass {what}_column="
    )


def choose_columns(
    columns: Sequence[str],
    path: str,
    text_column: str | None,
    label_column: str | None,
) -> tuple[str, str, str]:
    """Pick the text and label columns (given or guessed) and describe the choice.

    Returns:
        ``(text column, label column, note)``; the note says which were guessed.

    Raises:
        DatasetError: a given column is missing, one cannot be guessed, or both are the same.
    """
    for given, what in ((text_column, "text"), (label_column, "label")):
        if given is not None and given not in columns:
            raise DatasetError(
                f"{path}: no column {given!r} (passed as {what}_column); found columns "
                f"{list(columns)}"
            )
    text = text_column or guess_column(columns, TEXT_COLUMNS, "text", path)
    label = label_column or guess_column(columns, LABEL_COLUMNS, "label", path)
    if text == label:
        raise DatasetError(f"{path}: the text and label columns are both {text!r}")
    how = {True: "given", False: "guessed"}
    note = (
        f"text column {text!r} ({how[text_column is not None]}), "
        f"label column {label!r} ({how[label_column is not None]})"
    )
    logger.info("%s: %s", path, note)
    return text, label, note


def read_split(
    path: str | Path,
    *,
    format: str | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    encoding: str | None = None,
    progress: bool | None = None,
) -> RawSplit:
    """Read one labelled file into a :class:`RawSplit` (labels as found, bad rows recorded).

    Args:
        path: the file (text formats may be gzip/bzip2/xz compressed).
        format: one of :data:`FILE_FORMATS`; detected when ``None``.
        text_column: the text column (CSV, TSV, JSON lines, Parquet); guessed when ``None``.
        label_column: the label column; guessed when ``None``.
        encoding: decode text files with this codec only, instead of UTF-8 with fallback.
        progress: progress bar while parsing large files (default: on a terminal or in
            Jupyter, see ``progress_enabled``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DatasetError: unknown format, missing header or columns, an unreadable Parquet file.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
        >>> _ = path.write_text("1 a stirring , funny film\\n0 one long string of cliches .\\n")
        >>> read_split(path).labels
        ['1', '0']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    format = format or detect_file_format(path)
    if format not in FILE_FORMATS:
        raise DatasetError(f"{path}: unknown format {format!r}; expected one of {FILE_FORMATS}")
    if format == "parquet":
        return _read_parquet(path, text_column, label_column)
    data = read_bytes(path)
    lines, note = decode_lines(data, path, encoding)
    split = RawSplit(str(path))
    if note:
        split.notes.append(note)
    rows = _with_progress(lines, path, len(data), progress)
    if format == "kim":
        _parse_kim(rows, split)
    elif format == "jsonl":
        _parse_jsonl(rows, split, text_column, label_column)
    else:
        _parse_delimited(rows, split, "\t" if format == "tsv" else ",", text_column, label_column)
    logger.debug("%s: %d rows, %d bad (%s)", path, len(split), len(split.bad_rows), format)
    return split


def _with_progress(lines: list[str], path: Path, size: int, progress: bool | None) -> Iterable[str]:
    if not progress_enabled(progress) or size < PROGRESS_MIN_BYTES:
        return lines
    return tqdm(lines, total=len(lines), unit=" lines", desc=path.name, leave=False)


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
    lines: Iterable[str], split: RawSplit, text_column: str | None, label_column: str | None
) -> None:
    columns: tuple[str, str] | None = None
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
        split.add_checked(number, record.get(columns[0]), record.get(columns[1]))


def _parse_delimited(
    lines: Iterable[str],
    split: RawSplit,
    delimiter: str,
    text_column: str | None,
    label_column: str | None,
) -> None:
    if delimiter == ",":
        reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, strict=False)
    else:  # TSV has no quoting: a " is text, as in GLUE
        reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_NONE, strict=False)
    kind = "CSV" if delimiter == "," else "TSV"
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError(f"{split.source}: empty file: expected a {kind} header") from None
    except csv.Error as error:
        raise DatasetError(
            f"{split.source}, line 1: cannot read the {kind} header: {error}"
        ) from None
    if not header or not any(cell.strip() for cell in header):
        raise DatasetError(f"{split.source}, line 1: expected a {kind} header, found a blank line")
    text, label, note = choose_columns(header, split.source, text_column, label_column)
    split.notes.append(note)
    text_at, label_at = header.index(text), header.index(label)
    previous = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            split.bad(previous + 1, f"malformed {kind} row: {error}")
            previous = reader.line_num
            continue
        start, previous = previous + 1, reader.line_num
        if not record:
            split.bad(start, f"blank line: expected {len(header)} fields")
        elif len(record) != len(header):
            split.bad(start, f"expected {len(header)} fields (as the header), found {len(record)}")
        else:
            split.add_checked(start, record[text_at], record[label_at])


def _read_parquet(path: Path, text_column: str | None, label_column: str | None) -> RawSplit:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise DatasetError(f"{path}: not a readable Parquet file: {error}") from None
    split = RawSplit(str(path), unit="row")
    text, label, note = choose_columns(schema.names, str(path), text_column, label_column)
    split.notes.append(note)
    table = pq.read_table(path, columns=[text, label])
    for number, (value, target) in enumerate(
        zip(table.column(text).to_pylist(), table.column(label).to_pylist(), strict=True), 1
    ):
        split.add_checked(number, value, target)
    return split
