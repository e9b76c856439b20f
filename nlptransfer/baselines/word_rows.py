"""The pretrained vectors of the words a dataset uses, found as the grid's embedding layers find
them (exact, then the fallback rules: lowercase, case-folding, PTB escapes, digits, subwords).

Example:
    >>> import numpy as np
    >>> from nlptransfer import Vectors
    >>> vectors = Vectors(["good", "film"], np.array([[1.0, 0.0], [0.0, 1.0]], np.float32))
    >>> rows = pretrained_rows(vectors, [["Good", "film"], ["zzz"]])
    >>> sorted(rows), rows["Good"].tolist()
    (['Good', 'film'], [1.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from nlptransfer.vectors.oov import build_matrix
from nlptransfer.vectors.store import Vectors


def pretrained_rows(
    vectors: Vectors, token_lists: Iterable[Sequence[str]]
) -> dict[str, np.ndarray]:
    """Each word of ``token_lists`` that the vectors have (by a fallback rule) -> its vector."""
    words = list(dict.fromkeys(token for tokens in token_lists for token in tokens))
    if not words:
        return {}
    matrix, report = build_matrix(vectors, words, policy="zero", top_missing=0)
    return {word: matrix[i] for i, word in enumerate(words) if word in report.rule_of}
