"""The native store: a pickle-free folder that reopens as a memory-map in milliseconds.

Layout of ``<name>.ntv/``::

    vectors.npy     float32 [count, dim], C order (numpy's .npy format)
    vocab.txt       UTF-8, one word a line, in row order
    meta.json       format version, count, dim, provenance (source, format, sha256, ...)
    subword*.{npy,json}   only for fastText models: the subword n-gram table

Words that contain a line break or a backslash are written escaped (``\\n``, ``\\r``, ``\\\\``),
and ``meta.json`` says so with ``"vocab_escaped": true``; otherwise ``vocab.txt`` is plain.
The folder is written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import json
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

NATIVE_SUFFIX = ".ntv"
NATIVE_FORMAT_VERSION = 1
MATRIX_FILE = "vectors.npy"
VOCAB_FILE = "vocab.txt"
META_FILE = "meta.json"

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


def save_native(
    path: str | Path,
    words: list[str],
    matrix: np.ndarray,
    meta: dict[str, Any],
    *,
    subwords: Any = None,
    overwrite: bool = True,
) -> Path:
    """Write a native store folder atomically and return its path (``.ntv`` added if missing)."""
    target = native_path(path)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    escaped = _needs_escape(words)
    with atomic_directory(target, overwrite=overwrite) as tmp:
        np.save(tmp / MATRIX_FILE, matrix, allow_pickle=False)
        lines = [_escape(w) for w in words] if escaped else words
        (tmp / VOCAB_FILE).write_text(
            "".join(w + "\n" for w in lines), encoding="utf-8", newline="\n"
        )
        record = dict(meta)
        record.update(
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
    text = (path / VOCAB_FILE).read_text(encoding="utf-8")
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
