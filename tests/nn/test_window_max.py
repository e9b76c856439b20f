"""window_max against the plain computation it replaces: conv1d, then max over time."""

import pytest
import torch

from nlptransfer.nn.window_max import window_max


def reference(table: torch.Tensor, ids: torch.Tensor, weights: list[torch.Tensor]) -> torch.Tensor:
    x = table[ids].transpose(1, 2)
    return torch.cat([torch.conv1d(x, w).amax(dim=2) for w in weights], dim=1)


def setup(seed: int = 0, *, widths=(3, 4, 5), filters=6, dim=5, vocab=12):
    generator = torch.Generator().manual_seed(seed)
    table = torch.randn(vocab, dim, generator=generator, dtype=torch.float64)
    table[0] = 0.0  # the padding row
    weights = [
        torch.randn(filters, dim, w, generator=generator, dtype=torch.float64) for w in widths
    ]
    # repeated tokens within and across sentences, and padding on both sides
    ids = torch.tensor(
        [
            [0, 0, 3, 4, 5, 3, 4, 9, 0, 0, 0],
            [0, 0, 7, 3, 3, 8, 0, 0, 0, 0, 0],
            [0, 0, 11, 10, 2, 6, 1, 3, 4, 5, 0],
        ]
    )
    return table, ids, weights


def test_forward_equals_convolution_then_max():
    table, ids, weights = setup()
    unique, inverse = torch.unique(ids, return_inverse=True)
    torch.testing.assert_close(
        window_max(table[unique], inverse, weights), reference(table, ids, weights)
    )


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_equal_those_of_convolution_then_max(seed, frozen):
    """Trained rows take the dense route; frozen rows (no gradient) the sparse weight route."""
    table, ids, weights = setup(seed)
    upstream = torch.randn(ids.shape[0], 6 * 3, dtype=torch.float64)

    def grads(fast: bool):
        rows = table.clone().requires_grad_(not frozen)
        ws = [w.clone().requires_grad_(True) for w in weights]
        if fast:
            unique, inverse = torch.unique(ids, return_inverse=True)
            out = window_max(rows[unique], inverse, ws)
        else:
            out = reference(rows, ids, ws)
        (out * upstream).sum().backward()
        return ([] if frozen else [rows.grad]) + [w.grad for w in ws]

    for fast_grad, slow_grad in zip(grads(True), grads(False), strict=True):
        torch.testing.assert_close(fast_grad, slow_grad)


def test_frozen_rows_with_lengths_match_the_dense_route():
    """Masked batches: the sparse route gives the dense route's weight gradients."""
    generator = torch.Generator().manual_seed(5)
    ids = torch.randint(0, 40, (7, 15), generator=generator)
    lengths = torch.randint(5, 16, (7,), generator=generator)
    unique, inverse = torch.unique(ids, return_inverse=True)
    rows = torch.randn(len(unique), 8, generator=generator, dtype=torch.float64)
    weights = [torch.randn(4, 8, w, generator=generator, dtype=torch.float64) for w in (3, 5)]
    upstream = torch.randn(7, 8, generator=generator, dtype=torch.float64)

    def grads(rows_need_grad: bool):
        ws = [w.clone().requires_grad_(True) for w in weights]
        (
            window_max(rows.clone().requires_grad_(rows_need_grad), inverse, ws, lengths) * upstream
        ).sum().backward()
        return [w.grad for w in ws]

    for sparse, dense in zip(grads(False), grads(True), strict=True):
        torch.testing.assert_close(sparse, dense)


def test_gradcheck_with_frozen_rows():
    generator = torch.Generator().manual_seed(4)
    rows = torch.randn(6, 3, generator=generator, dtype=torch.float64)
    weights = [
        torch.randn(2, 3, w, generator=generator, dtype=torch.float64, requires_grad=True)
        for w in (2, 3)
    ]
    inverse = torch.tensor([[0, 1, 2, 3, 1], [4, 5, 0, 2, 2]])
    assert torch.autograd.gradcheck(lambda *ws: window_max(rows, inverse, ws), tuple(weights))


def test_gradcheck():
    """Finite differences agree with the custom backward (no ties: distinct random rows)."""
    generator = torch.Generator().manual_seed(3)
    rows = torch.randn(6, 3, generator=generator, dtype=torch.float64, requires_grad=True)
    weights = [
        torch.randn(2, 3, w, generator=generator, dtype=torch.float64, requires_grad=True)
        for w in (2, 3)
    ]
    inverse = torch.tensor([[0, 1, 2, 3, 1], [4, 5, 0, 2, 2]])
    assert torch.autograd.gradcheck(lambda r, *ws: window_max(r, inverse, ws), (rows, *weights))


def test_without_gradients_nothing_is_kept():
    table, ids, weights = setup()
    unique, inverse = torch.unique(ids, return_inverse=True)
    with torch.no_grad():
        out = window_max(table[unique], inverse, weights)
    assert out.grad_fn is None
    torch.testing.assert_close(out, reference(table, ids, weights))


def test_lengths_leave_the_batch_padding_out_of_the_max():
    """Each row pooled over its first ``length`` positions only, as if convolved alone."""
    table, ids, weights = setup()
    table[0] = 1.0  # a padding row that would win some windows, were they counted
    lengths = torch.tensor([9, 6, 11])
    unique, inverse = torch.unique(ids, return_inverse=True)
    alone = torch.cat(
        [reference(table, ids[i : i + 1, : int(n)], weights) for i, n in enumerate(lengths)]
    )
    fast = window_max(table[unique], inverse, weights, lengths)
    torch.testing.assert_close(fast, alone)
    assert not torch.allclose(fast, reference(table, ids, weights))  # the padding did matter

    # and the gradients are those of each sentence alone
    rows = table.clone().requires_grad_(True)
    upstream = torch.randn(3, 6 * 3, dtype=torch.float64)
    (window_max(rows[unique], inverse, weights, lengths) * upstream).sum().backward()
    alone_rows = table.clone().requires_grad_(True)
    for i, n in enumerate(lengths):
        (reference(alone_rows, ids[i : i + 1, : int(n)], weights) * upstream[i]).sum().backward()
    torch.testing.assert_close(rows.grad, alone_rows.grad)


def test_bad_shapes_are_explained():
    table, ids, weights = setup()
    unique, inverse = torch.unique(ids, return_inverse=True)
    with pytest.raises(ValueError, match="same number of filters"):
        window_max(table[unique], inverse, [weights[0], weights[1][:2]])
    with pytest.raises(ValueError, match="shorter than the widest filter"):
        window_max(table[unique], inverse[:, :4], weights)
    with pytest.raises(ValueError, match="every length must be at least the widest filter"):
        window_max(table[unique], inverse, weights, torch.tensor([9, 4, 11]))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_batches_with_lengths_match_each_sentence_alone(seed):
    """Random ids and lengths: outputs and the row and weight gradients (the products computed
    inside the autograd function, the -inf block written after them) equal conv1d's on each
    sentence alone."""
    generator = torch.Generator().manual_seed(seed)
    table = torch.randn(20, 4, generator=generator, dtype=torch.float64)
    weights = [torch.randn(3, 4, w, generator=generator, dtype=torch.float64) for w in (2, 3, 5)]
    ids = torch.randint(0, 20, (6, 13), generator=generator)
    lengths = torch.randint(5, 14, (6,), generator=generator)
    upstream = torch.randn(6, 9, generator=generator, dtype=torch.float64)

    rows = table.clone().requires_grad_(True)
    ws = [w.clone().requires_grad_(True) for w in weights]
    unique, inverse = torch.unique(ids, return_inverse=True)
    fast = window_max(rows[unique], inverse, ws, lengths)
    (fast * upstream).sum().backward()

    alone_rows = table.clone().requires_grad_(True)
    alone_ws = [w.clone().requires_grad_(True) for w in weights]
    alone = torch.cat(
        [reference(alone_rows, ids[i : i + 1, : int(n)], alone_ws) for i, n in enumerate(lengths)]
    )
    (alone * upstream).sum().backward()
    torch.testing.assert_close(fast, alone)
    torch.testing.assert_close(rows.grad, alone_rows.grad)
    for w, alone_w in zip(ws, alone_ws, strict=True):
        torch.testing.assert_close(w.grad, alone_w.grad)
