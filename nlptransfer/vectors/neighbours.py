"""Word queries on unit vectors: nearest neighbours, ``most_similar``, cosine, the odd one out.

Results follow gensim's ``KeyedVectors`` semantics: query words are left out of their own results
and ``most_similar`` adds the unit vectors of its positive and negative terms. A query term is a
word, a vector, or either with a weight; words become unit vectors through a :data:`WordUnit`
function that :class:`~nlptransfer.vectors.Vectors` supplies (its row, else its fastText subword
vector), so this module knows arrays and callables only. Results are rows with scores;
``Vectors`` turns them back into words.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors.topk import unit_rows
    >>> unit = unit_rows(np.array([[1, 0.1], [1, 0.2], [0, 1]], np.float32))
    >>> index = {"cat": 0, "dog": 1, "car": 2}
    >>> def word_unit(word):
    ...     return unit[index[word]], index[word]
    >>> units, banned = query_units(["cat"], 2, word_unit)
    >>> [(row, round(score, 3)) for row, score in nearest_rows(unit, units, 1, banned)[0]]
    [(1, 0.995)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeAlias

import numpy as np

from nlptransfer._util.errors import UnknownWordError
from nlptransfer.vectors.topk import (
    Hits,
    UnitRows,
    cosine_blocks,
    rows_searched,
    search,
    unit_rows,
    unit_vector,
)

logger = logging.getLogger(__name__)

#: A word's unit vector and its row (``None`` for a vector built from subwords); raises
#: :class:`~nlptransfer._util.errors.UnknownWordError` for a word with no vector.
WordUnit = Callable[[str], tuple[np.ndarray, int | None]]
#: A query term: a word, a vector, or either with a weight (``("king", 2.0)``).
Term: TypeAlias = "str | np.ndarray | tuple[str | np.ndarray, float]"


def check_dim(vector: np.ndarray, dim: int) -> None:
    """Refuse query vectors whose last dimension is not ``dim``.

    Example:
        >>> check_dim(np.ones((2, 3)), 50)
        Traceback (most recent call last):
        ...
        ValueError: expected query vectors of dimension 50, got (2, 3)
    """
    if vector.shape[-1] != dim:
        raise ValueError(f"expected query vectors of dimension {dim}, got {vector.shape}")


def term_unit(
    term: str | np.ndarray, dim: int, word_unit: WordUnit
) -> tuple[np.ndarray, int | None]:
    """The unit vector of a word or a vector, and the word's row (``None`` for a vector).

    Example:
        >>> term_unit(np.array([0, 3], np.float32), 2, None)
        (array([0., 1.], dtype=float32), None)
    """
    if isinstance(term, str):
        return word_unit(term)
    vector = np.asarray(term, dtype=np.float32)
    check_dim(vector, dim)
    return unit_vector(vector), None


def query_units(
    queries: Sequence[str | np.ndarray] | np.ndarray, dim: int, word_unit: WordUnit
) -> tuple[np.ndarray, list[set[int]]]:
    """Unit query vectors and, per query, the rows to leave out of its results.

    A query word leaves out its own row; a vector query, nothing. ``queries`` may also be a
    ``[n, dim]`` matrix of query vectors.

    Example:
        >>> unit = np.eye(2, dtype=np.float32)
        >>> units, banned = query_units(["a", np.array([0, 3])], 2, lambda w: (unit[0], 0))
        >>> units.tolist(), banned
        ([[1.0, 0.0], [0.0, 1.0]], [{0}, set()])
    """
    if isinstance(queries, np.ndarray) and queries.ndim == 2:
        check_dim(queries, dim)
        return unit_rows(queries), [set() for _ in range(len(queries))]
    units = np.zeros((len(queries), dim), dtype=np.float32)
    banned: list[set[int]] = []
    for i, query in enumerate(queries):
        units[i], row = term_unit(query, dim, word_unit)
        banned.append({row} if row is not None else set())
    return units, banned


def exclude_rows(
    banned: list[set[int]], exclude: Sequence[Iterable[str]], index: Mapping[str, int]
) -> None:
    """Add, per query, the rows of its ``exclude`` words (those in ``index``) to ``banned``.

    Example:
        >>> banned = [{0}, set()]
        >>> exclude_rows(banned, [[], ["b", "zzz"]], {"a": 0, "b": 1})
        >>> banned
        [{0}, {1}]
    """
    if len(exclude) != len(banned):
        raise ValueError(f"expected one exclude list per query ({len(banned)}), got {len(exclude)}")
    for ban, words in zip(banned, exclude, strict=True):
        ban.update(row for w in words if (row := index.get(w)) is not None)


def nearest_rows(
    unit: UnitRows,
    units: np.ndarray,
    k: int,
    banned: Sequence[set[int]],
    restrict_vocab: int | None = None,
) -> list[Hits]:
    """The ``k`` rows of ``unit`` most cosine-similar to each unit query, banned rows left out.

    Exact search, all queries at once (see :mod:`nlptransfer.vectors.topk`); only the first
    ``restrict_vocab`` rows take part when it is given.

    Example:
        >>> unit = np.eye(3, dtype=np.float32)
        >>> nearest_rows(unit, unit[:2], 1, [{0}, set()])
        [[(1, 0.0)], [(1, 1.0)]]
    """
    if k == 0 or len(units) == 0:
        return [[] for _ in range(len(units))]
    n_rows = rows_searched(len(unit), restrict_vocab)
    return search(cosine_blocks(units, unit), len(units), n_rows, k, banned)


def weighted_terms(
    positive: Term | Sequence[Term] | None, negative: Term | Sequence[Term] | None = ()
) -> list[tuple[str | np.ndarray, float]]:
    """``(term, weight)`` pairs: weight 1 for positive, -1 for negative terms, unless given.

    A ``(term, weight)`` pair keeps its weight as given, in either list (as gensim does).

    Example:
        >>> weighted_terms(["king", ("woman", 2.0)], "man")
        [('king', 1.0), ('woman', 2.0), ('man', -1.0)]
    """
    terms: list[tuple[str | np.ndarray, float]] = []
    for items, sign in ((positive, 1.0), (negative, -1.0)):
        if items is None:
            continue
        if isinstance(items, str | np.ndarray):
            items = [items]
        for item in items:
            if isinstance(item, tuple):
                term, weight = item
                terms.append((term, float(weight)))  # the weight as given, as gensim does
            else:  # a bare number (one (term, weight) pair given alone) fails in term_unit
                # so item may be that float, not a term: passed on as is for term_unit to refuse
                terms.append((item, sign))  # type: ignore[arg-type]  # may be a bare number
    return terms


def combine(
    positive: Term | Sequence[Term],
    negative: Term | Sequence[Term],
    dim: int,
    word_unit: WordUnit,
) -> tuple[np.ndarray, set[int]]:
    """The unit query of ``most_similar``: the weighted sum of the terms' unit vectors.

    Words count with their unit vector (subword vector when out of vocabulary); vectors are
    scaled to unit length too, so every term contributes its direction only (gensim adds raw
    vectors as given).

    Returns:
        ``(unit query vector, rows of the query words)``.

    Example:
        >>> unit = np.eye(2, dtype=np.float32)
        >>> query, rows = combine(["a", np.array([0, 5])], (), 2, lambda w: (unit[0], 0))
        >>> [round(x, 4) for x in query.tolist()], rows
        ([0.7071, 0.7071], {0})
    """
    terms = weighted_terms(positive, negative)
    if not terms:
        raise ValueError("expected at least one positive or negative term, got none")
    total = np.zeros(dim, dtype=np.float32)
    rows: set[int] = set()
    for term, weight in terms:
        vector, row = term_unit(term, dim, word_unit)
        if row is not None:
            rows.add(row)
        total += np.float32(weight) * vector
    return unit_vector(total), rows


def cosine(a: str | np.ndarray, b: str | np.ndarray, dim: int, word_unit: WordUnit) -> float:
    """Cosine similarity of two words or vectors; 0.0 when either is a zero vector.

    Example:
        >>> round(cosine(np.array([1, 0]), np.array([3, 3]), 2, None), 4)
        0.7071
    """
    return float(np.dot(term_unit(a, dim, word_unit)[0], term_unit(b, dim, word_unit)[0]))


def doesnt_match(words: Sequence[str], word_unit: WordUnit) -> str:
    """The word furthest (cosine) from the mean of the words' unit vectors, as gensim.

    Unknown words (``word_unit`` raises ``UnknownWordError``) are left out with a warning.

    Raises:
        UnknownWordError: none of the words has a vector.

    Example:
        >>> unit = {"a": np.array([1, 0.0]), "b": np.array([0.9, 0.1]), "c": np.array([0, 1.0])}
        >>> doesnt_match(["a", "b", "c"], lambda w: (unit[w], None))
        'c'
    """
    used, units = [], []
    for word in words:
        try:
            units.append(word_unit(word)[0])
        except UnknownWordError:
            continue
        used.append(word)
    if len(used) != len(words):
        logger.warning("left out words with no vector: %s", [w for w in words if w not in used])
    if not used:
        raise UnknownWordError(f"expected at least one known word, got none of {list(words)}")
    stack = np.stack(units)
    centre = unit_vector(stack.mean(axis=0))
    return used[int(np.argmin(stack @ centre))]
