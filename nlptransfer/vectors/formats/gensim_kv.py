"""gensim ``KeyedVectors`` (and model) files saved with ``.save()``: a pickle, so opt-in only.

A pickle can run arbitrary code when it is loaded. Only open gensim files you made yourself or
trust, by passing ``allow_pickle=True``; better, convert them once to the native store, which
holds no code.

Example:
    >>> is_pickle(b"\\x80\\x04\\x95..."), is_pickle(b"3 300\\n")
    (True, False)
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from nlptransfer._util.errors import PickleNotAllowedError, VectorsFormatError
from nlptransfer._util.extras import require
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    register_format,
)
from nlptransfer.vectors.formats.collector import RowCollector
from nlptransfer.vectors.gensim_bridge import parts_of_keyed_vectors


def read_gensim_keyedvectors(
    path: str | Path,
    *,
    allow_pickle: bool = False,
    vocab: Collection[str] | None = None,
    limit: int | None = None,
) -> ParsedVectors:
    """Read a gensim ``KeyedVectors`` file (or a model with ``.wv``), if ``allow_pickle=True``.

    A ``FastTextKeyedVectors`` (or a ``FastText`` model) keeps its subword model, so unknown words
    get the vectors gensim gives them.

    Raises:
        PickleNotAllowedError: ``allow_pickle`` was not set.
        VectorsFormatError: the pickle holds no word vectors.
    """
    path = Path(path)
    if not allow_pickle:
        raise PickleNotAllowedError(
            f"{path} is a gensim pickle file; unpickling can execute arbitrary code, so it is "
            "off by default. If you trust this file, pass allow_pickle=True (CLI: --allow-pickle),"
            " then save it with Vectors.save() to get a pickle-free native store."
        )
    gensim_utils = require("gensim.utils", extra="pretrain", purpose="gensim pickle files")
    obj = gensim_utils.SaveLoad.load(str(path))
    kv = getattr(obj, "wv", obj)
    if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
        raise VectorsFormatError(
            path, f"expected gensim KeyedVectors or a model with .wv, found {type(obj).__name__}"
        )
    words, matrix, subwords = parts_of_keyed_vectors(kv)
    rows = RowCollector(path, matrix.shape[1], vocab=vocab, limit=limit, location="line")
    keys = [word.encode("utf-8", errors="surrogateescape") for word in words]
    rows.add(keys, matrix, list(range(1, len(keys) + 1)), decoded=words)
    parsed = rows.finish({"gensim_class": type(kv).__name__})
    parsed.subwords = subwords  # a FastTextKeyedVectors keeps its n-gram table
    return parsed


def is_pickle(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts a pickle of protocol 2 to 5, as gensim's
    ``.save()`` writes."""
    return head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_gensim_keyedvectors(
        path, allow_pickle=options.allow_pickle, vocab=options.vocab, limit=options.limit
    )


GENSIM = register_format(
    VectorFormat(
        "gensim",
        "gensim KeyedVectors",
        read=_read,
        sniff=lambda head, path: is_pickle(head),
        aliases=("keyedvectors", "kv"),
        suffix=".kv",
        sniff_order=20,
    )
)
