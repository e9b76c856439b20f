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

import csv
import itertools
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from tqdm.auto import tqdm

from nlptransfer._util.errors import DatasetError
from nlptransfer._util.progress import progress_enabled
from nlptransfer.data.encoding import decode_lines, read_bytes
from nlptransfer.data.options_hint import hint
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
        f"{', '.join(candidates)}; found columns {list(columns)}; pass "
        f"{hint(f'{what}_column', 'NAME')}"
        + (
            " (repeat it to join several columns, e.g. a title and a description)"
            if what == "text"
            else ""
        )
    )


def choose_columns(
    columns: Sequence[str],
    path: str,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
) -> tuple[list[str], str, str]:
    """Pick the text columns and the label column (given or guessed) and describe the choice.

    Example:
        >>> choose_columns(["Class", "Title", "Description"], "ag.csv", ["Title", "Description"], None)
        (['Title', 'Description'], 'Class', "text columns 'Title' + 'Description' (given), label column 'Class' (guessed)")

    Returns:
        ``(text columns, label column, note)``; the note says which were guessed.

    Raises:
        DatasetError: a given column is missing, one cannot be guessed, or text and label are
            the same column.
    """
    texts = text_columns(text_column)
    given = [(name, "text") for name in texts]
    if label_column is not None:
        given.append((label_column, "label"))
    for name, what in given:
        if name not in columns:
            raise DatasetError(
                f"{path}: no column {name!r} (given as --{what}-column, {what}_column=); "
                f"found columns {list(columns)}"
            )
    if not texts:
        texts = [guess_column(columns, TEXT_COLUMNS, "text", path)]
    label = label_column or guess_column(columns, LABEL_COLUMNS, "label", path)
    if label in texts:
        raise DatasetError(f"{path}: the text and label columns are both {label!r}")
    how = {True: "given", False: "guessed"}
    plural = "s" if len(texts) > 1 else ""
    note = (
        f"text column{plural} {' + '.join(map(repr, texts))} ({how[text_column is not None]}), "
        f"label column {label!r} ({how[label_column is not None]})"
    )
    logger.info("%s: %s", path, note)
    return texts, label, note


def text_columns(text_column: str | Sequence[str] | None) -> list[str]:
    """``text_column`` as a list of names (``None``: none given).

    Example:
        >>> text_columns("review"), text_columns(["title", "description"]), text_columns(None)
        (['review'], ['title', 'description'], [])
    """
    if text_column is None:
        return []
    if isinstance(text_column, str):
        return [text_column]
    names = list(text_column)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise DatasetError(f"text_column must name one or more columns, found {text_column!r}")
    return names


def join_texts(values: Sequence[object]) -> object:
    """The texts of several columns joined with a space (empty ones left out); one value as it is.

    Example:
        >>> join_texts(["Wall St. Bears Claw Back", "Short-sellers are seeing green again."])
        'Wall St. Bears Claw Back Short-sellers are seeing green again.'
        >>> join_texts(["only", None]), join_texts([None, None]) is None
        ('only', True)
    """
    if len(values) == 1:
        return values[0]
    if any(value is not None and not isinstance(value, str) for value in values):
        return next(v for v in values if v is not None and not isinstance(v, str))
    parts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
    return " ".join(parts) if parts else None


def _record_guess(split: RawSplit, text_column: object, label_column: object, note: str) -> None:
    guessed = [
        f"--{what}-column"
        for what, given in (("text", text_column), ("label", label_column))
        if given is None
    ]
    if guessed:
        split.guesses.append(f"{note} ({' and '.join(guessed)} set{'s' * (len(guessed) == 1)} it)")


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
                _parse_delimited(
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
            _record_guess(split, text_column, label_column, note)
        text_value = join_texts([record.get(name) for name in columns[0]])
        split.add_checked(number, text_value, record.get(columns[1]))


def _parse_delimited(
    lines: list[str],
    split: RawSplit,
    delimiter: str,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
    header: bool,
    names: list[str],
    bar: tqdm | None = None,
) -> None:
    kind = "CSV" if delimiter == "," else "TSV"

    def reader_from(index: int) -> Iterator[list[str]]:
        rows = itertools.islice(lines, index, None)
        if delimiter == ",":
            return csv.reader(rows, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, strict=False)
        # TSV has no quoting: a " is text, as in GLUE
        return csv.reader(rows, delimiter=delimiter, quoting=csv.QUOTE_NONE, strict=False)

    offset = 0
    reader = reader_from(0)
    if header:
        try:
            fields = next(reader)
        except StopIteration:
            raise DatasetError(f"{split.source}: empty file: expected a {kind} header") from None
        except csv.Error as error:
            raise DatasetError(
                f"{split.source}, line 1: cannot read the {kind} header: {error}"
            ) from None
        if not fields or not any(cell.strip() for cell in fields):
            raise DatasetError(
                f"{split.source}, line 1: expected a {kind} header, found a blank line; pass "
                f"{hint('header', False)} and {hint('columns', 'text,label')} for a file "
                "without one"
            )
        offset = reader.line_num  # type: ignore[attr-defined]
        reader = reader_from(offset)
    else:
        fields = names or _guess_headerless(lines, reader_from, split, kind)
    texts, label, note = choose_columns(fields, split.source, text_column, label_column)
    split.notes.append(note)
    _record_guess(split, text_column, label_column, note)
    text_at = [fields.index(text) for text in texts]
    label_at = fields.index(label)
    labels_seen: set[str] = set()
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            split.bad(offset + previous + 1, f"malformed {kind} row: {error}")
            previous = reader.line_num  # type: ignore[attr-defined]
            continue
        first = offset + previous + 1
        last = offset + reader.line_num  # type: ignore[attr-defined]
        previous = reader.line_num  # type: ignore[attr-defined]
        if bar is not None and last - bar.n >= 10000:
            bar.update(last - bar.n)
        if last > first and delimiter == ",":
            swallowed = _swallowed_rows(lines[first - 1 : last], len(fields), label_at, labels_seen)
            if swallowed:
                split.bad(
                    first,
                    f"unterminated quote: the quoted field opened on line {first} runs to line "
                    f"{last}, swallowing {last - first} lines, {swallowed} of which look like "
                    'rows of their own; close the quote (or double it, "", inside a quoted '
                    "field). Reading goes on at the next line",
                )
                offset, previous = first, 0
                reader = reader_from(offset)
                continue
        if not record:
            split.bad(first, f"blank line: expected {len(fields)} fields")
        elif len(record) != len(fields):
            how = "as the header" if header else "as --columns names"
            split.bad(first, f"expected {len(fields)} fields ({how}), found {len(record)}")
        else:
            value = record[label_at]
            if value.strip():
                labels_seen.add(value.strip())
            split.add_checked(first, join_texts([record[i] for i in text_at]), value)


def _swallowed_rows(record: list[str], width: int, label_at: int, labels: set[str]) -> int:
    """How many lines of a multi-line record look like rows of their own (0: a true record).

    A quote left open swallows the rows after it: then the record's first line, its quote
    closed, has the header's number of fields, and later lines, each read alone, have them too,
    with a label already seen in the label field. A legitimate multi-line text (a review with
    paragraphs) seldom gives lines that do both.
    """

    def cells(line: str) -> list[str]:
        try:
            return next(csv.reader([line.rstrip("\r\n")], strict=False), [])
        except csv.Error:
            return []

    if len(cells(record[0].rstrip("\r\n") + '"')) != width:
        return 0
    count = 0
    for line in record[1:]:
        row = cells(line)
        if len(row) == width and row[label_at].strip() in labels:
            count += 1
    return count


def _guess_headerless(
    lines: list[str], reader_from: object, split: RawSplit, kind: str
) -> list[str]:
    """Name the two fields of a headerless file: the label is the one with fewer distinct values."""
    assert callable(reader_from)
    sample = [row for row in itertools.islice(reader_from(0), 2000) if row]
    widths = {len(row) for row in sample}
    if widths != {2}:
        raise DatasetError(
            f"{split.source}: a {kind} file without a header: pass "
            f"{hint('columns', 'text,label')} to name its fields in order (found rows of "
            f"{', '.join(map(str, sorted(widths)))} fields)"
        )
    distinct = [len({row[i].strip() for row in sample}) for i in (0, 1)]
    if distinct[0] == distinct[1]:
        raise DatasetError(
            f"{split.source}: a {kind} file without a header whose two fields both have "
            f"{distinct[0]} distinct values in the first {len(sample)} rows: pass "
            f"{hint('columns', 'text,label')} (or label,text) to say which is which"
        )
    names = ["label", "text"] if distinct[0] < distinct[1] else ["text", "label"]
    split.guesses.append(
        f"columns {','.join(names)} of a file without a header (the label field has "
        f"{min(distinct)} distinct values in the first {len(sample)} rows; --columns sets them)"
    )
    return names


def _read_parquet(
    path: Path, text_column: str | Sequence[str] | None, label_column: str | None
) -> RawSplit:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise DatasetError(f"{path}: not a readable Parquet file: {error}") from None
    split = RawSplit(str(path), unit="row")
    texts, label, note = choose_columns(schema.names, str(path), text_column, label_column)
    split.notes.append(note)
    _record_guess(split, text_column, label_column, note)
    table = pq.read_table(path, columns=[*texts, label])
    values = zip(*(table.column(text).to_pylist() for text in texts), strict=True)
    for number, (parts, target) in enumerate(
        zip(values, table.column(label).to_pylist(), strict=True), 1
    ):
        split.add_checked(number, join_texts(parts), target)
    return split
