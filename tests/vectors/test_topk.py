"""The array top-k engine: exact, with ties ordered by row, on every path through the merge."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlptransfer.vectors import topk


def test_top_k_equals_a_full_sort_with_ties(monkeypatch):
    rng = np.random.default_rng(0)
    # rounded scores give many exact ties; the full sort orders them by row
    scores = np.round(rng.standard_normal((37, 1000)), 1).astype(np.float32)
    for chunk, elements, want in [(64, 256, 5), (1000, 1 << 20, 12), (7, 50, 30), (300, 900, 1)]:
        monkeypatch.setattr(topk, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(topk, "QUERY_BLOCK_ELEMENTS", elements)
        got_scores, got_rows = topk.top_k(lambda r, q: scores[q, r].T, 37, 1000, want)
        for i in range(37):
            order = np.lexsort((np.arange(1000), -scores[i]))[:want]
            assert got_rows[i].tolist() == order.tolist(), (chunk, elements, want, i)
            np.testing.assert_array_equal(got_scores[i], scores[i, order])


def test_top_k_all_scores_equal_keeps_the_first_rows(monkeypatch):
    # every score ties: whichever path a block takes, the earliest rows must win
    scores = np.zeros((6, 500), np.float32)
    for chunk, elements in [(7, 42), (100, 600), (500, 1 << 20)]:
        monkeypatch.setattr(topk, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(topk, "QUERY_BLOCK_ELEMENTS", elements)
        _, rows = topk.top_k(lambda r, q: scores[q, r].T, 6, 500, 9)
        assert rows.tolist() == [list(range(9))] * 6, (chunk, elements)


def test_ranked_hits_skip_banned_rows_and_placeholders():
    scores = np.array([[0.9, 0.8, 0.7, 0.0], [0.5, 0.4, -np.inf, -np.inf]], np.float32)
    rows = np.array([[3, 1, 2, 0], [1, 0, -1, -1]])
    hits = topk.ranked_hits(scores, rows, [{3}, set()], 2)
    assert [[r for r, _ in h] for h in hits] == [[1, 2], [1, 0]]


def test_unit_matrix_of_is_read_only_with_zero_rows_left_zero(monkeypatch):
    monkeypatch.setattr(topk, "NORMALISE_ROWS", 2)  # several chunks
    matrix = np.array([[3, 4], [0, 0], [0, 5], [1, 0], [2, 0]], np.float32)
    unit = topk.unit_matrix_of(matrix)
    assert not unit.flags.writeable
    np.testing.assert_allclose(unit, [[0.6, 0.8], [0, 0], [0, 1], [1, 0], [1, 0]])
    with pytest.raises(ValueError, match="restrict_vocab"):
        topk.rows_searched(5, -1)


def test_scaled_rows_read_what_the_unit_matrix_holds_bit_for_bit(monkeypatch):
    monkeypatch.setattr(topk, "NORMALISE_ROWS", 7)  # several chunks for both
    monkeypatch.setattr(topk, "NORM_BLOCK_ELEMENTS", 30)
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((50, 9)).astype(np.float32)
    matrix[4] = 0  # a zero row stays zero
    matrix[5] = np.finfo(np.float32).max  # finite, but its norm overflows: a row of zeros
    with np.errstate(over="ignore"):
        unit = topk.unit_matrix_of(matrix)
        np.testing.assert_array_equal(topk.row_norms(matrix), np.linalg.norm(matrix, axis=1))
    norms = topk.row_norms(matrix)
    rows = topk.ScaledRows(matrix, norms)
    assert len(rows) == 50 and rows.shape == (50, 9)
    np.testing.assert_array_equal(rows[:], unit)
    np.testing.assert_array_equal(rows[4], unit[4])
    np.testing.assert_array_equal(rows[[5, 1, 5]], unit[[5, 1, 5]])
    np.testing.assert_array_equal(rows[10:20], unit[10:20])
    with pytest.raises(ValueError, match="one norm per row"):
        topk.ScaledRows(matrix, norms[:-1])


@pytest.mark.parametrize("elements", [1 << 22, 20], ids=["normalised-block", "scaled-scores"])
def test_scaled_rows_score_blocks_as_the_unit_matrix_does(monkeypatch, elements):
    monkeypatch.setattr(topk, "SCALE_BLOCK_ELEMENTS", elements)
    rng = np.random.default_rng(4)
    matrix = (rng.standard_normal((300, 16)) * rng.uniform(0.1, 10, (300, 1))).astype(np.float32)
    matrix[7] = 0
    unit = topk.unit_matrix_of(matrix)
    rows = topk.ScaledRows(matrix, topk.row_norms(matrix))
    queries = unit[:40]
    got = topk.row_products(rows, slice(10, 250), queries)
    np.testing.assert_allclose(got, unit[10:250] @ queries.T, atol=1e-6)
    assert (topk.row_products(rows, slice(7, 8), queries) == 0).all()  # zero row: cosine 0
    banned = [{i} for i in range(40)]
    search = topk.search(topk.cosine_blocks(queries, rows), 40, 300, 5, banned)
    assert [[r for r, _ in hits] for hits in search] == [
        [r for r, _ in hits]
        for hits in topk.search(topk.cosine_blocks(queries, unit), 40, 300, 5, banned)
    ]


@given(
    queries=st.integers(1, 9),
    rows=st.integers(1, 700),
    want=st.integers(1, 40),
    chunk=st.integers(1, 300),
    decimals=st.integers(0, 3),  # few decimals: many ties
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_top_k_equals_a_full_sort_on_any_block_shape(queries, rows, want, chunk, decimals, seed):
    """Every merge path (a top still filling, group maxima with a tail of rows, a partial
    sort for many ties) against a full sort with ties by row."""
    scores = np.round(np.random.default_rng(seed).standard_normal((queries, rows)), decimals)
    scores = scores.astype(np.float32)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(topk, "CHUNK_ROWS", chunk)
        patch.setattr(topk, "QUERY_BLOCK_ELEMENTS", chunk * queries)
        got_scores, got_rows = topk.top_k(lambda r, q: scores[q, r].T, queries, rows, want)
    for i in range(queries):
        order = np.lexsort((np.arange(rows), -scores[i]))[:want]
        assert got_rows[i].tolist() == order.tolist()
        np.testing.assert_array_equal(got_scores[i], scores[i, order])
