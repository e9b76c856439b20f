"""gensim's ``KeyedVectors`` to and from the parts of :class:`~nlptransfer.vectors.Vectors`.

:meth:`Vectors.to_gensim` and :meth:`Vectors.from_gensim` call these; so do the reader of gensim's
pickle files and the trainers of :mod:`nlptransfer.pretrain`. gensim is imported only when a
conversion runs (the ``pretrain`` extra); this module itself needs only numpy.

fastText subwords cross in both directions. gensim's ``FastTextKeyedVectors`` holds fastText's
model: one row per word, ``bucket`` n-gram rows, ``min_n``/``max_n``, the same n-grams and the same
hash (FNV-1a with fastText's signed-char quirk). So

- a word's vector (``kv[word]`` and ``vectors[word]``) is the same row, bit for bit;
- an unknown word's vector is the mean of its n-gram rows in both, equal to float32 rounding
  (gensim divides the sum by the count, fastText and :class:`FastTextSubwords` multiply it by
  the reciprocal);
- one exception: gensim gives the end-of-sentence token ``</s>`` the n-grams of ``<</s>>`` where
  fastText gives it none (it matters only when ``</s>`` is not in the vocabulary).

A pruned subword model (a ``.ftz`` quantized with a cutoff keeps only some n-gram buckets) has
no gensim counterpart: fastText averages over the n-grams whose bucket was kept, gensim over all
of them. Such vectors become a plain ``KeyedVectors`` with their rows, and a warning says why.

Example:
    >>> import numpy as np
    >>> kv = keyed_vectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> type(kv).__name__, kv.index_to_key, kv["dog"].tolist()
    ('KeyedVectors', ['cat', 'dog'], [0.0, 1.0])
    >>> words, matrix, subwords = parts_of_keyed_vectors(kv)
    >>> words, matrix.tolist(), subwords
    (['cat', 'dog'], [[1.0, 0.0], [0.0, 1.0]], None)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlptransfer._util.extras import require
from nlptransfer.vectors.subword import FastTextSubwords

logger = logging.getLogger(__name__)

#: Words whose own rows are recovered at once (bounds the n-gram rows gathered in memory).
_CHUNK_WORDS = 1024


def _gensim_models() -> Any:
    return require("gensim.models", extra="pretrain", purpose="conversions to and from gensim")


def why_not_fasttext_keyed_vectors(subwords: FastTextSubwords) -> str | None:
    """Why gensim's ``FastTextKeyedVectors`` cannot hold ``subwords`` exactly, or ``None``.

    Example:
        >>> import numpy as np
        >>> full = FastTextSubwords(np.zeros((8, 3), np.float32), minn=3, maxn=6, bucket=8,
        ...                         nwords=0)
        >>> why_not_fasttext_keyed_vectors(full) is None
        True
        >>> pruned = FastTextSubwords(np.zeros((2, 3), np.float32), minn=3, maxn=6, bucket=8,
        ...                           nwords=0, bucket_ids=np.array([1, 5]))
        >>> print(why_not_fasttext_keyed_vectors(pruned))
        the subword model is pruned (2 of its 8 n-gram buckets kept): fastText averages a word's n-grams in kept buckets, gensim all of them
    """
    if subwords.bucket == 0 or subwords.maxn == 0:
        return "the subword model has no n-grams (bucket or maxn is 0)"
    if subwords.pruned:
        kept = subwords.ngram_matrix.shape[0]
        return (
            f"the subword model is pruned ({kept} of its {subwords.bucket} n-gram buckets "
            "kept): fastText averages a word's n-grams in kept buckets, gensim all of them"
        )
    return None


def keyed_vectors(
    words: Sequence[str], matrix: np.ndarray, subwords: FastTextSubwords | None = None
) -> Any:
    """gensim ``KeyedVectors`` holding ``words`` and a copy of ``matrix``; with ``subwords``, a
    ``FastTextKeyedVectors`` that keeps the n-gram table, so unknown words get vectors too.

    The ``FastTextKeyedVectors`` is complete: ``vectors`` are ``matrix`` exactly, and
    ``vectors_vocab`` (each word's own row, which gensim averages with its n-gram rows) is
    recovered from them, so gensim's ``adjust_vectors()`` (run when a saved ``.kv`` is loaded
    again) gives back ``matrix`` to float32 rounding.

    Args:
        words: the keys, in row order.
        matrix: float32 ``[len(words), dim]``.
        subwords: a fastText subword model; one gensim cannot hold exactly (pruned) is left out,
            with a warning.

    Raises:
        MissingExtraError: gensim is not installed (``pip install 'nlptransfer[pretrain]'``).

    Example:
        >>> import numpy as np
        >>> sub = FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4,
        ...                        nwords=1)
        >>> kv = keyed_vectors(["ok"], np.full((1, 4), 0.25, np.float32), sub)
        >>> type(kv).__name__, kv["ok"].tolist(), kv["ko"].tolist() == sub.vector("ko").tolist()
        ('FastTextKeyedVectors', [0.25, 0.25, 0.25, 0.25], True)
    """
    models = _gensim_models()
    matrix = np.array(matrix, dtype=np.float32)  # a copy: gensim may write into it
    dim = int(matrix.shape[1])
    reason = None if subwords is None else why_not_fasttext_keyed_vectors(subwords)
    if subwords is None or reason is not None:
        if reason is not None:
            logger.warning(
                "converting to a plain gensim KeyedVectors, without subwords: %s; unknown words "
                "get no vector in gensim",
                reason,
            )
        kv = models.KeyedVectors(dim)
        kv.add_vectors(list(words), matrix)
        return kv
    kv = models.fasttext.FastTextKeyedVectors(dim, subwords.minn, subwords.maxn, subwords.bucket)
    kv.index_to_key = list(words)
    kv.key_to_index = {word: row for row, word in enumerate(kv.index_to_key)}
    kv.vectors = matrix
    kv.vectors_ngrams = np.array(subwords.ngram_matrix, dtype=np.float32)
    kv.recalc_char_ngram_buckets()  # gensim's own n-grams of each word, as training uses them
    kv.vectors_vocab = _own_rows(matrix, kv.vectors_ngrams, kv.buckets_word)
    kv.norms = None
    return kv


def _own_rows(
    composed: np.ndarray, ngram_rows: np.ndarray, buckets_word: Sequence[np.ndarray]
) -> np.ndarray:
    """Each word's own row, from its composed vector: ``own = composed * (n + 1) - sum(ngrams)``.

    gensim composes ``vectors[i] = (vectors_vocab[i] + sum(vectors_ngrams[b] for b in
    buckets_word[i])) / (n + 1)``; this undoes it, ``_CHUNK_WORDS`` words at a time.
    """
    own = np.empty_like(composed)
    counts = np.fromiter((len(b) for b in buckets_word), dtype=np.int64, count=len(buckets_word))
    for lo in range(0, len(buckets_word), _CHUNK_WORDS):
        hi = min(lo + _CHUNK_WORDS, len(buckets_word))
        chunk_counts = counts[lo:hi]
        sums = np.zeros((hi - lo, composed.shape[1]), dtype=np.float32)
        has = np.flatnonzero(chunk_counts)
        if has.size:
            rows = np.concatenate([buckets_word[lo + i] for i in has.tolist()]).astype(np.int64)
            starts = np.concatenate(([0], np.cumsum(chunk_counts[has])[:-1]))
            sums[has] = np.add.reduceat(ngram_rows[rows], starts, axis=0)
        scale = (chunk_counts + 1).astype(np.float32)[:, None]
        own[lo:hi] = composed[lo:hi] * scale - sums
    return own


def parts_of_keyed_vectors(kv: Any) -> tuple[list[str], np.ndarray, FastTextSubwords | None]:
    """``(words, matrix, subwords)`` of gensim ``KeyedVectors`` (or a model's ``.wv``).

    ``matrix`` is a float32 copy of ``kv.vectors`` (for fastText: each word's row already
    averaged with its n-gram rows, as gensim and fastText compute it). A ``FastTextKeyedVectors``
    with n-grams gives its subword model too, so unknown words get the vector gensim gives them.
    Keys that are not strings (gensim allows ints) become their ``str``.

    Example:
        >>> from gensim.models import FastText
        >>> model = FastText([["good", "film"], ["bad", "film"]], vector_size=4, min_count=1,
        ...                  bucket=100, epochs=1, workers=1)
        >>> words, matrix, subwords = parts_of_keyed_vectors(model.wv)
        >>> words == model.wv.index_to_key, subwords
        (True, FastTextSubwords(minn=3, maxn=6, bucket=100, dim=4))
    """
    kv = getattr(kv, "wv", kv)
    words = [str(key) for key in kv.index_to_key]
    matrix = np.array(kv.vectors, dtype=np.float32)
    subwords = None
    bucket = int(getattr(kv, "bucket", 0) or 0)
    ngrams = getattr(kv, "vectors_ngrams", None)
    if bucket and ngrams is not None:
        subwords = FastTextSubwords(
            np.array(ngrams, dtype=np.float32),
            minn=kv.min_n,
            maxn=kv.max_n,
            bucket=bucket,
            nwords=len(words),
        )
    return words, matrix, subwords
