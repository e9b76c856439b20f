"""Processes that save and open one native store at once, for the concurrency tests.

``python -m tests.vectors.formats.native_workers writer STORE SECONDS`` saves two different
stores over ``STORE`` in turn; ``... reader STORE SECONDS`` opens it in a loop and checks each
load is one whole store (every word and every row carry the same marker, and the norms are
those of the rows). Each prints one JSON line of counts when its time is up.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROWS, DIM = 300, 16
MARKERS = (1.0, 2.0)


def marked_store(marker: float):
    """A store whose words and rows all carry ``marker``: ``m1-0, m1-1, ...``, ``row[0] = m``."""
    from nlptransfer import Vectors

    count = ROWS if marker == MARKERS[0] else ROWS + 37  # a different size as well
    rng = np.random.default_rng(int(marker))
    matrix = rng.standard_normal((count, DIM)).astype(np.float32)
    matrix[:, 0] = marker
    words = [f"m{marker:g}-{i}" for i in range(count)]
    return Vectors(words, matrix, meta={"marker": marker})


def whole(vectors) -> str | None:
    """``None`` when ``vectors`` is one whole marked store, else what is wrong."""
    from nlptransfer.vectors.topk import row_norms

    marker = float(vectors.meta["marker"])
    prefix = f"m{marker:g}-"
    if not all(word.startswith(prefix) for word in vectors.words):
        return f"words of another store than meta.json's marker {marker}"
    if not (np.asarray(vectors.matrix[:, 0]) == marker).all():
        return f"rows of another store than the words' marker {marker}"
    view = vectors.unit_view()
    norms = getattr(view, "norms", None)
    if norms is None or not np.array_equal(np.asarray(norms), row_norms(vectors.matrix)):
        return "norms that are not those of the rows"
    return None


def writer(store: Path, seconds: float) -> dict:
    stores = [marked_store(m) for m in MARKERS]
    saves = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        stores[saves % 2].save(store)
        saves += 1
    return {"saves": saves}


def reader(store: Path, seconds: float) -> dict:
    from nlptransfer import Vectors

    loads, problems, seen = 0, [], set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            vectors = Vectors.load(store)
        except Exception as exc:  # counted: the test fails on any
            problems.append(f"{type(exc).__name__}: {exc}")
            continue
        loads += 1
        seen.add(vectors.meta["marker"])
        wrong = whole(vectors)
        if wrong:
            problems.append(wrong)
    return {
        "loads": loads,
        "problems": problems[:10],
        "n_problems": len(problems),
        "seen": sorted(seen),
    }


if __name__ == "__main__":
    role, where, duration = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    result = writer(where, duration) if role == "writer" else reader(where, duration)
    print(json.dumps(result))
