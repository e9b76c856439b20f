"""``Vectors``: pretrained word vectors as a word list plus a float32 matrix.

The vocabulary is a plain list (row order) and a dict from word to row built on first use; the
matrix is a float32 numpy array, read-only when memory-mapped from a native store. fastText models
carry their subword model, so :meth:`Vectors.vector` gives a vector for any word.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import UnknownWordError
from nlptransfer._util.extras import require
from nlptransfer._util.files import file_digests
from nlptransfer.vectors.formats.native import load_native, save_native


def file_sha256(path: str | Path) -> str:
    """The SHA-256 hex digest of a file (see :func:`nlptransfer._util.files.file_digests`)."""
    return file_digests(path, ["sha256"])["sha256"]


class Vectors:
    """Pretrained word vectors: ``words[i]`` is the word of ``matrix[i]``.

    Args:
        words: the vocabulary in row order (unique).
        matrix: float32 array ``[len(words), dim]``.
        subwords: a fastText subword model, giving vectors for out-of-vocabulary words.
        meta: provenance (``source``, ``format``, ``source_sha256``, ...).

    Example:
        >>> import numpy as np
        >>> v = Vectors(["cat", "dog"], np.array([[1, 0], [0, 1]], dtype=np.float32))
        >>> len(v), v.dim, "cat" in v, v.index("dog")
        (2, 2, True, 1)
        >>> v["cat"]
        array([1., 0.], dtype=float32)
    """

    def __init__(
        self,
        words: list[str],
        matrix: np.ndarray,
        *,
        subwords: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if matrix.ndim != 2:
            raise ValueError(f"matrix must be 2-D [words, dim], got shape {matrix.shape}")
        if len(words) != matrix.shape[0]:
            raise ValueError(f"{len(words)} words but {matrix.shape[0]} matrix rows")
        if matrix.dtype != np.float32:
            matrix = matrix.astype(np.float32)
        self.words: list[str] = list(words) if not isinstance(words, list) else words
        self.matrix: np.ndarray = matrix
        self.subwords = subwords
        self.meta: dict[str, Any] = dict(meta or {})
        self._index: dict[str, int] | None = None

    # -- vocabulary -------------------------------------------------------------------------
    @property
    def key_to_index(self) -> dict[str, int]:
        """Word -> row, built on first use (so reopening a store stays fast)."""
        if self._index is None:
            index = {word: row for row, word in enumerate(self.words)}
            if len(index) != len(self.words):
                raise ValueError("Vectors words must be unique")
            self._index = index
        return self._index

    @property
    def dim(self) -> int:
        """The vectors' dimension."""
        return int(self.matrix.shape[1])

    @property
    def source(self) -> str | None:
        """Where the vectors were read from (a path or a catalogue name)."""
        return self.meta.get("source")

    @property
    def format(self) -> str | None:
        """The format the vectors were read from (``glove``, ``word2vec-bin``, ...)."""
        return self.meta.get("format")

    @property
    def has_subwords(self) -> bool:
        """True when out-of-vocabulary words get vectors from fastText subwords."""
        return self.subwords is not None

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def index(self, word: str) -> int:
        """The row of ``word``; :class:`~nlptransfer._util.errors.UnknownWordError` (a KeyError) if
        absent."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise UnknownWordError(f"{word!r} is not in the vocabulary of {self._name()}") from None

    def get_index(self, word: str, default: int | None = None) -> int | None:
        """The row of ``word``, or ``default``."""
        return self.key_to_index.get(word, default)

    def __getitem__(self, word: str | Iterable[str]) -> np.ndarray:
        """The row of a word (or a ``[n, dim]`` stack for a list of words); KeyError if unknown."""
        if isinstance(word, str):
            return self.matrix[self.index(word)]
        return self.matrix[[self.index(w) for w in word]]

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word``: its row, else its fastText subword vector.

        Raises:
            UnknownWordError: the word is unknown and the vectors carry no subword model.

        Example:
            >>> import numpy as np
            >>> Vectors(["a"], np.ones((1, 2), np.float32)).vector("a")
            array([1., 1.], dtype=float32)
        """
        row = self.key_to_index.get(word)
        if row is not None:
            return self.matrix[row]
        if self.subwords is not None:
            return self.subwords.vector(word)
        raise UnknownWordError(
            f"{word!r} is not in the vocabulary of {self._name()}, and these vectors have no "
            "subword model to build one (only fastText .bin/.ftz models do)"
        )

    def subset(self, words: Iterable[str]) -> Vectors:
        """A new in-memory ``Vectors`` with the given words that are present, in the given order.

        Example:
            >>> import numpy as np
            >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
            >>> v.subset(["c", "a", "zzz"]).words
            ['c', 'a']
        """
        index = self.key_to_index
        kept: list[str] = []
        seen: set[str] = set()
        for word in words:
            if word in index and word not in seen:
                seen.add(word)
                kept.append(word)
        rows = np.fromiter((index[w] for w in kept), dtype=np.int64, count=len(kept))
        meta = dict(self.meta, subset_of=self.meta.get("source"))
        return Vectors(kept, np.array(self.matrix[rows]), subwords=self.subwords, meta=meta)

    # -- similarity (nlptransfer.vectors.similarity does the work) ---------------------------
    def unit_matrix(self, *, refresh: bool = False) -> np.ndarray:
        """The rows scaled to unit length (read-only float32), computed once and cached.

        ``refresh=True`` recomputes it after the matrix was edited in place.

        Example:
            >>> import numpy as np
            >>> Vectors(["a"], np.array([[3, 4]], np.float32)).unit_matrix()
            array([[0.6, 0.8]], dtype=float32)
        """
        from nlptransfer.vectors.similarity import unit_matrix

        return unit_matrix(self, refresh=refresh)

    def nearest(
        self,
        queries: Any,
        k: int = 10,
        *,
        exclude: Any = None,
        restrict_vocab: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The ``k`` nearest words (cosine) of many query words or vectors at once.

        One list of ``(word, cosine)`` per query; query words are left out of their own
        results. See :func:`nlptransfer.vectors.similarity.nearest`.

        Example:
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d")
            >>> [[w for w, _ in hits] for hits in glove.nearest(["king", "frog"], k=2)]
            [['prince', 'queen'], ['snake', 'ape']]
        """
        from nlptransfer.vectors.similarity import nearest

        return nearest(self, queries, k, exclude=exclude, restrict_vocab=restrict_vocab)

    def most_similar(
        self,
        positive: Any,
        negative: Any = (),
        k: int = 10,
        *,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Words nearest to the sum of the ``positive`` minus the ``negative`` unit vectors.

        Terms are words or vectors, optionally ``(term, weight)``; as gensim's ``most_similar``.

        Example:
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d")
            >>> [w for w, _ in glove.most_similar(["king", "woman"], ["man"], k=2)]
            ['queen', 'throne']
        """
        from nlptransfer.vectors.similarity import most_similar

        return most_similar(self, positive, negative, k, restrict_vocab=restrict_vocab)

    def similarity(self, a: str | np.ndarray, b: str | np.ndarray) -> float:
        """Cosine similarity of two words (or vectors).

        Example:
            >>> from nlptransfer import load_vectors
            >>> round(load_vectors("glove-6b-50d").similarity("cat", "dog"), 3)
            0.922
        """
        from nlptransfer.vectors.similarity import similarity

        return similarity(self, a, b)

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        k: int = 1,
        *,
        method: str = "3cosadd",
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """``a`` is to ``b`` as ``c`` is to ...? ``method`` is ``"3cosadd"`` or ``"3cosmul"``.

        Example:
            >>> from nlptransfer import load_vectors
            >>> load_vectors("glove-6b-50d").analogy("man", "king", "woman")[0][0]
            'queen'
        """
        from nlptransfer.vectors.similarity import analogy

        return analogy(self, a, b, c, k, method=method, restrict_vocab=restrict_vocab)  # type: ignore[arg-type]

    def doesnt_match(self, words: list[str]) -> str:
        """The word that goes least with the others (furthest from their mean direction).

        Example:
            >>> from nlptransfer import load_vectors
            >>> load_vectors("glove-6b-50d").doesnt_match(["paris", "berlin", "rome", "apple"])
            'apple'
        """
        from nlptransfer.vectors.similarity import doesnt_match

        return doesnt_match(self, words)

    def coverage(self, data: Any, **options: Any) -> Any:
        """How much of a dataset's tokens these vectors cover: a ``CoverageReport``.

        ``data`` is an iterable of token lists or a ``Counter``; see
        :func:`nlptransfer.vectors.coverage.coverage_report` for the options.

        Example:
            >>> from nlptransfer import load_vectors
            >>> report = load_vectors("glove-6b-50d").coverage([["The", "movie", "zxqv"]])
            >>> report.covered_tokens, report.tokens, report.rule_tokens["lower"]
            (2, 3, 1)
        """
        from nlptransfer.vectors.coverage import coverage_report

        return coverage_report(self, data, **options)

    # -- provenance -------------------------------------------------------------------------
    def source_checksum(self) -> str | None:
        """SHA-256 of the source file, computed on first call (and kept in ``meta``)."""
        if "source_sha256" not in self.meta:
            path = self.meta.get("source_path")
            if not path or not os.path.isfile(path):
                return None
            self.meta["source_sha256"] = file_sha256(path)
        return self.meta["source_sha256"]

    def _name(self) -> str:
        return repr(self.source) if self.source else "these vectors"

    def __repr__(self) -> str:
        extra = ", subwords" if self.has_subwords else ""
        source = f", source={self.source!r}" if self.source else ""
        return f"Vectors({len(self)} words, dim={self.dim}{extra}{source})"

    # -- storage ----------------------------------------------------------------------------
    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write the native store (``<path>.ntv/``, pickle-free), atomically; returns its path.

        Example:
            >>> import numpy as np, tempfile, pathlib
            >>> v = Vectors(["a"], np.ones((1, 2), np.float32))
            >>> saved = v.save(pathlib.Path(tempfile.mkdtemp()) / "tiny")
            >>> saved.name, Vectors.load(saved).words
            ('tiny.ntv', ['a'])
        """
        meta = dict(self.meta)
        self.source_checksum()
        meta.update({k: v for k, v in self.meta.items() if k == "source_sha256"})
        return save_native(
            path, self.words, self.matrix, meta, subwords=self.subwords, overwrite=overwrite
        )

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = True) -> Vectors:
        """Open a native store; the matrix is memory-mapped read-only unless ``mmap=False``."""
        words, matrix, meta, subwords = load_native(path, mmap=mmap)
        meta["source_format"] = meta.get("source_format") or meta.get("format")
        meta["format"] = "native"
        meta["store_path"] = str(Path(path).resolve())
        return cls(words, matrix, subwords=subwords, meta=meta)

    def to_gensim(self):  # type: ignore[no-untyped-def]
        """A gensim ``KeyedVectors`` with the same words and rows (copies the matrix)."""
        gensim_models = require("gensim.models", extra="pretrain", purpose="conversions to gensim")
        kv = gensim_models.KeyedVectors(self.dim)
        kv.add_vectors(self.words, np.array(self.matrix))
        return kv
