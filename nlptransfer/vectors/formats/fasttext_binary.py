"""Reader for Facebook fastText binary models: ``.bin`` (dense) and ``.ftz`` (quantized).

The file is what ``FastText::saveModel`` writes, little-endian:

1. magic ``793712314`` and version (int32 each; versions 11 and 12 are read);
2. the arguments: dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn,
   lrUpdateRate (int32 each), t (float64);
3. the dictionary: size, nwords, nlabels (int32), ntokens, pruneidx_size (int64), then ``size``
   entries (NUL-terminated bytes, int64 count, int8 type: 0 word, 1 label), then
   ``pruneidx_size`` pairs (int32 bucket, int32 row) when the model was pruned (``-1`` means not
   pruned);
4. ``quant_input`` (one byte) and the input matrix: dense (int64 rows, int64 cols, float32 data)
   or product-quantized (qnorm byte, int64 rows, int64 cols, int32 codesize, the codes, the
   quantizer, and with qnorm the norm codes and the norm quantizer);
5. ``qout`` (one byte) and the output matrix: quantized like the input when both are quantized
   and ``qout`` is set, else dense; one row per label for a supervised model, one per word
   otherwise. The file ends there.

The reader checks all of it, steps over the output matrix without keeping it, refuses bytes
after it, and refuses NaN or infinite values in the rows it keeps.

The byte-level reading lives in :mod:`~nlptransfer.vectors.formats.fasttext_reader` and the
quantized (``.ftz``) matrices in :mod:`~nlptransfer.vectors.formats.fasttext_quantized`; this
module reads the header and dictionary, builds the rows and registers the format.

Every in-vocabulary word's row is built as fastText's ``get_word_vector`` builds it (the word's
own input row plus its character n-gram rows, averaged), and the n-gram rows become a
:class:`~nlptransfer.vectors.subword.FastTextSubwords` for out-of-vocabulary words.

Example:
    >>> from gensim.test.utils import datapath
    >>> parsed = read_fasttext_binary(datapath("crime-and-punishment.bin"))
    >>> parsed.matrix.shape, parsed.meta["model"], parsed.subwords.maxn
    ((291, 5), 'skipgram', 6)
"""

from __future__ import annotations

import codecs
import logging
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import VectorsFormatError
from nlptransfer.vectors.formats.base import (
    ParsedVectors,
    ReadOptions,
    VectorFormat,
    register_format,
)
from nlptransfer.vectors.formats.compression import open_vectors_file
from nlptransfer.vectors.formats.fasttext_quantized import read_quant_matrix
from nlptransfer.vectors.formats.fasttext_reader import BinaryReader
from nlptransfer.vectors.subword import FastTextSubwords

logger = logging.getLogger(__name__)

FASTTEXT_MAGIC = 793712314
SUPPORTED_VERSIONS = (11, 12)
_MAGIC_BYTES = struct.pack("<i", FASTTEXT_MAGIC)

_MODEL_NAMES = {1: "cbow", 2: "skipgram", 3: "supervised"}
_LOSS_NAMES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
_ARGS = struct.Struct("<12id")
_ARG_NAMES = (
    "dim",
    "ws",
    "epoch",
    "min_count",
    "neg",
    "word_ngrams",
    "loss",
    "model",
    "bucket",
    "minn",
    "maxn",
    "lr_update_rate",
    "t",
)
_ENTRY_TAIL = struct.Struct("<qb")
_ENTRY_WORD, _ENTRY_LABEL = 0, 1


def is_fasttext_binary(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) starts with fastText's magic number.

    Example:
        >>> is_fasttext_binary(b"\\xba\\x16O/\\x0c\\x00\\x00\\x00")
        True
        >>> is_fasttext_binary(b"3 300\\n")
        False
    """
    return head[:4] == _MAGIC_BYTES


def _read_args(reader: BinaryReader) -> dict[str, Any]:
    magic_offset = reader.offset
    (magic,) = reader.unpack(struct.Struct("<i"), "the magic number")
    if magic != FASTTEXT_MAGIC:
        raise reader.error(
            f"expected the fastText magic number {FASTTEXT_MAGIC}, found {magic} "
            "(not a fastText .bin/.ftz model, or one older than fastText 0.1 which has no magic)",
            offset=magic_offset,
        )
    version_offset = reader.offset
    (version,) = reader.unpack(struct.Struct("<i"), "the format version")
    if version not in SUPPORTED_VERSIONS:
        raise reader.error(
            f"expected fastText format version 11 or 12, found {version}", offset=version_offset
        )
    args_offset = reader.offset
    args = dict(zip(_ARG_NAMES, reader.unpack(_ARGS, "the model arguments"), strict=True))
    args["version"] = version
    problems = []
    if args["dim"] <= 0:
        problems.append(f"dim {args['dim']}")
    for key in ("bucket", "minn", "maxn"):
        if args[key] < 0:
            problems.append(f"{key} {args[key]}")
    if args["model"] not in _MODEL_NAMES:
        problems.append(f"model {args['model']}")
    if args["loss"] not in _LOSS_NAMES:
        problems.append(f"loss {args['loss']}")
    if problems:
        raise reader.error(
            "expected model arguments with dim > 0, bucket/minn/maxn >= 0, model in 1..3 and "
            f"loss in 1..4, found {', '.join(problems)}",
            offset=args_offset,
        )
    if version == 11 and args["model"] == 3:
        # fastText: "backward compatibility: old supervised models do not use char ngrams".
        args["maxn"] = 0
    if args["maxn"] > 0 and args["bucket"] == 0:
        raise reader.error(
            f"expected bucket > 0 for a model with char n-grams (maxn {args['maxn']}), found 0",
            offset=args_offset,
        )
    return args


def _read_input_matrix(
    reader: BinaryReader, dim: int, nwords: int
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], Callable[[int, int], int]]:
    """The input matrix as float32 ``(word_rows [nwords, dim], ngram_rows [rest, dim])``.

    The two blocks are separate arrays, so dropping the word rows frees their memory. The third
    item holds facts about the storage (quantized, qnorm, ...); the fourth gives the byte offset
    that holds (or, quantized, encodes) the value at ``(row, column)`` of the input matrix.
    """
    offset = reader.offset
    (quant_byte,) = reader.read(1, "the quant_input flag")
    if quant_byte not in (0, 1):
        raise reader.error(f"expected a quant_input flag 0 or 1, found {quant_byte}", offset=offset)
    shape_offset = reader.offset
    if not quant_byte:
        rows, cols = reader.unpack(struct.Struct("<2q"), "the input matrix shape")
        if rows < nwords or cols != dim:
            raise reader.error(
                f"expected an input matrix of [rows >= nwords = {nwords}, {dim}], "
                f"found [{rows}, {cols}]",
                offset=shape_offset,
            )
        data_offset = reader.offset
        word_rows = reader.read_array("<f4", nwords * dim, "the input matrix (word rows)")
        ngram_rows = reader.read_array(
            "<f4", (rows - nwords) * dim, "the input matrix (n-gram rows)"
        )
        storage: dict[str, bool | int] = {"quantized": False, "qnorm": False}
        # astype: a no-op on little-endian machines, a byte swap elsewhere.
        word_rows = word_rows.astype(np.float32, copy=False).reshape(nwords, dim)
        ngram_rows = ngram_rows.astype(np.float32, copy=False).reshape(rows - nwords, dim)
        return (
            word_rows,
            ngram_rows,
            storage,
            lambda row, col: data_offset + 4 * (row * dim + col),
        )

    quant = read_quant_matrix(
        reader, dim, "input matrix", f"rows >= nwords = {nwords}", lambda rows: rows >= nwords
    )
    storage = {
        "quantized": True,
        "qnorm": quant.norms is not None,
        "pq_nsubq": quant.nsubq,
        "pq_dsub": quant.dsub,
    }
    return (
        quant.decode(0, nwords),
        quant.decode(nwords, quant.rows),
        storage,
        lambda row, col: quant.codes_offset + row * quant.nsubq + col // quant.dsub,
    )


def _read_output_matrix(
    reader: BinaryReader, args: dict[str, Any], nwords: int, nlabels: int, quant_input: bool
) -> None:
    """Step over the output matrix, checking it is what fastText writes after the input matrix.

    ``FastText::saveModel`` writes the ``qout`` flag, then a quantized output matrix when both
    matrices are quantized and ``qout`` is set, else a dense one; it has one row per label for a
    supervised model, one per word otherwise, and ``dim`` columns. The file ends there.
    """
    dim = args["dim"]
    supervised = args["model"] == 3
    rows_wanted = nlabels if supervised else nwords
    rows_expected = f"{'nlabels' if supervised else 'nwords'} = {rows_wanted}"
    flag_offset = reader.offset
    (qout,) = reader.read(1, "the qout flag (the output matrix follows the input matrix)")
    if qout not in (0, 1):
        raise reader.error(
            f"expected the qout flag 0 or 1 after the input matrix, found {qout} (the input "
            "matrix has bytes inserted, missing or a corrupt size)",
            offset=flag_offset,
        )
    if quant_input and qout:
        read_quant_matrix(
            reader, dim, "output matrix", rows_expected, lambda rows: rows == rows_wanted
        )
    else:
        shape_offset = reader.offset
        rows, cols = reader.unpack(struct.Struct("<2q"), "the output matrix shape")
        if rows != rows_wanted or cols != dim:
            raise reader.error(
                f"expected an output matrix of [{rows_expected}, dim = {dim}], found "
                f"[{rows}, {cols}] (the input matrix has bytes inserted, missing or a corrupt "
                "size)",
                offset=shape_offset,
            )
        reader.skip(rows * cols * 4, "the output matrix")
    reader.expect_end("the output matrix")


def _first_non_finite(matrix: np.ndarray) -> tuple[int, int] | None:
    """``(row, column)`` of the first NaN or infinity of a 2-D matrix, checked in chunks."""
    step = max(1, (1 << 22) // max(1, matrix.shape[1]))
    for lo in range(0, matrix.shape[0], step):
        block = matrix[lo : lo + step]
        bad = ~np.isfinite(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            return lo + int(row), int(col)
    return None


def _own_rows(
    path: Path,
    word_block: np.ndarray,
    ngram_block: np.ndarray,
    kept: np.ndarray,
    locate: Callable[[int, int], int],
) -> np.ndarray:
    """The input rows of the kept words (dictionary indices ``kept``), checked to be finite.

    An index past the words is a label with a word's bytes, whose row fastText takes from the
    rows after the words, as it does.
    """
    nwords = word_block.shape[0]
    if kept.size == nwords and np.array_equal(kept, np.arange(nwords)):
        own = word_block  # every word in order: no copy
    else:
        past = kept >= nwords
        if past.any() and int(kept[past].max()) - nwords >= ngram_block.shape[0]:
            i = int(kept[past].max())
            raise VectorsFormatError(
                path,
                f"expected a label that repeats a word to have an input row, found label entry "
                f"{i} past the {nwords + ngram_block.shape[0]} rows",
            )
        own = np.empty((kept.size, word_block.shape[1]), dtype=np.float32)
        own[~past] = word_block[kept[~past]]
        own[past] = ngram_block[kept[past] - nwords]
    bad_at = _first_non_finite(own)
    if bad_at is not None:
        row = int(kept[bad_at[0]])
        raise VectorsFormatError(
            path,
            f"expected finite values in the input matrix, found {own[bad_at]} in row {row} "
            f"(the row of dictionary entry {row}), column {bad_at[1]}",
            offset=locate(row, bad_at[1]),
        )
    return own


def read_fasttext_binary(
    path: str | Path,
    *,
    vocab: set[str] | None = None,
    limit: int | None = None,
    unicode_errors: str = "replace",
    member: str | None = None,
) -> ParsedVectors:
    """Read a fastText ``.bin`` or ``.ftz`` model: word vectors plus the subword model.

    Each word's row equals ``fasttext.load_model(path).get_word_vector(word)``: the word's own
    input row and its character n-gram rows, averaged in float32 as fastText does. Labels of
    supervised models (``__label__...``) are left out. A word listed twice gets the row of its
    last entry, as fastText's lookup gives. For models without character n-grams (``maxn == 0``)
    ``subwords`` has no rows and gives unknown words all-zero vectors, as fastText does.

    Args:
        path: the model file, possibly compressed (``.gz``, ``.bz2``, ``.zip``).
        vocab: keep only these words (the subword model is kept whole).
        limit: keep only the first ``limit`` words of the file (applied before ``vocab``).
        unicode_errors: how to decode words that are not valid UTF-8: ``"replace"``,
            ``"ignore"`` or ``"strict"`` (raise). Their n-grams are hashed from the raw bytes, as
            fastText does.
        member: the member to read when ``path`` is a zip archive.

    Returns:
        :class:`ParsedVectors` with float32 rows, the :class:`FastTextSubwords` model and the
        model's hyper-parameters in ``meta``.

    Raises:
        VectorsFormatError: the file is not a fastText model, is truncated, inconsistent or
            longer than its sections, holds a NaN or infinity in a row kept, or (with
            ``unicode_errors="strict"``) holds a word that is not UTF-8; the message gives the
            byte offset, what was expected and what was found.

    Example:
        >>> from gensim.test.utils import datapath
        >>> parsed = read_fasttext_binary(datapath("lee_fasttext_new.bin"), limit=3)
        >>> parsed.words, parsed.matrix.shape
        (['the', 'to', 'of'], (3, 10))
        >>> parsed.subwords.vector("unseenword").shape
        (10,)
    """
    path = Path(path)
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError as exc:
        raise ValueError(f"unknown unicode_errors policy {unicode_errors!r}") from exc
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")

    with open_vectors_file(path, member=member) as stream:
        reader = BinaryReader(stream, path)
        args = _read_args(reader)
        dim = args["dim"]

        dict_offset = reader.offset
        size, nwords, nlabels, ntokens, pruneidx_size = reader.unpack(
            struct.Struct("<3i2q"), "the dictionary header"
        )
        if size < 0 or nwords < 0 or nlabels < 0 or nwords + nlabels != size or pruneidx_size < -1:
            raise reader.error(
                "expected a dictionary header with size == nwords + nlabels (all >= 0) and "
                f"pruneidx_size >= -1, found size {size}, nwords {nwords}, nlabels {nlabels}, "
                f"pruneidx_size {pruneidx_size}",
                offset=dict_offset,
            )
        logger.info(
            "reading fastText model %s: %d words, %d labels, dim %d", path, nwords, nlabels, dim
        )

        # Dictionary entries: keep words (type 0) in file order. fastText finds a word by its
        # bytes in a table filled in file order, so of entries with the same bytes the LAST one
        # wins (Dictionary::load: word2int_[find(word)] = i), a label included.
        kept_raw: list[bytes] = []
        kept_words: list[str] = []
        last_index: dict[bytes, int] = {}
        seen_raw: set[bytes] = set()
        seen: set[str] = set()
        nword_entries = 0
        repeated = 0
        collisions = 0
        for i in range(size):
            entry_offset = reader.offset
            raw = reader.read_cstring(f"word (dictionary entry {i} of {size})")
            _count, kind = reader.unpack(_ENTRY_TAIL, f"the count and type of entry {i}")
            if kind not in (_ENTRY_WORD, _ENTRY_LABEL):
                raise reader.error(
                    f"expected entry type 0 (word) or 1 (label) for dictionary entry {i}, "
                    f"found {kind}",
                    offset=reader.offset - 1,
                )
            last_index[raw] = i
            if kind == _ENTRY_LABEL:
                continue
            if i >= nwords:
                raise reader.error(
                    f"expected words to be dictionary entries 0..{nwords - 1}, found word "
                    f"entry {i}",
                    offset=entry_offset,
                )
            nword_entries += 1
            if limit is not None and nword_entries > limit:
                continue
            if raw in seen_raw:
                repeated += 1
                continue
            seen_raw.add(raw)
            try:
                word = raw.decode("utf-8", errors=unicode_errors)
            except UnicodeDecodeError as exc:
                raise reader.error(
                    f"expected UTF-8 bytes in dictionary entry {i}, found invalid byte(s) "
                    f"{raw[exc.start : exc.end]!r} in {raw!r} ({exc.reason})",
                    offset=entry_offset + exc.start,
                ) from exc
            if vocab is not None and word not in vocab:
                continue
            if word in seen:
                collisions += 1
                continue
            seen.add(word)
            kept_raw.append(raw)
            kept_words.append(word)
        del seen_raw, seen
        if nword_entries != nwords:
            raise reader.error(
                f"expected {nwords} word entries in the dictionary, found {nword_entries}",
                offset=dict_offset,
            )
        if repeated:
            logger.warning(
                "%s: %d dictionary entries repeat an earlier word; each such word gets the row "
                "of its last entry, as fastText does",
                path,
                repeated,
            )
        if collisions:
            logger.warning(
                "%s: %d words decode to the same text as an earlier word (unicode_errors=%r); "
                "kept the first of each",
                path,
                collisions,
                unicode_errors,
            )
        # The dictionary index whose input row is each kept word's own row.
        kept = np.fromiter((last_index[raw] for raw in kept_raw), np.int64, len(kept_raw))
        del last_index

        prune_offset = reader.offset
        pruned = pruneidx_size >= 0
        prune_buckets = prune_rows = None
        if pruned:
            pairs = reader.read_array("<i4", 2 * pruneidx_size, "the pruned bucket index")
            prune_buckets = pairs[0::2].astype(np.int64)
            prune_rows = pairs[1::2].astype(np.int64)

        matrix_offset = reader.offset
        word_block, ngram_block, storage, locate = _read_input_matrix(reader, dim, nwords)
        _read_output_matrix(reader, args, nwords, nlabels, bool(storage["quantized"]))

    bucket = args["bucket"]
    own_rows = _own_rows(path, word_block, ngram_block, kept, locate)
    del word_block
    bucket_ids = None
    if pruned:
        assert prune_buckets is not None
        assert prune_rows is not None
        if not storage["quantized"]:
            raise VectorsFormatError(
                path,
                "expected a pruned dictionary only with a quantized matrix, found a dense one: "
                "fastText rejects such files (an outdated model; see fastText issue #332)",
                offset=matrix_offset,
            )
        if ngram_block.shape[0] != pruneidx_size:
            raise VectorsFormatError(
                path,
                f"expected nwords + pruneidx_size = {nwords} + {pruneidx_size} rows in a pruned "
                f"input matrix, found {nwords + ngram_block.shape[0]}",
                offset=matrix_offset,
            )
        bad = (prune_rows < 0) | (prune_rows >= ngram_block.shape[0])
        bad |= (prune_buckets < 0) | (prune_buckets >= max(bucket, 1))
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise VectorsFormatError(
                path,
                f"expected pruned index pairs (bucket in [0, {bucket}), row in "
                f"[0, {ngram_block.shape[0]})), found ({prune_buckets[k]}, {prune_rows[k]})",
                offset=prune_offset + 8 * k,
            )
        order = np.argsort(prune_buckets, kind="stable")
        bucket_ids = prune_buckets[order]
        if bucket_ids.size and np.any(bucket_ids[1:] == bucket_ids[:-1]):
            raise VectorsFormatError(
                path, "expected each pruned bucket once, found repeats", offset=prune_offset
            )
        ngram_source = prune_rows[order]
        ngram_matrix = ngram_block[ngram_source]
    elif ngram_block.shape[0] != bucket:
        raise VectorsFormatError(
            path,
            f"expected nwords + bucket = {nwords} + {bucket} input rows, found "
            f"{nwords + ngram_block.shape[0]}",
            offset=matrix_offset,
        )
    else:
        ngram_source = None
        ngram_matrix = ngram_block

    subwords: FastTextSubwords
    if args["maxn"] > 0:
        bad_at = _first_non_finite(ngram_matrix)
        if bad_at is not None:
            row = bad_at[0] if ngram_source is None else int(ngram_source[bad_at[0]])
            raise VectorsFormatError(
                path,
                f"expected finite values in the input matrix, found "
                f"{ngram_matrix[bad_at]} in n-gram row {row} (input row {nwords + row}), "
                f"column {bad_at[1]}",
                offset=locate(nwords + row, bad_at[1]),
            )
        subwords = FastTextSubwords(
            np.ascontiguousarray(ngram_matrix),
            minn=args["minn"],
            maxn=args["maxn"],
            bucket=bucket,
            nwords=nwords,
            bucket_ids=bucket_ids,
        )
        logger.info("building %d word vectors from their n-grams", len(kept_raw))
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
            matrix = subwords.compose(kept_raw, own_rows=own_rows, out=own_rows)
        bad_at = _first_non_finite(matrix)
        if bad_at is not None:
            raise VectorsFormatError(
                path,
                f"expected a finite vector for {kept_words[bad_at[0]]!r}, found "
                f"{matrix[bad_at]} in column {bad_at[1]}: its finite input and n-gram rows "
                "overflow float32 when averaged",
                offset=locate(int(kept[bad_at[0]]), bad_at[1]),
            )
    else:
        # No character n-grams: a word's vector is its row (times float32(1.0)) and an unknown
        # word's is all zeros, which an n-gram model without rows gives.
        del ngram_matrix
        subwords = FastTextSubwords(
            np.zeros((0, dim), dtype=np.float32),
            minn=args["minn"],
            maxn=0,
            bucket=bucket,
            nwords=nwords,
        )
        matrix = own_rows

    meta: dict[str, Any] = {
        "format": "fasttext-binary",
        "version": args["version"],
        "dim": dim,
        "model": _MODEL_NAMES[args["model"]],
        "loss": _LOSS_NAMES[args["loss"]],
        "minn": args["minn"],
        "maxn": args["maxn"],
        "bucket": bucket,
        "ws": args["ws"],
        "epoch": args["epoch"],
        "min_count": args["min_count"],
        "neg": args["neg"],
        "word_ngrams": args["word_ngrams"],
        "lr_update_rate": args["lr_update_rate"],
        "t": args["t"],
        "nwords": nwords,
        "nlabels": nlabels,
        "ntokens": ntokens,
        "pruned": pruned,
        "pruned_buckets": int(pruneidx_size) if pruned else None,
        **storage,
    }
    logger.info("read %d word vectors from %s", len(kept_words), path)
    return ParsedVectors(words=kept_words, matrix=matrix, subwords=subwords, meta=meta)


def _read(path: Path, options: ReadOptions) -> ParsedVectors:
    vocab = None if options.vocab is None else set(options.vocab)
    return read_fasttext_binary(
        path,
        vocab=vocab,
        limit=options.limit,
        unicode_errors=options.unicode_errors,
        member=options.member,
    )


FASTTEXT_BINARY = register_format(
    VectorFormat(
        "fasttext-bin",
        "fastText .bin/.ftz",
        read=_read,
        sniff=lambda head, path: is_fasttext_binary(head),
        aliases=("fasttext", "fasttext-binary", "ftz"),
        suffix=".fasttext.bin",
        sniff_order=10,
    )
)
