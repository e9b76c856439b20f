"""The native store: a pickle-free folder that reopens as a memory-map in milliseconds.

Its layout (versioned folders behind one ``meta.json`` pointer, so a save replaces a store
atomically for readers in other processes) is :mod:`~nlptransfer.vectors.formats.native_layout`:
``meta.json`` names a ``data-<id>/`` folder holding ``vectors.npy`` (float32 [count, dim]),
``vocab.txt`` (one word a line), ``norms.npy`` (each row's norm, so processes searching one store
share it through the page cache instead of each normalising a copy) and, for fastText models,
the subword table. Writers take turns on a lock file.

Words that contain a line break or a backslash are written escaped (``\\n``, ``\\r``, ``\\\\``),
and ``meta.json`` says so with ``"vocab_escaped": true``; otherwise ``vocab.txt`` is plain.

Opening a store checks what it can cheaply, and refuses rather than guess
(:class:`~nlptransfer._util.errors.VectorsFormatError`, naming the file):

* ``meta.json``: JSON, a readable version, fields of the right types, and (version 2) the
  ``meta_sha256`` it was saved with;
* ``vectors.npy`` and ``norms.npy``: little-endian float32 in C order, of the shape
  ``meta.json`` gives, with no byte more or less; ``norms.npy`` has the ``norms_sha256`` it was
  saved with;
* ``vocab.txt``: one word per row, every word once; version 2 refuses a ``vocab.txt`` whose
  SHA-256 is not the ``vocab_sha256`` it was saved with (naming a duplicate word and its rows
  first when there is one); a version 1 store without the digest is checked word by word;
* finite values: a matrix of up to :data:`FINITE_CHECK_BYTES` is scanned at every open, in chunks
  of :data:`FINITE_CHECK_CHUNK_ROWS` rows (a float32 sum per chunk, which is NaN or inf when any
  value is; only such a chunk is searched for the offending row); saving refuses non-finite
  values whatever the size, so a larger store can only hold them if it was altered after saving.

Values changed inside ``vectors.npy`` that stay finite are not detected (hashing the matrix at
every open would cost what memory-mapping saves).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.files import exclusive_lock
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    register_format,
)
from nlptransfer.vectors.formats.native_layout import (
    LOCK_FILE,
    MATRIX_FILE,
    META_FILE,
    NATIVE_FORMAT_VERSION,
    NATIVE_SUFFIX,
    NORMS_FILE,
    VOCAB_FILE,
    data_folder,
    native_path,
    new_version_name,
    open_npy,
    parse_meta,
    publish,
    read_meta_bytes,
    remove_superseded,
)
from nlptransfer.vectors.topk import row_norms

__all__ = [
    "FINITE_CHECK_BYTES",
    "META_FILE",
    "NATIVE_FORMAT_VERSION",
    "NATIVE_SUFFIX",
    "NativeStore",
    "load_native",
    "native_path",
    "read_native",
    "save_native",
]

logger = logging.getLogger(__name__)

#: Matrices up to this many bytes are checked for NaN/inf at every open (about 25 ms per GB).
FINITE_CHECK_BYTES = 1 << 30
#: Rows summed at a time by the finiteness check (bounds its scratch memory).
FINITE_CHECK_CHUNK_ROWS = 1 << 16
#: Times an open starts again because a writer published a new version meanwhile.
OPEN_ATTEMPTS = 50

_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def vocab_bytes(words: list[str]) -> tuple[bytes, bool]:
    r"""``vocab.txt`` for ``words`` (one a line) and whether it had to be escaped.

    Checked on the joined text, so a vocabulary of millions of plain words costs a few string
    scans; only words with a line break are escaped one by one.

    >>> vocab_bytes(["a", "b"])
    (b'a\nb\n', False)
    >>> vocab_bytes(["back\\slash"])
    (b'back\\\\slash\n', True)
    """
    if not words:
        return b"", False
    text = "\n".join(words)
    if text.count("\n") != len(words) - 1:  # a word with a line break: escape word by word
        text = "\n".join(_escape(w) for w in words)
    elif "\\" in text or "\r" in text:  # backslashes and \r escape the same in the whole text
        text = text.replace("\\", "\\\\").replace("\r", "\\r")
    else:
        return (text + "\n").encode("utf-8"), False
    return (text + "\n").encode("utf-8"), True


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


def _refuse_duplicate(where: Path, words: list[str], *, with_line: bool = False) -> None:
    duplicate = _duplicate(words)
    if duplicate is not None:
        word, first, second = duplicate
        raise VectorsFormatError(
            where,
            f"expected every word once, found {word!r} twice (rows {first} and {second})",
            line=second + 1 if with_line else None,
        )


# -- saving -----------------------------------------------------------------------------------
def _checked_norms(target: Path, words: list[str], matrix: np.ndarray) -> np.ndarray:
    """The rows' norms; a row with NaN or inf (whose norm is not finite) is refused."""
    norms = row_norms(matrix)
    if not np.isfinite(norms).all():  # NaN or inf, or finite values whose squares overflow
        bad = _first_non_finite(matrix)
        if bad is not None:
            raise VectorsFormatError(
                target, f"expected finite values, found NaN or inf in row {bad} ({words[bad]!r})"
            )
    return norms


def _check_target(target: Path, overwrite: bool) -> None:
    """Refuse to write into something that is not a native store (or nothing)."""
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a native store folder")
    if (target / META_FILE).exists():
        if not overwrite:
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    elif any(entry.name != LOCK_FILE for entry in target.iterdir()):
        raise FileExistsError(
            f"{target} is a folder but not a native store (no {META_FILE}); not writing into it"
        )


def _save_npy(path: Path, array: np.ndarray) -> None:
    np.save(path, array, allow_pickle=False)


def save_native(
    path: str | Path,
    words: list[str],
    matrix: np.ndarray,
    meta: dict[str, Any],
    *,
    subwords: Any = None,
    overwrite: bool = True,
    meta_in_parallel: Callable[[], dict[str, Any]] | None = None,
) -> Path:
    """Write a native store and return its path (``.ntv`` added if missing).

    The arrays go to a new version folder, then one ``os.replace`` of ``meta.json`` publishes
    it (readers see the old store or the new one, whole); the versions it supersedes are then
    removed. Processes saving to one store take turns (a lock file).

    Args:
        meta: provenance to record in ``meta.json``.
        subwords: a fastText subword model to store with the vectors.
        overwrite: replace an existing store (``False`` raises ``FileExistsError``).
        meta_in_parallel: more ``meta.json`` fields, computed in a thread while the arrays are
            checked and written (such as the source file's checksum); they win over ``meta``.

    Raises:
        VectorsFormatError: a word occurs twice, or the matrix holds NaN or inf (naming the row).
        FileExistsError: ``path`` is a file or a folder that is not a native store, or a store
            and ``overwrite`` is false.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> store = save_native(folder / "v", ["a"], np.ones((1, 2), np.float32), {})
        >>> store.name, load_native(store).words
        ('v.ntv', ['a'])
    """
    target = native_path(path)
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="save_native")
    try:  # the parallel fields (a checksum of the source) start first: they take longest
        late = pool.submit(meta_in_parallel) if meta_in_parallel is not None else None
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        _check_target(target, overwrite)
        with exclusive_lock(target / LOCK_FILE, what=f"saving {target}"):
            _check_target(target, overwrite)  # again: another writer may have gone first
            version = new_version_name()
            folder = target / version
            folder.mkdir()
            writing = pool.submit(_save_npy, folder / MATRIX_FILE, matrix)
            try:  # while the matrix is written: check it, and write the rest
                _refuse_duplicate(target, words)
                norms = _checked_norms(target, words, matrix)
                vocab, escaped = vocab_bytes(words)
                (folder / VOCAB_FILE).write_bytes(vocab)
                _save_npy(folder / NORMS_FILE, norms)
                if subwords is not None:
                    subwords.save(folder)
                record = dict(meta)
                record.update(
                    native_format_version=NATIVE_FORMAT_VERSION,
                    data=version,
                    count=len(words),
                    dim=int(matrix.shape[1]),
                    dtype="float32",
                    vocab_escaped=escaped,
                    vocab_sha256=hashlib.sha256(vocab).hexdigest(),
                    norms_sha256=hashlib.sha256(norms.data).hexdigest(),
                    has_subwords=subwords is not None,
                )
                writing.result()
                if late is not None:
                    record.update(late.result())
                publish(target, record)
            except BaseException:
                writing.exception()  # let it finish writing into the folder before removing it
                shutil.rmtree(folder, ignore_errors=True)
                if not (target / META_FILE).exists():  # a first save failed: leave nothing
                    with contextlib.suppress(OSError):
                        (target / LOCK_FILE).unlink()
                        target.rmdir()
                raise
            remove_superseded(target, version)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed save does not wait for them
    return target


# -- opening ----------------------------------------------------------------------------------
@dataclass
class NativeStore:
    """What a native store holds: its words, matrix, ``meta.json``, subword model (fastText
    only) and row norms (``None`` in a version 1 store)."""

    words: list[str]
    matrix: np.ndarray
    meta: dict[str, Any]
    subwords: Any = None
    norms: np.ndarray | None = None


def load_native(path: str | Path, *, mmap: bool = True) -> NativeStore:
    """Open a native store; its arrays are memory-mapped read-only unless ``mmap=False``.

    The version ``meta.json`` names is opened; when a file of it is gone because another
    process published a newer version meanwhile, the open starts again on that one.

    Raises:
        VectorsFormatError: the store is damaged or was changed after saving (naming the file).
    """
    path = Path(path)
    if not path.is_dir() and native_path(path).is_dir():
        path = native_path(path)
    for _ in range(OPEN_ATTEMPTS):
        raw = read_meta_bytes(path)
        meta = parse_meta(path, raw)
        try:
            return _open_version(path, meta, mmap)
        except (OSError, VectorsFormatError) as exc:
            if _pointer_moved(path, raw):
                logger.debug("%s: a newer version was published while opening; again", path)
                continue
            if isinstance(exc, VectorsFormatError):
                raise
            where = exc.filename or data_folder(path, meta)
            if isinstance(exc, FileNotFoundError):
                raise VectorsFormatError(
                    where, "expected this file of the store, found none"
                ) from None
            raise VectorsFormatError(where, f"expected a readable file ({exc})") from None
    raise VectorsFormatError(
        path,
        f"expected the store to hold still while opening; it was replaced {OPEN_ATTEMPTS} times",
    )


def _pointer_moved(path: Path, raw: bytes) -> bool:
    try:
        return (path / META_FILE).read_bytes() != raw
    except OSError:
        return True


def _open_version(store: Path, meta: dict[str, Any], mmap: bool) -> NativeStore:
    folder = data_folder(store, meta)
    version = meta["native_format_version"]
    count, dim = meta["count"], meta["dim"]
    matrix = open_npy(folder / MATRIX_FILE, (count, dim), mmap=mmap)
    words = _open_vocab(folder / VOCAB_FILE, meta)
    norms = None
    if version >= 2:
        norms = open_npy(folder / NORMS_FILE, (count,), mmap=mmap)
        if hashlib.sha256(np.ascontiguousarray(norms).data).hexdigest() != meta["norms_sha256"]:
            raise VectorsFormatError(
                folder / NORMS_FILE,
                f"expected the norms_sha256 of {META_FILE}; the file was changed after saving",
            )
    if matrix.nbytes <= FINITE_CHECK_BYTES:
        bad = _first_non_finite(matrix)
        if bad is not None:
            raise VectorsFormatError(
                folder / MATRIX_FILE,
                f"expected finite values, found NaN or inf in row {bad} ({words[bad]!r})",
            )
    else:
        logger.debug("%s: %d bytes, not scanned for NaN/inf at open", store, matrix.nbytes)
    subwords = _open_subwords(folder, mmap) if meta.get("has_subwords") else None
    return NativeStore(words, matrix, meta, subwords, norms)


def _open_vocab(file: Path, meta: dict[str, Any]) -> list[str]:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VectorsFormatError(
            file, f"expected UTF-8 text ({exc.reason})", offset=exc.start
        ) from None
    if "\r" in text:  # as read_text's universal newlines did
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    words = text.split("\n")
    if words and words[-1] == "":
        words.pop()
    if meta.get("vocab_escaped"):
        words = [_unescape(w) for w in words]
    if len(words) != meta["count"]:
        raise VectorsFormatError(
            file, f"expected {meta['count']} words (one per matrix row), found {len(words)}"
        )
    if meta.get("vocab_sha256") != hashlib.sha256(raw).hexdigest():
        _refuse_duplicate(file, words, with_line=True)  # not the vocabulary saved with this meta
        if meta["native_format_version"] >= 2:
            raise VectorsFormatError(
                file, f"expected the vocab_sha256 of {META_FILE}; the file was changed after saving"
            )
    return words


def _open_subwords(folder: Path, mmap: bool) -> Any:
    from nlptransfer.vectors.subword import FastTextSubwords

    try:
        return FastTextSubwords.load(folder, mmap=mmap)
    except (VectorsFormatError, OSError):
        raise
    except Exception as exc:  # damaged subword files: whatever numpy or json made of them
        raise VectorsFormatError(
            folder, f"expected a fastText subword model ({type(exc).__name__}: {exc})"
        ) from None


def read_native(path: str | Path, *, mmap: bool = True) -> ParsedVectors:
    """Open a native store as :class:`ParsedVectors`, as :meth:`Vectors.load` opens it: the
    store's own provenance is kept, ``format`` becomes ``"native"`` (what it was made from moves
    to ``source_format``, the file it was read from to ``origin_path``) and ``store_path``
    names the folder.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> store = save_native(folder / "v", ["a"], np.ones((1, 2), np.float32), {"format": "glove"})
        >>> parsed = read_native(store)
        >>> parsed.words, parsed.meta["format"], parsed.meta["source_format"]
        (['a'], 'native', 'glove')
    """
    store = load_native(path, mmap=mmap)
    meta = store.meta
    meta["source_format"] = meta.get("source_format") or meta.get("format")
    meta["format"] = "native"
    if "source_path" in meta:
        meta.setdefault("origin_path", meta["source_path"])
    meta["store_path"] = str(Path(path).resolve())
    return ParsedVectors(
        store.words, store.matrix, subwords=store.subwords, meta=meta, norms=store.norms
    )


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_native(path, mmap=options.mmap)  # read whole: read_vectors applies vocab/limit


def _is_store(head: bytes, path: Path) -> bool:
    return (path / META_FILE).is_file()


def _write(vectors: WritableVectors, path: Path) -> Path:
    # Vectors.save records the source (path, size, mtime), then calls save_native
    return vectors.save(path)


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
