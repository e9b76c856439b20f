"""Token vectors: one row per token of a subword tokenizer, the tokenizer kept with them.

Static embedding models (model2vec's folders, WordLlama's files) are vectors for the tokens of a
Hugging Face tokenizer, not for words. Read as :class:`~nlptransfer.vectors.Vectors`, their words
are the tokenizer's tokens in id order and the tokenizer travels in ``meta["tokenizer"]`` (its
``tokenizer.json`` text, as the ``hf`` tokenizer's config takes it), so a saved native store, a
subset or a copy keeps it; :meth:`Vectors.tokenizer` turns it back into a tokenizer. A classifier
built on such vectors splits its texts with that tokenizer: every token then has a row.

Example:
    >>> import json, numpy as np
    >>> text = json.dumps({"version": "1.0", "model": {"type": "WordLevel",
    ...     "unk_token": "<unk>", "vocab": {"<unk>": 0, "film": 1}}})
    >>> parsed = token_vectors("x", text, np.ones((2, 3), np.float32))
    >>> parsed.words, parsed.meta["tokenizer"]["name"]
    (['<unk>', 'film'], 'hf')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import MissingExtraError, NLPTransferError, VectorsFormatError
from nlptransfer.text.hf_tokenizer import HFTokenizer, vocabulary_tokens
from nlptransfer.vectors.formats.base import ParsedVectors

#: ``meta`` key of the tokenizer config (with its JSON text) token vectors carry.
TOKENIZER_KEY = "tokenizer"
#: ``meta`` key of model2vec's per-token weights (by token id), when its file has them.
WEIGHTS_KEY = "token_weights"


def token_vectors(
    path: str | Path,
    tokenizer_json: str,
    matrix: np.ndarray,
    *,
    tokenizer_source: str | None = None,
    meta: dict[str, Any] | None = None,
) -> ParsedVectors:
    """Rows of ``matrix`` as the vectors of the tokenizer's tokens (row ``i``: token id ``i``),
    the tokenizer kept in ``meta["tokenizer"]``.

    Raises:
        VectorsFormatError: the matrix is not 2-D, its rows are not one per token, or one holds
            NaN or infinity.
    """
    source = tokenizer_source or str(path)
    try:
        tokens = vocabulary_tokens(tokenizer_json, source=source)
    except MissingExtraError:
        raise
    except NLPTransferError as exc:
        raise VectorsFormatError(path, str(exc)) from None
    if matrix.ndim != 2:
        raise VectorsFormatError(path, f"expected a 2-D matrix, found shape {list(matrix.shape)}")
    if matrix.shape[0] != len(tokens):
        raise VectorsFormatError(
            path,
            f"expected one row per token of the tokenizer {source} ({len(tokens):,} tokens), "
            f"found {matrix.shape[0]:,} rows",
        )
    rows = np.asarray(matrix, dtype=np.float32)
    finite = np.isfinite(rows).all(axis=1)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        value = rows[bad][~np.isfinite(rows[bad])][0]
        raise VectorsFormatError(
            path,
            f"expected finite values, found {value} in row {bad} (token {tokens[bad]!r}) "
            f"and {int((~finite).sum()) - 1} other rows",
        )
    record = dict(meta or {})
    record[TOKENIZER_KEY] = HFTokenizer(tokenizer_json=tokenizer_json).carried_config()
    record["tokenizer_source"] = source
    record["token_vectors"] = True
    return ParsedVectors(tokens, rows, meta=record)


def carried_tokenizer_json(meta: dict[str, Any]) -> str | None:
    """The ``tokenizer.json`` text token vectors carry in ``meta``, or ``None``.

    >>> carried_tokenizer_json({}) is None
    True
    """
    config = meta.get(TOKENIZER_KEY)
    if isinstance(config, dict) and isinstance(config.get("tokenizer_json"), str):
        return config["tokenizer_json"]
    return None
