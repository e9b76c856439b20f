"""Out-of-vocabulary policies, and the embedding matrix for a list of words.

:func:`build_matrix` gives every word a row: its pretrained vector when a fallback rule finds one
(the rules of :mod:`nlptransfer.vectors.fallback`, so the coverage report describes exactly this
matrix), else a row from an OOV policy (:data:`OOV_POLICIES`, a
:class:`~nlptransfer._util.registry.Registry`; plugins add theirs through the
``nlptransfer.oov_policies`` entry point group):

- ``zero``: all zeros;
- ``uniform``: U[-a, a] per value; ``scale=0.25`` is Kim (2014)'s value for word2vec, and
  ``scale="auto"`` picks ``a`` so the rows have the variance of the pretrained rows
  (``a = sqrt(3 * var)``), which is how Kim chose it;
- ``normal``: per dimension, the mean and standard deviation of the pretrained rows;
- ``subword``: fastText's vector from the word's character n-grams (fastText models only;
  zeros for a word with no n-gram in the model, as fastText does).

"The pretrained rows" are those found for ``words`` (``reference="found"``, the default) or a
sample of the whole matrix (``reference="vectors"``). Random rows come from a
``numpy.random.Generator`` seeded with ``seed``, drawn in word order: the same arguments always
give the same matrix.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors import Vectors
    >>> v = Vectors(["good", "movie"], np.array([[1, 2], [3, 4]], np.float32))
    >>> matrix, report = build_matrix(v, ["<pad>", "Good", "movie", "zzz"], policy="zero",
    ...                               zero_words=["<pad>"])
    >>> matrix.tolist()
    [[0.0, 0.0], [1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]
    >>> report.rule_of, report.missing
    ({'Good': 'lower', 'movie': 'exact'}, [('zzz', 1)])
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.registry import Registry
from nlptransfer.vectors.coverage import CoverageReport, report_from_resolution
from nlptransfer.vectors.fallback import DEFAULT_RULES, SUBWORD_ROW, FallbackRule, resolve
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

#: Kim (2014): unknown words (and the "rand" model) ~ U[-0.25, 0.25] with word2vec.
KIM_UNIFORM_SCALE = 0.25
#: Rows sampled (evenly) from the whole matrix for ``reference="vectors"`` statistics.
STATS_SAMPLE_ROWS = 100_000

Reference = Literal["found", "vectors"]


class OOVPolicy:
    """How rows start for words no fallback rule found; registered in :data:`OOV_POLICIES`.

    Example:
        >>> OOV_POLICIES.names()
        ('zero', 'uniform', 'normal', 'subword')
    """

    name: ClassVar[str] = ""

    def rows(
        self,
        words: Sequence[str],
        *,
        vectors: Vectors,
        found: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """float32 ``[len(words), vectors.dim]`` rows for the out-of-vocabulary ``words``.

        Args:
            words: the words that need a row.
            vectors: the pretrained vectors.
            found: float32 ``[n, dim]``, the rows found for the other words.
            rng: the random generator to draw from.
        """
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """The policy as a JSON-ready dict (``{"name": ..., **options}``)."""
        return {"name": self.name, **self.__dict__}


#: OOV policy classes by name; a class is called with the policy's options.
OOV_POLICIES: Registry[type[OOVPolicy]] = Registry("OOV policy", "nlptransfer.oov_policies")


def _reference_rows(vectors: Vectors, found: np.ndarray, reference: Reference) -> np.ndarray:
    if reference not in ("found", "vectors"):
        raise ValueError(f"expected reference 'found' or 'vectors', got {reference!r}")
    if reference == "found" and len(found) >= 2:
        return np.asarray(found, dtype=np.float64)
    if reference == "found":
        logger.info("fewer than 2 words found: OOV statistics come from the whole vectors")
    step = max(1, len(vectors) // STATS_SAMPLE_ROWS)
    return np.asarray(vectors.matrix[::step], dtype=np.float64)


@OOV_POLICIES.register("zero")
@dataclass
class ZeroPolicy(OOVPolicy):
    """All-zero rows.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a"], np.ones((1, 3), np.float32))
        >>> ZeroPolicy().rows(["x"], vectors=v, found=v.matrix, rng=None).tolist()
        [[0.0, 0.0, 0.0]]
    """

    name: ClassVar[str] = "zero"

    def rows(self, words, *, vectors, found, rng):
        return np.zeros((len(words), vectors.dim), dtype=np.float32)


@OOV_POLICIES.register("uniform")
@dataclass
class UniformPolicy(OOVPolicy):
    """U[-scale, scale]; ``scale="auto"`` matches the variance of the reference rows (Kim 2014).

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[1, -1], [-1, 1]], np.float32))
        >>> rows = UniformPolicy("auto").rows(["x"] * 2000, vectors=v, found=v.matrix,
        ...                                   rng=np.random.default_rng(0))
        >>> round(float(rows.var()), 1)  # the found rows' variance is 1
        1.0
    """

    scale: float | Literal["auto"] = KIM_UNIFORM_SCALE
    reference: Reference = "found"
    name: ClassVar[str] = "uniform"

    def bound(self, vectors: Vectors, found: np.ndarray) -> float:
        """The ``a`` of U[-a, a]."""
        if self.scale != "auto":
            return float(self.scale)
        sample = _reference_rows(vectors, found, self.reference)
        return float(np.sqrt(3 * sample.var(axis=0).mean()))

    def rows(self, words, *, vectors, found, rng):
        a = self.bound(vectors, found)
        return rng.uniform(-a, a, (len(words), vectors.dim)).astype(np.float32)


@OOV_POLICIES.register("normal")
@dataclass
class NormalPolicy(OOVPolicy):
    """N(mean, std) per dimension, as measured on the reference rows.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a", "b"], np.array([[0, 10], [2, 10]], np.float32))
        >>> rows = NormalPolicy().rows(["x"] * 1000, vectors=v, found=v.matrix,
        ...                            rng=np.random.default_rng(0))
        >>> rows.mean(axis=0).round(1).tolist(), rows.std(axis=0).round(1).tolist()
        ([1.0, 10.0], [1.0, 0.0])
    """

    reference: Reference = "found"
    name: ClassVar[str] = "normal"

    def rows(self, words, *, vectors, found, rng):
        sample = _reference_rows(vectors, found, self.reference)
        mean, std = sample.mean(axis=0), sample.std(axis=0)
        return rng.normal(mean, std, (len(words), vectors.dim)).astype(np.float32)


@OOV_POLICIES.register("subword")
@dataclass
class SubwordPolicy(OOVPolicy):
    """fastText's vector from character n-grams; zeros for words with none in the model.

    Example:
        >>> from nlptransfer import load_vectors
        >>> from gensim.test.utils import datapath
        >>> ft = load_vectors(datapath("lee_fasttext_new.bin"))
        >>> row = SubwordPolicy().rows(["unseenword"], vectors=ft, found=ft.matrix, rng=None)
        >>> bool((row[0] == ft.vector("unseenword")).all())
        True
    """

    name: ClassVar[str] = "subword"

    def rows(self, words, *, vectors, found, rng):
        if vectors.subwords is None:
            raise NLPTransferError(
                f"the 'subword' OOV policy needs vectors with a fastText subword model (.bin or "
                f".ftz), found {vectors!r} without one; use 'uniform', 'normal' or 'zero'"
            )
        return vectors.subwords.vectors(list(words))


def get_policy(spec: str | Mapping[str, Any] | OOVPolicy, **options: Any) -> OOVPolicy:
    """A policy from a name (plus options), a ``{"name": ..., **options}`` dict, or as given.

    Names come from :data:`OOV_POLICIES`.

    Raises:
        UnknownNameError: no policy has that name (a ``ValueError``, with close matches).
        ValueError: options the policy does not take.

    Example:
        >>> get_policy("uniform", scale="auto")
        UniformPolicy(scale='auto', reference='found')
        >>> get_policy({"name": "normal", "reference": "vectors"})
        NormalPolicy(reference='vectors')
        >>> get_policy("gaussian")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.UnknownNameError: unknown OOV policy 'gaussian' (known: zero, uniform, normal, subword)
    """
    if isinstance(spec, OOVPolicy):
        if options:
            raise ValueError(f"options {sorted(options)} given with a policy object")
        return spec
    if isinstance(spec, Mapping):
        options = {**spec, **options}
        spec = options.pop("name", None)
    if not isinstance(spec, str):
        raise ValueError(
            f"expected an OOV policy name among {', '.join(OOV_POLICIES.names())}, got {spec!r}"
        )
    policy = OOV_POLICIES.get(spec)
    try:
        return policy(**options)
    except TypeError as exc:
        raise ValueError(f"bad options {options} for the {spec!r} OOV policy: {exc}") from None


def build_matrix(
    vectors: Vectors,
    words: Sequence[str],
    *,
    policy: str | Mapping[str, Any] | OOVPolicy = "uniform",
    fallbacks: Iterable[str | FallbackRule] = DEFAULT_RULES,
    seed: int | np.random.Generator | None = 0,
    zero_words: Collection[str] = (),
    counts: Mapping[str, int] | None = None,
    top_missing: int = 20,
) -> tuple[np.ndarray, CoverageReport]:
    """The float32 ``[len(words), dim]`` matrix for ``words`` and its coverage report.

    Row ``i`` is the pretrained vector of ``words[i]`` found by the first matching fallback
    rule, else a row from ``policy``. ``zero_words`` (padding, say) get zero rows and are left
    out of the report; ``counts`` weight the report's token figures (default 1 per word).
    ``report.rule_of`` tells which rule found each word (absent: the policy's row).

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> m, report = build_matrix(glove, ["Movie", "qqqzx"], policy="uniform", seed=1)
        >>> bool((m[0] == glove["movie"]).all()), bool(abs(m[1]).max() <= 0.25)
        (True, True)
    """
    chosen = get_policy(policy)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    zero = set(zero_words)
    fallbacks = list(fallbacks)
    wanted = [w for w in words if w not in zero]
    resolution = resolve(vectors.lookup(), wanted, fallbacks)
    rows_of = dict(zip(resolution.words, resolution.rows.tolist(), strict=True))
    matrix = np.zeros((len(words), vectors.dim), dtype=np.float32)
    positions: dict[str, list[int]] = {"row": [], "subword": [], "missing": []}
    for i, word in enumerate(words):
        if word in zero:
            continue
        row = rows_of[word]
        kind = "row" if row >= 0 else "subword" if row == SUBWORD_ROW else "missing"
        positions[kind].append(i)
    if positions["row"]:
        rows = np.array([rows_of[words[i]] for i in positions["row"]], dtype=np.int64)
        matrix[positions["row"]] = vectors.matrix[rows]
    if positions["subword"]:
        matrix[positions["subword"]] = vectors.subwords.vectors(
            [words[i] for i in positions["subword"]]
        )
    if positions["missing"]:
        found = matrix[positions["row"] + positions["subword"]]
        missing_words = [words[i] for i in positions["missing"]]
        matrix[positions["missing"]] = chosen.rows(
            missing_words, vectors=vectors, found=found, rng=rng
        )
    report = report_from_resolution(
        resolution, counts or {}, fallbacks, top_missing, vectors.source
    )
    logger.info(
        "embedding matrix: %d of %d words from the vectors, %d from the %r policy",
        len(positions["row"]) + len(positions["subword"]),
        len(words),
        len(positions["missing"]),
        chosen.name,
    )
    return matrix, report
