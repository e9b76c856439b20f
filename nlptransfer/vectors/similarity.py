"""Nearest neighbours by cosine similarity: exact, batched, and chunked so memory stays bounded.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors import Vectors
    >>> v = Vectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]], np.float32))
    >>> [(w, round(s, 3)) for w, s in nearest(v, ["cat"], k=1)[0]]
    [('dog', 0.995)]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlptransfer.vectors.store import Vectors

#: Rows of the vocabulary scored at a time: bounds memory to queries x chunk floats.
CHUNK_ROWS = 65536


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def nearest(
    vectors: Vectors,
    queries: Sequence[str] | np.ndarray,
    k: int = 10,
    *,
    exclude: Sequence[Sequence[str]] | None = None,
) -> list[list[tuple[str, float]]]:
    """The ``k`` most cosine-similar words for each query word (or each row of a query matrix).

    Query words are excluded from their own results, as gensim does; ``exclude`` adds more
    words to leave out per query. Unknown query words raise
    :class:`~nlptransfer.errors.UnknownWordError` unless the vectors have subwords.
    """
    if isinstance(queries, np.ndarray):
        query_matrix = np.atleast_2d(queries).astype(np.float32)
        banned: list[set[int]] = [set() for _ in range(len(query_matrix))]
    else:
        query_matrix = (
            np.stack([vectors.vector(q) for q in queries])
            if len(queries)
            else np.zeros((0, vectors.dim), np.float32)
        )
        banned = [{i} if (i := vectors.get_index(q)) is not None else set() for q in queries]
    if exclude is not None:
        for i, words in enumerate(exclude):
            banned[i].update(j for w in words if (j := vectors.get_index(w)) is not None)
    n_queries = len(query_matrix)
    if n_queries == 0 or len(vectors) == 0:
        return [[] for _ in range(n_queries)]
    q = unit_rows(query_matrix)
    want = min(k + max((len(b) for b in banned), default=0), len(vectors))
    best_scores = np.full((n_queries, 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((n_queries, 0), dtype=np.int64)
    for start in range(0, len(vectors), CHUNK_ROWS):
        block = unit_rows(vectors.matrix[start : start + CHUNK_ROWS])
        scores = q @ block.T
        take = min(want, scores.shape[1])
        top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        best_rows = np.concatenate([best_rows, top + start], axis=1)
        if best_scores.shape[1] > want:
            keep = np.argpartition(-best_scores, want - 1, axis=1)[:, :want]
            best_scores = np.take_along_axis(best_scores, keep, axis=1)
            best_rows = np.take_along_axis(best_rows, keep, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    results = []
    for i in range(n_queries):
        hits = []
        for j in order[i]:
            row = int(best_rows[i, j])
            if row in banned[i]:
                continue
            hits.append((vectors.words[row], float(best_scores[i, j])))
            if len(hits) == k:
                break
        results.append(hits)
    return results
