"""The rows of one dataset split as read from its file, before labels become ids.

A reader turns one file into a :class:`RawSplit`: texts, raw label values (as found in the file)
and, for each row, where it came from; rows that cannot be examples are kept aside as
:class:`~nlptransfer.data.bad_rows.BadRow` records, with their line numbers.

Example:
    >>> split = RawSplit("reviews.csv")
    >>> split.add_checked(2, "a fine film", " positive ")
    >>> split.add_checked(3, "   ", "negative")
    >>> split.texts, split.labels, split.lines
    (['a fine film'], ['positive'], [2])
    >>> [str(row) for row in split.bad_rows]
    ['reviews.csv, line 3: empty text']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlptransfer.data.bad_rows import BadRow


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
        guesses: what was guessed rather than given (the format, the columns), each naming the
            option that sets it, e.g. ``"format kim (from the extension .txt; --format)"``.
        format: the format it was read as (``""`` for hub data).
    """

    source: str
    texts: list[str] = field(default_factory=list)
    labels: list[object] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    unit: str = "line"
    notes: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    format: str = ""

    def add(self, text: str, label: object, line: int) -> None:
        """Append one good row."""
        self.texts.append(text)
        self.labels.append(label)
        self.lines.append(line)

    def add_checked(self, line: int, text: object, label: object) -> None:
        """Append the row, or record it as bad: empty text, text not a string, no label, a
        label that is not a string or number (a JSON list or object)."""
        problems = []
        if text is None or (isinstance(text, str) and not text.strip()):
            problems.append("empty text")
        elif not isinstance(text, str):
            problems.append(f"the text is not a string: found {text!r}")
        if label is None or (isinstance(label, str) and not label.strip()):
            problems.append("no label")
        elif not isinstance(label, (str, int, float)):  # a list or object cannot be one class
            problems.append(f"expected a label that is a string or number, found {label!r:.80}")
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
