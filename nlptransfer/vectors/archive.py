"""Archives of downloaded vectors (``.zip``, ``.tar``): checked member by member, extracted safely.

A member whose name would land outside the folder it is extracted into (``../x``, ``/x``), or that
is a link or a special file, refuses the whole archive before anything is written. So does an
archive that would unpack to more than :func:`extraction_limit` bytes (a "zip bomb"): checked on
the sizes its members declare before anything is written, and again on the bytes actually
written, in case a header lies.

Example:
    >>> import pathlib, tempfile, zipfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(folder / "a.zip", "w") as z:
    ...     z.writestr("glove/v.txt", "cat 1 2\\n")
    >>> archive_kind(folder / "a.zip"), check_archive(folder / "a.zip")
    ('zip', ['glove/v.txt'])
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from nlptransfer._util.errors import UnsafeArchiveError, VectorsFormatError
from nlptransfer._util.files import atomic_output
from nlptransfer.vectors.formats.compression import sniff_compression

#: An archive may unpack to this many times its own size (vectors compress 2-4 times; zip and
#: tar bombs by thousands), or to :data:`MIN_EXTRACTION_LIMIT`, whichever is more.
MAX_EXPANSION_RATIO = 20
#: The least an archive may always unpack to, however small it is.
MIN_EXTRACTION_LIMIT = 64 * 1024 * 1024


def extraction_limit(archive: str | Path) -> int:
    """The most bytes ``archive`` may unpack to: :data:`MAX_EXPANSION_RATIO` times its size, at
    least :data:`MIN_EXTRACTION_LIMIT`.

    >>> import pathlib, tempfile
    >>> small = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> _ = small.write_bytes(b"PK")
    >>> extraction_limit(small) == MIN_EXTRACTION_LIMIT
    True
    """
    return max(MAX_EXPANSION_RATIO * Path(archive).stat().st_size, MIN_EXTRACTION_LIMIT)


def _too_big(archive: Path, size: int, limit: int) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"{archive}: refusing the archive: expected it to unpack to at most {limit:,} bytes "
        f"({MAX_EXPANSION_RATIO} times its size), found {size:,} or more (a zip or tar bomb?)"
    )


def archive_kind(path: str | Path) -> str | None:
    """``"zip"``, ``"tar"`` (plain or compressed) or ``None``, from the file's content."""
    path = Path(path)
    if sniff_compression(path) == "zip":
        return "zip"
    try:
        return "tar" if tarfile.is_tarfile(path) else None
    except (OSError, EOFError, tarfile.TarError):
        return None


def _member_problem(name: str) -> str | None:
    """Why writing member ``name`` under a folder would be unsafe, or ``None``."""
    normalised = name.replace("\\", "/")
    parts = PurePosixPath(normalised).parts
    if not name or "\x00" in name:
        return "an empty or NUL-containing name"
    if normalised.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in parts:
        return "a '..' component that climbs out of the folder"
    return None


def _archive_members(path: Path, kind: str) -> list[tuple[str, str | None]]:
    """``(name, problem)`` for every member; ``problem`` is ``None`` for safe ones."""
    return _zip_members(path) if kind == "zip" else _tar_members(path)


def _zip_members(path: Path) -> list[tuple[str, str | None]]:
    members: list[tuple[str, str | None]] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            problem = _member_problem(info.filename)
            if problem is None and stat.S_ISLNK(info.external_attr >> 16):
                problem = "a symbolic link"
            members.append((info.filename, problem))
    return members


def _tar_members(path: Path) -> list[tuple[str, str | None]]:
    members: list[tuple[str, str | None]] = []
    with tarfile.open(path) as archive:
        for info in archive.getmembers():
            problem = _member_problem(info.name)
            if problem is None and (info.issym() or info.islnk()):
                problem = f"a link (to {info.linkname!r})"
            elif problem is None and not (info.isfile() or info.isdir()):
                problem = "a device, FIFO or other special file"
            members.append((info.name, problem))
    return members


def check_archive(path: str | Path) -> list[str]:
    """The member names of a ``.zip`` or ``.tar`` archive, all of them checked as safe.

    Raises:
        UnsafeArchiveError: a member has an absolute path, climbs out with ``..``, or is a
            link or special file: the archive may be malicious and is not used at all.
        VectorsFormatError: ``path`` is not a zip or tar archive.
    """
    path = Path(path)
    kind = archive_kind(path)
    if kind is None:
        raise VectorsFormatError(path, "expected a .zip or .tar archive, found neither")
    try:
        members = _archive_members(path, kind)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise VectorsFormatError(path, f"corrupt {kind} archive ({exc})") from None
    unsafe = [f"{name!r} ({problem})" for name, problem in members if problem]
    if unsafe:
        raise UnsafeArchiveError(
            f"{path}: refusing the archive: expected members with relative paths inside it, "
            f"found {', '.join(unsafe[:5])}{' ...' if len(unsafe) > 5 else ''}"
        )
    return [name for name, _ in members]


def safe_extract(
    archive: str | Path, dest: str | Path, members: list[str] | None = None
) -> list[Path]:
    """Extract regular files of a ``.zip`` or ``.tar`` archive under ``dest``, safely.

    Every member's name is checked first (:func:`check_archive`): one that would land outside
    ``dest`` (``../x``, ``/x``) or is a link refuses the whole archive before anything is
    written. Each file appears atomically.

    Args:
        archive: the archive.
        dest: the folder to extract into (created if missing).
        members: the members to extract (default: every regular file).

    Returns:
        The paths written, in the order of ``members``.

    Example:
        >>> import pathlib, tempfile, zipfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with zipfile.ZipFile(folder / "a.zip", "w") as z:
        ...     z.writestr("sub/v.txt", "cat 1 2\\n")
        >>> [p.relative_to(folder).as_posix() for p in safe_extract(folder / "a.zip", folder / "x")]
        ['x/sub/v.txt']
    """
    archive, dest = Path(archive), Path(dest)
    names = check_archive(archive)
    root = dest.resolve()
    limit = extraction_limit(archive)
    written: list[Path] = []
    with _MemberReader(archive, archive_kind(archive) == "zip") as reader:
        chosen = reader.regular_files() if members is None else members
        for name in chosen:
            if name not in names:
                raise VectorsFormatError(
                    archive, f"expected a member named {name!r}, found {names[:20]}"
                )
        declared = sum(reader.declared_size(name) for name in chosen)
        if declared > limit:
            raise _too_big(archive, declared, limit)
        total = 0
        for name in chosen:
            target = (root / name.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):  # checked above; kept as a second guard
                raise UnsafeArchiveError(f"{archive}: member {name!r} would land outside {dest}")
            with reader.open(name) as stream, atomic_output(target) as tmp, open(tmp, "wb") as out:
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > limit:  # a header that lied about its size
                        raise _too_big(archive, total, limit)
                    out.write(chunk)
            written.append(target)
    return written


class _MemberReader:
    """Reads members of a zip or tar archive, one interface for both."""

    def __init__(self, path: Path, is_zip: bool) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path) if is_zip else None
        self._tar = None if is_zip else tarfile.open(path)  # noqa: SIM115 - closed by __exit__

    def regular_files(self) -> list[str]:
        if self._zip is not None:
            return [i.filename for i in self._zip.infolist() if not i.is_dir()]
        assert self._tar is not None
        return [i.name for i in self._tar.getmembers() if i.isfile()]

    def declared_size(self, name: str) -> int:
        """The size member ``name`` says it unpacks to."""
        if self._zip is not None:
            return self._zip.getinfo(name).file_size
        assert self._tar is not None
        return self._tar.getmember(name).size

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(name)
        assert self._tar is not None
        stream = self._tar.extractfile(name)
        if stream is None:
            raise VectorsFormatError(self.path, f"expected {name!r} to be a file")
        return stream

    def __enter__(self) -> _MemberReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()
