"""What a set of vectors is, in numbers: the facts ``Vectors.describe()`` and ``vectors info`` give.

Example:
    >>> norm_statistics(np.array([[3, 4], [0, 1]], np.float32))
    NormStatistics(min=1.0, mean=3.0, max=5.0, std=2.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Rows whose norms are computed at a time (bounds the temporary copy of a memory-mapped matrix).
NORM_CHUNK_ROWS = 1 << 16


@dataclass(frozen=True)
class NormStatistics:
    """Minimum, mean, maximum and standard deviation of the rows' Euclidean norms."""

    min: float
    mean: float
    max: float
    std: float


@dataclass(frozen=True)
class VectorsDescription:
    """The facts about some vectors that ``nlptransfer vectors info`` prints.

    Attributes:
        source: where they were read from (a path or a catalogue name).
        format: the format read (``native`` for a store), ``source_format`` the one converted.
        words: vocabulary size; ``dim`` the dimension; ``subwords`` whether fastText subwords
            give vectors for unknown words.
        disk_bytes: size of the source file or folder (``None`` when unknown).
        memory_bytes: size of the matrix; ``memory_mapped`` whether it is read from disk.
        load_seconds: how long reading took (``None`` when not recorded).
        sample: the first words.
        norm: statistics of the row norms.
        license: the catalogue's license note, if any.
    """

    source: str | None
    format: str | None
    source_format: str | None
    words: int
    dim: int
    subwords: bool
    disk_bytes: int | None
    memory_bytes: int
    memory_mapped: bool
    load_seconds: float | None
    sample: list[str]
    norm: NormStatistics
    license: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``norm`` as a nested dict).

        Example:
            >>> stats = NormStatistics(1.0, 1.0, 1.0, 0.0)
            >>> VectorsDescription(None, "glove", None, 1, 2, False, None, 8, False, None, ["a"],
            ...                    stats, None).to_dict()["norm"]
            {'min': 1.0, 'mean': 1.0, 'max': 1.0, 'std': 0.0}
        """
        return asdict(self)


def describe_vectors(
    words: Sequence[str],
    matrix: np.ndarray,
    meta: Mapping[str, Any],
    *,
    subwords: bool = False,
    sample: int = 8,
) -> VectorsDescription:
    """The description of vectors given as their words, matrix and ``meta`` (what
    ``Vectors.describe()`` returns).

    Example:
        >>> d = describe_vectors(["a", "b"], np.array([[3, 4], [0, 1]], np.float32),
        ...                      {"format": "glove", "source": "tiny.txt"})
        >>> d.source, d.format, d.words, d.dim, d.memory_bytes, d.disk_bytes, d.norm.mean
        ('tiny.txt', 'glove', 2, 2, 16, None, 3.0)
    """
    return VectorsDescription(
        source=meta.get("source"),
        format=meta.get("format"),
        source_format=meta.get("source_format"),
        words=len(words),
        dim=int(matrix.shape[1]),
        subwords=subwords,
        disk_bytes=disk_bytes(meta.get("source_path")),
        memory_bytes=int(matrix.nbytes),
        memory_mapped=isinstance(matrix, np.memmap),
        load_seconds=meta.get("load_seconds"),
        sample=list(words[:sample]),
        norm=norm_statistics(matrix),
        license=meta.get("license"),
    )


def norm_statistics(matrix: np.ndarray) -> NormStatistics:
    """Statistics of the rows' norms, computed in chunks; all zeros for an empty matrix.

    Example:
        >>> norm_statistics(np.zeros((0, 3), np.float32))
        NormStatistics(min=0.0, mean=0.0, max=0.0, std=0.0)
    """
    if len(matrix) == 0:
        norms = np.zeros(1, dtype=np.float32)
    else:
        norms = np.concatenate(
            [
                np.linalg.norm(np.asarray(matrix[i : i + NORM_CHUNK_ROWS], np.float32), axis=1)
                for i in range(0, len(matrix), NORM_CHUNK_ROWS)
            ]
        )
    return NormStatistics(
        min=float(norms.min()),
        mean=float(norms.mean()),
        max=float(norms.max()),
        std=float(norms.std()),
    )


def disk_bytes(path: str | Path | None) -> int | None:
    """The size of a file, or of the files inside a folder (at any depth); ``None`` if none.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.npy").write_bytes(b"12345")
        >>> disk_bytes(folder), disk_bytes(folder / "a.npy"), disk_bytes(folder / "none")
        (5, 5, None)
    """
    if not path:
        return None
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size if p.exists() else None
