"""Stores in the version 1 layout, written byte for byte as nlptransfer wrote them before
versioned folders (arrays beside ``meta.json``), so tests can check they still open."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.files import atomic_directory


def write_v1_store(
    path: Path, words: list[str], matrix: np.ndarray, meta: dict[str, Any], *, digest: bool = True
) -> Path:
    """What ``save_native`` wrote in version 1 (``digest=False``: before ``vocab_sha256``)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    escaped = any("\n" in w or "\r" in w or "\\" in w for w in words)
    escapes = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
    with atomic_directory(path) as tmp:
        np.save(tmp / "vectors.npy", matrix, allow_pickle=False)
        lines = ["".join(escapes.get(c, c) for c in w) for w in words] if escaped else words
        vocab = "".join(w + "\n" for w in lines).encode("utf-8")
        (tmp / "vocab.txt").write_bytes(vocab)
        record = dict(meta)
        record.update(
            native_format_version=1,
            count=len(words),
            dim=int(matrix.shape[1]),
            dtype="float32",
            vocab_escaped=escaped,
            has_subwords=False,
        )
        if digest:
            record["vocab_sha256"] = hashlib.sha256(vocab).hexdigest()
        (tmp / "meta.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def data_dir(store: Path) -> Path:
    """The version folder a (version 2) store's ``meta.json`` names."""
    return store / json.loads((store / "meta.json").read_text())["data"]
