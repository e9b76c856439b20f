"""A spaCy pipeline folder (what ``spacy.load(DIR)`` opens) as a vectors format: its vectors.

Writing makes a blank pipeline of the vectors' language (``meta["language"]``, English when the
vectors do not say) whose vocabulary holds the vectors: ``spacy.load(DIR)`` opens it, and a
component that uses static vectors (a text classifier whose ``tok2vec`` includes them) trains on
them. Where the vectors came from is kept in the pipeline's ``meta.json`` (``"nlptransfer"``).

Reading takes the vectors of any spaCy pipeline folder (``config.cfg`` beside ``vocab/``) from
its vocabulary alone, without building its components, so a pipeline whose components need
packages that are not installed is read all the same. See
:mod:`nlptransfer.vectors.spacy_bridge` for what crosses (rows, not fastText subwords).

spaCy (the ``torch`` extra) is imported only when a pipeline is read or written.

Example:
    >>> import numpy as np, pathlib, tempfile
    >>> from nlptransfer.vectors import Vectors, read_vectors
    >>> v = Vectors(["king", "queen"], np.array([[1, 0], [1, 1]], np.float32))
    >>> folder = write_spacy_pipeline(v, pathlib.Path(tempfile.mkdtemp()) / "pipeline")
    >>> import spacy
    >>> spacy.load(folder).vocab["queen"].vector.tolist()
    [1.0, 1.0]
    >>> back = read_vectors(folder)
    >>> back.words, back.format
    (['king', 'queen'], 'spacy')
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer._util.extras import require
from nlptransfer._util.files import atomic_directory
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    WritableVectors,
    register_format,
)
from nlptransfer.vectors.spacy_bridge import set_spacy_vectors, spacy_vectors_parts

SPACY_SUFFIX = ".spacy-pipeline"
CONFIG_FILE = "config.cfg"
VOCAB_FOLDER = "vocab"
META_FILE = "meta.json"
#: The language of a pipeline written for vectors whose ``meta`` names none.
DEFAULT_LANGUAGE = "en"
#: Provenance copied into the pipeline's ``meta.json`` (under ``"nlptransfer"``) when known.
_PROVENANCE = ("source", "format", "source_format", "source_sha256", "language")


def is_spacy_pipeline(path: str | Path) -> bool:
    """Whether ``path`` is a spaCy pipeline folder (``config.cfg`` and ``vocab/`` in it).

    Example:
        >>> import tempfile
        >>> is_spacy_pipeline(tempfile.mkdtemp())
        False
    """
    path = Path(path)
    return (path / CONFIG_FILE).is_file() and (path / VOCAB_FOLDER).is_dir()


def read_spacy_pipeline(path: str | Path) -> ParsedVectors:
    """The vectors of the spaCy pipeline folder at ``path``, read from its vocabulary.

    ``meta`` holds the pipeline's language (``language``, ``spacy_lang``), name and spaCy
    version, the vectors table's name and, for a pipeline nlptransfer wrote, where its vectors
    came from (``made_from``).

    Raises:
        VectorsFormatError: ``path`` is not a pipeline folder, or its vocabulary has no vectors
            (or only floret vectors, which have no row per word).
        MissingExtraError: spaCy is not installed (``pip install 'nlptransfer[torch]'``).
    """
    path = Path(path)
    if not is_spacy_pipeline(path):
        raise VectorsFormatError(
            path,
            f"expected a spaCy pipeline folder ({CONFIG_FILE} and {VOCAB_FOLDER}/), found none",
        )
    spacy_vocab = require(
        "spacy.vocab", extra="torch", purpose="reading a spaCy pipeline's vectors"
    )
    vocab = spacy_vocab.Vocab().from_disk(path / VOCAB_FOLDER)
    words, matrix, meta = spacy_vectors_parts(vocab, path)
    pipeline = _pipeline_meta(path)
    vectors_name = (pipeline.get("vectors") or {}).get("name")
    if vectors_name:
        meta["spacy_vectors_name"] = vectors_name
    lang = pipeline.get("lang")
    meta.update(
        format="spacy",
        source_name=path.name,
        spacy_lang=lang,
        spacy_pipeline=pipeline.get("name"),
        spacy_version=pipeline.get("spacy_version"),
    )
    if lang:
        meta["language"] = lang
    if isinstance(pipeline.get("nlptransfer"), dict):
        meta["made_from"] = pipeline["nlptransfer"]
    return ParsedVectors(words, matrix, meta=meta)


def _pipeline_meta(path: Path) -> dict[str, Any]:
    """The pipeline's ``meta.json`` (``{}`` when it has none)."""
    meta_path = path / META_FILE
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise VectorsFormatError(
            meta_path, f"expected JSON, found {exc}", line=exc.lineno
        ) from None
    return meta if isinstance(meta, dict) else {}


def write_spacy_pipeline(
    vectors: WritableVectors, path: str | Path, *, lang: str | None = None
) -> Path:
    """Write a spaCy pipeline folder whose vocabulary's vectors are ``vectors``; returns its path.

    A blank pipeline (``spacy.blank(lang)``: a tokenizer, no components) with the vectors in its
    vocabulary, written atomically (an existing folder at ``path`` is replaced).

    Args:
        vectors: the vectors (a fastText subword model is left out, with a warning).
        path: the folder to write.
        lang: the pipeline's language (a spaCy language code); default ``meta["language"]`` of
            the vectors, else English.

    Raises:
        ValueError: spaCy has no language ``lang``.
        MissingExtraError: spaCy is not installed (``pip install 'nlptransfer[torch]'``).
    """
    spacy = require("spacy", extra="torch", purpose="writing a spaCy pipeline")
    path = Path(path)
    lang = lang or vectors.meta.get("language") or DEFAULT_LANGUAGE
    try:
        nlp = spacy.blank(lang)
    except ImportError as exc:  # spaCy's E048: no spacy.lang module for that code
        raise ValueError(
            f"spaCy has no language {lang!r} (a code such as en, de, fr, or xx for any "
            f"language): {exc}"
        ) from None
    set_spacy_vectors(
        nlp,
        vectors.words,
        vectors.matrix,
        name=vectors.meta.get("spacy_vectors_name"),
        has_subwords=vectors.subwords is not None,
    )
    provenance = {key: vectors.meta[key] for key in _PROVENANCE if vectors.meta.get(key)}
    if provenance:
        nlp.meta["nlptransfer"] = provenance
    with atomic_directory(path, overwrite=True) as tmp:
        nlp.to_disk(tmp)
    return path


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    return read_spacy_pipeline(path)  # read whole: read_vectors applies vocab/limit


def _write(vectors: WritableVectors, path: Path) -> Path:
    return write_spacy_pipeline(vectors, path)


SPACY = register_format(
    VectorFormat(
        "spacy",
        "spaCy pipeline folder (config.cfg, vocab/)",
        read=_read,
        sniff=lambda head, path: is_spacy_pipeline(path),
        write=_write,
        aliases=("spacy-pipeline",),
        suffix=SPACY_SUFFIX,
        sniff_order=50,  # before the native store: a pipeline folder has a meta.json too
        folder=True,
        records_source=False,
    )
)
