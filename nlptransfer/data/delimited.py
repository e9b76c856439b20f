"""CSV and TSV files: with a header or named columns, and a check for quotes left open.

CSV follows RFC 4180 (a quoted field may hold commas and line breaks); TSV has no quoting (a
``"`` is text, as in GLUE). A file without a header is read with the names of its fields
(``columns``), or, for two fields, with the label taken to be the field with fewer distinct
values (a guess, kept in the split's ``guesses``).

A quote that is never closed would swallow the rows after it into one text, silently. A record
over several lines whose first line, its quote closed, is a whole row, and whose other lines,
each read alone, are rows with a label already seen, is taken for one: it becomes a bad row
naming the line of the quote, and reading goes on at the next line.

Example:
    >>> from nlptransfer.data.raw_split import RawSplit
    >>> split = RawSplit("reviews.csv")
    >>> lines = ["label,text\\n", '1,"fine"\\n', '0,"dull\\n', '1,"good"\\n', '0,"slow"\\n']
    >>> parse_delimited(lines, split, ",", None, None, header=True, names=[])
    >>> split.texts, [row.line for row in split.bad_rows]
    (['fine', 'good', 'slow'], [3])
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator, Sequence

from tqdm.auto import tqdm

from nlptransfer._util.errors import DatasetError
from nlptransfer.data.columns import choose_columns, join_texts, record_guess
from nlptransfer.data.options_hint import hint
from nlptransfer.data.raw_split import RawSplit


def parse_delimited(
    lines: list[str],
    split: RawSplit,
    delimiter: str,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
    header: bool,
    names: list[str],
    bar: tqdm | None = None,
) -> None:
    """Read the rows of a CSV (``delimiter=","``) or TSV file's ``lines`` into ``split``.

    Args:
        lines: the decoded lines, each with its line end.
        split: where the rows (and the bad rows, with their lines) go.
        delimiter: ``","`` or ``"\\t"``.
        text_column: the text column, or several; guessed when ``None``.
        label_column: the label column; guessed when ``None``.
        header: the first record is a header.
        names: the fields' names when there is no header (guessed for two when empty).
        bar: a progress bar to advance, or ``None``.

    Raises:
        DatasetError: no header where one is expected, columns that cannot be told.
    """
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
        fields = names or _guess_headerless(reader_from, split, kind)
    texts, label, note = choose_columns(fields, split.source, text_column, label_column)
    split.notes.append(note)
    record_guess(split, text_column, label_column, note)
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
    reader_from: Callable[[int], Iterator[list[str]]], split: RawSplit, kind: str
) -> list[str]:
    """Name the two fields of a headerless file: the label is the one with fewer distinct values."""
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
