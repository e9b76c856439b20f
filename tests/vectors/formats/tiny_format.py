"""A third-party vectors format, as a plugin package would define it: a ``TINY`` line, then
``word v1 v2 ...`` lines. Its reader ignores ``vocab``/``limit`` (``read_vectors`` applies them).

Kept free of test imports so that a subprocess can load it through an entry point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlptransfer._util.files import atomic_output
from nlptransfer.vectors.formats import ParsedVectors, ReadOptions, VectorFormat

MAGIC = b"TINY\n"


def read_tiny(path: Path, options: ReadOptions) -> ParsedVectors:
    lines = path.read_bytes()[len(MAGIC) :].decode("utf-8").splitlines()
    rows = [line.split() for line in lines if line.strip()]
    matrix = np.array([[float(x) for x in row[1:]] for row in rows], dtype=np.float32)
    return ParsedVectors([row[0] for row in rows], matrix, meta={"tiny_rows": len(rows)})


def write_tiny(vectors, path: Path) -> Path:  # type: ignore[no-untyped-def]
    with atomic_output(path) as tmp, open(tmp, "wb") as out:
        out.write(MAGIC)
        for word, row in zip(vectors.words, vectors.matrix, strict=True):
            out.write((word + " " + " ".join(repr(float(x)) for x in row) + "\n").encode())
    return path


TINY = VectorFormat(
    "tiny",
    "tiny test vectors",
    read=read_tiny,
    sniff=lambda head, path: head.startswith(MAGIC),
    write=write_tiny,
    aliases=("tny",),
    suffix=".tiny",
    sniff_order=5,
)
