"""Opening vectors files that may be compressed: plain, ``.gz``, ``.bz2`` or a member of a ``.zip``.

Compression is detected from the file's magic bytes, not its name, so a gzip file called
``vectors.txt`` still opens. Decompression failures (a corrupt or truncated archive) surface as
:class:`~nlptransfer._util.errors.VectorsFormatError` naming the file.

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
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from nlptransfer._util.errors import VectorsFormatError

GZIP_MAGIC = b"\x1f\x8b"
BZ2_MAGIC = b"BZh"
ZIP_MAGIC = b"PK\x03\x04"

#: Names inside a zip archive that are never the vectors themselves.
_NON_VECTOR_SUFFIXES = (".md", ".txt.md", ".html", ".pdf", ".license", ".json")


def sniff_compression(path: Path) -> str | None:
    """Return ``"gzip"``, ``"bz2"``, ``"zip"`` or ``None`` from the first bytes of ``path``."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(BZ2_MAGIC):
        return "bz2"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    return None


def choose_zip_member(path: Path, member: str | None) -> str:
    """Pick the archive member to read: ``member`` if given, else the only vectors-like file."""
    with zipfile.ZipFile(path) as archive:
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
    for suffix in (".gz", ".bz2", ".gzip"):
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
    # GzipFile, BZ2File and ZipExtFile are binary streams that typeshed does not count as
    # typing.BinaryIO, hence the three ignores below.
    stream: BinaryIO
    if kind == "gzip":
        stream = gzip.open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
    elif kind == "bz2":
        stream = bz2.open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115
    elif kind == "zip":
        archive = zipfile.ZipFile(path)
        stream = archive.open(choose_zip_member(path, member))  # type: ignore[assignment]
    else:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    try:
        with decompression_errors(path):
            yield stream
    finally:
        stream.close()
        if kind == "zip":
            archive.close()


@contextlib.contextmanager
def decompression_errors(path: Path) -> Iterator[None]:
    """Turn a decompressor's exception into a :class:`VectorsFormatError` naming ``path``."""
    try:
        yield
    except (gzip.BadGzipFile, zlib.error, zipfile.BadZipFile) as exc:
        raise VectorsFormatError(path, f"corrupt compressed data ({exc})") from exc
    except EOFError as exc:
        raise VectorsFormatError(
            path, f"compressed data ends early; the file is truncated ({exc})"
        ) from exc
    except OSError as exc:
        if "Invalid data stream" in str(exc):  # bz2
            raise VectorsFormatError(path, f"corrupt compressed data ({exc})") from exc
        raise
