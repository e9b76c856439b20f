"""The native store: a pickle-free folder that reopens as a memory-map in milliseconds.

Layout of ``<name>.ntv/``::

    vectors.npy     float32 [count, dim], C order (numpy's .npy format)
    vocab.txt       UTF-8, one word a line, in row order
    meta.json       format version, count, dim, provenance (source, format, sha256, ...)
    subword*.{npy,json}   only for fastText models: the subword n-gram table

Words that contain a line break or a backslash are written escaped (``\\n``, ``\\r``, ``\\\\``),
and ``meta.json`` says so with ``"vocab_escaped": true``; otherwise ``vocab.txt`` is plain.
The folder is written under a temporary name and renamed into place when complete.

Opening a store checks what it can cheaply, and refuses rather than guess
(:class:`~nlptransfer._util.errors.VectorsFormatError`, naming the file):

* every word once: ``meta.json`` records ``vocab_sha256``, the SHA-256 of ``vocab.txt`` as saved
  (after checking its words are unique); a ``vocab.txt`` with that digest is known unique (hashing
  a few MB costs milliseconds), any other (edited, or a store from before the digest) is checked
  word by word, naming the duplicate and both of its rows;
* finite values: a matrix of up to :data:`FINITE_CHECK_BYTES` is scanned at every open, in chunks
  of :data:`FINITE_CHECK_CHUNK_ROWS` rows (a float32 sum per chunk, which is NaN or inf when any
  value is; only such a chunk is searched for the offending row); saving refuses non-finite
  values whatever the size, so a larger store can only hold them if it was altered after saving.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.files import atomic_directory
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    register_format,
)

logger = logging.getLogger(__name__)

NATIVE_SUFFIX = ".ntv"
NATIVE_FORMAT_VERSION = 1
MATRIX_FILE = "vectors.npy"
VOCAB_FILE = "vocab.txt"
META_FILE = "meta.json"
#: Matrices up to this many bytes are checked for NaN/inf at every open (about 25 ms per GB).
FINITE_CHECK_BYTES = 1 << 30
#: Rows summed at a time by the finiteness check (bounds its scratch memory).
FINITE_CHECK_CHUNK_ROWS = 1 << 16

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


def native_path(path: str | Path) -> Path:
    """``path`` with the ``.ntv`` suffix added when it lacks it.

    >>> native_path("glove"), native_path("glove.ntv")
    (PosixPath('glove.ntv'), PosixPath('glove.ntv'))
    """
    path = Path(path)
    return path if path.suffix == NATIVE_SUFFIX else path.with_name(path.name + NATIVE_SUFFIX)


def _needs_escape(words: list[str]) -> bool:
    return any("\n" in w or "\r" in w or "\\" in w for w in words)


def _escape(word: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in word)


def _unescape(word: str) -> str:
    if "\\" not in word:
        return word
    out: list[str] = []
    chars = iter(word)
    for ch in chars:
        out.append(_UNESCAPES.get(next(chars, ""), "") if ch == "\\" else ch)
    return "".join(out)


def _first_non_finite(matrix: np.ndarray) -> int | None:
    """The first row of ``matrix`` holding NaN or inf, or ``None``; chunk by chunk."""
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, matrix.shape[0], FINITE_CHECK_CHUNK_ROWS):
            chunk = matrix[start : start + FINITE_CHECK_CHUNK_ROWS]
            if np.isfinite(chunk.sum(dtype=np.float32)):
                continue
            bad = np.flatnonzero(~np.isfinite(chunk).all(axis=1))
            if bad.size:  # else: finite values whose sum overflowed
                return start + int(bad[0])
    return None


def _duplicate(words: list[str]) -> tuple[str, int, int] | None:
    """The first word that occurs twice, with its two rows, or ``None``."""
    if len(set(words)) == len(words):
        return None
    rows: dict[str, int] = {}
    for row, word in enumerate(words):
        if word in rows:
            return word, rows[word], row
        rows[word] = row
    return None  # pragma: no cover - the set said there is one


def save_native(
    path: str | Path,
    words: list[str],
    matrix: np.ndarray,
    meta: dict[str, Any],
    *,
    subwords: Any = None,
    overwrite: bool = True,
) -> Path:
    """Write a native store folder atomically and return its path (``.ntv`` added if missing).

    Raises:
        VectorsFormatError: a word occurs twice, or the matrix holds NaN or inf (naming the row).
    """
    target = native_path(path)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    duplicate = _duplicate(words)
    if duplicate is not None:
        word, first, second = duplicate
        raise VectorsFormatError(
            target, f"expected every word once, found {word!r} twice (rows {first} and {second})"
        )
    bad = _first_non_finite(matrix)
    if bad is not None:
        raise VectorsFormatError(
            target, f"expected finite values, found NaN or inf in row {bad} ({words[bad]!r})"
        )
    escaped = _needs_escape(words)
    with atomic_directory(target, overwrite=overwrite) as tmp:
        np.save(tmp / MATRIX_FILE, matrix, allow_pickle=False)
        lines = [_escape(w) for w in words] if escaped else words
        vocab = "".join(w + "\n" for w in lines).encode("utf-8")
        (tmp / VOCAB_FILE).write_bytes(vocab)
        record = dict(meta)
        record.update(
            vocab_sha256=hashlib.sha256(vocab).hexdigest(),
            native_format_version=NATIVE_FORMAT_VERSION,
            count=len(words),
            dim=int(matrix.shape[1]),
            dtype="float32",
            vocab_escaped=escaped,
            has_subwords=subwords is not None,
        )
        (tmp / META_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        if subwords is not None:
            subwords.save(tmp)
    return target


def load_native(path: str | Path, *, mmap: bool = True) -> tuple[list[str], np.ndarray, dict, Any]:
    """Open a native store: ``(words, matrix, meta, subwords)``; the matrix is memory-mapped
    read-only unless ``mmap=False``."""
    path = Path(path)
    if not path.is_dir() and native_path(path).is_dir():
        path = native_path(path)
    meta_file = path / META_FILE
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VectorsFormatError(
            path, f"expected a native store folder with {META_FILE}, found none"
        ) from None
    except json.JSONDecodeError as exc:
        raise VectorsFormatError(
            meta_file, f"expected JSON, found invalid text ({exc})", line=exc.lineno
        ) from None
    version = meta.get("native_format_version")
    if version != NATIVE_FORMAT_VERSION:
        raise VectorsFormatError(
            meta_file,
            f"expected native_format_version {NATIVE_FORMAT_VERSION}, found {version!r}; "
            "upgrade nlptransfer to read this store",
        )
    try:
        matrix = np.load(path / MATRIX_FILE, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise VectorsFormatError(
            path / MATRIX_FILE, f"expected a float32 .npy matrix ({exc})"
        ) from None
    raw = (path / VOCAB_FILE).read_bytes()
    text = raw.decode("utf-8")
    if "\r" in text:  # as read_text's universal newlines did
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    words = text.split("\n")
    if words and words[-1] == "":
        words.pop()
    if meta.get("vocab_escaped"):
        words = [_unescape(w) for w in words]
    expected = (meta.get("count"), meta.get("dim"))
    if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape != expected:
        raise VectorsFormatError(
            path / MATRIX_FILE,
            f"expected a float32 matrix of shape {expected} (from {META_FILE}), "
            f"found {matrix.dtype} {matrix.shape}",
        )
    if len(words) != matrix.shape[0]:
        raise VectorsFormatError(
            path / VOCAB_FILE,
            f"expected {matrix.shape[0]} words (one per matrix row), found {len(words)}",
        )
    if meta.get("vocab_sha256") != hashlib.sha256(raw).hexdigest():
        duplicate = _duplicate(words)  # not the vocabulary saved (and checked) with this meta
        if duplicate is not None:
            word, first, second = duplicate
            raise VectorsFormatError(
                path / VOCAB_FILE,
                f"expected every word once, found {word!r} twice (rows {first} and {second})",
                line=second + 1,
            )
    if matrix.nbytes <= FINITE_CHECK_BYTES:
        bad = _first_non_finite(matrix)
        if bad is not None:
            raise VectorsFormatError(
                path / MATRIX_FILE,
                f"expected finite values, found NaN or inf in row {bad} ({words[bad]!r})",
            )
    else:
        logger.debug("%s: %d bytes, not scanned for NaN/inf at open", path, matrix.nbytes)
    subwords = None
    if meta.get("has_subwords"):
        from nlptransfer.vectors.subword import FastTextSubwords

        subwords = FastTextSubwords.load(path, mmap=mmap)
    return words, matrix, meta, subwords


def read_native(path: str | Path, *, mmap: bool = True) -> ParsedVectors:
    """Open a native store as :class:`ParsedVectors`, as :meth:`Vectors.load` opens it: the
    store's own provenance is kept, ``format`` becomes ``"native"`` (what it was made from moves
    to ``source_format``) and ``store_path`` names the folder.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> store = save_native(folder / "v", ["a"], np.ones((1, 2), np.float32), {"format": "glove"})
        >>> parsed = read_native(store)
        >>> parsed.words, parsed.meta["format"], parsed.meta["source_format"]
        (['a'], 'native', 'glove')
    """
    words, matrix, meta, subwords = load_native(path, mmap=mmap)
    meta["source_format"] = meta.get("source_format") or meta.get("format")
    meta["format"] = "native"
    meta["store_path"] = str(Path(path).resolve())
    return ParsedVectors(words, matrix, subwords=subwords, meta=meta)


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_native(path, mmap=options.mmap)  # read whole: read_vectors applies vocab/limit


def _is_store(head: bytes, path: Path) -> bool:
    return (path / META_FILE).is_file()


def _write(vectors: WritableVectors, path: Path) -> Path:
    return vectors.save(path)  # Vectors.save records the source's checksum, then save_native


NATIVE = register_format(
    VectorFormat(
        "native",
        "native vectors folder (.ntv, with meta.json)",
        read=_read,
        sniff=_is_store,
        write=_write,
        aliases=("ntv",),
        suffix=NATIVE_SUFFIX,
        folder=True,
        records_source=False,
    )
)
