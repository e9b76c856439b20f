"""WordLlama's token embeddings: a safetensors file with ``embedding.weight`` and a tokenizer.

WordLlama recycles a large language model's input token embeddings, trained into a small static
model (``l2_supercat_256.safetensors``: float16 ``embedding.weight`` [32000, 256], the Llama 2
tokenizer's tokens). Read as vectors, the words are the tokenizer's tokens in id order and the
tokenizer travels in ``meta["tokenizer"]`` (see
:mod:`~nlptransfer.vectors.formats.token_vectors`).

The file is recognised by its safetensors header (a 2-D floating ``embedding.weight``), not by
its name. Its tokenizer is, in this order: the one given (``tokenizer=``), ``tokenizer.json``
beside the file, or WordLlama's own naming, ``<config>_tokenizer_config.json`` for
``<config>_<dim>.safetensors``, beside the file or in the ``../tokenizers/`` folder of the
``wordllama`` package's layout. Needs the ``static`` extra (safetensors, tokenizers).
"""

from __future__ import annotations

import re
from pathlib import Path

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.extras import require
from nlptransfer.text.hf_tokenizer import TOKENIZER_FILE
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    register_format,
)
from nlptransfer.vectors.formats.safetensors_file import parse_header, read_tensors
from nlptransfer.vectors.formats.token_vectors import token_vectors

EMBEDDING = "embedding.weight"
_FLOATS = ("F16", "F32", "F64")
_PURPOSE = "WordLlama files"
_SIZE_SUFFIX = re.compile(r"_\d+$")


def is_wordllama_file(head: bytes) -> bool:
    """Whether ``head`` starts a safetensors file with a 2-D floating ``embedding.weight``.

    Example:
        >>> import json, struct
        >>> header = json.dumps({EMBEDDING: {"dtype": "F16", "shape": [4, 2],
        ...                                  "data_offsets": [0, 16]}}).encode()
        >>> is_wordllama_file(struct.pack("<Q", len(header)) + header), is_wordllama_file(b"1 2\\n")
        (True, False)
    """
    header = parse_header(head)
    tensor = (header or {}).get(EMBEDDING)
    return (
        isinstance(tensor, dict)
        and tensor.get("dtype") in _FLOATS
        and isinstance(tensor.get("shape"), list)
        and len(tensor["shape"]) == 2
    )


def tokenizer_candidates(path: Path) -> list[Path]:
    """Where the tokenizer of the WordLlama file ``path`` is looked for, in order.

    Example:
        >>> [str(p) for p in tokenizer_candidates(Path("wordllama/weights/l2_supercat_256.safetensors"))]
        ['wordllama/weights/tokenizer.json', 'wordllama/weights/l2_supercat_tokenizer_config.json', 'wordllama/tokenizers/l2_supercat_tokenizer_config.json']
    """
    config = _SIZE_SUFFIX.sub("", path.stem)
    named = f"{config}_tokenizer_config.json"
    return [
        path.with_name(TOKENIZER_FILE),
        path.with_name(named),
        path.parent.parent / "tokenizers" / named,
    ]


def find_tokenizer(path: Path) -> Path:
    """The tokenizer file of the WordLlama file ``path`` (see :func:`tokenizer_candidates`).

    Raises:
        VectorsFormatError: none of the candidates exists (the message lists them).
    """
    candidates = tokenizer_candidates(path)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise VectorsFormatError(
        path,
        "expected its tokenizer (a Hugging Face tokenizer.json) at "
        + " or ".join(str(c) for c in candidates)
        + ", found none; pass tokenizer= to read_vectors",
    )


def read_wordllama(path: str | Path, *, tokenizer: str | Path | None = None) -> ParsedVectors:
    """Read a WordLlama safetensors file and its tokenizer as token vectors.

    Args:
        path: the ``.safetensors`` file with ``embedding.weight``.
        tokenizer: its tokenizer file (default: found beside it, see :func:`find_tokenizer`).

    Raises:
        VectorsFormatError: no tokenizer found, no ``embedding.weight``, or its rows are not one
            per token of the tokenizer.
        MissingExtraError: safetensors or tokenizers is not installed (the ``static`` extra).
    """
    path = Path(path)
    tokenizer_path = Path(tokenizer) if tokenizer is not None else find_tokenizer(path)
    tensors = read_tensors(path, (EMBEDDING,), purpose=_PURPOSE)
    if EMBEDDING not in tensors:
        raise VectorsFormatError(path, f"expected a WordLlama file with an {EMBEDDING!r} tensor")
    require("tokenizers", extra="static", purpose=_PURPOSE)
    try:
        tokenizer_json = tokenizer_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VectorsFormatError(tokenizer_path, f"expected a tokenizer file ({exc})") from None
    matrix = tensors[EMBEDDING]
    return token_vectors(
        path,
        tokenizer_json,
        matrix,
        tokenizer_source=str(tokenizer_path),
        meta={"embedding_dtype": str(matrix.dtype)},
    )


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_wordllama(path, tokenizer=options.tokenizer)  # read_vectors applies vocab/limit


WORDLLAMA = register_format(
    VectorFormat(
        "wordllama",
        "WordLlama safetensors (embedding.weight)",
        read=_read,
        sniff=lambda head, path: is_wordllama_file(head),
        aliases=("word-llama",),
        suffix=".safetensors",
        sniff_order=25,  # a strict check (a safetensors header), before the text formats
        token_vectors=True,
    )
)
