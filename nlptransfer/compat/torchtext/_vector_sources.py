"""Where a torchtext ``Vectors(name, cache, url)`` finds its vectors, in this library's terms.

:func:`find_vectors` tries, in order:

1. ``name`` as a path (a file in any format :func:`~nlptransfer.vectors.read_vectors` reads, or
   a native ``.ntv`` store);
2. ``cache/name``: a file torchtext downloaded or extracted there before (``.vector_cache``);
3. ``name`` in the catalogue, either a catalogue name (``"glove-6b-50d"``) or the file name
   torchtext gave those vectors (``"glove.6B.50d.txt"``, see :data:`TORCHTEXT_FILES`):
   downloaded with checksums where published, TLS verified, stored natively;
4. ``url``: downloaded once through the same resumable, TLS-verified downloader into this
   library's cache (no checksum is known for a bare URL: a warning says so), ``name`` read
   from it (inside it, for an archive), stored natively.

A file read from a path (1, 2) is saved as a native store in ``cache`` beside torchtext's old
``.pt`` files, so the next run memory-maps it instead of parsing text again.

Example:
    >>> find_vectors("glove.6B.50d.txt", cache=".vector_cache", max_vectors=3).words
    ['the', ',', '.']
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from nlptransfer._util.errors import CompatError
from nlptransfer.vectors import Vectors, load_vectors, read_vectors
from nlptransfer.vectors.catalog import CatalogEntry, Source, catalog
from nlptransfer.vectors.fetch import ensure_store
from nlptransfer.vectors.formats.native import NATIVE_SUFFIX
from nlptransfer.vectors.read import select_rows

logger = logging.getLogger(__name__)

_GLOVE_DIMS = {"6B": (50, 100, 200, 300), "42B": (300,), "840B": (300,)}
_GLOVE_TWITTER_DIMS = (25, 50, 100, 200)

#: torchtext's file names for the vectors it downloaded -> this library's catalogue names.
#: ``wiki.en.vec`` (``FastText(language="en")``: fastText's Wikipedia vectors of Bojanowski et al.
#: 2016, not in the catalogue) maps to the closest English release the catalogue holds,
#: fastText's Wikipedia 2017 + UMBC + news vectors ``fasttext-wiki-news-300d-1m``.
TORCHTEXT_FILES: dict[str, str] = {
    **{
        f"glove.{corpus}.{dim}d.txt": f"glove-{corpus.lower()}-{dim}d"
        for corpus, dims in _GLOVE_DIMS.items()
        for dim in dims
    },
    **{f"glove.twitter.27B.{dim}d.txt": f"glove-twitter-27b-{dim}d" for dim in _GLOVE_TWITTER_DIMS},
    "wiki.en.vec": "fasttext-wiki-news-300d-1m",
}

#: Records, in a store cached from a local file, which file (and which version of it) it holds.
_ORIGIN_KEY = "compat_origin"


def find_vectors(
    name: str | os.PathLike[str],
    *,
    cache: str | os.PathLike[str] | None = None,
    url: str | None = None,
    max_vectors: int | None = None,
) -> Vectors:
    """The vectors torchtext's ``Vectors(name, cache, url, max_vectors=...)`` would have loaded.

    ``max_vectors`` keeps the first rows (``None`` or 0: all, as in torchtext).

    Raises:
        CompatError: nothing at ``name``, in ``cache``, in the catalogue, and no ``url`` (a
            ``RuntimeError``, as torchtext's "no vectors found").
        DownloadError, ChecksumMismatchError, OfflineError: a download failed (see
            :func:`~nlptransfer.vectors.load_vectors`).
        VectorsFormatError: the file is malformed (the message names the line).
    """
    cache_dir = Path(".vector_cache" if cache is None else cache)
    limit = max_vectors or None
    path = Path(name)
    if path.exists():
        return _read_local(path, cache_dir, limit)
    cached = cache_dir / path
    if cached.exists():
        return _read_local(cached, cache_dir, limit)
    known = catalog()
    catalog_name = TORCHTEXT_FILES.get(str(name), str(name))
    if catalog_name in known:
        if catalog_name != str(name):
            logger.info("%s: this library's catalogue name is %r", name, catalog_name)
        return load_vectors(catalog_name, limit=limit)
    if url:
        return _download(str(name), url, limit)
    raise CompatError(
        f"no vectors found at {cached}: {name!r} is not a file, not in the cache folder "
        f"{cache_dir}, not a catalogue name (nor torchtext's name for one: "
        f"{', '.join(sorted(TORCHTEXT_FILES))}), and no url was given"
    )


def _read_local(path: Path, cache_dir: Path, limit: int | None) -> Vectors:
    """A local file, through a native store kept in ``cache_dir`` (made on the first read)."""
    if path.is_dir():  # a native store already
        return read_vectors(path, limit=limit)
    suffix = f"_{limit}" if limit else ""
    store = cache_dir / f"{path.name}{suffix}{NATIVE_SUFFIX}"
    origin = _origin(path)
    if store.is_dir():
        try:
            vectors = Vectors.load(store)
        except (OSError, ValueError) as exc:  # a broken store (format errors are ValueErrors)
            logger.warning("remaking the cached store %s: %s", store, exc)
        else:
            if vectors.meta.get(_ORIGIN_KEY) == origin:
                vectors.meta["source"] = str(path)
                return vectors
            logger.info("%s changed since %s was made: reading it again", path, store)
    vectors = read_vectors(path, limit=limit)
    vectors.meta[_ORIGIN_KEY] = origin
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        vectors.save(store)
    except OSError as exc:
        logger.warning(
            "could not cache %s as %s (%s): the next run reads it again", path, store, exc
        )
    else:
        logger.info("cached %s as the native store %s", path, store)
    return vectors


def _origin(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _download(name: str, url: str, limit: int | None) -> Vectors:
    """``name`` from the file at ``url`` (a member of it, for an archive), stored natively in
    this library's cache under a name made from both."""
    member = Path(name).name
    digest = hashlib.sha256(f"{url}\n{member}".encode()).hexdigest()[:12]
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", member).strip("-") or "vectors"
    entry = CatalogEntry(
        name=f"url-{label}-{digest}",
        description=f"{member} from {url} (torchtext compatibility)",
        sources=(Source(urls=(url,), member=member),),
    )
    vectors = Vectors.load(ensure_store(entry))
    vectors.meta["source"] = url
    return select_rows(vectors, limit=limit)
