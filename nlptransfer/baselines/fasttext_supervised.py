"""``fasttext``: fastText supervised (Joulin et al. 2017) through the ``fasttext`` package.

Word bigrams (``wordNgrams=2``), 25 epochs at learning rate 0.5 (the settings of fastText's own
text classification tutorial; the package's 5 epochs at 0.1 leave a few thousand examples at
chance) and one thread, so the same seed gives the same model; the package's other defaults
(``dim=100``, ``bucket=2000000``, softmax loss) unless a grid's ``model_options: {fasttext:
{...}}`` says otherwise. fastText's seed is the run's seed + 1: its random engine takes seeds 0
and 1 alike, and two replications must differ. Texts are split with the grid's tokenizer and
joined with spaces (fastText splits on whitespace).

- mode ``random``: fastText learns its own word vectors from scratch;
- mode ``finetune``: they start from the grid's vectors (written, for the words of the dataset
  the vectors have, found as the grid's embedding layers find them, to a temporary ``.vec``
  file given as ``pretrainedVectors``; ``dim`` is the vectors' dimension).

There is no ``frozen`` mode: fastText always updates its word vectors while it trains.

Example:
    >>> from nlptransfer.baselines.base import BaselineData
    >>> data = BaselineData((["good film"], [1]), ["neg", "pos"], mode="random", seed=4,
    ...                     options={"epoch": 10, "bucket": 200000})
    >>> arguments(data)
    {'wordNgrams': 2, 'epoch': 10, 'lr': 0.5, 'thread': 1, 'verbose': 0, 'bucket': 200000, 'seed': 5}
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.extras import require
from nlptransfer.baselines.base import BaselineData, BaselineFit
from nlptransfer.baselines.word_rows import pretrained_rows

logger = logging.getLogger(__name__)

LABEL = "__label__"
#: What the baseline sets that the package would not: bigrams, the tutorial's epochs and
#: learning rate, one thread, silence.
DEFAULTS: dict[str, Any] = {"wordNgrams": 2, "epoch": 25, "lr": 0.5, "thread": 1, "verbose": 0}
#: fastText's supervised arguments a grid may set (input, label, seed and the pretrained
#: vectors are the harness's).
OPTIONS = (
    "lr",
    "dim",
    "ws",
    "epoch",
    "minCount",
    "minCountLabel",
    "minn",
    "maxn",
    "neg",
    "wordNgrams",
    "loss",
    "bucket",
    "thread",
    "lrUpdateRate",
    "t",
)


def fasttext_line(tokens: Sequence[str]) -> str:
    """Tokens as one fastText line: whitespace inside a token removed, empty tokens dropped.

    >>> fasttext_line(["a", " ", "b\\nc", ""])
    'a bc'
    """
    return " ".join(filter(None, ("".join(t.split()) for t in tokens)))


def write_vec(path: Path, rows: Mapping[str, np.ndarray], dim: int) -> None:
    """word2vec text format (``.vec``): a ``count dim`` header, then ``word v1 ... vd`` lines."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{len(rows)} {dim}\n")
        for word, vector in rows.items():
            out.write(word + " " + " ".join(f"{x:.6g}" for x in vector) + "\n")


def arguments(data: BaselineData) -> dict[str, Any]:
    """fastText's arguments for ``data``: :data:`DEFAULTS`, the grid's options, the run's seed."""
    # std::minstd_rand, fastText's engine, treats seed 0 as 1: shift so every seed is its own
    args = {**DEFAULTS, **data.options, "seed": data.seed + 1}
    if args["thread"] != 1:
        logger.warning(
            "fasttext with thread=%s: runs with the same seed will differ (thread 1 reproduces)",
            args["thread"],
        )
    if data.mode == "finetune":
        assert data.vectors is not None  # Baseline.train checks
        if args.setdefault("dim", data.vectors.dim) != data.vectors.dim:
            raise ValueError(
                f"fasttext in mode 'finetune' starts from {data.vectors.dim}d vectors; "
                f"its dim must be {data.vectors.dim}, not {args['dim']}"
            )
    return args


def train(data: BaselineData) -> BaselineFit:
    """Train fastText supervised on ``data.train``; predict the dev and test splits."""
    fasttext = require("fasttext", extra="fasttext", purpose="the fasttext baseline")
    if data.tokenizer is None:
        raise ValueError("the fasttext baseline needs a tokenizer")
    args = arguments(data)
    tokens = {"train": data.tokenizer.tokenize_batch(list(data.train[0]))}
    for name, split in data.splits().items():
        tokens[name] = data.tokenizer.tokenize_batch(list(split[0]))
    lines = {name: [fasttext_line(t) for t in split] for name, split in tokens.items()}
    pretrained = None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nlptransfer-fasttext-") as folder:
        train_file = Path(folder) / "train.txt"
        # fastText reads its file in order, epoch after epoch, and never shuffles: a file sorted
        # by label (as many corpora are) trains a model that predicts the last classes it saw
        order = np.random.default_rng(data.seed).permutation(len(lines["train"]))
        with open(train_file, "w", encoding="utf-8") as out:
            for i in order:
                out.write(f"{LABEL}{int(data.train[1][i])} {lines['train'][i]}\n")
        if data.mode == "finetune":
            assert data.vectors is not None
            # only the words of this dataset: fastText adds every word of the file to its
            # dictionary, and no other word can change a prediction on these splits
            pretrained = pretrained_rows(data.vectors, (t for s in tokens.values() for t in s))
            vec_file = Path(folder) / "pretrained.vec"
            write_vec(vec_file, pretrained, data.vectors.dim)
            args["pretrainedVectors"] = str(vec_file)
        try:
            model = fasttext.train_supervised(input=str(train_file), **args)
        except RuntimeError as exc:  # "Encountered NaN.": the learning rate is too high
            raise RuntimeError(
                f"fastText training failed ({exc}) with lr={args.get('lr', 0.1)}; a lower "
                "lr in the grid's model_options: {fasttext: {lr: ...}} usually helps"
            ) from exc
    seconds = time.perf_counter() - started
    args.pop("pretrainedVectors", None)
    majority = int(np.bincount(np.asarray(data.train[1], dtype=np.int64)).argmax())
    predictions = {name: _predict(model, lines[name], majority) for name in data.splits()}
    rows, dim = _shape(model.f.getInputMatrix())  # without copying a (words + buckets) matrix
    classes, _ = _shape(model.f.getOutputMatrix())
    return BaselineFit(
        predictions=predictions,
        train_seconds=round(seconds, 3),
        trainable_parameters=int(rows * dim + classes * dim),
        vocab_size=len(model.words),
        pretrained_rows=None if pretrained is None else len(pretrained),
        details={"fasttext": args, "fasttext_version": _version()},
    )


def _shape(matrix: Any) -> tuple[int, int]:
    shape = memoryview(matrix).shape
    assert shape is not None and len(shape) == 2
    return int(shape[0]), int(shape[1])


def _predict(model: Any, lines: list[str], fallback: int) -> list[int]:
    """Each line's most likely label id (``fallback`` where fastText returns no label)."""
    if not lines:
        return []
    labels, _ = model.predict(lines, k=1)
    return [int(found[0][len(LABEL) :]) if found else fallback for found in labels]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fasttext")
    except PackageNotFoundError:
        return "unknown"
