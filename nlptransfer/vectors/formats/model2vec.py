"""model2vec's static models: a folder of token vectors distilled from a sentence transformer.

Layout, as ``StaticModel.save_pretrained`` writes it::

    model.safetensors   "embeddings" [rows, dim]; "weights" [tokens] and "mapping" [tokens]
                        when the model has per-token weights or a quantized vocabulary
    tokenizer.json      the Hugging Face tokenizer whose token ids index the rows
    config.json         model2vec's settings (normalize, hidden_dim, base model, ...)

Read as vectors, the words are the tokenizer's tokens in id order: row ``i`` is token ``i``'s
row of ``embeddings`` (through ``mapping`` when there is one). The tokenizer travels in
``meta["tokenizer"]`` (see :mod:`~nlptransfer.vectors.formats.token_vectors`), the per-token
``weights`` in ``meta["token_weights"]`` (model2vec multiplies a token's row by its weight
before averaging) and ``config.json`` in ``meta["model2vec_config"]``. Writing gives the same
folder back (``mapping`` expanded: one row per token), which model2vec loads. Needs the
``static`` extra (safetensors, tokenizers); the folder is recognised by its files and the
``embeddings`` tensor in its header, not by its name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.extras import require
from nlptransfer._util.files import atomic_directory
from nlptransfer.text.hf_tokenizer import TOKENIZER_FILE, vocabulary_tokens
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    register_format,
)
from nlptransfer.vectors.formats.safetensors_file import file_header, read_tensors, tensor_shapes
from nlptransfer.vectors.formats.token_vectors import (
    WEIGHTS_KEY,
    carried_tokenizer_json,
    token_vectors,
)

MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
EMBEDDINGS = "embeddings"
_PURPOSE = "model2vec folders"


def is_model2vec_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding a model2vec model (its files and its tensor)."""
    return (
        path.is_dir()
        and (path / TOKENIZER_FILE).is_file()
        and EMBEDDINGS in tensor_shapes(file_header(path / MODEL_FILE))
    )


def read_model2vec(path: str | Path) -> ParsedVectors:
    """Read a model2vec folder: the tokenizer's tokens, their rows, weights and config.

    Raises:
        VectorsFormatError: a file is missing or malformed, or the rows, weights or mapping do
            not match the tokenizer's tokens (the message names the file and both sizes).
        MissingExtraError: safetensors or tokenizers is not installed (the ``static`` extra).
    """
    path = Path(path)
    model = path / MODEL_FILE
    for needed in (model, path / TOKENIZER_FILE):
        if not needed.is_file():
            raise VectorsFormatError(path, f"expected a model2vec folder with {needed.name}")
    tensors = read_tensors(model, (EMBEDDINGS, "weights", "mapping"), purpose=_PURPOSE)
    if EMBEDDINGS not in tensors:
        raise VectorsFormatError(
            model, f"expected an {EMBEDDINGS!r} tensor, found {', '.join(tensors) or 'none'}"
        )
    require("tokenizers", extra="static", purpose=_PURPOSE)
    embeddings = tensors[EMBEDDINGS]
    if embeddings.ndim != 2:
        raise VectorsFormatError(model, f"expected 2-D embeddings, found {list(embeddings.shape)}")
    try:
        tokenizer_json = (path / TOKENIZER_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VectorsFormatError(
            path / TOKENIZER_FILE, f"expected a UTF-8 tokenizer file ({exc})"
        ) from None
    mapping = tensors.get("mapping")
    if mapping is not None:
        if mapping.ndim != 1 or (
            mapping.size and not 0 <= mapping.min() <= mapping.max() < len(embeddings)
        ):
            raise VectorsFormatError(
                model, f"expected a 'mapping' of row numbers below {len(embeddings)}"
            )
        embeddings = embeddings[mapping.astype(np.int64)]
    meta: dict[str, Any] = {"embedding_dtype": str(tensors[EMBEDDINGS].dtype)}
    config_path = path / CONFIG_FILE
    if config_path.is_file():
        try:
            meta["model2vec_config"] = json.loads(config_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise VectorsFormatError(
                config_path, f"expected JSON ({exc.msg})", line=exc.lineno
            ) from None
        except UnicodeDecodeError as exc:
            raise VectorsFormatError(
                config_path, f"expected UTF-8 JSON ({exc.reason})", offset=exc.start
            ) from None
    parsed = token_vectors(
        model, tokenizer_json, embeddings, tokenizer_source=str(path / TOKENIZER_FILE), meta=meta
    )
    weights = tensors.get("weights")
    if weights is not None:
        if weights.shape != (len(parsed.words),):
            raise VectorsFormatError(
                model,
                f"expected one weight per token ({len(parsed.words):,}), found shape "
                f"{list(weights.shape)}",
            )
        parsed.meta[WEIGHTS_KEY] = weights.astype(np.float32).tolist()
    return parsed


def write_model2vec(vectors: WritableVectors, path: str | Path) -> Path:
    """Write token vectors as a model2vec folder (atomically) that model2vec loads; returns it.

    The vectors must be whole token vectors: their tokenizer in ``meta`` and one row per token,
    in id order (as :func:`read_model2vec` gives them). Their weights and model2vec config,
    when they have them, are written back.

    Raises:
        ValueError: the vectors carry no tokenizer, or their words are not its tokens in id order.
    """
    path = Path(path)
    tokenizer_json = carried_tokenizer_json(vectors.meta)
    if tokenizer_json is None:
        raise ValueError(
            "a model2vec folder holds token vectors and their tokenizer; these vectors carry "
            "no tokenizer (read a model2vec folder or WordLlama file to get some)"
        )
    tokens = vocabulary_tokens(tokenizer_json)
    if list(vectors.words) != tokens:
        raise ValueError(
            f"a model2vec folder holds one row per token of its tokenizer ({len(tokens):,}), in "
            f"id order; these vectors hold {len(vectors.words):,} rows in another order (a "
            "subset?): write them in another format"
        )
    numpy_io = require("safetensors.numpy", extra="static", purpose=_PURPOSE)
    tensors = {EMBEDDINGS: np.ascontiguousarray(vectors.matrix, dtype=np.float32)}
    weights = vectors.meta.get(WEIGHTS_KEY)
    if weights is not None:
        tensors["weights"] = np.asarray(weights, dtype=np.float32)
    config = dict(vectors.meta.get("model2vec_config") or {})
    config.setdefault("model_type", "model2vec")
    config.setdefault("normalize", False)
    config.update(hidden_dim=int(vectors.matrix.shape[1]), embedding_dtype="float32")
    config.pop("vocabulary_quantization", None)  # the mapping is expanded: a row per token
    with atomic_directory(path) as tmp:
        numpy_io.save_file(tensors, str(tmp / MODEL_FILE))
        (tmp / TOKENIZER_FILE).write_text(tokenizer_json, encoding="utf-8")
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    return path


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_model2vec(path)  # read whole: read_vectors applies vocab/limit


MODEL2VEC = register_format(
    VectorFormat(
        "model2vec",
        "model2vec folder (model.safetensors, tokenizer.json)",
        read=_read,
        sniff=lambda head, path: is_model2vec_folder(path),
        write=write_model2vec,
        aliases=("m2v", "static-model"),
        suffix=".m2v",
        sniff_order=50,
        folder=True,
        token_vectors=True,
    )
)
