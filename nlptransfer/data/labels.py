"""Label sets: infer them from the data when none is given, and map raw labels to ids.

A raw label is what a file holds: a name (``"positive"``), an id (``"1"``, ``1``, ``1.0``), or
nothing. :class:`LabelMapper` maps a raw label to its id in a list of label names: by name
(exactly, then ignoring case), else as an id ``0..K-1`` when the names are not themselves
numbers. Anything else is an unknown label, reported as a bad row with its line.

Example:
    >>> mapper = LabelMapper(["negative", "positive"])
    >>> mapper("positive"), mapper("1"), mapper(0), mapper("NEGATIVE"), mapper("1.0")
    (1, 1, 0, 0, 1)
    >>> mapper("neutral")
    Traceback (most recent call last):
    ...
    KeyError: "unknown label 'neutral': expected one of ['negative', 'positive'] or an id 0..1"
    >>> infer_label_names([["1", "5", "3"], ["2", "4"]])
    ['1', '2', '3', '4', '5']
    >>> infer_label_names([["0", "1"], [1]])
    ['0', '1']
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence

from nlptransfer._util.errors import DatasetError
from nlptransfer.data.raw_split import RawSplit

logger = logging.getLogger(__name__)

_INT = re.compile(r"[+-]?\d+")
_WHOLE = re.compile(r"[+-]?\d+\.0*")


def _as_int(value: object) -> int | None:
    """``value`` as an int when it is one (``1``, ``"1"``, ``1.0``, ``True``), else ``None``."""
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value)
    return None


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def infer_label_names(
    label_lists: Iterable[Sequence[object]], *, where: str | None = None
) -> list[str]:
    """Label names from the raw labels of every split, when no label set is given.

    Integer labels (``0``, ``"1"``, ``2.0``) give their values as names in numeric order, so that
    ``0..K-1`` keep their ids; any other labels give their distinct strings, sorted.

    Args:
        label_lists: the raw labels of each split.
        where: the file or folder they were read from, for the error message.

    Raises:
        DatasetError: there are no labels at all.
    """
    values = {value for labels in label_lists for value in labels if not _is_missing(value)}
    if not values:
        prefix = f"{where}: " if where else ""
        raise DatasetError(f"{prefix}no labelled rows to take the label names from")
    ints = [number for number in map(_as_int, values) if number is not None]
    if len(ints) == len(values):
        return [str(number) for number in sorted(set(ints))]
    return sorted({str(value).strip() for value in values})


class LabelMapper:
    """Maps raw labels to ids in ``names``; raises ``KeyError`` with a message for others."""

    def __init__(self, names: Sequence[str]) -> None:
        if not names:
            raise DatasetError("a label set needs at least one label name")
        if len(set(names)) != len(names):
            raise DatasetError(f"label names must be distinct, found {list(names)}")
        self.names = [str(name) for name in names]
        self._index = {name: i for i, name in enumerate(self.names)}
        self._lower = {name.lower(): i for i, name in enumerate(self.names)}
        self._numeric_names = any(_INT.fullmatch(name) for name in self.names)

    def __call__(self, value: object) -> int:
        if _is_missing(value):
            raise KeyError("no label")
        if isinstance(value, str):
            key = value.strip()
            if key in self._index:
                return self._index[key]
            if key.lower() in self._lower:
                return self._lower[key.lower()]
        number = _as_int(value)
        if number is None and isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            number = int(float(value))  # "1.0" beside "1": the same id when the names are given
        if number is not None:
            if self._numeric_names:
                if str(number) in self._index:
                    return self._index[str(number)]
            elif 0 <= number < len(self.names):
                return number
        ids = "" if self._numeric_names else f" or an id 0..{len(self.names) - 1}"
        raise KeyError(f"unknown label {value!r}: expected one of {self.names}{ids}")


def encode_labels(split: RawSplit, mapper: LabelMapper) -> tuple[list[str], list[int], list[int]]:
    """Map the split's raw labels to ids; rows with unknown labels become bad rows of ``split``.

    Returns:
        The texts, label ids and line numbers of the rows whose label is known.
    """
    texts: list[str] = []
    ids: list[int] = []
    lines: list[int] = []
    for text, label, line in zip(split.texts, split.labels, split.lines, strict=True):
        try:
            ids.append(mapper(label))
        except KeyError as error:
            split.bad(line, str(error.args[0]))
            continue
        texts.append(text)
        lines.append(line)
    return texts, ids, lines
