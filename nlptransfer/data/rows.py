"""Records for rows read from dataset files, and the policy for rows that are bad.

A reader turns one file into a :class:`RawSplit`: texts, raw label values (as found in the file)
and, for each row, where it came from. Rows that cannot be examples (no label, an unknown label,
empty text, a malformed line) become :class:`BadRow` records; :func:`handle_bad_rows` then raises
:class:`~nlptransfer._util.errors.BadRowsError` listing them, or with ``on_bad_rows="warn"`` logs a
warning with their count and first lines. Nothing is dropped without a word.

Example:
    >>> bad = [BadRow("reviews.csv", 3, "empty text"), BadRow("reviews.csv", 9, "no label")]
    >>> print(format_bad_rows(bad))
    reviews.csv, line 3: empty text
    reviews.csv, line 9: no label
    >>> handle_bad_rows([], "raise")  # nothing to report: no error
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from nlptransfer._util.errors import BadRowsError, DatasetError

logger = logging.getLogger(__name__)

#: What to do with bad rows: raise (the default) or log a warning and skip them.
BadRowPolicy = Literal["raise", "warn"]

#: How many bad rows an error or warning message lists before "... and N more".
SHOWN_BAD_ROWS = 5


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be an example.

    Attributes:
        path: the file it is in.
        line: 1-based line number (for Parquet: row number).
        problem: what is wrong, with what was found.
        unit: ``"line"`` for text files, ``"row"`` for Parquet and hub data.
    """

    path: str
    line: int
    problem: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.path}, {self.unit} {self.line}: {self.problem}"


@dataclass
class RawSplit:
    """The rows of one split as read, before labels are mapped to ids.

    Attributes:
        source: where the rows came from (a file path, or ``hub:<id>[<split>]``).
        texts: the example texts.
        labels: the raw label values as found (strings from text files; ints or strings from
            Parquet, JSON lines and the hub).
        lines: for each row, its 1-based line (or row) number in ``source``.
        bad_rows: rows that could not be read as examples.
        unit: ``"line"`` or ``"row"``, how ``lines`` count.
        notes: facts worth keeping in the provenance (columns chosen, encodings used).
    """

    source: str
    texts: list[str] = field(default_factory=list)
    labels: list[object] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    unit: str = "line"
    notes: list[str] = field(default_factory=list)

    def add(self, text: str, label: object, line: int) -> None:
        """Append one good row."""
        self.texts.append(text)
        self.labels.append(label)
        self.lines.append(line)

    def add_checked(self, line: int, text: object, label: object) -> None:
        """Append the row, or record it as bad: empty text, text not a string, no label."""
        problems = []
        if text is None or (isinstance(text, str) and not text.strip()):
            problems.append("empty text")
        elif not isinstance(text, str):
            problems.append(f"the text is not a string: found {text!r}")
        if label is None or (isinstance(label, str) and not label.strip()):
            problems.append("no label")
        if problems:
            self.bad(line, "; ".join(problems))
            return
        assert isinstance(text, str)
        self.add(text, label.strip() if isinstance(label, str) else label, line)

    def bad(self, line: int, problem: str) -> None:
        """Record a bad row."""
        self.bad_rows.append(BadRow(self.source, line, problem, self.unit))

    def __len__(self) -> int:
        return len(self.texts)


def check_policy(on_bad_rows: str) -> None:
    """Fail early on a policy that is neither ``"raise"`` nor ``"warn"``."""
    if on_bad_rows not in ("raise", "warn"):
        raise DatasetError(f"on_bad_rows must be 'raise' or 'warn', found {on_bad_rows!r}")


def format_bad_rows(rows: list[BadRow], shown: int = SHOWN_BAD_ROWS) -> str:
    """One line per bad row for the first ``shown`` rows, then how many more there are."""
    text = "\n".join(str(row) for row in rows[:shown])
    if len(rows) > shown:
        text += f"\n... and {len(rows) - shown} more"
    return text


def handle_bad_rows(rows: list[BadRow], on_bad_rows: BadRowPolicy) -> None:
    """Raise :class:`BadRowsError` for bad rows, or with ``"warn"`` log them as skipped.

    Raises:
        BadRowsError: ``on_bad_rows="raise"`` and there is at least one bad row.
    """
    check_policy(on_bad_rows)
    if not rows:
        return
    files = sorted({row.path for row in rows})
    summary = f"{len(rows)} bad row{'s' if len(rows) != 1 else ''} in {', '.join(files)}"
    if on_bad_rows == "raise":
        raise BadRowsError(
            f"{summary} (pass on_bad_rows='warn' to skip them with a warning):\n"
            f"{format_bad_rows(rows)}",
            rows,
        )
    logger.warning("skipping %s:\n%s", summary, format_bad_rows(rows))
