"""Training a baseline by name from Python, outside a grid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlptransfer.baselines.base import NO_MODE, BaselineData, BaselineFit, Split
from nlptransfer.baselines.names import BASELINES

if TYPE_CHECKING:
    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors


def train_baseline(
    name: str,
    train: Split,
    *,
    label_names: Sequence[str],
    dev: Split | None = None,
    test: Split | None = None,
    mode: str | None = None,
    seed: int = 0,
    vectors: Vectors | None = None,
    tokenizer: Tokenizer | None = None,
    **options: Any,
) -> BaselineFit:
    """Train the baseline ``name`` on ``train``; predict ``dev`` and ``test``.

    Args:
        mode: the embedding mode (default: the first the baseline takes; ``"none"`` for
            ``tfidf-lr``).
        tokenizer: how ``fasttext`` and ``vectors-lr`` split texts (default: whitespace).
        **options: the baseline's own options (``Cs``, ``cv_folds``; fastText's ``epoch``,
            ``lr``, ``dim``, ``bucket`` ...), as a grid's ``model_options`` gives them.

    Example:
        >>> texts = ["good film", "great film", "bad film", "awful film"] * 5
        >>> fit = train_baseline("tfidf-lr", (texts, [1, 1, 0, 0] * 5), label_names=["neg", "pos"],
        ...                      test=(["good", "awful"], [1, 0]), cv_folds=2)
        >>> fit.predictions["test"], fit.details["C"] > 0
        ([1, 0], True)
    """
    baseline = BASELINES.get(name)
    if tokenizer is None and baseline.uses_tokenizer:
        from nlptransfer.text.tokenize import get_tokenizer

        tokenizer = get_tokenizer("whitespace")
    data = BaselineData(
        train=train,
        label_names=label_names,
        dev=dev,
        test=test,
        mode=mode or next(iter(baseline.modes), NO_MODE),
        seed=seed,
        vectors=vectors,
        tokenizer=tokenizer,
        options=options,
    )
    return baseline.train(data)
