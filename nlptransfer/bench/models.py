"""What a grid's ``models:`` may name: a neural classifier (:data:`~nlptransfer.nn.names.CLASSIFIERS`)
or a baseline (:data:`~nlptransfer.baselines.BASELINES`); importable without PyTorch.

Example:
    >>> MODELS.canonical("CNN"), MODELS.canonical("tfidf-lr"), is_baseline("fasttext")
    ('cnn', 'tfidf-lr', True)
    >>> MODELS.canonical("tfidf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.UnknownNameError: unknown model 'tfidf'; did you mean 'tfidf-lr'? ...
"""

from __future__ import annotations

import difflib

from nlptransfer._util.errors import UnknownNameError
from nlptransfer.baselines.names import BASELINES
from nlptransfer.nn.names import CLASSIFIERS


class ModelNames:
    """The classifiers' and the baselines' names together (a view of both registries)."""

    kind = "model"

    def names(self) -> tuple[str, ...]:
        """The classifiers' names, then the baselines'."""
        return (*CLASSIFIERS.names(), *BASELINES.names())

    def canonical(self, name: str) -> str:
        """The registered name ``name`` stands for, in either registry."""
        for registry in (CLASSIFIERS, BASELINES):
            if name in registry:
                return registry.canonical(name)
        known = self.names()
        close = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownNameError(
            f"unknown model {name!r}{hint} (known: {', '.join(known)})",
            kind=self.kind,
            name=name,
            known=known,
        )

    def __contains__(self, name: object) -> bool:
        return name in CLASSIFIERS or name in BASELINES


#: Every name a grid's ``models:`` accepts.
MODELS = ModelNames()


def is_baseline(model: str) -> bool:
    """Whether ``model`` names a baseline (not a neural classifier)."""
    return model not in CLASSIFIERS and model in BASELINES
