"""Approximate nearest neighbours for very large vocabularies: an HNSW graph (faiss).

Exact search (:meth:`Vectors.nearest <nlptransfer.vectors.Vectors.nearest>`) reads the whole matrix for every
block of queries; an HNSW graph answers one query by visiting a few thousand rows, at the price
of a build (minutes for 400,000 words) and of recall below 1. Use it when single queries must be
fast on millions of rows; measure what it costs you with :func:`recall_at_k`.

faiss is an optional dependency: ``pip install 'nlptransfer[ann]'`` (``faiss-cpu``).

Example:
    >>> from nlptransfer import load_vectors
    >>> glove = load_vectors("glove-6b-50d", limit=20000)
    >>> index = ApproximateIndex.build(glove, m=16, ef_construction=64)  # doctest: +SKIP
    >>> [w for w, _ in index.nearest(["king"], k=3)[0]]  # doctest: +SKIP
    ['prince', 'queen', 'ii']
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from nlptransfer._util.errors import MissingExtraError, VectorsFormatError
from nlptransfer._util.files import atomic_directory
from nlptransfer._util.progress import progress_enabled
from nlptransfer.vectors.store import Vectors
from nlptransfer.vectors.topk import check_k, ranked_hits

logger = logging.getLogger(__name__)

#: Rows added to the graph at a time (one progress-bar step).
ADD_CHUNK_ROWS = 20_000
_INDEX_FILE = "hnsw.faiss"
_META_FILE = "index.json"
_FORMAT = "nlptransfer-hnsw"


def require_faiss() -> Any:
    """The ``faiss`` module, or :class:`~nlptransfer._util.errors.MissingExtraError` naming the extra.

    Example:
        >>> require_faiss().__name__  # doctest: +SKIP
        'faiss'
    """
    try:
        import faiss
    except ImportError as exc:
        raise MissingExtraError(
            "approximate nearest neighbours need faiss, which is not installed: "
            "pip install 'nlptransfer[ann]' (or pip install faiss-cpu)"
        ) from exc
    return faiss


def words_digest(words: Sequence[str]) -> str:
    """SHA-256 of the vocabulary in row order: ties a saved index to its vectors.

    Example:
        >>> words_digest(["a", "b"])[:12]
        '911169ddaaf1'
    """
    digest = hashlib.sha256()
    for word in words:
        digest.update(word.encode("utf-8", errors="surrogatepass") + b"\n")
    return digest.hexdigest()


class ApproximateIndex:
    """An HNSW graph over the unit vectors (inner product = cosine), searched with faiss.

    Build with :meth:`build`; :meth:`nearest` has the signature and the output of the exact
    :meth:`Vectors.nearest <nlptransfer.vectors.Vectors.nearest>` (query words left out of their
    results).

    Attributes:
        vectors: the vectors indexed.
        index: the ``faiss.IndexHNSWFlat``.
        params: ``m``, ``ef_construction`` (build) and ``ef_search``.
    """

    def __init__(self, vectors: Vectors, index: Any, params: dict[str, int]) -> None:
        if index.ntotal != len(vectors) or index.d != vectors.dim:
            raise ValueError(
                f"expected an index of {len(vectors)} x {vectors.dim} vectors, found "
                f"{index.ntotal} x {index.d}"
            )
        self.vectors = vectors
        self.index = index
        self.params = dict(params)
        self.ef_search = params.get("ef_search", 128)

    def __repr__(self) -> str:
        return f"ApproximateIndex({len(self.vectors)} words, {self.params})"

    @property
    def ef_search(self) -> int:
        """Candidates kept while searching: higher is slower and closer to exact."""
        return int(self.index.hnsw.efSearch)

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"ef_search must be >= 1, got {value}")
        self.index.hnsw.efSearch = int(value)
        self.params["ef_search"] = int(value)

    @classmethod
    def build(
        cls,
        vectors: Vectors,
        *,
        m: int = 16,
        ef_construction: int = 100,
        ef_search: int = 128,
        progress: bool | None = None,
    ) -> ApproximateIndex:
        """Build the graph over all rows (``m`` links per node, ``ef_construction`` candidates).

        On GloVe 6B 50d, ``m=16, ef_construction=100, ef_search=128`` gives recall@10 of about
        0.98 (see ``benchmarks/results/lookup.md``).
        """
        faiss = require_faiss()
        unit = vectors.unit_matrix()
        index = faiss.IndexHNSWFlat(vectors.dim, int(m), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = int(ef_construction)
        bar = tqdm(
            total=len(unit),
            desc="building HNSW index",
            unit=" rows",
            disable=not progress_enabled(progress),
            delay=1.0,
        )
        with bar:
            for start in range(0, len(unit), ADD_CHUNK_ROWS):
                block = np.ascontiguousarray(unit[start : start + ADD_CHUNK_ROWS])
                index.add(block)
                bar.update(len(block))
        params = {"m": int(m), "ef_construction": int(ef_construction), "ef_search": ef_search}
        logger.info("built an HNSW index over %d rows (%s)", len(unit), params)
        return cls(vectors, index, params)

    def nearest(
        self,
        queries: Sequence[str | np.ndarray] | np.ndarray,
        k: int = 10,
        *,
        exclude: Sequence[Iterable[str]] | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The (approximately) ``k`` nearest words per query, as exact ``nearest`` returns.

        Example:
            >>> from nlptransfer import load_vectors
            >>> v = load_vectors("glove-6b-50d", limit=5000)
            >>> index = ApproximateIndex.build(v)  # doctest: +SKIP
            >>> index.nearest(["king"], k=1)  # doctest: +SKIP
            [[('prince', 0.823...)]]
        """
        check_k(k)
        units, banned = self.vectors.query_units(queries, exclude=exclude)
        if k == 0 or len(units) == 0:
            return [[] for _ in range(len(units))]
        want = min(k + max(len(b) for b in banned), len(self.vectors))
        scores, rows = self.index.search(np.ascontiguousarray(units), want)
        words = self.vectors.words
        return [
            [(words[row], score) for row, score in hits]
            for hits in ranked_hits(scores, rows, banned, k)
        ]

    # -- storage ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the index to the folder ``path`` (faiss's own format plus ``index.json``).

        The JSON records the parameters and a digest of the vocabulary, so :meth:`load` can
        refuse to pair the graph with other vectors. No pickle.
        """
        faiss = require_faiss()
        meta = {
            "format": _FORMAT,
            "rows": len(self.vectors),
            "dim": self.vectors.dim,
            "words_sha256": words_digest(self.vectors.words),
            "params": self.params,
            "source": self.vectors.source,
        }
        with atomic_directory(Path(path)) as tmp:
            faiss.write_index(self.index, str(tmp / _INDEX_FILE))
            (tmp / _META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path: str | Path, vectors: Vectors) -> ApproximateIndex:
        """Read an index written by :meth:`save` for these ``vectors``.

        Raises:
            VectorsFormatError: the folder is not a saved index, was built on other vectors, or
                its faiss file is corrupt or truncated (naming the file).
        """
        faiss = require_faiss()
        folder = Path(path)
        try:
            meta = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VectorsFormatError(
                folder / _META_FILE, f"expected a saved HNSW index description, found {exc}"
            ) from None
        if not isinstance(meta, dict):
            raise VectorsFormatError(folder / _META_FILE, "expected a JSON object")
        digest = words_digest(vectors.words)
        if meta.get("format") != _FORMAT or meta.get("words_sha256") != digest:
            raise VectorsFormatError(
                folder,
                f"expected an index built on these vectors ({len(vectors)} words, vocabulary "
                f"digest {digest[:12]}), found one of {meta.get('rows')} words, digest "
                f"{str(meta.get('words_sha256'))[:12]}",
            )
        index_path = folder / _INDEX_FILE
        params = meta.get("params")
        if not isinstance(params, dict) or not all(isinstance(v, int) for v in params.values()):
            raise VectorsFormatError(
                folder / _META_FILE, f"expected the index's parameters, found {params!r:.80}"
            )
        try:
            index = faiss.read_index(str(index_path))
        except RuntimeError as exc:  # faiss reports a corrupt or truncated file as one
            detail = " ".join(str(exc).split())[:300]
            raise VectorsFormatError(
                index_path, f"expected a faiss index, found a corrupt one ({detail})"
            ) from None
        if index.ntotal != len(vectors) or index.d != vectors.dim:
            raise VectorsFormatError(
                index_path,
                f"expected an index of {len(vectors)} vectors of dimension {vectors.dim}, found "
                f"{index.ntotal} of dimension {index.d}",
            )
        return cls(vectors, index, params)


def recall_at_k(
    index: ApproximateIndex, queries: Sequence[str | np.ndarray] | np.ndarray, k: int = 10
) -> float:
    """Mean share of the exact top ``k`` that the approximate search also returns.

    Example:
        >>> from nlptransfer import load_vectors
        >>> v = load_vectors("glove-6b-50d", limit=5000)
        >>> recall_at_k(ApproximateIndex.build(v), v.words[:100], k=10) > 0.9  # doctest: +SKIP
        True
    """
    exact = index.vectors.nearest(queries, k)
    approximate = index.nearest(queries, k)
    shares = [
        len({w for w, _ in a} & {w for w, _ in e}) / len(e)
        for a, e in zip(approximate, exact, strict=True)
        if e
    ]
    return float(np.mean(shares)) if shares else 1.0
