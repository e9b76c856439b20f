"""Optional dependencies: import one, or raise one clear error naming the extra that installs it.

``pip install nlptransfer`` is the core (vectors, formats, lookup, the catalogue, the ``vectors``
commands) on numpy and pyarrow. The rest sits behind extras:

=============  ==============================================================
extra          what it adds
=============  ==============================================================
``torch``      embedding layers, classifiers, the trainer, datasets (torch, spaCy, datasets)
``bench``      grids, statistics, reports and plots (scipy, matplotlib, pyyaml)
``pretrain``   word2vec / fastText training on a corpus (gensim)
``fasttext``   the ``fasttext`` package itself
``ann``        approximate nearest neighbours (faiss)
``ray``        running grids on a Ray cluster
``all``        everything above
=============  ==============================================================

Example:
    >>> require("math", extra="bench", purpose="arithmetic").sqrt(16.0)
    4.0
    >>> require("no_such_module_here", extra="bench", purpose="reports")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.MissingExtraError: reports need no_such_module_here, which is not installed: pip install 'nlptransfer[bench]'
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from nlptransfer._util.errors import MissingExtraError

#: Each extra and the top-level modules it installs (what :func:`extra_installed` checks).
EXTRAS: dict[str, tuple[str, ...]] = {
    "torch": ("torch", "spacy", "datasets"),
    "bench": ("scipy", "matplotlib", "yaml"),
    "pretrain": ("gensim",),
    "fasttext": ("fasttext",),
    "ann": ("faiss",),
    "ray": ("ray",),
}


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module``; if it is missing, raise :class:`MissingExtraError` naming ``extra``.

    ``purpose`` says, in words, what needs it ("the PyTorch classifiers").
    """
    try:
        return import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtraError(
            f"{purpose} need {missing}, which is not installed: pip install 'nlptransfer[{extra}]'"
        ) from exc


def extra_installed(extra: str) -> bool:
    """Whether every module of ``extra`` can be imported (found, not imported)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in EXTRAS[extra])
