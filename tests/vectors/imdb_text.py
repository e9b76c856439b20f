"""Real review text for pretraining tests: IMDB training reviews from ``../shared/data``."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

IMDB_TRAIN = "imdb/train.csv.gz"


def imdb_reviews(train_csv: Path, n: int, skip: int = 0) -> list[str]:
    """Reviews ``skip .. skip + n`` of IMDB's training file, ``<br />`` tags made spaces, each
    on one line."""
    out: list[str] = []
    with gzip.open(train_csv, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for i, row in enumerate(reader):
            if i < skip:
                continue
            if len(out) == n:
                break
            out.append(" ".join(row["text"].replace("<br />", " ").split()))
    return out


def write_imdb_corpus(
    shared_file: Callable[[str], Path], path: Path, n: int, *, skip: int = 0, gz: bool = False
) -> Path:
    """Write ``n`` real IMDB reviews to ``path``, one a line (gzip with ``gz=True``)."""
    text = "".join(review + "\n" for review in imdb_reviews(shared_file(IMDB_TRAIN), n, skip))
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` fraction of ``data``: a download cut short."""
    return data[: int(len(data) * keep)]


def corrupted(data: bytes) -> bytes:
    """``data`` with a run of bytes in the middle overwritten: a damaged disk or transfer."""
    buffer = io.BytesIO(data)
    buffer.seek(len(data) // 2)
    buffer.write(b"\x00\xff" * 64)
    return buffer.getvalue()
