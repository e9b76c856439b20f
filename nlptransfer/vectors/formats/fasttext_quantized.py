"""Product-quantized matrices of fastText ``.ftz`` models, as ``QuantMatrix::save`` writes them.

A quantized matrix is the qnorm flag (one byte), rows and cols (int64), codesize (int32), the
uint8 codes (``nsubq`` per row), the product quantizer (dim, nsubq, dsub, lastdsub as int32,
then ``dim * 256`` float32 centroids) and, with qnorm, one uint8 norm code per row and a norm
quantizer of dim 1. :func:`read_quant_matrix` reads and checks one (the input or the output
matrix); :meth:`QuantMatrix.decode` rebuilds float32 rows as fastText does.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nlptransfer.vectors.formats.fasttext_reader import BinaryReader

#: fastText's product quantizer always uses 8 bits, i.e. 256 centroids per sub-quantizer.
_KSUB = 256


def _read_quantizer(reader: BinaryReader, what: str) -> tuple[int, int, int, int, np.ndarray]:
    offset = reader.offset
    dim, nsubq, dsub, lastdsub = reader.unpack(struct.Struct("<4i"), f"the {what} header")
    if (
        dim <= 0
        or nsubq <= 0
        or dsub <= 0
        or not 0 < lastdsub <= dsub
        or (nsubq - 1) * dsub + lastdsub != dim
    ):
        raise reader.error(
            f"expected a {what} with dim == (nsubq - 1) * dsub + lastdsub, all > 0, found "
            f"dim {dim}, nsubq {nsubq}, dsub {dsub}, lastdsub {lastdsub}",
            offset=offset,
        )
    centroids = reader.read_array("<f4", dim * _KSUB, f"the {what} centroids")
    centroids = centroids.astype(np.float32, copy=False)
    return dim, nsubq, dsub, lastdsub, centroids


def _decode_pq(
    codes: np.ndarray, nsubq: int, dsub: int, lastdsub: int, centroids: np.ndarray
) -> np.ndarray:
    """Decode product-quantized rows: ``codes`` is uint8 ``[rows, nsubq]``."""
    rows = codes.shape[0]
    dim = (nsubq - 1) * dsub + lastdsub
    out = np.empty((rows, dim), dtype=np.float32)
    main = centroids[: (nsubq - 1) * _KSUB * dsub].reshape(nsubq - 1, _KSUB, dsub)
    for m in range(nsubq - 1):
        out[:, m * dsub : (m + 1) * dsub] = main[m][codes[:, m]]
    last = centroids[(nsubq - 1) * _KSUB * dsub :].reshape(_KSUB, lastdsub)
    out[:, (nsubq - 1) * dsub :] = last[codes[:, nsubq - 1]]
    return out


@dataclass
class QuantMatrix:
    """A product-quantized matrix as fastText's ``QuantMatrix::save`` writes it, not decoded."""

    rows: int
    codes: np.ndarray  # uint8 [rows, nsubq]
    codes_offset: int
    nsubq: int
    dsub: int
    lastdsub: int
    centroids: np.ndarray
    norms: np.ndarray | None  # float32 [rows] with qnorm, else None

    def decode(self, lo: int, hi: int) -> np.ndarray:
        out = _decode_pq(self.codes[lo:hi], self.nsubq, self.dsub, self.lastdsub, self.centroids)
        if self.norms is not None:
            # fastText adds norm * centroid, the product rounded to float32 first.
            out *= self.norms[lo:hi, None]
        return out


def read_quant_matrix(
    reader: BinaryReader, dim: int, what: str, rows_expected: str, rows_ok: Callable[[int], bool]
) -> QuantMatrix:
    flag_offset = reader.offset
    (qnorm,) = reader.read(1, f"the qnorm flag of the {what}")
    if qnorm not in (0, 1):
        raise reader.error(
            f"expected a qnorm flag 0 or 1 for the {what}, found {qnorm}", offset=flag_offset
        )
    header_offset = reader.offset
    rows, cols, codesize = reader.unpack(struct.Struct("<2qi"), f"the quantized {what} header")
    if not rows_ok(rows) or cols != dim or codesize < 0:
        raise reader.error(
            f"expected a quantized {what} of [{rows_expected}, {dim}] with codesize >= 0, "
            f"found [{rows}, {cols}] codesize {codesize}",
            offset=header_offset,
        )
    codes_offset = reader.offset
    label = "the quantization codes" if what == "input matrix" else f"the {what} codes"
    codes = reader.read_array("u1", codesize, label)
    pq_offset = reader.offset
    pq_name = "product quantizer" if what == "input matrix" else f"{what} product quantizer"
    pq_dim, nsubq, dsub, lastdsub, centroids = _read_quantizer(reader, pq_name)
    if pq_dim != dim or codesize != rows * nsubq:
        raise reader.error(
            f"expected a {pq_name} of dim {dim} with codesize == rows * nsubq = "
            f"{rows} * {nsubq}, found dim {pq_dim} and codesize {codesize}",
            offset=pq_offset,
        )
    norms = None
    if qnorm:
        norm_codes = reader.read_array(
            "u1", rows, "the norm codes" if what == "input matrix" else f"the {what} norm codes"
        )
        npq_offset = reader.offset
        npq_name = "norm quantizer" if what == "input matrix" else f"{what} norm quantizer"
        npq_dim, _, _, _, norm_centroids = _read_quantizer(reader, npq_name)
        if npq_dim != 1:
            raise reader.error(
                f"expected a {npq_name} of dim 1, found dim {npq_dim}", offset=npq_offset
            )
        norms = norm_centroids[norm_codes]
    return QuantMatrix(
        rows=rows,
        codes=codes.reshape(rows, nsubq),
        codes_offset=codes_offset,
        nsubq=nsubq,
        dsub=dsub,
        lastdsub=lastdsub,
        centroids=centroids,
        norms=norms,
    )
