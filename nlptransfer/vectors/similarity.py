"""Cosine similarity, nearest neighbours and analogies: exact, batched, with bounded memory.

Every search scores blocks of queries against blocks of the unit-normalised matrix (one float32
matrix product per block, so BLAS does the heavy lifting) and keeps a running top ``k`` per
query. After the first block, a score only matters if it beats the query's current ``k``-th
best, so most of each block is discarded by one vectorised comparison instead of a partial sort:
memory stays at one block of scores (``QUERY_BLOCK_ELEMENTS`` floats) however many rows there
are, and the cost is dominated by the matrix product.

Results follow gensim's ``KeyedVectors`` semantics: query words are left out of their own results,
``most_similar`` averages the unit vectors of its positive and negative terms, ``3CosMul`` uses
Levy and Goldberg's shifted cosines with gensim's epsilon. Equal scores are ordered by row (the
more frequent word first); gensim leaves that order to its partial sort.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors import Vectors
    >>> v = Vectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]], np.float32))
    >>> [(w, round(s, 3)) for w, s in nearest(v, ["cat"], k=1)[0]]
    [('dog', 0.995)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
from tqdm.auto import tqdm

from nlptransfer._util.errors import UnknownWordError
from nlptransfer._util.progress import progress_enabled

if TYPE_CHECKING:
    from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

#: Rows of the vocabulary scored at a time for many queries (few queries take more rows).
CHUNK_ROWS = 4096
#: Searches scoring more than this many (query, row) pairs show a progress bar.
PROGRESS_MIN_SCORES = 2_000_000_000
#: Scores held at once (queries x rows of one block): bounds temporary memory to about 16 MiB.
QUERY_BLOCK_ELEMENTS = 1 << 22
#: 3CosMul's epsilon, as in gensim's ``most_similar_cosmul`` (Levy and Goldberg used 0.001).
COSMUL_EPSILON = 1e-6

#: A query term: a word, a vector, or either with a weight (``("king", 2.0)``).
Term: TypeAlias = "str | np.ndarray | tuple[str | np.ndarray, float]"
AnalogyMethod = Literal["3cosadd", "3cosmul"]
ANALOGY_METHODS: tuple[str, ...] = ("3cosadd", "3cosmul")

_UNIT_CACHE = "_unit_matrix_cache"


# -- unit-normalised matrix ------------------------------------------------------------------
def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32.

    Example:
        >>> unit_rows(np.array([[3, 4], [0, 0]], np.float32)).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def unit_matrix(vectors: Vectors, *, refresh: bool = False) -> np.ndarray:
    """The unit-normalised matrix of ``vectors``, computed in chunks once and cached on them.

    The cache is a read-only float32 copy (the source may itself be a read-only memmap); it is
    rebuilt when ``vectors.matrix`` is replaced, or with ``refresh=True`` after editing the
    matrix in place. Zero rows stay zero, so they have cosine 0 with everything.

    Example:
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[3, 4], [0, 2]], np.float32))
        >>> unit_matrix(v).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 1.0]]
        >>> unit_matrix(v) is unit_matrix(v)
        True
    """
    matrix = vectors.matrix
    cached = vectors.__dict__.get(_UNIT_CACHE)
    if cached is not None and cached[0] is matrix and not refresh:
        return cached[1]
    unit = np.empty(matrix.shape, dtype=np.float32)
    step = 1 << 16
    for start in range(0, len(matrix), step):
        unit[start : start + step] = unit_rows(matrix[start : start + step])
    unit.setflags(write=False)
    vectors.__dict__[_UNIT_CACHE] = (matrix, unit)  # keyed by identity: a new matrix recomputes
    return unit


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


# -- the top-k engine ------------------------------------------------------------------------
ScoreBlock = Callable[[slice, slice], np.ndarray]


def block_shape(n_queries: int, n_rows: int) -> tuple[int, int]:
    """``(queries, rows)`` scored at once: ``CHUNK_ROWS`` rows for many queries, more rows for
    few queries (one query scores the whole matrix in one call), at most about
    ``QUERY_BLOCK_ELEMENTS`` scores in all.

    Example:
        >>> block_shape(1000, 400000), block_shape(1, 400000)
        ((1000, 4194), (1, 400000))
    """
    queries = max(1, min(n_queries, QUERY_BLOCK_ELEMENTS // max(1, CHUNK_ROWS)))
    rows = max(1, min(n_rows, max(CHUNK_ROWS, QUERY_BLOCK_ELEMENTS // queries)))
    return queries, rows


def top_k(
    score_block: ScoreBlock, n_queries: int, n_rows: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``want`` best-scoring rows per query, scoring block by block.

    Args:
        score_block: ``score_block(rows, queries)`` returns float32 scores of shape
            ``[len(rows), len(queries)]`` for two slices (rows first: the vocabulary block is
            the left operand of the matrix product, the faster layout).
        n_queries: number of queries.
        n_rows: number of candidate rows (``0 .. n_rows - 1``).
        want: how many rows to keep per query (at most ``n_rows``).

    Returns:
        ``(scores, rows)``, both ``[n_queries, want]``, best first; equal scores by row.

    Example:
        >>> s = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.7]], np.float32)  # [queries, rows]
        >>> scores, rows = top_k(lambda r, q: s[q, r].T, 2, 3, 2)
        >>> rows.tolist()
        [[1, 2], [0, 2]]
    """
    want = min(want, n_rows)
    all_scores = np.zeros((n_queries, want), dtype=np.float32)
    all_rows = np.zeros((n_queries, want), dtype=np.int64)
    if want <= 0 or n_queries == 0:
        return all_scores, all_rows
    block, chunk = block_shape(n_queries, n_rows)
    bar = tqdm(
        total=n_queries,
        desc="searching",
        unit=" queries",
        disable=n_queries * n_rows < PROGRESS_MIN_SCORES or not progress_enabled(None),
        delay=1.0,
        leave=False,
    )
    with bar:
        for q0 in range(0, n_queries, block):
            queries = slice(q0, min(q0 + block, n_queries))
            all_scores[queries], all_rows[queries] = _search_block(
                score_block, queries, n_rows, chunk, want
            )
            bar.update(queries.stop - queries.start)
    return all_scores, all_rows


def _search_block(
    score_block: ScoreBlock, queries: slice, n_rows: int, chunk: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """The top ``want`` of one block of queries over all rows, chunk by chunk."""
    n = queries.stop - queries.start
    best_s = np.full((n, want), -np.inf, dtype=np.float32)
    best_r = np.full((n, want), -1, dtype=np.int64)
    for r0 in range(0, n_rows, chunk):
        rows = slice(r0, min(r0 + chunk, n_rows))
        best_s, best_r = _merge_block(best_s, best_r, score_block(rows, queries), r0, want)
    return best_s, best_r


def _merge_block(
    best_s: np.ndarray, best_r: np.ndarray, scores: np.ndarray, offset: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """Merge a ``[rows, queries]`` block of scores into the running top ``want`` per query.

    Only scores that can still enter the top are gathered: those above the current ``want``-th
    best or, while the top is not yet full, above a lower bound for it read off the block
    itself (the ``want``-th largest of the maxima of ``2 * want`` disjoint runs of rows: those
    maxima are ``2 * want`` distinct scores, so the ``want``-th best is at least that).
    """
    width, n = scores.shape
    if np.isneginf(best_s[:, -1]).any():
        segments = 2 * want
        if width < 4 * segments:
            return _merge_candidates(best_s, best_r, *_partial_sort(scores, want, offset), want)
        seg = width // segments
        maxima = scores[: seg * segments].reshape(segments, seg, n).max(axis=1)
        bound = np.partition(maxima, segments - want, axis=0)[segments - want]
        above = scores >= np.maximum(bound, best_s[:, -1])
    else:  # a contiguous threshold vector compares several times faster than a strided one
        above = scores > np.ascontiguousarray(best_s[:, -1])  # ties keep the earlier row
    flat = np.flatnonzero(above)
    if flat.size == 0:
        return best_s, best_r
    if flat.size > max(n * want * 16, scores.size // 16):  # a partial sort is cheaper
        return _merge_candidates(best_s, best_r, *_partial_sort(scores, want, offset), want)
    rows, cand_q = np.divmod(flat, n)
    return _merge_candidates(best_s, best_r, cand_q, scores.ravel()[flat], rows + offset, want)


def _partial_sort(
    scores: np.ndarray, want: int, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query's best ``want`` rows of a ``[rows, queries]`` block, and every row tied with
    the last of them: ``(query, score, row)`` arrays, rows ascending per query."""
    width, n = scores.shape
    take = min(want, width)
    kth = np.partition(scores, width - take, axis=0)[width - take]
    rows, cand_q = np.divmod(np.flatnonzero(scores >= kth), n)
    return cand_q, scores[rows, cand_q], rows + offset


def _merge_candidates(
    best_s: np.ndarray,
    best_r: np.ndarray,
    cand_q: np.ndarray,
    cand_s: np.ndarray,
    cand_r: np.ndarray,
    want: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The top ``want`` per query of the running top plus ``(query, score, row)`` candidates.

    Each query's candidates must come in ascending row order, after the rows already in the
    top: a stable sort by score then leaves equal scores ordered by row. The usual case, a few
    candidates per query, sorts one short padded row per query; a query with very many
    candidates (many equal scores) falls back to one global sort.
    """
    n = best_s.shape[0]
    if cand_q.size == 0:
        return best_s, best_r
    order = np.argsort(cand_q, kind="stable")
    cand_q, cand_s, cand_r = cand_q[order], cand_s[order], cand_r[order]
    counts = np.bincount(cand_q, minlength=n)
    widest = int(counts.max())
    if widest > 8 * want + 64:
        return _merge_sorted(best_s, best_r, cand_q, cand_s, cand_r, want)
    padded_s = np.full((n, want + widest), -np.inf, dtype=np.float32)
    padded_r = np.full((n, want + widest), -1, dtype=np.int64)
    padded_s[:, :want] = best_s
    padded_r[:, :want] = best_r
    starts = np.cumsum(counts) - counts
    slot = want + np.arange(cand_q.size) - starts[cand_q]
    padded_s[cand_q, slot] = cand_s
    padded_r[cand_q, slot] = cand_r
    pick = np.argsort(-padded_s, axis=1, kind="stable")[:, :want]
    return np.take_along_axis(padded_s, pick, axis=1), np.take_along_axis(padded_r, pick, axis=1)


def _merge_sorted(
    best_s: np.ndarray,
    best_r: np.ndarray,
    cand_q: np.ndarray,
    cand_s: np.ndarray,
    cand_r: np.ndarray,
    want: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_merge_candidates` by one sort on (query, -score, row) of everything."""
    n = best_s.shape[0]
    merged_q = np.concatenate([np.repeat(np.arange(n), want), cand_q])
    merged_s = np.concatenate([best_s.ravel(), cand_s])
    merged_r = np.concatenate([best_r.ravel(), cand_r])
    # placeholder rows (-1, score -inf) sort after any real row of equal score
    row_key = np.where(merged_r < 0, np.iinfo(np.int64).max, merged_r)
    order = np.lexsort((row_key, -merged_s, merged_q))
    counts = np.bincount(merged_q, minlength=n)
    starts = np.cumsum(counts) - counts
    pick = order[(starts[:, None] + np.arange(want)).ravel()]
    return merged_s[pick].reshape(n, want), merged_r[pick].reshape(n, want)


def _cosine_blocks(unit_queries: np.ndarray, unit: np.ndarray) -> ScoreBlock:
    def score(rows: slice, queries: slice) -> np.ndarray:
        return unit[rows] @ unit_queries[queries].T

    return score


def _cosmul_blocks(
    positive: Sequence[np.ndarray], negative: Sequence[np.ndarray], unit: np.ndarray
) -> ScoreBlock:
    """3CosMul: prod of shifted cosines (1 + cos) / 2 of the positive terms over the negative."""

    def score(rows: slice, queries: slice) -> np.ndarray:
        block = unit[rows]
        numerator = np.ones((block.shape[0], queries.stop - queries.start), dtype=np.float32)
        for terms in positive:
            numerator *= (1 + block @ terms[queries].T) / 2
        denominator = np.ones_like(numerator)
        for terms in negative:
            denominator *= (1 + block @ terms[queries].T) / 2
        return numerator / (denominator + np.float32(COSMUL_EPSILON))

    return score


def results_for(
    vectors: Vectors,
    scores: np.ndarray,
    rows: np.ndarray,
    banned: Sequence[set[int]],
    k: int,
) -> list[list[tuple[str, float]]]:
    """Per query, the first ``k`` of its ranked ``(scores, rows)`` not in ``banned``, as words.

    Rows below 0 (placeholders) are skipped.

    Example:
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
        >>> results_for(v, np.array([[0.9, 0.5, 0.1]]), np.array([[0, 2, 1]]), [{0}], 1)
        [[('c', 0.5)]]
    """
    words = vectors.words
    results = []
    for i in range(len(scores)):
        hits: list[tuple[str, float]] = []
        ban = banned[i]
        for score, row in zip(scores[i].tolist(), rows[i].tolist(), strict=True):
            if row < 0 or row in ban:
                continue
            hits.append((words[row], score))
            if len(hits) == k:
                break
        results.append(hits)
    return results


def _limit(vectors: Vectors, restrict_vocab: int | None) -> int:
    if restrict_vocab is None:
        return len(vectors)
    if restrict_vocab < 0:
        raise ValueError(f"restrict_vocab must be >= 0, got {restrict_vocab}")
    return min(restrict_vocab, len(vectors))


# -- queries ---------------------------------------------------------------------------------
def _word_unit(vectors: Vectors, word: str, unit: np.ndarray) -> tuple[np.ndarray, int | None]:
    """The unit vector of a word (its row, else its fastText subword vector) and its row."""
    row = vectors.get_index(word)
    if row is not None:
        return unit[row], row
    return _unit(vectors.vector(word)), None  # UnknownWordError when no subwords


def _check_dim(vectors: Vectors, vector: np.ndarray) -> None:
    if vector.shape[-1] != vectors.dim:
        raise ValueError(f"expected query vectors of dimension {vectors.dim}, got {vector.shape}")


def prepare_queries(
    vectors: Vectors,
    queries: Sequence[str | np.ndarray] | np.ndarray,
    exclude: Sequence[Iterable[str]] | None = None,
) -> tuple[np.ndarray, list[set[int]]]:
    """Unit query vectors and, per query, the rows to leave out of its results.

    A query word leaves out its own row (plus the rows of its ``exclude`` words); a vector
    query, only its ``exclude`` words. Unknown words get their fastText subword vector.

    Raises:
        UnknownWordError: a query word is unknown and the vectors have no subword model.

    Example:
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[2, 0], [0, 1]], np.float32))
        >>> units, banned = prepare_queries(v, ["a", np.array([0, 3])], exclude=[[], ["b"]])
        >>> units.tolist(), banned
        ([[1.0, 0.0], [0.0, 1.0]], [{0}, {1}])
    """
    unit = unit_matrix(vectors)
    if isinstance(queries, np.ndarray) and queries.ndim == 2:
        _check_dim(vectors, queries)
        query_units = unit_rows(queries)
        banned: list[set[int]] = [set() for _ in range(len(queries))]
    else:
        query_units = np.zeros((len(queries), vectors.dim), dtype=np.float32)
        banned = []
        for i, query in enumerate(queries):
            if isinstance(query, str):
                query_units[i], row = _word_unit(vectors, query, unit)
                banned.append({row} if row is not None else set())
            else:
                query = np.asarray(query, dtype=np.float32)
                _check_dim(vectors, query)
                query_units[i] = _unit(query)
                banned.append(set())
    if exclude is not None:
        if len(exclude) != len(banned):
            raise ValueError(
                f"expected one exclude list per query ({len(banned)}), got {len(exclude)}"
            )
        for ban, words in zip(banned, exclude, strict=True):
            ban.update(row for w in words if (row := vectors.get_index(w)) is not None)
    return query_units, banned


def nearest(
    vectors: Vectors,
    queries: Sequence[str | np.ndarray] | np.ndarray,
    k: int = 10,
    *,
    exclude: Sequence[Iterable[str]] | None = None,
    restrict_vocab: int | None = None,
) -> list[list[tuple[str, float]]]:
    """The ``k`` most cosine-similar words for each query word (or each row of a query matrix).

    Exact search, all queries at once: one float32 matrix product per block of the vocabulary.
    Query words are excluded from their own results, as gensim does; a vector query excludes
    nothing. Unknown query words get their fastText subword vector when the vectors have one.

    Args:
        vectors: the vectors to search.
        queries: words, 1-D vectors, or a ``[n, dim]`` matrix of query vectors.
        k: neighbours per query.
        exclude: per query, more words to leave out of its results.
        restrict_vocab: search only the first ``restrict_vocab`` rows (the frequent words).

    Returns:
        One list of ``(word, cosine)`` per query, most similar first.

    Raises:
        UnknownWordError: a query word is unknown and the vectors have no subword model.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> [w for w, _ in nearest(glove, ["frog", "king"], k=3)[1]]
        ['prince', 'queen', 'ii']
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    query_units, banned = prepare_queries(vectors, queries, exclude)
    if k == 0 or len(query_units) == 0:
        return [[] for _ in range(len(query_units))]
    n_rows = _limit(vectors, restrict_vocab)
    want = k + max((len(b) for b in banned), default=0)
    score = _cosine_blocks(query_units, unit_matrix(vectors))
    scores, rows = top_k(score, len(query_units), n_rows, want)
    return results_for(vectors, scores, rows, banned, k)


def _terms(
    items: Term | Sequence[Term] | None, sign: float
) -> list[tuple[str | np.ndarray, float]]:
    if items is None:
        return []
    if isinstance(items, str | np.ndarray):
        items = [items]
    terms = []
    for item in items:
        if isinstance(item, tuple):
            term, weight = item  # the weight as given, as gensim: ("x", 0.5) adds x
            terms.append((term, float(weight)))
        else:
            terms.append((item, sign))
    return terms


def combine(
    vectors: Vectors, positive: Term | Sequence[Term], negative: Term | Sequence[Term] = ()
) -> tuple[np.ndarray, set[int]]:
    """The unit query of ``most_similar``: the weighted sum of the terms' unit vectors.

    Words count with their unit vector (subword vector when out of vocabulary); vectors are
    scaled to unit length too, so every term contributes its direction only (gensim adds raw
    vectors as given). Weights default to 1 for positive and -1 for negative terms; a
    ``(term, weight)`` pair uses its weight as given, in either list (as gensim does).

    Returns:
        ``(unit query vector, rows of the query words)``.

    Example:
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[2, 0], [0, 5]], np.float32))
        >>> query, rows = combine(v, ["a", "b"])
        >>> [round(x, 4) for x in query.tolist()], sorted(rows)
        ([0.7071, 0.7071], [0, 1])
    """
    terms = _terms(positive, 1.0) + _terms(negative, -1.0)
    if not terms:
        raise ValueError("expected at least one positive or negative term, got none")
    unit = unit_matrix(vectors)
    total = np.zeros(vectors.dim, dtype=np.float32)
    rows: set[int] = set()
    for term, weight in terms:
        if isinstance(term, str):
            vector, row = _word_unit(vectors, term, unit)
            if row is not None:
                rows.add(row)
        else:
            term = np.asarray(term, dtype=np.float32)
            _check_dim(vectors, term)
            vector = _unit(term)
        total += np.float32(weight) * vector
    return _unit(total), rows


def most_similar(
    vectors: Vectors,
    positive: Term | Sequence[Term],
    negative: Term | Sequence[Term] = (),
    k: int = 10,
    *,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """Words nearest (cosine) to the sum of ``positive`` minus ``negative`` unit vectors.

    gensim's ``most_similar``: terms are words or vectors, optionally ``(term, weight)``; the
    query words themselves are left out of the results.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> most_similar(glove, ["king", "woman"], ["man"], k=1)[0][0]
        'queen'
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    query, rows = combine(vectors, positive, negative)
    if k == 0:
        return []
    n_rows = _limit(vectors, restrict_vocab)
    score = _cosine_blocks(query[None, :], unit_matrix(vectors))
    scores, found = top_k(score, 1, n_rows, k + len(rows))
    return results_for(vectors, scores, found, [rows], k)[0]


def similarity(vectors: Vectors, a: str | np.ndarray, b: str | np.ndarray) -> float:
    """Cosine similarity of two words (or vectors); 0.0 when either is a zero vector.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> round(similarity(glove, "cat", "dog"), 4)
        0.9218
    """
    unit = unit_matrix(vectors)
    units = []
    for item in (a, b):
        if isinstance(item, str):
            units.append(_word_unit(vectors, item, unit)[0])
        else:
            item = np.asarray(item, dtype=np.float32)
            _check_dim(vectors, item)
            units.append(_unit(item))
    return float(np.dot(units[0], units[1]))


def solve_analogies(
    vectors: Vectors,
    questions: Sequence[tuple[str, str, str]],
    k: int = 1,
    *,
    method: AnalogyMethod = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[list[tuple[str, float]]]:
    """``a`` is to ``b`` as ``c`` is to what? For many ``(a, b, c)`` questions at once.

    ``3cosadd`` (Mikolov et al.) ranks words by cosine with ``b - a + c`` (unit vectors);
    ``3cosmul`` (Levy and Goldberg 2014) by ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)`` with
    ``cos' = (1 + cos) / 2``. The three question words are never answers.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> [hits[0][0] for hits in solve_analogies(glove, [("man", "king", "woman"),
        ...                                               ("paris", "france", "rome")])]
        ['queen', 'italy']
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"expected method one of {ANALOGY_METHODS}, got {method!r}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    unit = unit_matrix(vectors)
    n = len(questions)
    terms = np.zeros((3, n, vectors.dim), dtype=np.float32)
    banned: list[set[int]] = []
    for i, question in enumerate(questions):
        if len(question) != 3:
            raise ValueError(f"expected (a, b, c) questions, got {question!r}")
        rows = set()
        for j, word in enumerate(question):
            terms[j, i], row = _word_unit(vectors, word, unit)
            if row is not None:
                rows.add(row)
        banned.append(rows)
    if k == 0 or n == 0:
        return [[] for _ in range(n)]
    scores, rows_found = _analogy_top(
        vectors, terms, method, _limit(vectors, restrict_vocab), k + 3
    )
    return results_for(vectors, scores, rows_found, banned, k)


def analogy_rows(
    vectors: Vectors,
    questions: np.ndarray,
    k: int = 1,
    *,
    method: AnalogyMethod = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[list[int]]:
    """:func:`solve_analogies` for questions given as ``[n, 3]`` rows: the best ``k`` rows each.

    The questions' own rows are left out. This is what analogy evaluation runs on.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> q = np.array([[glove.index("man"), glove.index("king"), glove.index("woman")]])
        >>> [glove.words[r] for r in analogy_rows(glove, q, k=2)[0]]
        ['queen', 'throne']
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"expected method one of {ANALOGY_METHODS}, got {method!r}")
    questions = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    n_rows = _limit(vectors, restrict_vocab)
    if k <= 0 or len(questions) == 0 or n_rows == 0:
        return [[] for _ in range(len(questions))]
    unit = unit_matrix(vectors)
    terms = np.stack([unit[questions[:, j]] for j in range(3)])
    _, found = _analogy_top(vectors, terms, method, n_rows, k + 3)
    answers = []
    for own, candidates in zip(questions.tolist(), found.tolist(), strict=True):
        banned = set(own)
        answers.append([r for r in candidates if r not in banned][:k])
    return answers


def _analogy_top(
    vectors: Vectors, terms: np.ndarray, method: str, n_rows: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top rows for unit ``terms = [a, b, c]`` (each ``[n, dim]``) by 3CosAdd or 3CosMul."""
    a, b, c = terms
    unit = unit_matrix(vectors)
    if method == "3cosadd":
        # gensim's query: the mean of b, c and -a, in that order, scaled to unit length
        score = _cosine_blocks(unit_rows(((b + c) - a) / np.float32(3)), unit)
    else:
        score = _cosmul_blocks([b, c], [a], unit)
    return top_k(score, len(a), n_rows, want)


def analogy(
    vectors: Vectors,
    a: str,
    b: str,
    c: str,
    k: int = 1,
    *,
    method: AnalogyMethod = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """``a`` is to ``b`` as ``c`` is to ...? The ``k`` best answers with their scores.

    See :func:`solve_analogies` for the methods.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> analogy(glove, "man", "king", "woman", method="3cosmul")[0][0]
        'queen'
    """
    return solve_analogies(vectors, [(a, b, c)], k, method=method, restrict_vocab=restrict_vocab)[0]


def doesnt_match(vectors: Vectors, words: Sequence[str]) -> str:
    """The word furthest (cosine) from the mean of the words' unit vectors, as gensim.

    Unknown words without a subword vector are left out with a warning, as gensim does.

    Raises:
        UnknownWordError: none of the words has a vector.

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> doesnt_match(glove, ["breakfast", "cereal", "dinner", "lunch"])
        'cereal'
    """
    unit = unit_matrix(vectors)
    used, units = [], []
    for word in words:
        try:
            units.append(_word_unit(vectors, word, unit)[0])
        except UnknownWordError:
            continue
        used.append(word)
    if len(used) != len(words):
        logger.warning("left out words with no vector: %s", [w for w in words if w not in used])
    if not used:
        raise UnknownWordError(f"expected at least one known word, got none of {list(words)}")
    stack = np.stack(units)
    centre = _unit(stack.mean(axis=0))
    return used[int(np.argmin(stack @ centre))]
