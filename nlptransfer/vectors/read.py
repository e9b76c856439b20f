"""``read_vectors``: read the vectors at a path, in any registered format.

The format is detected from the file's content (or named with ``format=``) and the read is
dispatched to that format's reader (:mod:`nlptransfer.vectors.formats`). Catalogue names are
:func:`~nlptransfer.vectors.load.load_vectors`' business; this module knows only paths.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = p.write_text("king 0.5 1.0\\nqueen 0.25 -1.5\\n")
    >>> v = read_vectors(p)
    >>> v.words, v.format, v.dim
    (['king', 'queen'], 'glove', 2)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection
from pathlib import Path

from nlptransfer._util.errors import VectorsNotFoundError
from nlptransfer.vectors.formats import ReadOptions, detect_format, vector_format
from nlptransfer.vectors.formats.compression import inner_name
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)


def read_vectors(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    vocab: Collection[str] | None = None,
    limit: int | None = None,
    unicode_errors: str = "replace",
    member: str | None = None,
    allow_pickle: bool = False,
    mmap: bool = True,
    progress: bool | None = None,
    tokenizer: str | os.PathLike[str] | None = None,
) -> Vectors:
    """Read pretrained word vectors from a file or native ``.ntv`` folder.

    Args:
        path: the file (plain, ``.gz``, ``.bz2`` or a ``.zip`` archive) or native store folder.
        format: override detection: ``word2vec-bin``, ``word2vec-text`` (also fastText
            ``.vec``), ``glove``, ``fasttext-bin`` (``.bin``/``.ftz``), ``gensim``, ``native``,
            ``model2vec``, ``wordllama``, an alias of one of them, or a plugin's format.
        vocab: keep only these words; the file is streamed, so memory follows the rows kept.
        limit: keep the first ``limit`` rows (files list frequent words first).
        unicode_errors: for words that are not valid UTF-8: ``replace`` (default, as gensim),
            ``ignore``, ``skip`` the row, or ``strict`` (raise).
        member: which file of a ``.zip`` archive to read (default: the only vectors file).
        allow_pickle: allow gensim pickle files (they can run code: only for files you trust).
        mmap: memory-map native stores (read-only matrix) instead of reading them into memory.
        progress: progress bars for large files (default: on a terminal or in Jupyter, see
            ``progress_enabled``).
        tokenizer: the tokenizer file of token vectors (a WordLlama file) when it is not beside
            them.

    Returns:
        The vectors, with provenance in ``.meta`` (source, format, path, read time).

    Raises:
        VectorsNotFoundError: nothing is at ``path`` (the message lists files beside it whose
            names start the same way).
        VectorsFormatError: the file is malformed; the message names the line or byte offset.
        UnknownNameError: ``format`` names no format (a ``ValueError``).

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.vec"
        >>> _ = p.write_text("3 2\\nthe 1 0\\ncat 0 1\\ndog 1 1\\n")
        >>> read_vectors(p, limit=2).words, read_vectors(p, vocab={"dog"}).words
        (['the', 'cat'], ['dog'])
    """
    started = time.perf_counter()
    given = str(path)
    path = Path(path)
    if not path.exists():
        raise missing_path_error(path)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    fmt = vector_format(format) if format else vector_format(detect_format(path, member))
    options = ReadOptions(
        vocab=vocab,
        limit=limit,
        unicode_errors=unicode_errors,
        member=member,
        progress=progress,
        allow_pickle=allow_pickle,
        mmap=mmap,
        tokenizer=Path(tokenizer) if tokenizer is not None else None,
    )
    parsed = fmt.read(path, options)
    meta = dict(parsed.meta)
    if fmt.records_source:
        info = path.stat()
        meta.update(
            source_path=str(path.resolve()),
            source_name=inner_name(path, member) if path.is_file() else path.name,
            source_size=info.st_size,
            source_mtime_ns=info.st_mtime_ns,
            format=fmt.name,
        )
    else:
        meta["source_path"] = str(path.resolve())
    vectors = Vectors(
        parsed.words, parsed.matrix, subwords=parsed.subwords, meta=meta, norms=parsed.norms
    )
    vectors = select_rows(vectors, vocab=vocab, limit=limit)
    vectors.meta.setdefault("source", given)
    vectors.meta["load_seconds"] = round(time.perf_counter() - started, 4)
    logger.info("loaded %r in %.2fs", vectors, vectors.meta["load_seconds"])
    return vectors


def select_rows(
    vectors: Vectors, *, vocab: Collection[str] | None = None, limit: int | None = None
) -> Vectors:
    """The first ``limit`` rows, then only the ``vocab`` words among them, in row order.

    What a streaming reader does while it reads, done afterwards for vectors read whole (a
    native store, a package's matrix, a reader that leaves it to ``read_vectors``); vectors that
    already hold only such rows come back as they are.

    Example:
        >>> import numpy as np
        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
        >>> select_rows(v, limit=2).words, select_rows(v, vocab={"c", "a", "z"}).words
        (['a', 'b'], ['a', 'c'])
        >>> select_rows(v, vocab={"a", "b", "c"}) is v
        True
    """
    if limit is not None:
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        if len(vectors) > limit:
            vectors = Vectors(
                vectors.words[:limit],
                vectors.matrix[:limit],
                subwords=vectors.subwords,
                meta=vectors.meta,
            )
    if vocab is not None:
        wanted = vocab if isinstance(vocab, (set, frozenset, dict)) else set(vocab)
        if not all(word in wanted for word in vectors.words):
            vectors = vectors.subset(w for w in vectors.words if w in wanted)
    return vectors


def missing_path_error(path: Path) -> VectorsNotFoundError:
    """The error for a path where nothing is, naming files beside it whose names start the same
    way (a store written by ``Vectors.save("x")`` is ``x.ntv``).

    Example:
        >>> print(missing_path_error(Path("no/such/vectors.txt")))
        no such file or folder: no/such/vectors.txt
    """
    similar = _similar_paths(path)
    hint = f" (beside it: {', '.join(similar)})" if similar else ""
    return VectorsNotFoundError(f"no such file or folder: {path}{hint}")


def _similar_paths(path: Path, limit: int = 5) -> list[str]:
    """Names in ``path``'s folder that start with its name (``x`` -> ``x.ntv``, ``x.txt.gz``)."""
    try:
        names = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    except OSError:
        return []
    return names[:limit]
