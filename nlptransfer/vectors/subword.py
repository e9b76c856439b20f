"""fastText's subword model: vectors for any word from its character n-grams.

A fastText model keeps, besides one row per vocabulary word, ``bucket`` rows shared by all
character n-grams: the n-grams of ``<word>`` (lengths ``minn`` to ``maxn``, counted in UTF-8 code
points) are hashed with 32-bit FNV-1a and taken ``% bucket``. fastText's vector for a word is the
mean of its own row (when it is in the vocabulary) and the rows of its n-grams; an unknown word
gets the mean of its n-gram rows alone, or all zeros when it has none.

This module reproduces fastText's arithmetic exactly (float32 sums in fastText's order, then a
multiplication by ``float32(1 / count)``), so :meth:`FastTextSubwords.vector` equals
``fasttext.load_model(path).get_word_vector(word)`` bit for bit on the models tested.

fastText details matched here:

- the hash folds each byte as a *signed* char: bytes >= 0x80 are sign-extended to 32 bits before
  the XOR (``h ^ uint32(int8(byte))``), so non-ASCII n-grams hash differently from textbook FNV-1a;
- n-grams start only at code-point boundaries and extend by whole code points (continuation bytes
  ``0b10xxxxxx`` are never split), and invalid UTF-8 is handled by those byte rules, not rejected;
- the one-character n-grams ``<`` and ``>`` are never used, even when ``minn == 1``;
- the end-of-sentence token ``</s>`` has no n-grams at all;
- a quantized model built with a cutoff keeps only some buckets; n-grams hashing to a dropped
  bucket are skipped (they do not count in the mean).

Example:
    >>> import numpy as np
    >>> sub = FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4, nwords=0)
    >>> sub.ngram_rows("ok").tolist()  # n-grams "<ok" and "ok>", hashed modulo 4
    [1, 3]
    >>> sub.vector("ok").tolist()
    [0.0, 0.5, 0.0, 0.5]
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nlptransfer._util.errors import VectorsFormatError

logger = logging.getLogger(__name__)

#: fastText's end-of-sentence token; it never gets character n-grams.
EOS = b"</s>"
BOW = b"<"
EOW = b">"

_FNV_OFFSET = np.uint32(2166136261)
_FNV_PRIME = np.uint32(16777619)

#: Words processed at once when building vectors, to bound temporary memory.
_CHUNK_WORDS = 16384

_MATRIX_FILE = "subword_ngrams.npy"
_BUCKETS_FILE = "subword_buckets.npy"
_CONFIG_FILE = "subword.json"
_FORMAT_NAME = "nlptransfer-fasttext-subwords"
_FORMAT_VERSION = 1


def fasttext_hash(data: bytes) -> int:
    """fastText's 32-bit FNV-1a hash of ``data``, with its signed-char quirk.

    Each byte is sign-extended (as a C ``int8_t``) before the XOR, so for non-ASCII bytes the
    result differs from the textbook FNV-1a.

    Example:
        >>> fasttext_hash(b"<ab")
        1218209508
        >>> fasttext_hash("é".encode()) != 0
        True
    """
    h = 2166136261
    for byte in data:
        signed = byte - 256 if byte >= 128 else byte
        h = ((h ^ (signed & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return h


def ngram_hashes(words: Sequence[bytes], minn: int, maxn: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash the character n-grams of many UTF-8 words at once, in fastText's order.

    The n-grams of each word are those of ``b"<" + word + b">"``, ordered by start position,
    then length, exactly as fastText's ``Dictionary::computeSubwords`` emits them.

    Args:
        words: the words as UTF-8 bytes, without the ``<`` ``>`` markers.
        minn: shortest n-gram, in code points.
        maxn: longest n-gram, in code points (0 means no n-grams).

    Returns:
        ``(word_index, hashes)``: for every n-gram the index of its word in ``words`` (ascending)
        and its 32-bit hash (uint32, not yet taken modulo ``bucket``).

    Example:
        >>> idx, h = ngram_hashes([b"ab", b"c"], 3, 3)
        >>> idx.tolist(), h.tolist() == [fasttext_hash(g) for g in (b"<ab", b"ab>", b"<c>")]
        ([0, 0, 1], True)
    """
    empty = (np.empty(0, np.int64), np.empty(0, np.uint32))
    if maxn <= 0 or not words:
        return empty
    keep = [i for i, w in enumerate(words) if w != EOS]
    if not keep:
        return empty
    kept_index = np.asarray(keep, dtype=np.int64)
    lengths = np.fromiter((len(words[i]) + 2 for i in keep), dtype=np.int64, count=len(keep))
    buf = np.frombuffer(b"".join(BOW + words[i] + EOW for i in keep), dtype=np.uint8)
    word_end = np.cumsum(lengths)
    word_start = word_end - lengths
    word_of_byte = np.repeat(np.arange(len(keep), dtype=np.int64), lengths)
    # A trailing sentinel lets j == len(buf) be looked up without a bounds check.
    cont = np.append((buf & 0xC0) == 0x80, False)
    signed = np.append(buf.view(np.int8).astype(np.int32).view(np.uint32), np.uint32(0))

    starts = np.flatnonzero(~cont[:-1])  # fastText skips continuation bytes as start positions
    ends = word_end[word_of_byte[starts]]
    first = starts == word_start[word_of_byte[starts]]
    h_all = np.full(starts.shape, _FNV_OFFSET, dtype=np.uint32)
    j_all = starts.copy()
    alive = np.arange(starts.size)
    out_pos: list[np.ndarray] = []
    out_len: list[np.ndarray] = []
    out_hash: list[np.ndarray] = []
    for n in range(1, maxn + 1):
        alive = alive[j_all[alive] < ends[alive]]
        if alive.size == 0:
            break
        j = j_all[alive]
        end = ends[alive]
        h = (h_all[alive] ^ signed[j]) * _FNV_PRIME
        j = j + 1
        more = np.flatnonzero((j < end) & cont[j])
        while more.size:  # absorb the continuation bytes of the code point
            h[more] = (h[more] ^ signed[j[more]]) * _FNV_PRIME
            j[more] += 1
            more = more[(j[more] < end[more]) & cont[j[more]]]
        h_all[alive] = h
        j_all[alive] = j
        if n >= minn:
            ok = ~(first[alive] | (j == end)) if n == 1 else np.ones(alive.size, dtype=bool)
            out_pos.append(starts[alive[ok]])
            out_len.append(np.full(int(ok.sum()), n, dtype=np.int64))
            out_hash.append(h[ok])
    if not out_pos:
        return empty
    pos = np.concatenate(out_pos)
    order = np.lexsort((np.concatenate(out_len), pos))
    return kept_index[word_of_byte[pos[order]]], np.concatenate(out_hash)[order]


def _as_bytes(word: str | bytes) -> bytes:
    if isinstance(word, bytes):
        return word
    return word.encode("utf-8", errors="surrogateescape")


class FastTextSubwords:
    """fastText's character n-gram model: vectors for out-of-vocabulary words.

    Holds no vocabulary: it maps any word to rows of :attr:`ngram_matrix` and averages them.

    Attributes:
        minn: shortest n-gram, in code points.
        maxn: longest n-gram, in code points.
        bucket: the hash modulus of the model.
        nwords: number of words of the model the n-grams came from (provenance).
        ngram_matrix: float32 ``[rows, dim]``; row ``b`` is bucket ``b`` unless the model is pruned.
        bucket_ids: for a pruned model (quantized with a cutoff), the sorted int64 bucket ids that
            were kept, ``ngram_matrix[i]`` being the row of ``bucket_ids[i]``; ``None`` otherwise.

    Example:
        >>> import numpy as np
        >>> m = np.arange(8, dtype=np.float32).reshape(4, 2)
        >>> sub = FastTextSubwords(m, minn=3, maxn=3, bucket=4, nwords=0)
        >>> sub.dim, sub.pruned
        (2, False)
    """

    def __init__(
        self,
        ngram_matrix: np.ndarray,
        *,
        minn: int,
        maxn: int,
        bucket: int,
        nwords: int,
        bucket_ids: np.ndarray | None = None,
    ) -> None:
        if ngram_matrix.ndim != 2:
            raise ValueError(f"ngram_matrix must be 2-D, got shape {ngram_matrix.shape}")
        if ngram_matrix.dtype != np.float32:
            ngram_matrix = ngram_matrix.astype(np.float32)
        if minn < 0 or maxn < 0 or bucket < 0:
            raise ValueError(f"minn, maxn, bucket must be >= 0, got {minn}, {maxn}, {bucket}")
        if maxn > 0 and bucket == 0:
            raise ValueError("bucket must be > 0 when maxn > 0")
        if bucket_ids is None:
            # Without n-grams (maxn == 0) no row is ever looked up: none need be kept.
            if ngram_matrix.shape[0] != bucket and not (maxn == 0 and ngram_matrix.shape[0] == 0):
                raise ValueError(
                    f"expected {bucket} n-gram rows (one per bucket), got {ngram_matrix.shape[0]}"
                )
        else:
            bucket_ids = np.asarray(bucket_ids)
            if bucket_ids.dtype != np.int64:
                bucket_ids = bucket_ids.astype(np.int64)
            if bucket_ids.shape != (ngram_matrix.shape[0],):
                raise ValueError(
                    f"expected one bucket id per n-gram row ({ngram_matrix.shape[0]}), "
                    f"got shape {bucket_ids.shape}"
                )
            if bucket_ids.size and (
                np.any(bucket_ids[1:] <= bucket_ids[:-1])
                or bucket_ids[0] < 0
                or bucket_ids[-1] >= bucket
            ):
                raise ValueError(f"bucket_ids must be strictly increasing within [0, {bucket})")
        self.minn = int(minn)
        self.maxn = int(maxn)
        self.bucket = int(bucket)
        self.nwords = int(nwords)
        self.ngram_matrix = ngram_matrix
        self.bucket_ids = bucket_ids

    def __repr__(self) -> str:
        pruned = f", pruned to {self.ngram_matrix.shape[0]} rows" if self.pruned else ""
        return (
            f"FastTextSubwords(minn={self.minn}, maxn={self.maxn}, bucket={self.bucket}, "
            f"dim={self.dim}{pruned})"
        )

    @property
    def dim(self) -> int:
        """Vector dimensionality.

        Example:
            >>> import numpy as np
            >>> FastTextSubwords(np.zeros((2, 5), np.float32), minn=3, maxn=6, bucket=2,
            ...                  nwords=0).dim
            5
        """
        return int(self.ngram_matrix.shape[1])

    @property
    def pruned(self) -> bool:
        """Whether only some buckets were kept (a quantized model saved with a cutoff)."""
        return self.bucket_ids is not None

    # ------------------------------------------------------------------ n-grams to rows

    def _rows_of(self, words: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """``(word_index, rows)`` of the n-grams of ``words``, dropped buckets removed."""
        word_index, hashes = ngram_hashes(words, self.minn, self.maxn)
        if hashes.size == 0:
            return word_index, hashes.astype(np.int64)
        buckets = (hashes % np.uint32(self.bucket)).astype(np.int64)
        if self.bucket_ids is None:
            return word_index, buckets
        ids = self.bucket_ids
        pos = np.searchsorted(ids, buckets)
        found = pos < ids.size
        found[found] = ids[pos[found]] == buckets[found]
        return word_index[found], pos[found]

    def ngram_rows(self, word: str | bytes) -> np.ndarray:
        """Rows of :attr:`ngram_matrix` for the character n-grams of ``word``, in fastText's order.

        A row may repeat when two n-grams share a bucket; n-grams in dropped buckets of a pruned
        model are left out.

        Example:
            >>> import numpy as np
            >>> sub = FastTextSubwords(np.zeros((10, 2), np.float32), minn=3, maxn=4, bucket=10,
            ...                        nwords=0)
            >>> len(sub.ngram_rows("cat"))  # <ca cat at> <cat cat>
            5
        """
        return self._rows_of([_as_bytes(word)])[1]

    # ------------------------------------------------------------------ vectors

    def compose(
        self,
        words: Sequence[str | bytes],
        own_rows: np.ndarray | None = None,
        *,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """fastText's ``getWordVector`` for many words: own row, then n-gram rows, averaged.

        Args:
            words: words as ``str`` or raw UTF-8 ``bytes``.
            own_rows: float32 ``[len(words), dim]``, each word's own vocabulary row, for
                in-vocabulary words; ``None`` for out-of-vocabulary words.
            out: float32 ``[len(words), dim]`` array to write into; may be ``own_rows`` itself
                (updated in place, saving a copy of a large vocabulary's matrix).

        Returns:
            float32 ``[len(words), dim]`` (``out`` when given); a row with nothing to average is
            all zeros.

        Example:
            >>> import numpy as np
            >>> sub = FastTextSubwords(np.ones((4, 2), np.float32), minn=3, maxn=3, bucket=4,
            ...                        nwords=1)
            >>> sub.compose(["ab"], own_rows=np.array([[4.0, 4.0]], np.float32)).tolist()
            [[2.0, 2.0]]
        """
        n = len(words)
        dim = self.dim
        if own_rows is not None and own_rows.shape != (n, dim):
            raise ValueError(f"own_rows must have shape {(n, dim)}, got {own_rows.shape}")
        if out is None:
            out = np.zeros((n, dim), dtype=np.float32)
        elif out.shape != (n, dim) or out.dtype != np.float32:
            raise ValueError(
                f"out must be float32 of shape {(n, dim)}, got {out.dtype} {out.shape}"
            )
        matrix = self.ngram_matrix
        for lo in range(0, n, _CHUNK_WORDS):
            hi = min(lo + _CHUNK_WORDS, n)
            chunk = [_as_bytes(w) for w in words[lo:hi]]
            word_index, rows = self._rows_of(chunk)
            counts = np.bincount(word_index, minlength=hi - lo)
            offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
            # Sum in fastText's order: own row, then n-gram rows one by one (float32), for all
            # words at once; words sorted by decreasing count so each step is a prefix.
            order = np.argsort(-counts, kind="stable")
            counts_sorted = counts[order]
            starts_sorted = offsets[order]
            if own_rows is None:
                acc = np.zeros((hi - lo, dim), dtype=np.float32)
                total = counts_sorted
            else:
                acc = np.array(own_rows[lo:hi][order], dtype=np.float32)
                total = counts_sorted + 1
            ascending = counts_sorted[::-1]
            for k in range(int(counts_sorted[0]) if counts_sorted.size else 0):
                m = (hi - lo) - int(np.searchsorted(ascending, k, side="right"))
                acc[:m] += matrix[rows[starts_sorted[:m] + k]]
            scale = np.zeros(total.shape, dtype=np.float32)
            nonzero = total > 0
            scale[nonzero] = (1.0 / total[nonzero]).astype(np.float32)  # fastText: real(1.0 / n)
            acc *= scale[:, None]
            out[lo + order] = acc
        return out

    def vector(self, word: str | bytes) -> np.ndarray:
        """fastText's vector for an out-of-vocabulary ``word``: the mean of its n-gram rows.

        All zeros when the word has no n-grams (as fastText returns), e.g. ``"</s>"``, every
        n-gram fell in a dropped bucket, or the model has none (``maxn == 0``).

        Example:
            >>> import numpy as np
            >>> sub = FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4,
            ...                        nwords=0)
            >>> sub.vector("ab").shape
            (4,)
        """
        return self.compose([word])[0]

    def vectors(self, words: Sequence[str | bytes]) -> np.ndarray:
        """:meth:`vector` for many words at once: float32 ``[len(words), dim]``.

        Example:
            >>> import numpy as np
            >>> sub = FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4,
            ...                        nwords=0)
            >>> sub.vectors(["ab", "xyz"]).shape
            (2, 4)
        """
        return self.compose(list(words))

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | Path) -> None:
        """Write the model into the existing ``folder`` as pickle-free files.

        ``subword_ngrams.npy`` (the float32 matrix), ``subword_buckets.npy`` (sorted int64 bucket
        ids, pruned models only) and ``subword.json`` (minn, maxn, bucket, nwords, dim, pruned).

        Example:
            >>> import numpy as np, tempfile
            >>> sub = FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4,
            ...                        nwords=0)
            >>> folder = tempfile.mkdtemp()
            >>> sub.save(folder)
            >>> FastTextSubwords.load(folder).vector("ok").tolist()
            [0.0, 0.5, 0.0, 0.5]
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not an existing folder")
        np.save(folder / _MATRIX_FILE, np.ascontiguousarray(self.ngram_matrix), allow_pickle=False)
        buckets_path = folder / _BUCKETS_FILE
        if self.bucket_ids is not None:
            np.save(buckets_path, np.ascontiguousarray(self.bucket_ids), allow_pickle=False)
        elif buckets_path.exists():
            buckets_path.unlink()  # a stale file from an earlier pruned model
        config: dict[str, Any] = {
            "format": _FORMAT_NAME,
            "format_version": _FORMAT_VERSION,
            "minn": self.minn,
            "maxn": self.maxn,
            "bucket": self.bucket,
            "nwords": self.nwords,
            "dim": self.dim,
            "rows": int(self.ngram_matrix.shape[0]),
            "pruned": self.pruned,
        }
        (folder / _CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True) -> FastTextSubwords:
        """Read a model written by :meth:`save`; ``mmap=True`` maps the matrix read-only.

        Raises:
            VectorsFormatError: a file is missing or disagrees with ``subword.json``.

        Example:
            >>> import numpy as np, tempfile
            >>> folder = tempfile.mkdtemp()
            >>> FastTextSubwords(np.eye(4, dtype=np.float32), minn=3, maxn=3, bucket=4,
            ...                  nwords=0).save(folder)
            >>> FastTextSubwords.load(folder, mmap=False).bucket
            4
        """
        folder = Path(folder)
        config_path = folder / _CONFIG_FILE
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise VectorsFormatError(
                config_path, "expected a subword model config, found no file"
            ) from exc
        except json.JSONDecodeError as exc:
            raise VectorsFormatError(
                config_path, f"expected JSON, found {exc}", line=exc.lineno
            ) from exc
        required = ("minn", "maxn", "bucket", "nwords", "dim", "pruned")
        missing = [key for key in required if key not in config]
        if missing or config.get("format", _FORMAT_NAME) != _FORMAT_NAME:
            raise VectorsFormatError(
                config_path,
                f"expected a {_FORMAT_NAME} config with keys {list(required)}, "
                f"found format {config.get('format')!r} missing {missing}",
            )
        mode: Literal["r"] | None = "r" if mmap else None
        matrix = _load_npy(folder / _MATRIX_FILE, mode)
        if matrix.ndim != 2 or matrix.dtype != np.float32 or matrix.shape[1] != config["dim"]:
            raise VectorsFormatError(
                folder / _MATRIX_FILE,
                f"expected a float32 matrix with {config['dim']} columns, "
                f"found {matrix.dtype} of shape {matrix.shape}",
            )
        bucket_ids = _load_npy(folder / _BUCKETS_FILE, mode) if config["pruned"] else None
        try:
            return cls(
                matrix,
                minn=config["minn"],
                maxn=config["maxn"],
                bucket=config["bucket"],
                nwords=config["nwords"],
                bucket_ids=bucket_ids,
            )
        except ValueError as exc:
            raise VectorsFormatError(folder, f"inconsistent subword model files: {exc}") from exc


def _load_npy(path: Path, mmap_mode: Literal["r"] | None) -> np.ndarray:
    try:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except FileNotFoundError as exc:
        raise VectorsFormatError(path, "expected a .npy file, found no file") from exc
    except ValueError as exc:
        raise VectorsFormatError(path, f"expected a pickle-free .npy array, found: {exc}") from exc
