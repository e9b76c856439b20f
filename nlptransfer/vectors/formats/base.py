"""What every format reader returns, before it becomes a :class:`~nlptransfer.vectors.Vectors`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nlptransfer.vectors.subword import FastTextSubwords


@dataclass
class ParsedVectors:
    """Rows read from a file: ``words[i]`` is the word of ``matrix[i]``.

    Attributes:
        words: the words in file order, duplicates already removed.
        matrix: float32 array of shape ``[len(words), dim]``.
        subwords: the fastText subword model when the file carries one.
        meta: format-specific facts worth keeping as provenance (e.g. fastText hyper-parameters).
    """

    words: list[str]
    matrix: np.ndarray
    subwords: FastTextSubwords | None = None
    meta: dict[str, Any] = field(default_factory=dict)
