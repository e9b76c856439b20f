"""The starting rows of an embedding layer: the pretrained vector where the vectors know the
word, an out-of-vocabulary policy elsewhere.

Policies: ``uniform`` (Kim 2014: U[-a, a] with ``a`` chosen so the random rows have the
pretrained rows' variance; ``scale=`` fixes ``a``, Kim's word2vec value being 0.25), ``zero``,
``normal`` (the pretrained rows' per-dimension mean and std) and ``subword`` (fastText's vector
for the word, from its character n-grams). Lookup tries the exact word, then its lowercase form.

Example:
    >>> import numpy as np
    >>> from nlptransfer import Vectors, Vocab
    >>> vectors = Vectors(["good"], np.array([[0.5, -0.5]], np.float32))
    >>> rows, found = initial_rows(vectors, Vocab.build([["Good", "zzz"]]), mode="finetune")
    >>> rows[2].tolist(), found.tolist()
    ([0.5, -0.5], [False, False, True, False])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nlptransfer.errors import NLPTransferError
from nlptransfer.text.vocab import Vocab
from nlptransfer.vectors.store import Vectors

OOV_POLICIES = ("uniform", "zero", "normal", "subword")
#: Kim (2014): rand and unknown words ~ U[-0.25, 0.25] for word2vec.
KIM_UNIFORM_SCALE = 0.25
_STATS_ROWS = 100_000


def _policy(oov: str | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    options = dict(oov) if isinstance(oov, dict) else {"name": oov}
    name = options.pop("name", None)
    if name not in OOV_POLICIES:
        raise ValueError(f"unknown OOV policy {name!r}; expected one of {', '.join(OOV_POLICIES)}")
    return name, options


def _sample_rows(vectors: Vectors) -> np.ndarray:
    step = max(1, len(vectors) // _STATS_ROWS)
    return np.asarray(vectors.matrix[::step], dtype=np.float64)


def _random_rows(
    name: str,
    options: dict[str, Any],
    n: int,
    dim: int,
    vectors: Vectors | None,
    rng: np.random.Generator,
) -> np.ndarray:
    if name == "zero":
        return np.zeros((n, dim), np.float32)
    if name == "uniform":
        scale = options.get("scale", "auto")
        if scale == "auto":
            scale = (
                KIM_UNIFORM_SCALE
                if vectors is None
                else float(np.sqrt(3 * _sample_rows(vectors).var(axis=0).mean()))
            )
        return rng.uniform(-float(scale), float(scale), (n, dim)).astype(np.float32)
    if name == "normal":
        if vectors is None:
            return rng.normal(0.0, float(options.get("std", KIM_UNIFORM_SCALE)), (n, dim)).astype(
                np.float32
            )
        sample = _sample_rows(vectors)
        return rng.normal(sample.mean(axis=0), sample.std(axis=0), (n, dim)).astype(np.float32)
    raise AssertionError(name)


def initial_rows(
    vectors: Vectors | None,
    vocab: Vocab,
    *,
    mode: str,
    oov: str | dict[str, Any] = "uniform",
    seed: int = 0,
    dim: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows [len(vocab), dim], found)``: ``found[i]`` says row ``i`` is a pretrained vector.

    Row 0 (padding) is zero; the unknown row and rows of words the vectors lack follow ``oov``;
    in ``random`` mode every row does. The same arguments always give the same rows.
    """
    name, options = _policy(oov)
    if vectors is None and dim is None:
        dim = 300 if mode == "random" else None
    if vectors is None and mode != "random":
        raise ValueError(f"mode {mode!r} needs pretrained vectors")
    width = vectors.dim if vectors is not None else int(dim)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    n = len(vocab)
    found = np.zeros(n, dtype=bool)
    if name == "subword" and (vectors is None or not vectors.has_subwords):
        raise NLPTransferError(
            "the 'subword' OOV policy needs fastText vectors with a subword model (.bin/.ftz)"
        )
    fallback = "uniform" if name == "subword" else name
    rows = _random_rows(fallback, options, n, width, vectors, rng)
    if mode != "random" and vectors is not None:
        for i, token in enumerate(vocab.tokens[2:], start=2):
            row = vectors.get_index(token)
            if row is None and token.lower() != token:
                row = vectors.get_index(token.lower())
            if row is not None:
                rows[i] = vectors.matrix[row]
                found[i] = True
            elif name == "subword":
                rows[i] = vectors.subwords.vector(token)
    rows[0] = 0.0
    return rows, found
