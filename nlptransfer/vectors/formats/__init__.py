"""On-disk vectors formats: one module per format, each registering its :class:`VectorFormat`.

Importing this package imports every module in it, so each format module registers its format in
:data:`VECTOR_FORMATS` beside its reader: adding a format is adding a module (and its tests).
Formats from other packages come in through the ``nlptransfer.formats`` entry point group.

Example:
    >>> [vector_format(name).name for name in ("bin", "vec", "txt", "ftz", "kv", "ntv")]
    ['word2vec-bin', 'word2vec-text', 'glove', 'fasttext-bin', 'gensim', 'native']
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from nlptransfer.vectors.formats.base import (
    VECTOR_FORMATS,
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    normalize_format,
    register_format,
    vector_format,
)
from nlptransfer.vectors.formats.detect import detect_format

for _module in pkgutil.iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")

__all__ = [
    "VECTOR_FORMATS",
    "ParsedVectors",
    "ReadOptions",
    "VectorFormat",
    "detect_format",
    "normalize_format",
    "register_format",
    "vector_format",
]
