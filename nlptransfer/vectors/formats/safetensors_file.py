"""safetensors files, as token vectors (model2vec, WordLlama) keep their matrices.

A safetensors file starts with the length of its header (8 bytes, little-endian), then the
header: JSON naming each tensor's dtype, shape and byte range. Recognising a file reads only that
header, with no dependency; reading the tensors needs the ``safetensors`` package (the
``static`` extra).

Example:
    >>> import json, struct
    >>> header = json.dumps({"embeddings": {"dtype": "F32", "shape": [3, 2],
    ...                                     "data_offsets": [0, 24]}}).encode()
    >>> head = struct.pack("<Q", len(header)) + header + bytes(24)
    >>> tensor_shapes(parse_header(head))
    {'embeddings': [3, 2]}
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.extras import require

#: The dtypes numpy holds (safetensors' names); BF16 has no numpy type.
NUMPY_DTYPES = ("F64", "F32", "F16", "I64", "I32", "I16", "I8", "U8")
_MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit


def parse_header(head: bytes) -> dict[str, Any] | None:
    """The header of the safetensors file whose first bytes are ``head``, or ``None`` when
    they do not start one (or end before its header does).

    Example:
        >>> parse_header(b"3 300\\n") is None, parse_header(b"\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00{}")
        (True, {})
    """
    if len(head) < 10:
        return None
    (length,) = struct.unpack("<Q", head[:8])
    if length < 2 or length > _MAX_HEADER or len(head) < 8 + length or head[8:9] != b"{":
        return None
    try:
        header = json.loads(head[8 : 8 + length])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(header, dict):
        return None
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    if not all(isinstance(v, dict) and {"dtype", "shape"} <= v.keys() for v in tensors.values()):
        return None
    return header


def file_header(path: Path) -> dict[str, Any] | None:
    """The header of the safetensors file at ``path``, or ``None`` if it is not one."""
    try:
        with open(path, "rb") as stream:
            start = stream.read(8)
            if len(start) < 8:
                return None
            (length,) = struct.unpack("<Q", start)
            if length > _MAX_HEADER:
                return None
            return parse_header(start + stream.read(length))
    except OSError:
        return None


def tensor_shapes(header: dict[str, Any] | None) -> dict[str, list[int]]:
    """Each tensor's shape, by name (the ``__metadata__`` entry left out)."""
    if not header:
        return {}
    return {k: list(v["shape"]) for k, v in header.items() if k != "__metadata__"}


def read_tensors(path: Path, names: tuple[str, ...], *, purpose: str) -> dict[str, np.ndarray]:
    """The tensors ``names`` of a safetensors file that it has, as numpy arrays.

    Raises:
        MissingExtraError: ``safetensors`` is not installed (``purpose`` says what needed it).
        VectorsFormatError: the file is not safetensors, or a tensor's dtype has no numpy type.
    """
    header = file_header(path)
    if header is None:
        raise VectorsFormatError(path, "expected a safetensors file, found other bytes", offset=0)
    for name in names:
        dtype = header.get(name, {}).get("dtype")
        if dtype is not None and dtype not in NUMPY_DTYPES:
            raise VectorsFormatError(
                path, f"expected tensor {name!r} in one of {', '.join(NUMPY_DTYPES)}, found {dtype}"
            )
    safetensors = require("safetensors", extra="static", purpose=purpose)
    try:
        with safetensors.safe_open(str(path), framework="numpy") as opened:
            return {name: opened.get_tensor(name) for name in names if name in header}
    except Exception as exc:  # safetensors raises its own error types
        raise VectorsFormatError(path, f"expected a readable safetensors file ({exc})") from None
