"""The starting rows of an embedding layer, from :func:`nlptransfer.vectors.oov.build_matrix`.

A word's row is its pretrained vector when a fallback rule finds one (exact, lowercase, casefold,
PTB escapes, digits, fastText subwords: the coverage report's rules), else a row from the OOV
policy. The default policy is Kim (2014)'s: U[-a, a] with ``a`` chosen so the random rows have
the pretrained rows' variance. In ``random`` mode every row comes from the policy.

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

from nlptransfer.text.vocab import PAD, Vocab
from nlptransfer.vectors.oov import KIM_UNIFORM_SCALE, build_matrix, get_policy
from nlptransfer.vectors.store import Vectors

#: Kim (2014): unknown words ~ U[-a, a], ``a`` matching the pretrained rows' variance.
DEFAULT_OOV: dict[str, Any] = {"name": "uniform", "scale": "auto"}
#: The dimension of ``random`` rows when no vectors are given (word2vec's, as in Kim 2014).
RANDOM_DIM = 300


def initial_rows(
    vectors: Vectors | None,
    vocab: Vocab,
    *,
    mode: str,
    oov: str | dict[str, Any] | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows [len(vocab), dim], found)``: ``found[i]`` says row ``i`` is a pretrained vector.

    Row 0 (padding) is zero. The same arguments always give the same rows.
    """
    policy = get_policy(oov if oov is not None else DEFAULT_OOV)
    words = vocab.tokens
    found = np.zeros(len(words), dtype=bool)
    if mode == "random":
        rng = np.random.default_rng(seed)
        if vectors is None:  # Kim's "rand": U[-0.25, 0.25]
            rows = rng.uniform(-KIM_UNIFORM_SCALE, KIM_UNIFORM_SCALE, (len(words), RANDOM_DIM))
        else:  # the vectors' dimension and spread, none of their values
            empty = np.zeros((0, vectors.dim), np.float32)
            rows = policy.rows(words, vectors=vectors, found=empty, rng=rng)
    else:
        if vectors is None:
            raise ValueError(f"mode {mode!r} needs pretrained vectors; only 'random' works without")
        rows, report = build_matrix(
            vectors, words, policy=policy, seed=seed, zero_words=[PAD], counts=vocab.counts
        )
        found = np.fromiter((w in report.rule_of for w in words), dtype=bool, count=len(words))
    rows = np.asarray(rows, dtype=np.float32)
    rows[0] = 0.0
    return rows, found
