"""Writing text vector files: word2vec text (``count dim`` header) and GloVe text (none).

Values are written in the shortest form that reads back to the same float32 (Arrow formats
them), so a file round-trips exactly through :func:`nlptransfer.vectors.formats.text.read_text_vectors`.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from nlptransfer._util.files import atomic_output

#: Rows formatted at a time.
_WRITE_BATCH = 65536


def write_text_vectors(
    path: str | Path, words: list[str], matrix: np.ndarray, *, header: bool
) -> Path:
    """Write vectors as word2vec text (``header=True``) or GloVe text (``header=False``).

    Values are written in the shortest form that reads back to the same float32, so a file
    round-trips exactly. The file appears atomically.

    Example:
        >>> import pathlib, tempfile, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> _ = write_text_vectors(p, ["a", "b"], np.eye(2, dtype=np.float32), header=True)
        >>> p.read_text()
        '2 2\\na 1 0\\nb 0 1\\n'
    """
    path = Path(path)
    matrix = np.asarray(matrix, dtype=np.float32)
    for word in words:
        if "\n" in word or "\r" in word or (header and " " in word) or not word:
            raise ValueError(
                f"cannot write the word {word!r} to a text vectors file: text formats cannot "
                "hold empty words, line breaks, or (with a header) spaces; use the native store"
            )
    # Arrow formats the numbers (shortest round-trip form); the words are joined on in Python,
    # since Arrow's unquoted CSV writer refuses words such as '"' (one of GloVe 6B's).
    options = pacsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
    with atomic_output(path) as tmp, open(tmp, "wb") as f:
        if header:
            f.write(f"{matrix.shape[0]} {matrix.shape[1]}\n".encode())
        for start in range(0, len(words), _WRITE_BATCH):
            block = matrix[start : start + _WRITE_BATCH]
            table = pa.table({f"v{i}": pa.array(block[:, i]) for i in range(block.shape[1])})
            numbers = io.BytesIO()
            pacsv.write_csv(table, numbers, options)
            lines = numbers.getvalue().split(b"\n")
            batch = words[start : start + _WRITE_BATCH]
            f.write(
                b"".join(
                    w.encode("utf-8") + b" " + line + b"\n"
                    for w, line in zip(batch, lines, strict=False)
                )
            )
    return path
