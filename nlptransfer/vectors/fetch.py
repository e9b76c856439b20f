"""Filling the cache: download a catalogue entry's file, read it, save it as the native store.

The first :func:`ensure_store` of a name downloads it (see :mod:`nlptransfer.vectors.download`),
reads it (a ``.zip`` member is read in place once every member's name has been checked; a
``.tar`` member is extracted by :func:`~nlptransfer.vectors.archive.safe_extract`) and saves
the native store where :func:`~nlptransfer.vectors.cache.store_path` says; every later load
memory-maps that store.

A cached download is used for an entry only once it matches that entry's checksums (its digests
are recorded when it is verified, so this costs a file read at most once per checksum): two
entries may name one URL with different checksums, or an entry's checksum may have been edited
since the download. A cached file that differs is refused with
:class:`~nlptransfer._util.errors.ChecksumMismatchError` naming the entry, the file, the expected
and the found digest, and it is kept: it may be the right file for the other entry, and fetching
the same URL again would most likely bring the same bytes, so which of the two is right is a
decision for whoever keeps the catalogue (``download --force`` deletes it and downloads again).
A store records the checksum of the file it was made from only when that checksum was compared.

Example:
    >>> download_vectors("glove-6b-50d").name  # installed from PyPI: nothing to download
    'glove_6B_50d_emb.npy'
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from nlptransfer._util.errors import (
    ChecksumMismatchError,
    DownloadError,
    UnsafeArchiveError,
    VectorsFormatError,
    VectorsNotFoundError,
)
from nlptransfer._util.files import exclusive_lock
from nlptransfer.vectors.archive import archive_kind, check_archive, safe_extract
from nlptransfer.vectors.cache import (
    download_path,
    offline_error,
    offline_mode,
    remove_cached,
    store_checksum_agrees,
    store_is_current,
    store_path,
    vectors_dir,
)
from nlptransfer.vectors.catalog import (
    CatalogEntry,
    Source,
    catalog_entry,
    package_files,
    package_installed,
)
from nlptransfer.vectors.download import (
    DownloadPolicy,
    download_file,
    verify_cached,
)
from nlptransfer.vectors.read import read_vectors
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)


def check_cached_download(
    entry: CatalogEntry, source: Source, path: Path, *, progress: bool | None = None
) -> None:
    """Make sure the cached download ``path`` of ``source`` is the file ``entry`` asks for.

    Raises:
        ChecksumMismatchError: its size or a checksum differs from ``source``'s (the file is kept).
    """
    try:
        verify_cached(
            path, sha256=source.sha256, md5=source.md5, size=source.size, progress=progress
        )
    except ChecksumMismatchError as exc:
        raise ChecksumMismatchError(
            f"{entry.name!r}: the cached download {path} is not the file its catalogue entry "
            f"asks for: {exc}. It was kept (another entry with the URL {source.urls[0]} may have "
            "downloaded it, or the entry's checksum changed since): correct the entry, or run "
            f"`nlptransfer vectors download {entry.name} --force` to delete it and download again"
        ) from None


def fetch(
    entry: CatalogEntry, *, progress: bool | None = None, policy: DownloadPolicy | None = None
) -> tuple[Source, Path]:
    """The first source of ``entry`` that is cached or downloads, and its file.

    A cached file is checked against the source's checksums first (:func:`check_cached_download`).

    Raises:
        OfflineError: offline mode is on and no source is cached.
        ChecksumMismatchError: a source served the wrong bytes and none served the right ones,
            or a cached file is not the one this entry asks for.
        DownloadError: no source could be downloaded (the message says why, for each).
    """
    if not entry.sources:
        raise VectorsNotFoundError(f"{entry.name!r} has no sources to download")
    for source in entry.sources:
        path = download_path(source)
        if path.is_file():
            check_cached_download(entry, source, path, progress=progress)
            return source, path
    if offline_mode():
        raise offline_error(entry)
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
        return read_vectors(path, format=fmt, progress=progress)
    try:
        check_archive(path)
    except UnsafeArchiveError:
        path.unlink(missing_ok=True)
        logger.error("deleted the unsafe archive %s", path)
        raise
    if kind == "zip":
        return read_vectors(path, format=fmt, member=source.member, progress=progress)
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
        vectors = read_vectors(extracted[0], format=fmt, progress=progress)
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
    if store_is_current(entry, target):
        return target
    cached_download = any(download_path(s).is_file() for s in entry.sources)
    if offline_mode() and not cached_download:
        # made from an earlier version of the entry: better than nothing, unless from other bytes
        if target.is_dir() and store_checksum_agrees(entry, target):
            logger.warning(
                "offline: using %s, made from a different catalogue source than %s now lists",
                target,
                entry.name,
            )
            return target
        raise offline_error(entry)
    with exclusive_lock(target.with_suffix(".lock"), what=f"preparing {entry.name!r}"):
        if store_is_current(entry, target):
            return target
        source, path = fetch(entry, progress=progress, policy=policy)
        return _convert(entry, source, path, target, progress)


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
            raise offline_error(entry)
        for path in remove_cached(entry):
            logger.info("removed %s", path)
    if convert:
        return ensure_store(entry, progress=progress)
    return fetch(entry, progress=progress)[1]
