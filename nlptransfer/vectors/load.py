"""``load_vectors``: one entry point for every named set of vectors and every path.

A catalogue name resolves to its installed PyPI package or its cached native store (downloaded
and converted on first use, :mod:`nlptransfer.vectors.fetch`); a path is read by
:func:`~nlptransfer.vectors.read.read_vectors`.

Example:
    >>> check_source("glove-6b-50d").dim
    50
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection
from pathlib import Path

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer.vectors.catalog import (
    CatalogEntry,
    catalog_entry,
    package_files,
    package_installed,
    package_paths,
)
from nlptransfer.vectors.formats.collector import RowCollector
from nlptransfer.vectors.read import missing_path_error, read_vectors, select_rows
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)


def load_vectors(
    source: str | os.PathLike[str],
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
    """Load pretrained word vectors from a path or a catalogue name.

    Args:
        source: a file or native ``.ntv`` folder, or a catalogue name such as ``"glove-6b-50d"``
            (downloaded, verified and converted to a cached native store on first use; see
            :mod:`nlptransfer.vectors.fetch`).
        format: override detection: ``word2vec-bin``, ``word2vec-text`` (also fastText
            ``.vec``), ``glove``, ``fasttext-bin`` (``.bin``/``.ftz``), ``gensim``, ``native``,
            ``model2vec``, ``wordllama``, or a plugin's format (see
            :mod:`nlptransfer.vectors.formats`).
        vocab: keep only these words; the file is streamed, so memory follows the rows kept.
        limit: keep the first ``limit`` rows (files list frequent words first).
        unicode_errors: for words that are not valid UTF-8: ``replace`` (default, as gensim),
            ``ignore``, ``skip`` the row, or ``strict`` (raise).
        member: which file of a ``.zip`` archive to read (default: the only vectors file).
        allow_pickle: allow gensim pickle files (they can run code: only for files you trust).
        mmap: memory-map native stores (read-only matrix) instead of reading them into memory.
        progress: progress bars for large files (default: on a terminal or in Jupyter, see ``progress_enabled``).
        tokenizer: the tokenizer file of token vectors (a WordLlama file) when it is not beside
            them.

    Returns:
        The vectors, with provenance in ``.meta`` (source, format, path, load time).

    Raises:
        VectorsNotFoundError: ``source`` is neither a path nor a known name.
        VectorsFormatError: the file is malformed; the message names the line or byte offset.
        DownloadError: a catalogue name could not be downloaded (``OfflineError`` when
            ``NLPTRANSFER_OFFLINE=1`` and it is not cached; ``ChecksumMismatchError`` when the
            download was not the published file).

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> glove.dim, len(glove) >= 400000
        (50, True)
    """
    started = time.perf_counter()
    entry = check_source(source)
    if entry is None:
        return read_vectors(
            source,
            format=format,
            vocab=vocab,
            limit=limit,
            unicode_errors=unicode_errors,
            member=member,
            allow_pickle=allow_pickle,
            mmap=mmap,
            progress=progress,
            tokenizer=tokenizer,
        )
    vectors = _load_catalog_entry(entry, vocab, limit, mmap, progress)
    vectors.meta.setdefault("source", str(source))
    vectors.meta["load_seconds"] = round(time.perf_counter() - started, 4)
    logger.info("loaded %r in %.2fs", vectors, vectors.meta["load_seconds"])
    return vectors


def check_source(source: str | os.PathLike[str]) -> CatalogEntry | None:
    """Check that ``source`` names vectors :func:`load_vectors` can find, without reading them.

    Returns the catalogue entry for a name, ``None`` for an existing path; a name that is not
    yet downloaded is fine (loading downloads it). Use it to fail fast before long work.

    Raises:
        VectorsNotFoundError: neither an existing path nor a known name. For a missing path the
            message lists files beside it whose names start the same way (a store written by
            ``Vectors.save("x")`` is ``x.ntv``).

    Example:
        >>> check_source("glove-6b-50d").name
        'glove-6b-50d'
        >>> check_source("no/such/vectors.txt")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.VectorsNotFoundError: no such file or folder: no/such/vectors.txt
    """
    path = Path(source)
    if path.exists():
        return None
    if isinstance(source, str) and os.sep not in source and not path.suffix:
        return catalog_entry(source)
    raise missing_path_error(path)


def _load_catalog_entry(entry: CatalogEntry, vocab, limit, mmap, progress) -> Vectors:
    """A catalogue name: the installed PyPI package, else the cached native store (downloaded
    and converted on first use), memory-mapped; ``vocab``/``limit`` applied after."""
    if entry.package and (package_installed(entry) or not entry.sources):
        return _load_package_entry(entry, vocab, limit, mmap)
    from nlptransfer.vectors.fetch import ensure_store  # late: no network modules at import

    vectors = Vectors.load(ensure_store(entry, progress=progress), mmap=mmap)
    vectors.meta["source"] = entry.name
    return select_rows(vectors, vocab=vocab, limit=limit)


def _load_package_entry(entry: CatalogEntry, vocab, limit, mmap) -> Vectors:
    """Vectors shipped in a PyPI package: a ``.npy`` + a parquet word index, memory-mapped, or a
    vectors file (and its tokenizer) read by the entry's format."""
    if entry.file:
        return _load_package_file(entry, vocab, limit)
    import pyarrow.parquet as pq

    matrix_path, index_path = package_files(entry)
    matrix = np.load(matrix_path, mmap_mode="r" if mmap else None, allow_pickle=False)
    words = [str(w) for w in pq.read_table(index_path).column(0).to_pylist()]
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise VectorsFormatError(
            matrix_path,
            f"expected {len(words)} rows (one per word in {index_path.name}), "
            f"found shape {matrix.shape}",
        )
    if matrix.dtype != np.float32:
        matrix = matrix.astype(np.float32)
    rows = RowCollector(matrix_path, matrix.shape[1], location="line")  # applies duplicate rules
    meta = {
        "source": entry.name,
        "source_path": str(matrix_path),
        "format": "package",
        "source_format": entry.format,
        "package": entry.package,
        "license": entry.license,
        "citation": entry.citation,
    }
    if len(set(words)) != len(words):
        rows.add([w.encode() for w in words], np.asarray(matrix), range(1, len(words) + 1))
        parsed = rows.finish()
        vectors = Vectors(parsed.words, parsed.matrix, meta=meta)
    else:
        vectors = Vectors(words, matrix, meta=meta)
    return select_rows(vectors, vocab=vocab, limit=limit)


def _load_package_file(entry: CatalogEntry, vocab, limit) -> Vectors:
    """A vectors file in an installed PyPI package (WordLlama's weights and tokenizer), read by
    the entry's format: nothing is downloaded."""
    names = [entry.file or ""] + ([entry.tokenizer] if entry.tokenizer else [])
    found = package_paths(entry, *names)
    vectors = read_vectors(
        found[0],
        format=entry.format,
        vocab=vocab,
        limit=limit,
        tokenizer=found[1] if entry.tokenizer else None,
        progress=False,
    )
    vectors.meta.update(
        source=entry.name,
        package=entry.package,
        license=entry.license,
        citation=entry.citation,
    )
    return vectors
