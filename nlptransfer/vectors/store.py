"""``Vectors``: pretrained word vectors as a word list plus a float32 matrix.

The vocabulary is a plain list (row order) and a dict from word to row built on first use; the
matrix is a float32 numpy array, read-only when memory-mapped from a native store. fastText models
carry their subword model, so :meth:`Vectors.vector` gives a vector for any word.

``Vectors`` translates between words and rows; the work is done on arrays by
:mod:`~nlptransfer.vectors.neighbours` and :mod:`~nlptransfer.vectors.analogy` (over
:mod:`~nlptransfer.vectors.topk`), :mod:`~nlptransfer.vectors.fallback` and
:mod:`~nlptransfer.vectors.coverage`, none of which knows ``Vectors``. What they need computed
once (the unit-normalised matrix or the row norms, the case-folded index) is cached on the
``Vectors`` object: :meth:`Vectors.clear_caches` forgets it.

Similarity search reads :meth:`Vectors.unit_view`: for a memory-mapped store, the mapped matrix
divided row by row by the store's norms as it is read (so processes searching one store share it
through the page cache, and none builds a normalised copy); for vectors in memory, the cached
unit matrix.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import UnknownWordError
from nlptransfer._util.files import file_digests
from nlptransfer.text.tokenize import Tokenizer, tokenizer_from_config
from nlptransfer.vectors import analogy, neighbours
from nlptransfer.vectors.coverage import CoverageReport, coverage_report
from nlptransfer.vectors.describe import VectorsDescription, describe_vectors
from nlptransfer.vectors.fallback import Lookup, folded_index
from nlptransfer.vectors.formats.native import read_native, save_native
from nlptransfer.vectors.gensim_bridge import keyed_vectors, parts_of_keyed_vectors
from nlptransfer.vectors.spacy_bridge import set_spacy_vectors, spacy_vectors_parts
from nlptransfer.vectors.topk import (
    Hits,
    ScaledRows,
    UnitRows,
    check_k,
    row_norms,
    unit_matrix_of,
    unit_vector,
)

logger = logging.getLogger(__name__)


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
        norms: each row's L2 norm, when known (a native store keeps them): similarity then
            reads the matrix through them instead of building a normalised copy.

    Example:
        >>> import numpy as np
        >>> v = Vectors(["cat", "dog"], np.array([[1, 0], [0, 1]], dtype=np.float32))
        >>> len(v), v.dim, "cat" in v, v.index("dog")
        (2, 2, True, 1)
        >>> v["cat"]
        array([1., 0.], dtype=float32)
    """

    # Caches, built on first use (see clear_caches). The unit matrix and the folded index
    # remember what they were built from, so replacing ``matrix`` or ``words`` rebuilds them.
    _index: dict[str, int] | None
    _unit_cache: tuple[np.ndarray, np.ndarray] | None  # (matrix it was built from, unit rows)
    _norms: tuple[np.ndarray, ScaledRows] | None  # (matrix, the matrix read through its norms)
    _folded_cache: tuple[list[str], int, dict[str, int]] | None  # (words, their count, index)

    def __init__(
        self,
        words: list[str],
        matrix: np.ndarray,
        *,
        subwords: Any = None,
        meta: dict[str, Any] | None = None,
        norms: np.ndarray | None = None,
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
        self._index = None
        self._unit_cache = None
        self._folded_cache = None
        self._norms = None
        if norms is not None and matrix.dtype == np.float32:
            self._norms = (self.matrix, ScaledRows(self.matrix, norms))

    def clear_caches(self) -> None:
        """Forget the word index, the unit-normalised matrix (or row norms) and the folded index.

        Call it after editing ``words`` or ``matrix`` in place; they are rebuilt on next use.
        (Replacing ``matrix`` or ``words`` with a new object rebuilds the unit matrix and the
        folded index by itself.)

        Example:
            >>> import numpy as np
            >>> v = Vectors(["a"], np.array([[3, 4]], np.float32))
            >>> unit = v.unit_matrix()
            >>> v.matrix[0] = [0, 2]
            >>> v.clear_caches()
            >>> v.unit_matrix().tolist()
            [[0.0, 1.0]]
        """
        self._index = None
        self._unit_cache = None
        self._folded_cache = None
        self._norms = None

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

    @property
    def has_tokenizer(self) -> bool:
        """True for token vectors that carry their tokenizer (model2vec, WordLlama): their
        words are its tokens, so text must be split by it (:meth:`tokenizer`)."""
        return isinstance(self.meta.get("tokenizer"), dict)

    def tokenizer(self) -> Tokenizer | None:
        """The tokenizer these token vectors were made for, or ``None`` for word vectors.

        Split with it, every token of every text has a row: a classifier built on these vectors
        uses it unless told otherwise. The ``hf`` tokenizer needs the ``static`` extra.

        Example:
            >>> import numpy as np
            >>> Vectors(["a"], np.ones((1, 2), np.float32)).tokenizer() is None
            True
        """
        config = self.meta.get("tokenizer")
        return tokenizer_from_config(config) if isinstance(config, dict) else None

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

    def folded_index(self) -> dict[str, int]:
        """Case-folded NFKC form of each word -> its first row; built once, then cached.

        What the ``casefold`` fallback rule searches (see
        :func:`nlptransfer.vectors.fallback.normalize_form`).

        Example:
            >>> import numpy as np
            >>> Vectors(["Ａb", "ab"], np.eye(2, dtype=np.float32)).folded_index()
            {'ab': 0}
        """
        words = self.words
        cached = self._folded_cache
        if cached is not None and cached[0] is words and cached[1] == len(words):
            return cached[2]
        folded = folded_index(words)
        self._folded_cache = (words, len(words), folded)
        return folded

    def lookup(self) -> Lookup:
        """The vocabulary as the fallback rules search it (:mod:`nlptransfer.vectors.fallback`).

        Example:
            >>> import numpy as np
            >>> from nlptransfer.vectors.fallback import resolve
            >>> v = Vectors(["the", "cat"], np.eye(2, dtype=np.float32))
            >>> resolve(v.lookup(), ["The", "cat", "dog"]).rules
            ['lower', 'exact', None]
        """
        return Lookup(self.key_to_index, self.folded_index, self.subwords)

    # -- similarity (nlptransfer.vectors.neighbours and .analogy do the work) -----------------
    def unit_matrix(self, *, refresh: bool = False) -> np.ndarray:
        """The rows scaled to unit length (read-only float32), computed once and cached.

        The cache is rebuilt when ``matrix`` is replaced, or with ``refresh=True`` after the
        matrix was edited in place. Zero rows stay zero, so they have cosine 0 with everything.

        Example:
            >>> import numpy as np
            >>> v = Vectors(["a"], np.array([[3, 4]], np.float32))
            >>> v.unit_matrix()
            array([[0.6, 0.8]], dtype=float32)
            >>> v.unit_matrix() is v.unit_matrix()
            True
        """
        matrix = self.matrix
        cached = self._unit_cache
        if cached is not None and cached[0] is matrix and not refresh:
            return cached[1]
        unit = unit_matrix_of(matrix)
        self._unit_cache = (matrix, unit)  # keyed by identity: a new matrix recomputes
        return unit

    def unit_view(self) -> UnitRows:
        """The rows at unit length as similarity search reads them (read-only).

        A memory-mapped matrix (a native store) is read through its row norms
        (:class:`~nlptransfer.vectors.topk.ScaledRows`): the store's ``norms.npy``, else norms
        computed once (4 bytes a row); no normalised copy is made, so processes searching one
        store share it through the page cache. Vectors in memory use :meth:`unit_matrix`.
        Either gives the same unit rows, bit for bit; search scores agree to float32 rounding.

        Example:
            >>> import numpy as np, pathlib, tempfile
            >>> v = Vectors(["a", "b"], np.array([[3, 4], [0, 2]], np.float32))
            >>> v.unit_view() is v.unit_matrix()
            True
            >>> stored = Vectors.load(v.save(pathlib.Path(tempfile.mkdtemp()) / "ab"))
            >>> type(stored.unit_view()).__name__, stored.unit_view()[0].tolist() == v.unit_matrix()[0].tolist()
            ('ScaledRows', True)
        """
        matrix = self.matrix
        known = self._norms
        if known is not None and known[0] is matrix:
            return known[1]
        if isinstance(matrix, np.memmap) and matrix.dtype == np.float32:
            scaled = ScaledRows(matrix, row_norms(matrix))
            self._norms = (matrix, scaled)
            return scaled
        return self.unit_matrix()

    def _word_unit(self, word: str) -> tuple[np.ndarray, int | None]:
        """The unit vector of a word (its row, else its fastText subword vector) and its row."""
        row = self.key_to_index.get(word)
        if row is not None:
            return self.unit_view()[row], row
        return unit_vector(self.vector(word)), None  # UnknownWordError when no subwords

    def _hits(self, hits: Hits) -> list[tuple[str, float]]:
        words = self.words
        return [(words[row], score) for row, score in hits]

    def query_units(
        self, queries: Any, *, exclude: Any = None
    ) -> tuple[np.ndarray, list[set[int]]]:
        """Unit query vectors for words or vectors, and per query the rows to leave out.

        A query word leaves out its own row (plus the rows of its ``exclude`` words); a vector
        query, only its ``exclude`` words. Unknown words get their fastText subword vector.
        What :meth:`nearest` searches with (and other search engines, such as
        :class:`~nlptransfer.vectors.ann.ApproximateIndex`).

        Example:
            >>> import numpy as np
            >>> v = Vectors(["a", "b"], np.array([[2, 0], [0, 1]], np.float32))
            >>> units, banned = v.query_units(["a", np.array([0, 3])], exclude=[[], ["b"]])
            >>> units.tolist(), banned
            ([[1.0, 0.0], [0.0, 1.0]], [{0}, {1}])
        """
        units, banned = neighbours.query_units(queries, self.dim, self._word_unit)
        if exclude is not None:
            neighbours.exclude_rows(banned, exclude, self.key_to_index)
        return units, banned

    def nearest(
        self,
        queries: Any,
        k: int = 10,
        *,
        exclude: Any = None,
        restrict_vocab: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The ``k`` nearest words (cosine) of many query words or vectors at once.

        Exact search, all queries at once: one float32 matrix product per block of the
        vocabulary (:mod:`nlptransfer.vectors.topk`). Query words are left out of their own
        results, as gensim does; a vector query excludes nothing. Unknown query words get their
        fastText subword vector when the vectors have one.

        Args:
            queries: words, 1-D vectors, or a ``[n, dim]`` matrix of query vectors.
            k: neighbours per query.
            exclude: per query, more words to leave out of its results.
            restrict_vocab: search only the first ``restrict_vocab`` rows (the frequent words).

        Returns:
            One list of ``(word, cosine)`` per query, most similar first.

        Raises:
            UnknownWordError: a query word is unknown and the vectors have no subword model.

        Example:
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d")
            >>> [[w for w, _ in hits] for hits in glove.nearest(["king", "frog"], k=2)]
            [['prince', 'queen'], ['snake', 'ape']]
        """
        check_k(k)
        units, banned = self.query_units(queries, exclude=exclude)
        found = neighbours.nearest_rows(self.unit_view(), units, k, banned, restrict_vocab)
        return [self._hits(hits) for hits in found]

    def most_similar(
        self,
        positive: Any,
        negative: Any = (),
        k: int = 10,
        *,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Words nearest to the sum of the ``positive`` minus the ``negative`` unit vectors.

        As gensim's ``most_similar``: terms are words or vectors, optionally ``(term, weight)``
        (the weight as given, in either list); the query words are left out of the results.
        Vectors are scaled to unit length like words (gensim adds them as given).

        Example:
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d")
            >>> [w for w, _ in glove.most_similar(["king", "woman"], ["man"], k=2)]
            ['queen', 'throne']
        """
        check_k(k)
        query, rows = neighbours.combine(positive, negative, self.dim, self._word_unit)
        unit = self.unit_view()
        found = neighbours.nearest_rows(unit, query[None, :], k, [rows], restrict_vocab)
        return self._hits(found[0])

    def similarity(self, a: str | np.ndarray, b: str | np.ndarray) -> float:
        """Cosine similarity of two words (or vectors); 0.0 when either is a zero vector.

        Example:
            >>> from nlptransfer import load_vectors
            >>> round(load_vectors("glove-6b-50d").similarity("cat", "dog"), 3)
            0.922
        """
        return neighbours.cosine(a, b, self.dim, self._word_unit)

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

        The ``k`` best answers with their scores; see :meth:`solve_analogies`.

        Example:
            >>> from nlptransfer import load_vectors
            >>> load_vectors("glove-6b-50d").analogy("man", "king", "woman")[0][0]
            'queen'
        """
        return self.solve_analogies([(a, b, c)], k, method=method, restrict_vocab=restrict_vocab)[0]

    def solve_analogies(
        self,
        questions: list[tuple[str, str, str]],
        k: int = 1,
        *,
        method: str = "3cosadd",
        restrict_vocab: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """``a`` is to ``b`` as ``c`` is to what? For many ``(a, b, c)`` questions at once.

        ``3cosadd`` (Mikolov et al.) ranks words by cosine with ``b - a + c`` (unit vectors);
        ``3cosmul`` (Levy and Goldberg 2014) by ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)``
        with ``cos' = (1 + cos) / 2``. The three question words are never answers.

        Example:
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d")
            >>> [hits[0][0] for hits in glove.solve_analogies([("man", "king", "woman"),
            ...                                                ("paris", "france", "rome")])]
            ['queen', 'italy']
        """
        analogy.check_method(method)
        found = analogy.solve_analogies(
            self.unit_view(),
            questions,
            self._word_unit,
            k,
            method=method,  # type: ignore[arg-type]  # check_method refused any other str
            restrict_vocab=restrict_vocab,
        )
        return [self._hits(hits) for hits in found]

    def doesnt_match(self, words: list[str]) -> str:
        """The word that goes least with the others (furthest from their mean direction).

        Unknown words without a subword vector are left out with a warning, as gensim does.

        Example:
            >>> from nlptransfer import load_vectors
            >>> load_vectors("glove-6b-50d").doesnt_match(["paris", "berlin", "rome", "apple"])
            'apple'
        """
        return neighbours.doesnt_match(words, self._word_unit)

    # -- coverage and description -----------------------------------------------------------
    def coverage(self, data: Any, **options: Any) -> CoverageReport:
        """How much of a dataset's tokens these vectors cover: a ``CoverageReport``.

        ``data`` is an iterable of token lists, a ``Counter`` or ``vocab.token_counts()``;
        ``options`` are ``rules`` (fallback rules in order), ``top_missing`` and ``progress``
        (see :func:`nlptransfer.vectors.coverage.coverage_report`).

        Example:
            >>> from nlptransfer import load_vectors
            >>> report = load_vectors("glove-6b-50d").coverage([["The", "movie", "zxqv"]])
            >>> report.covered_tokens, report.tokens, report.rule_tokens["lower"]
            (2, 3, 1)
        """
        return coverage_report(self.lookup(), data, source=self.source, **options)

    def describe(self, sample: int = 8) -> VectorsDescription:
        """Format, size, load time, the first ``sample`` words and row-norm statistics.

        Example:
            >>> import numpy as np
            >>> d = Vectors(["a", "b"], np.array([[3, 4], [0, 1]], np.float32)).describe()
            >>> d.words, d.dim, d.memory_bytes, d.sample, d.norm.max
            (2, 2, 16, ['a', 'b'], 5.0)
        """
        return describe_vectors(
            self.words, self.matrix, self.meta, subwords=self.has_subwords, sample=sample
        )

    # -- provenance -------------------------------------------------------------------------
    def source_checksum(self) -> str | None:
        """SHA-256 of the source file, computed on first call (and kept in ``meta``).

        ``None`` when the source is unknown, gone, or no longer the file these vectors were
        read from (its size or modification time differs from those recorded at load, which
        is logged): a digest of another file would be a wrong provenance.

        Example:
            >>> import numpy as np
            >>> Vectors(["a"], np.ones((1, 2), np.float32)).source_checksum() is None
            True
        """
        if "source_sha256" not in self.meta:  # a store's source is the file it was made from
            path = self.meta.get("origin_path") or self.meta.get("source_path")
            if not path or not os.path.isfile(path):
                return None
            if not self._source_unchanged(path):
                return None
            self.meta["source_sha256"] = file_sha256(path)
        return self.meta["source_sha256"]

    def _source_unchanged(self, path: str) -> bool:
        """Whether ``path`` still has the size and modification time recorded at load."""
        info = os.stat(path)
        recorded = (self.meta.get("source_size"), self.meta.get("source_mtime_ns"))
        found = (info.st_size, info.st_mtime_ns)
        if all(
            expected is None or expected == now
            for expected, now in zip(recorded, found, strict=True)
        ):
            return True
        logger.warning(
            "%s changed since these vectors were read from it (size, mtime %s, now %s): "
            "not recording its checksum",
            path,
            recorded,
            found,
        )
        return False

    def _name(self) -> str:
        return repr(self.source) if self.source else "these vectors"

    def __repr__(self) -> str:
        extra = ", subwords" if self.has_subwords else ""
        source = f", source={self.source!r}" if self.source else ""
        return f"Vectors({len(self)} words, dim={self.dim}{extra}{source})"

    # -- storage ----------------------------------------------------------------------------
    def save(
        self, path: str | Path, *, overwrite: bool = True, checksum_source: bool = False
    ) -> Path:
        """Write the native store (``<path>.ntv/``, pickle-free), atomically; returns its path.

        Saving over a store publishes the new one in a single rename: processes opening it see
        the old store or the new one, whole; processes saving to one store take turns. See
        :mod:`~nlptransfer.vectors.formats.native_layout` for the layout.

        The store records the source's path, size and modification time, and its SHA-256 when
        known (named vectors have their catalogue's, verified at download). With
        ``checksum_source=True`` the source file is hashed too, in a thread while the arrays
        are written (for a 3.6 GB file that makes the save about twice as slow); otherwise
        :meth:`source_checksum` computes it later, on demand.

        Example:
            >>> import numpy as np, tempfile, pathlib
            >>> v = Vectors(["a"], np.ones((1, 2), np.float32))
            >>> saved = v.save(pathlib.Path(tempfile.mkdtemp()) / "tiny")
            >>> saved.name, Vectors.load(saved).words
            ('tiny.ntv', ['a'])
        """

        def checksum() -> dict[str, Any]:  # in a thread, while the arrays are written
            digest = self.source_checksum()
            return {"source_sha256": digest} if digest else {}

        return save_native(
            path,
            self.words,
            self.matrix,
            dict(self.meta),
            subwords=self.subwords,
            overwrite=overwrite,
            meta_in_parallel=checksum if checksum_source else None,
        )

    @classmethod
    def load(cls, path: str | Path, *, mmap: bool = True) -> Vectors:
        """Open a native store; the matrix is memory-mapped read-only unless ``mmap=False``."""
        parsed = read_native(path, mmap=mmap)
        return cls(
            parsed.words,
            parsed.matrix,
            subwords=parsed.subwords,
            meta=parsed.meta,
            norms=parsed.norms,
        )

    # -- other libraries (nlptransfer.vectors.gensim_bridge, .spacy_bridge) ---------------------
    def to_gensim(self) -> Any:
        """gensim ``KeyedVectors`` with the same words and rows (a copy); fastText vectors become
        a ``FastTextKeyedVectors`` that keeps their subword model, so ``kv[unknown_word]`` is
        :meth:`vector` of it (to float32 rounding).

        A pruned subword model (a ``.ftz`` quantized with a cutoff) has no gensim counterpart:
        those vectors become a plain ``KeyedVectors``, with a warning (see
        :mod:`nlptransfer.vectors.gensim_bridge`).

        Raises:
            MissingExtraError: gensim is not installed (``pip install 'nlptransfer[pretrain]'``).

        Example:
            >>> from nlptransfer import load_vectors
            >>> kv = load_vectors("glove-6b-50d", limit=20000).to_gensim()
            >>> [word for word, _ in kv.most_similar("king", topn=2)]
            ['prince', 'queen']
        """
        return keyed_vectors(self.words, self.matrix, self.subwords)

    @classmethod
    def from_gensim(cls, kv: Any, meta: dict[str, Any] | None = None) -> Vectors:
        """``Vectors`` from gensim ``KeyedVectors`` (or a trained model, through its ``.wv``).

        The matrix is a float32 copy of ``kv.vectors``; a ``FastTextKeyedVectors`` brings its
        subword model, so :meth:`vector` of an unknown word is ``kv[word]`` (to float32
        rounding). ``meta`` is the provenance to keep.

        Example:
            >>> from gensim.models import KeyedVectors
            >>> from gensim.test.utils import datapath
            >>> kv = KeyedVectors.load_word2vec_format(datapath("euclidean_vectors.bin"),
            ...                                        binary=True)
            >>> v = Vectors.from_gensim(kv)
            >>> v.words == kv.index_to_key, bool((v.matrix == kv.vectors).all())
            (True, True)
        """
        words, matrix, subwords = parts_of_keyed_vectors(kv)
        return cls(words, matrix, subwords=subwords, meta=meta)

    def to_spacy(self, nlp: Any, *, name: str | None = None) -> Any:
        """Make these the vectors of a spaCy pipeline's vocabulary; returns ``nlp``.

        ``token.vector``, ``similarity`` and components that use static vectors then use these.
        The table replaces the pipeline's vectors; a fastText subword model is left out, with a
        warning (spaCy's own subword vectors hash n-grams differently). To write a pipeline
        folder, ``write_vectors(vectors, DIR, "spacy")`` or ``nlptransfer vectors convert SRC
        DIR --to spacy`` (see :mod:`nlptransfer.vectors.formats.spacy_pipeline`).

        Args:
            nlp: a spaCy ``Language`` (``spacy.blank("en")``, ``spacy.load(...)``).
            name: the vectors table's name (default: spaCy's ``"{lang}_{name}.vectors"``).

        Raises:
            MissingExtraError: spaCy is not installed (``pip install 'nlptransfer[torch]'``).

        Example:
            >>> import spacy
            >>> from nlptransfer import load_vectors
            >>> glove = load_vectors("glove-6b-50d", vocab={"king", "queen", "apple"})
            >>> nlp = glove.to_spacy(spacy.blank("en"))
            >>> bool((nlp.vocab["king"].vector == glove["king"]).all())
            True
            >>> nlp("king").similarity(nlp("queen")) > nlp("king").similarity(nlp("apple"))
            True
        """
        return set_spacy_vectors(
            nlp, self.words, self.matrix, name=name, has_subwords=self.has_subwords
        )

    @classmethod
    def from_spacy(cls, nlp: Any) -> Vectors:
        """``Vectors`` from the vectors of a spaCy pipeline (or a ``Vocab``), in row order.

        To read a pipeline folder, ``read_vectors(DIR)`` (it reads the vocabulary alone).

        Raises:
            VectorsFormatError: the pipeline has no vectors, or floret vectors (no row per word).

        Example:
            >>> import numpy as np, spacy
            >>> nlp = Vectors(["cat"], np.ones((1, 2), np.float32)).to_spacy(spacy.blank("en"))
            >>> Vectors.from_spacy(nlp)
            Vectors(1 words, dim=2)
        """
        meta = getattr(nlp, "meta", {})
        where = f"the spaCy pipeline {meta.get('lang', '')}_{meta.get('name', '')}".rstrip("_")
        words, matrix, parts_meta = spacy_vectors_parts(nlp, where)
        if meta.get("lang"):
            parts_meta["language"] = meta["lang"]
        return cls(words, matrix, meta=parts_meta)
