"""Rows of a dataset file that cannot be examples, and what to do about them.

Rows that cannot be examples (no label, an unknown label, empty text, a malformed line) become
:class:`BadRow` records (kept in a :class:`~nlptransfer.data.raw_split.RawSplit`);
:func:`handle_bad_rows` then raises :class:`~nlptransfer._util.errors.BadRowsError` listing them,
or with ``on_bad_rows="warn"`` logs a warning with their count and first lines. Nothing is
dropped without a word. The error's message says how to skip them in each place the policy is
set: ``--on-bad-rows warn`` on the command line, ``on_bad_rows: warn`` in a grid's dataset,
``on_bad_rows="warn"`` in Python.

Example:
    >>> bad = [BadRow("reviews.csv", 3, "empty text"), BadRow("reviews.csv", 9, "no label")]
    >>> print(format_bad_rows(bad))
    reviews.csv, line 3: empty text
    reviews.csv, line 9: no label
    >>> handle_bad_rows([], "error")  # nothing to report: no error
    >>> handle_bad_rows(bad, "error")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.BadRowsError: 2 bad rows in reviews.csv (to skip them with a warning: --on-bad-rows warn on the command line, on_bad_rows: warn in a grid's dataset, on_bad_rows='warn' in Python):
    reviews.csv, line 3: empty text
    reviews.csv, line 9: no label
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from nlptransfer._util.errors import BadRowsError, DatasetError

logger = logging.getLogger(__name__)

#: What to do with bad rows: raise an error (the default; ``"raise"`` is the same) or log a
#: warning and skip them.
BadRowPolicy = Literal["error", "raise", "warn"]

#: The policies, as the command line and grids name them.
BAD_ROW_POLICIES = ("error", "warn")

#: How to skip bad rows, wherever the policy is set.
SKIP_HINT = (
    "to skip them with a warning: --on-bad-rows warn on the command line, on_bad_rows: warn "
    "in a grid's dataset, on_bad_rows='warn' in Python"
)

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


def check_policy(on_bad_rows: str) -> None:
    """Fail early on a policy that is not ``"error"`` (or ``"raise"``) nor ``"warn"``."""
    if on_bad_rows not in ("error", "raise", "warn"):
        raise DatasetError(
            f"on_bad_rows (--on-bad-rows) must be 'error' or 'warn', found {on_bad_rows!r}"
        )


def format_bad_rows(rows: list[BadRow], shown: int = SHOWN_BAD_ROWS) -> str:
    """One line per bad row for the first ``shown`` rows, then how many more there are."""
    text = "\n".join(str(row) for row in rows[:shown])
    if len(rows) > shown:
        text += f"\n... and {len(rows) - shown} more"
    return text


def handle_bad_rows(rows: list[BadRow], on_bad_rows: BadRowPolicy) -> None:
    """Raise :class:`BadRowsError` for bad rows, or with ``"warn"`` log them as skipped.

    Raises:
        BadRowsError: ``on_bad_rows="error"`` (or ``"raise"``) and there is at least one bad row.
    """
    check_policy(on_bad_rows)
    if not rows:
        return
    files = sorted({row.path for row in rows})
    summary = f"{len(rows)} bad row{'s' if len(rows) != 1 else ''} in {', '.join(files)}"
    if on_bad_rows != "warn":
        raise BadRowsError(f"{summary} ({SKIP_HINT}):\n{format_bad_rows(rows)}", rows)
    logger.warning("skipping %s:\n%s", summary, format_bad_rows(rows))
