"""spaCy's vocabulary vectors to and from the parts of :class:`~nlptransfer.vectors.Vectors`.

A spaCy pipeline keeps its word vectors in ``nlp.vocab.vectors``: a float32 table whose rows are
keyed by the 64-bit hash of each word, the words themselves in ``nlp.vocab.strings``. What uses
them reads that table: ``token.vector``, ``doc.similarity``, and the components whose ``tok2vec``
includes static vectors (``include_static_vectors = true``, as a text classifier may).

:meth:`Vectors.to_spacy` and :meth:`Vectors.from_spacy` call these, and so does the ``spacy``
vectors format (:mod:`nlptransfer.vectors.formats.spacy_pipeline`), which writes and reads whole
pipeline folders. spaCy is imported only when vectors go into a pipeline (the ``torch`` extra).

What crosses: the words and their rows, in row order. What does not: fastText's subword model
(spaCy's own subword vectors, "floret", hash n-grams with MurmurHash into a table of their own,
so fastText's buckets cannot be carried over; unknown words get a zero vector in spaCy, and a
warning says so); and, reading, floret tables, which have no row per word.

Example:
    >>> import numpy as np, spacy
    >>> nlp = set_spacy_vectors(spacy.blank("en"), ["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> nlp.vocab["dog"].vector.tolist(), nlp.vocab.vectors.shape
    ([0.0, 1.0], (2, 2))
    >>> words, matrix, meta = spacy_vectors_parts(nlp.vocab, "a pipeline")
    >>> words, matrix.tolist()
    (['cat', 'dog'], [[1.0, 0.0], [0.0, 1.0]])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.extras import require

logger = logging.getLogger(__name__)


def set_spacy_vectors(
    nlp: Any,
    words: Sequence[str],
    matrix: np.ndarray,
    *,
    name: str | None = None,
    has_subwords: bool = False,
) -> Any:
    """Make ``words`` and a copy of ``matrix`` the vectors of ``nlp``'s vocabulary; returns ``nlp``.

    The table replaces any vectors the pipeline had (a component trained on other vectors then
    sees these). Each word goes into ``nlp.vocab.strings``, so the table can be read back by word.

    Args:
        nlp: a spaCy ``Language`` (``spacy.blank("en")``, ``spacy.load(...)``).
        words: the words, in row order.
        matrix: float32 ``[len(words), dim]``.
        name: the table's name (spaCy's ``nlp.meta["vectors"]["name"]``); by default spaCy's own
            convention, ``"{lang}_{pipeline name}.vectors"``.
        has_subwords: the vectors carry a fastText subword model, which spaCy cannot hold: a
            warning says it is left out.

    Raises:
        MissingExtraError: spaCy is not installed (``pip install 'nlptransfer[torch]'``).

    Example:
        >>> import numpy as np, spacy
        >>> nlp = set_spacy_vectors(spacy.blank("en"), ["king", "queen"],
        ...                         np.array([[1, 0], [1, 1]], np.float32))
        >>> round(nlp("king").similarity(nlp("queen")), 3), nlp.vocab.vectors.name
        (0.707, 'en_pipeline.vectors')
    """
    spacy_vectors = require("spacy.vectors", extra="torch", purpose="spaCy vectors")
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError(f"expected a [{len(words)}, dim] matrix, got shape {matrix.shape}")
    if has_subwords:
        logger.warning(
            "spaCy's vectors table holds the rows only: the fastText subword model is left out, "
            "so words outside the %d rows get a zero vector in spaCy",
            len(words),
        )
    strings = nlp.vocab.strings
    for word in words:
        strings.add(word)
    table = spacy_vectors.Vectors(
        strings=strings,
        data=np.array(matrix, dtype=np.float32, order="C"),  # a copy: spaCy may write into it
        keys=list(words),
        name=name or f"{nlp.meta['lang']}_{nlp.meta['name']}.vectors",
    )
    nlp.vocab.vectors = table
    return nlp


def spacy_vectors_parts(vocab: Any, where: str | Path) -> tuple[list[str], np.ndarray, dict]:
    """``(words, matrix, meta)`` of a spaCy vocabulary's vectors (or a pipeline's: ``nlp`` is
    taken for ``nlp.vocab``).

    Words come in row order; keys that share a row (spaCy deduplicates identical vectors) each
    get a copy of it, rows no key names are left out, and so are keys whose word is not in the
    vocabulary's strings (a warning counts them).

    Args:
        vocab: a spaCy ``Vocab`` or ``Language``.
        where: what to name in errors (the pipeline folder, or a description).

    Raises:
        VectorsFormatError: the vocabulary has no vectors, or floret vectors (no row per word).

    Example:
        >>> import numpy as np, spacy
        >>> nlp = spacy.blank("en")
        >>> spacy_vectors_parts(nlp, "a blank pipeline")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.VectorsFormatError: a blank pipeline: expected word vectors in the spaCy vocabulary, found none (a vectors table of shape (0, 0)); nlptransfer vectors convert SRC --to spacy DIR writes a pipeline with vectors
    """
    vocab = getattr(vocab, "vocab", vocab)
    table = vocab.vectors
    mode = getattr(table, "mode", "default")
    if mode != "default":
        raise VectorsFormatError(
            where,
            f"expected spaCy vectors with a row per word, found {mode!r} vectors (rows of hashed "
            "subwords, no words to read)",
        )
    key2row = dict(table.key2row)
    if not key2row or table.shape[0] == 0:
        raise VectorsFormatError(
            where,
            "expected word vectors in the spaCy vocabulary, found none (a vectors table of "
            f"shape {tuple(table.shape)}); nlptransfer vectors convert SRC --to spacy DIR "
            "writes a pipeline with vectors",
        )
    strings = vocab.strings
    words: list[str] = []
    rows: list[int] = []
    unnamed = 0
    for key, row in sorted(key2row.items(), key=lambda item: item[1]):
        if key in strings:
            words.append(strings[key])
            rows.append(row)
        else:
            unnamed += 1
    if unnamed:
        logger.warning(
            "%s: %d of the %d vector keys have no word in the vocabulary's strings; left out",
            where,
            unnamed,
            len(key2row),
        )
    if not words:
        raise VectorsFormatError(
            where, f"expected words for the vectors' keys, found none of {len(key2row)} named"
        )
    data = table.data
    if not isinstance(data, np.ndarray):  # a GPU (cupy) table
        data = data.get()
    matrix = np.array(data[np.asarray(rows, dtype=np.int64)], dtype=np.float32)
    meta: dict[str, Any] = {"spacy_vectors_name": table.name}
    if len(set(rows)) < len(rows):
        meta["spacy_shared_rows"] = len(rows) - len(set(rows))
    return words, matrix, meta
