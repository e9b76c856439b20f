"""What a baseline is, what it is given and what it gives back; importable without its extra.

A :class:`Baseline` describes a system a user would try instead of a neural classifier: the
embedding modes it takes (and, for each, whether it uses the grid's vectors), the modes it
refuses and why, and the function that trains it (an import string, resolved on first use, so
naming a baseline in a grid imports neither scikit-learn nor fastText).

Example:
    >>> b = Baseline("demo", "a demo", {"frozen": True}, "math:sqrt", extra="bench",
    ...              refused={"finetune": "demo features never change"})
    >>> b.takes("frozen"), b.takes("finetune"), b.uses_vectors("frozen")
    (True, False, True)
    >>> b.refusal("finetune")
    "demo does not run in mode 'finetune': demo features never change"
    >>> b.check_options({"C": 1})
    Traceback (most recent call last):
    ...
    ValueError: unknown option(s) C for the baseline 'demo'; it takes: none
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nlptransfer._util.registry import import_string

if TYPE_CHECKING:
    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors

#: The mode a baseline that uses neither vectors nor embedding modes runs in (``tfidf-lr``).
NO_MODE = "none"

#: One split as ``(texts, label ids)``.
Split = tuple[Sequence[str], Sequence[int]]


@dataclass(frozen=True)
class BaselineData:
    """What a baseline trains and predicts on: the same splits and sample the grid's runs use."""

    train: Split
    label_names: Sequence[str]
    dev: Split | None = None
    test: Split | None = None
    mode: str = NO_MODE
    seed: int = 0
    vectors: Vectors | None = None
    tokenizer: Tokenizer | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def splits(self) -> dict[str, Split]:
        """The evaluation splits given, by name (``dev``, ``test``)."""
        return {name: s for name, s in (("dev", self.dev), ("test", self.test)) if s is not None}


@dataclass
class BaselineFit:
    """A trained baseline's outcome.

    Attributes:
        predictions: per evaluation split, the predicted label id of each example, in order.
        train_seconds: the training cost: fitting and choosing hyperparameters (the
            cross-validation), and for fastText writing the files it reads; like a neural run's,
            it leaves out tokenizing, building features and predicting.
        trainable_parameters: the learned weights (coefficients and intercepts, or fastText's
            input and output matrices).
        vocab_size: features or words the model knows.
        pretrained_rows: words whose pretrained vector was used (``None``: no vectors).
        details: the choices made while training (the C chosen by cross-validation, fastText's
            arguments), for the record.
    """

    predictions: dict[str, list[int]]
    train_seconds: float
    trainable_parameters: int
    vocab_size: int | None = None
    pretrained_rows: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Baseline:
    """A registered baseline (see :data:`nlptransfer.baselines.BASELINES`).

    Args:
        name: its registered name (``tfidf-lr``).
        description: one line, for listings and docs.
        modes: the embedding modes it runs in, each mapped to whether it uses the grid's vectors
            (``{"none": False}``: no modes at all; it runs once per dataset, seed and fraction).
        trainer: import string of ``train(data: BaselineData) -> BaselineFit``.
        extra: the extra that installs what it needs.
        refused: modes it refuses, each with the reason (shown when a grid asks only for those).
        uses_tokenizer: whether it splits texts with the grid's tokenizer (or its own).
        options: the options it takes (a grid's ``model_options: {NAME: {...}}``).
    """

    name: str
    description: str
    modes: Mapping[str, bool]
    trainer: str
    extra: str
    refused: Mapping[str, str] = field(default_factory=dict)
    uses_tokenizer: bool = True
    options: tuple[str, ...] = ()

    def takes(self, mode: str) -> bool:
        """Whether it runs in ``mode``."""
        return mode in self.modes

    def uses_vectors(self, mode: str) -> bool:
        """Whether it uses the grid's vectors in ``mode`` (one run per vectors file) or none."""
        return self.modes.get(mode, False)

    @property
    def modeless(self) -> bool:
        """True when it takes no embedding mode (it runs once, in mode ``"none"``)."""
        return set(self.modes) == {NO_MODE}

    def refusal(self, mode: str) -> str:
        """Why it does not run in ``mode``, in words."""
        reason = self.refused.get(mode) or f"it runs in {', '.join(self.modes)} only"
        return f"{self.name} does not run in mode {mode!r}: {reason}"

    def check_options(self, options: Mapping[str, Any]) -> None:
        """Refuse an option it does not take, naming those it does (before any run)."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(unknown)} for the baseline {self.name!r}; "
                f"it takes: {', '.join(self.options) or 'none'}"
            )

    def train(self, data: BaselineData) -> BaselineFit:
        """Train on ``data.train`` and predict ``data.dev`` and ``data.test``.

        Raises:
            ValueError: ``data.mode`` is one it does not take, or it needs vectors and has none.
            MissingExtraError: its extra is not installed.
        """
        if not self.takes(data.mode):
            raise ValueError(self.refusal(data.mode))
        self.check_options(data.options)
        if self.uses_vectors(data.mode) and data.vectors is None:
            raise ValueError(f"{self.name} in mode {data.mode!r} needs pretrained vectors")
        train = import_string(self.trainer, what=f"the baseline {self.name!r}")
        return train(data)
