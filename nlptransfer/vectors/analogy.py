"""Analogies on unit vectors: ``a`` is to ``b`` as ``c`` is to what? By 3CosAdd or 3CosMul.

``3cosadd`` (Mikolov et al. 2013) ranks rows by cosine with ``b - a + c`` (unit vectors, as
gensim's ``most_similar``); ``3cosmul`` (Levy and Goldberg 2014) by
``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)`` with ``cos' = (1 + cos) / 2`` (gensim's
``most_similar_cosmul``). The question's own rows are never answers. Many questions are solved
in one batched search (:mod:`nlptransfer.vectors.topk`). Words come in through a
:data:`~nlptransfer.vectors.neighbours.WordUnit` function; results are rows with scores.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors.topk import unit_rows
    >>> words = ["man", "king", "woman", "queen", "apple"]
    >>> unit = unit_rows(np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [1, -1, 0.2]],
    ...                           np.float32))
    >>> [[words[r] for r in rows] for rows in analogy_rows(unit, np.array([[0, 1, 2]]))]
    [['queen']]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from nlptransfer.vectors.neighbours import WordUnit
from nlptransfer.vectors.topk import (
    Hits,
    ScoreBlock,
    UnitRows,
    check_k,
    cosine_blocks,
    ranked_hits,
    row_products,
    rows_searched,
    top_k,
    unit_rows,
)

AnalogyMethod = Literal["3cosadd", "3cosmul"]
ANALOGY_METHODS: tuple[str, ...] = ("3cosadd", "3cosmul")
#: 3CosMul's epsilon, as in gensim's ``most_similar_cosmul`` (Levy and Goldberg used 0.001).
COSMUL_EPSILON = 1e-6


def check_method(method: str) -> None:
    """Refuse an analogy method other than those of :data:`ANALOGY_METHODS`.

    Example:
        >>> check_method("3cosavg")
        Traceback (most recent call last):
        ...
        ValueError: expected method one of ('3cosadd', '3cosmul'), got '3cosavg'
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"expected method one of {ANALOGY_METHODS}, got {method!r}")


def cosmul_blocks(
    positive: Sequence[np.ndarray], negative: Sequence[np.ndarray], unit: UnitRows
) -> ScoreBlock:
    """3CosMul scores: prod of shifted cosines (1 + cos) / 2 of the positive terms over the
    negative, per block of rows and queries.

    Example:
        >>> unit = np.eye(2, dtype=np.float32)
        >>> score = cosmul_blocks([unit[:1]], [unit[1:]], unit)
        >>> score(slice(0, 2), slice(0, 1)).round(3).tolist()
        [[2.0], [0.5]]
    """

    def score(rows: slice, queries: slice) -> np.ndarray:
        block: UnitRows = unit
        if isinstance(unit, np.ndarray):  # take the block once; ScaledRows scale as they go
            block, rows = unit[rows], slice(None)
        n_rows = len(range(*rows.indices(len(block))))
        numerator = np.ones((n_rows, queries.stop - queries.start), dtype=np.float32)
        for terms in positive:
            numerator *= (1 + row_products(block, rows, terms[queries])) / 2
        denominator = np.ones_like(numerator)
        for terms in negative:
            denominator *= (1 + row_products(block, rows, terms[queries])) / 2
        return numerator / (denominator + np.float32(COSMUL_EPSILON))

    return score


def analogy_top(
    unit: UnitRows, terms: np.ndarray, method: str, n_rows: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``want`` rows among the first ``n_rows`` for unit ``terms = [a, b, c]`` (each
    ``[n, dim]``), by 3CosAdd or 3CosMul: ``(scores, rows)``, both ``[n, want]``.

    Example:
        >>> unit = np.eye(3, dtype=np.float32)
        >>> _, rows = analogy_top(unit, unit[[[0], [1], [2]]], "3cosadd", 3, 3)
        >>> rows.tolist()
        [[1, 2, 0]]
    """
    a, b, c = terms
    if method == "3cosadd":
        # gensim's query: the mean of b, c and -a, in that order, scaled to unit length
        score = cosine_blocks(unit_rows(((b + c) - a) / np.float32(3)), unit)
    else:
        score = cosmul_blocks([b, c], [a], unit)
    return top_k(score, len(a), n_rows, want)


def question_units(
    questions: Sequence[tuple[str, str, str]], dim: int, word_unit: WordUnit
) -> tuple[np.ndarray, list[set[int]]]:
    """The unit vectors ``[3, n, dim]`` of ``(a, b, c)`` questions and each question's rows.

    Example:
        >>> unit = np.eye(3, dtype=np.float32)
        >>> index = {"a": 0, "b": 1, "c": 2}
        >>> terms, rows = question_units([("a", "b", "c")], 3, lambda w: (unit[index[w]], index[w]))
        >>> terms.shape, rows
        ((3, 1, 3), [{0, 1, 2}])
    """
    terms = np.zeros((3, len(questions), dim), dtype=np.float32)
    banned: list[set[int]] = []
    for i, question in enumerate(questions):
        if len(question) != 3:
            raise ValueError(f"expected (a, b, c) questions, got {question!r}")
        rows = set()
        for j, word in enumerate(question):
            terms[j, i], row = word_unit(word)
            if row is not None:
                rows.add(row)
        banned.append(rows)
    return terms, banned


def solve_analogies(
    unit: UnitRows,
    questions: Sequence[tuple[str, str, str]],
    word_unit: WordUnit,
    k: int = 1,
    *,
    method: AnalogyMethod = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[Hits]:
    """The ``k`` best ``(row, score)`` answers of each ``(a, b, c)`` question of words.

    Example:
        >>> unit = np.eye(4, dtype=np.float32)
        >>> index = {"a": 0, "b": 1, "c": 2}
        >>> solve_analogies(unit, [("a", "b", "c")], lambda w: (unit[index[w]], index[w]), k=2)
        [[(3, 0.0)]]
    """
    check_method(method)
    check_k(k)
    terms, banned = question_units(questions, unit.shape[1], word_unit)
    if k == 0 or not questions:
        return [[] for _ in questions]
    n_rows = rows_searched(len(unit), restrict_vocab)
    scores, rows = analogy_top(unit, terms, method, n_rows, k + 3)
    return ranked_hits(scores, rows, banned, k)


def analogy_rows(
    unit: UnitRows,
    questions: np.ndarray,
    k: int = 1,
    *,
    method: AnalogyMethod = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[list[int]]:
    """The best ``k`` answer rows of questions given as ``[n, 3]`` rows (their own left out).

    This is what analogy evaluation runs on.

    Example:
        >>> unit = np.eye(4, dtype=np.float32)
        >>> analogy_rows(unit, np.array([[0, 1, 2]]), k=2)
        [[3]]
    """
    check_method(method)
    questions = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    n_rows = rows_searched(len(unit), restrict_vocab)
    if k <= 0 or len(questions) == 0 or n_rows == 0:
        return [[] for _ in range(len(questions))]
    terms = np.stack([unit[questions[:, j]] for j in range(3)])
    _, found = analogy_top(unit, terms, method, n_rows, k + 3)
    answers = []
    for own, candidates in zip(questions.tolist(), found.tolist(), strict=True):
        banned = set(own)
        answers.append([r for r in candidates if r not in banned][:k])
    return answers
