"""Writing ``Vectors`` in any writable format: the native store, word2vec binary/text, GloVe text,
or a plugin's format.

Example:
    >>> import numpy as np, pathlib, tempfile
    >>> from nlptransfer.vectors import Vectors, load_vectors
    >>> v = Vectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> out = write_vectors(v, pathlib.Path(tempfile.mkdtemp()) / "v.txt", "glove")
    >>> load_vectors(out).words
    ['cat', 'dog']
"""

from __future__ import annotations

from pathlib import Path

from nlptransfer.vectors.formats import vector_format
from nlptransfer.vectors.formats.base import available_formats
from nlptransfer.vectors.store import Vectors


def writable_formats() -> tuple[str, ...]:
    """The formats :func:`write_vectors` can write (plugins' included).

    Example:
        >>> {"native", "word2vec-bin", "word2vec-text", "glove"} <= set(writable_formats())
        True
        >>> "fasttext-bin" in writable_formats()
        False
    """
    return tuple(fmt.name for fmt in available_formats() if fmt.writable)


def write_vectors(vectors: Vectors, path: str | Path, to: str = "native") -> Path:
    """Write ``vectors`` to ``path`` in format ``to``; returns the path written (atomically).

    Raises:
        UnknownNameError: ``to`` names no format (a ``ValueError``).
        ValueError: the format cannot be written (fastText ``.bin``, gensim pickles), or it
            cannot hold some word (text formats hold no line breaks).

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> v = Vectors(["cat"], np.ones((1, 2), np.float32))
        >>> write_vectors(v, pathlib.Path(tempfile.mkdtemp()) / "v.vec", "vec").read_text()
        '1 2\\ncat 1 1\\n'
    """
    fmt = vector_format(to)
    if fmt.write is None:
        raise ValueError(
            f"cannot write format {to!r}; expected one of {', '.join(writable_formats())}"
        )
    return fmt.write(vectors, Path(path))
