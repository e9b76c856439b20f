"""Writing ``Vectors`` in any writable format: native store, word2vec binary/text, GloVe text.

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

from nlptransfer.vectors.formats.text import write_text_vectors
from nlptransfer.vectors.formats.word2vec_binary import write_word2vec_binary
from nlptransfer.vectors.store import Vectors

#: What ``write_vectors(..., to=...)`` accepts.
WRITABLE_FORMATS = ("native", "word2vec-bin", "word2vec-text", "glove")


def write_vectors(vectors: Vectors, path: str | Path, to: str = "native") -> Path:
    """Write ``vectors`` to ``path`` in format ``to``; returns the path written (atomically)."""
    if to == "native":
        return vectors.save(path)
    if to == "word2vec-bin":
        return write_word2vec_binary(path, vectors.words, vectors.matrix)
    if to in ("word2vec-text", "glove"):
        return write_text_vectors(path, vectors.words, vectors.matrix, header=to == "word2vec-text")
    raise ValueError(f"cannot write format {to!r}; expected one of {', '.join(WRITABLE_FORMATS)}")
