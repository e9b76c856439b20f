"""Opening vectors files that may be compressed: plain, ``.gz``, ``.bz2``, ``.xz`` or a member
of a ``.zip``.

Compression is detected from the file's magic bytes, not its name, so a gzip file called
``vectors.txt`` still opens. Decompression failures (a corrupt or truncated stream, a file that
is not the zip archive its first bytes claim) surface as
:class:`~nlptransfer._util.errors.VectorsFormatError` naming the file and the byte offset of the
compressed file that was reached.

Example:
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt.gz"
    >>> _ = p.write_bytes(gzip.compress(b"hello 1.0 2.0\\n"))
    >>> with open_vectors_file(p) as f:
    ...     f.read()
    b'hello 1.0 2.0\\n'
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from nlptransfer._util.errors import VectorsFormatError

GZIP_MAGIC = b"\x1f\x8b"
BZ2_MAGIC = b"BZh"
ZIP_MAGIC = b"PK\x03\x04"
XZ_MAGIC = b"\xfd7zXZ\x00"

#: Names inside a zip archive that are never the vectors themselves.
_NON_VECTOR_SUFFIXES = (".md", ".txt.md", ".html", ".pdf", ".license", ".json")


def sniff_compression(path: Path) -> str | None:
    """Return ``"gzip"``, ``"bz2"``, ``"xz"``, ``"zip"`` or ``None`` from the first bytes of
    ``path``."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(BZ2_MAGIC):
        return "bz2"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(XZ_MAGIC):
        return "xz"
    return None


def open_zip(path: Path) -> zipfile.ZipFile:
    """``path`` as a zip archive, or :class:`VectorsFormatError` naming it (truncated, corrupt).

    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "cut.zip"
    >>> _ = bad.write_bytes(ZIP_MAGIC + b"cut short")
    >>> open_zip(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.VectorsFormatError: .../cut.zip: expected a zip archive, found ...
    """
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        size = path.stat().st_size
        raise VectorsFormatError(
            path,
            f"expected a zip archive, found a truncated or corrupt one of {size} bytes ({exc})",
        ) from None


def choose_zip_member(path: Path, member: str | None) -> str:
    """Pick the archive member to read: ``member`` if given, else the only vectors-like file."""
    with open_zip(path) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if member is not None:
        if member not in names:
            raise VectorsFormatError(
                path, f"expected a member named {member!r} in the zip archive, found {names}"
            )
        return member
    candidates = [n for n in names if not n.lower().endswith(_NON_VECTOR_SUFFIXES)]
    if len(candidates) == 1:
        return candidates[0]
    raise VectorsFormatError(
        path,
        f"expected exactly one vectors file in the zip archive, found {len(candidates)}: "
        f"{candidates[:20]}; choose one with member=...",
    )


def inner_name(path: Path, member: str | None = None) -> str:
    """The name of the decompressed content: ``v.txt.gz`` -> ``v.txt``, or the zip member."""
    kind = sniff_compression(path)
    if kind == "zip":
        return choose_zip_member(path, member)
    name = path.name
    for suffix in (".gz", ".bz2", ".gzip", ".xz"):
        if kind is not None and name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


@contextlib.contextmanager
def open_vectors_file(path: str | Path, member: str | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for binary reading, decompressing transparently.

    Errors raised by the decompressor while the caller reads are re-raised as
    :class:`VectorsFormatError` naming the file.
    """
    path = Path(path)
    kind = sniff_compression(path)
    # GzipFile, BZ2File, LZMAFile and ZipExtFile are binary streams that typeshed does not
    # count as typing.BinaryIO, hence the ignores below. The compressed file is opened here, so
    # that how far its reader got can be told when the data turns out corrupt.
    stream: BinaryIO
    raw: BinaryIO | None = None
    archive: zipfile.ZipFile | None = None
    if kind == "zip":
        archive = open_zip(path)
        try:
            stream = archive.open(choose_zip_member(path, member))  # type: ignore[assignment]
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
            offset = _offset(archive.fp)  # type: ignore[arg-type]
            archive.close()
            raise VectorsFormatError(
                path, f"cannot read the zip member ({exc})", offset=offset
            ) from None
        raw = archive.fp  # type: ignore[assignment]
    else:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
        if kind == "gzip":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        elif kind == "bz2":
            stream = bz2.BZ2File(raw, "rb")  # type: ignore[assignment]
        elif kind == "xz":
            stream = lzma.LZMAFile(raw, "rb")  # type: ignore[assignment]  # noqa: SIM115
        else:
            stream = raw
    try:
        with decompression_errors(path, raw):
            yield stream
    finally:
        stream.close()
        if raw is not None and archive is None:
            raw.close()
        if archive is not None:
            archive.close()


def _offset(raw: BinaryIO | None) -> int | None:
    try:
        return None if raw is None or raw.closed else raw.tell()
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def decompression_errors(path: Path, raw: BinaryIO | None = None) -> Iterator[None]:
    """Turn a decompressor's exception into a :class:`VectorsFormatError` naming ``path`` and,
    where ``raw`` (the compressed file being read) is given, the byte offset reached in it."""
    try:
        yield
    except (gzip.BadGzipFile, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise VectorsFormatError(
            path, f"corrupt compressed data ({exc})", offset=_offset(raw)
        ) from exc
    except EOFError as exc:
        raise VectorsFormatError(
            path,
            f"compressed data ends early; the file is truncated ({exc})",
            offset=_offset(raw),
        ) from exc
    except OSError as exc:
        if "Invalid data stream" in str(exc):  # bz2
            raise VectorsFormatError(
                path, f"corrupt compressed data ({exc})", offset=_offset(raw)
            ) from exc
        raise
