"""Where a native store's files live, how a new version is published, and how its files open.

Layout of ``<name>.ntv/`` (``native_format_version`` 2)::

    meta.json          the pointer: provenance, count, dim, digests, and ``data``, the name of
                       the version folder holding the arrays; replaced whole by one rename
    .lock              writers take turns on it (``fcntl.flock``)
    data-<id>/         one version, never changed once published
        vectors.npy    float32 [count, dim], C order
        vocab.txt      UTF-8, one word a line, in row order
        norms.npy      float32 [count]: each row's L2 norm, for similarity without a copy
        subword*.{npy,json}   only for fastText models

A save writes a new ``data-<id>/`` folder, then publishes it by replacing ``meta.json`` with
one ``os.replace``; a reader reads ``meta.json`` once and opens the folder it names, so it sees
the old store or the new one, whole. Superseded folders are removed after publishing: a reader
that finds a file gone and ``meta.json`` changed since it read it starts again (its open
files and memory maps stay valid after removal). Version 1 stores (the arrays beside
``meta.json``) still open; saving over one publishes version 2 and removes the old files.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nlptransfer._util.errors import VectorsFormatError

NATIVE_SUFFIX = ".ntv"
#: The layout written by this version of nlptransfer.
NATIVE_FORMAT_VERSION = 2
#: Layouts it opens (1: the arrays beside ``meta.json``, before versioned folders).
READABLE_VERSIONS = (1, 2)
META_FILE = "meta.json"
MATRIX_FILE = "vectors.npy"
VOCAB_FILE = "vocab.txt"
NORMS_FILE = "norms.npy"
LOCK_FILE = ".lock"
VERSION_PREFIX = "data-"
#: What a version 1 store holds beside ``meta.json``: removed once version 2 is published.
LEGACY_FILES = (
    MATRIX_FILE,
    VOCAB_FILE,
    "subword_ngrams.npy",
    "subword_buckets.npy",
    "subword.json",
)
_VERSION_NAME = re.compile(r"data-[0-9a-f]{8,64}")
_META_TEMP = ".meta.json.tmp-"


def native_path(path: str | Path) -> Path:
    """``path`` with the ``.ntv`` suffix added when it lacks it.

    >>> native_path("glove"), native_path("glove.ntv")
    (PosixPath('glove.ntv'), PosixPath('glove.ntv'))
    """
    path = Path(path)
    return path if path.suffix == NATIVE_SUFFIX else path.with_name(path.name + NATIVE_SUFFIX)


def new_version_name() -> str:
    """A fresh, never reused name for a version folder.

    >>> bool(_VERSION_NAME.fullmatch(new_version_name()))
    True
    """
    return f"{VERSION_PREFIX}{os.getpid():08x}{uuid.uuid4().hex}"


# -- meta.json --------------------------------------------------------------------------------
def meta_digest(record: dict[str, Any]) -> str:
    """SHA-256 of ``record`` without ``meta_sha256``, in a canonical JSON form.

    ``meta.json`` carries it, so an edited or damaged ``meta.json`` that still parses is refused.

    >>> meta_digest({"b": 1, "a": [1.5, "x"]}) == meta_digest({"a": [1.5, "x"], "b": 1})
    True
    """
    rest = {key: value for key, value in record.items() if key != "meta_sha256"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def meta_text(record: dict[str, Any]) -> str:
    """The text of ``meta.json`` for ``record``, with its ``meta_sha256`` added.

    >>> json.loads(meta_text({"count": 1}))["meta_sha256"] == meta_digest({"count": 1})
    True
    """
    plain = json.loads(json.dumps(record, sort_keys=True))  # as a reader will parse it back
    plain["meta_sha256"] = meta_digest(plain)
    return json.dumps(plain, indent=2, sort_keys=True) + "\n"


def read_meta_bytes(store: Path) -> bytes:
    """The bytes of ``store/meta.json``; a missing one is a :class:`VectorsFormatError`."""
    try:
        return (store / META_FILE).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise VectorsFormatError(
            store, f"expected a native store folder with {META_FILE}, found none"
        ) from None
    except OSError as exc:
        raise VectorsFormatError(store / META_FILE, f"expected a readable file ({exc})") from None


def parse_meta(store: Path, raw: bytes) -> dict[str, Any]:
    """Parse and check ``meta.json``: a JSON object of a readable version whose fields have
    the right types; version 2 also its ``meta_sha256``. Anything else is a
    :class:`VectorsFormatError` naming the file."""
    where = store / META_FILE
    try:
        meta = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise VectorsFormatError(where, f"expected UTF-8 text ({exc})", offset=exc.start) from None
    except json.JSONDecodeError as exc:
        raise VectorsFormatError(
            where, f"expected JSON, found invalid text ({exc})", line=exc.lineno
        ) from None
    except (ValueError, RecursionError) as exc:
        raise VectorsFormatError(where, f"expected JSON, found invalid text ({exc})") from None
    if not isinstance(meta, dict):
        raise VectorsFormatError(where, f"expected a JSON object, found {type(meta).__name__}")
    version = meta.get("native_format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise VectorsFormatError(
            where,
            f"expected native_format_version {NATIVE_FORMAT_VERSION}, found {version!r}; "
            "upgrade nlptransfer to read this store",
        )
    expected: dict[str, type | tuple[type, ...]] = {"count": int, "dim": int}
    if version == 2:
        if meta.get("meta_sha256") != meta_digest(meta):
            raise VectorsFormatError(
                where, "expected the meta_sha256 it was saved with; it was changed after saving"
            )
        expected.update(
            data=str, vocab_sha256=str, norms_sha256=str, vocab_escaped=bool, has_subwords=bool
        )
    for key, kind in expected.items():
        value = meta.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise VectorsFormatError(where, f"expected {key} of type {kind}, found {value!r}")
    if meta["count"] < 0 or meta["dim"] < 0:
        raise VectorsFormatError(where, f"expected count, dim >= 0, found {meta['count']}")
    if version == 2 and not _VERSION_NAME.fullmatch(meta["data"]):
        raise VectorsFormatError(
            where, f"expected data to name a data-<id> folder: {meta['data']!r}"
        )
    return meta


def data_folder(store: Path, meta: dict[str, Any]) -> Path:
    """The folder holding the arrays ``meta`` describes (the store itself for version 1)."""
    return store / meta["data"] if meta["native_format_version"] >= 2 else store


def publish(store: Path, record: dict[str, Any]) -> None:
    """Make ``record`` (naming its version folder in ``data``) the store's ``meta.json``, in one
    ``os.replace``: readers see the previous ``meta.json`` or this one, never a mix."""
    tmp = store / f"{_META_TEMP}{uuid.uuid4().hex}"
    try:
        tmp.write_text(meta_text(record), encoding="utf-8")
        os.replace(tmp, store / META_FILE)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_superseded(store: Path, current: str) -> None:
    """Remove what the published ``meta.json`` no longer names: other version folders, the
    files of a version 1 layout, temporaries of interrupted saves. Call with the lock held.

    Other files a user put in the folder are left alone.
    """
    for entry in store.iterdir():
        name = entry.name
        if name == current:
            continue
        if name.startswith(VERSION_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        elif name in LEGACY_FILES or name.startswith(_META_TEMP):
            entry.unlink(missing_ok=True)


# -- .npy files -------------------------------------------------------------------------------
def open_npy(path: Path, shape: tuple[int, ...], *, mmap: bool) -> np.ndarray:
    """A little-endian float32 C-order ``.npy`` of exactly ``shape`` and no trailing bytes,
    memory-mapped read-only (``mmap=True``) or read; anything else is a
    :class:`VectorsFormatError` naming the file. ``FileNotFoundError`` passes through (the
    caller decides whether the store moved on)."""
    with open(path, "rb") as handle:
        offset, found_shape, dtype, fortran = _npy_header(path, handle)
        size = os.fstat(handle.fileno()).st_size
        if dtype != np.dtype("<f4") or fortran or found_shape != shape:
            raise VectorsFormatError(
                path,
                f"expected a float32 C-order array of shape {shape}, "
                f"found {dtype} {found_shape}{' (Fortran order)' if fortran else ''}",
            )
        expected = offset + 4 * math.prod(shape)  # Python ints: no overflow
        if size != expected:
            raise VectorsFormatError(
                path, f"expected {expected} bytes (header and data), found {size}", offset=size
            )
        if mmap:
            if expected == offset:  # numpy cannot map an empty range
                return np.zeros(shape, dtype=np.float32)
            return np.memmap(handle, dtype="<f4", mode="r", offset=offset, shape=shape)
        return np.fromfile(handle, dtype="<f4", count=math.prod(shape)).reshape(shape)


def _npy_header(path: Path, handle: BinaryIO) -> tuple[int, tuple[int, ...], np.dtype, bool]:
    """``(data offset, shape, dtype, fortran_order)`` of an open ``.npy`` file."""
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except Exception as exc:  # the header of an untrusted file: any failure is a format error
        raise VectorsFormatError(path, f"expected a .npy header ({exc})", offset=0) from None
    return handle.tell(), tuple(shape), dtype, bool(fortran)
