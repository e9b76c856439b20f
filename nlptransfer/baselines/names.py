"""The baselines a grid can name beside ``cnn``, ``bilstm`` and ``nbow``; importable without
scikit-learn or fastText.

:data:`BASELINES` maps each name to a :class:`~nlptransfer.baselines.base.Baseline` (its modes,
what it refuses, and its trainer as an import string). Other packages add theirs through the
entry point group ``nlptransfer.baselines`` (the entry point names a ``Baseline`` object).

Example:
    >>> BASELINES.names()[:3]
    ('tfidf-lr', 'fasttext', 'vectors-lr')
    >>> ft = BASELINES.get("fasttext")
    >>> ft.uses_vectors("random"), ft.uses_vectors("finetune"), ft.takes("frozen")
    (False, True, False)
    >>> BASELINES.get("tfidf-lr").modeless
    True
"""

from __future__ import annotations

from nlptransfer._util.registry import Registry
from nlptransfer.baselines import fasttext_supervised, logistic
from nlptransfer.baselines.base import NO_MODE, Baseline

#: Every baseline by name (plugins' after the built-ins).
BASELINES: Registry[Baseline] = Registry("baseline", "nlptransfer.baselines")

_BUILT_IN = (
    Baseline(
        "tfidf-lr",
        "word 1-2 gram TF-IDF (sublinear tf) + logistic regression, C by cross-validation",
        {NO_MODE: False},
        "nlptransfer.baselines.tfidf_lr:train",
        extra="bench",
        uses_tokenizer=False,  # scikit-learn's own word pattern, as a user of it would have it
        options=logistic.OPTIONS,
    ),
    Baseline(
        "fasttext",
        "fastText supervised (word bigrams, one thread): its own vectors, or the grid's to start",
        {"random": False, "finetune": True},
        "nlptransfer.baselines.fasttext_supervised:train",
        extra="fasttext",
        refused={
            "frozen": "fastText always updates its word vectors while it trains (it has no "
            "frozen mode); 'finetune' starts them from the grid's vectors",
            "multichannel": "fastText has one set of word vectors",
        },
        options=fasttext_supervised.OPTIONS,
    ),
    Baseline(
        "vectors-lr",
        "mean of the pretrained vectors of a text's tokens + logistic regression (C by CV)",
        {"frozen": True},
        "nlptransfer.baselines.vectors_lr:train",
        extra="bench",
        refused={
            "finetune": "its features are the pretrained vectors as they are (feature "
            "extraction); fine-tuning them needs a neural model",
            "multichannel": "its features are the pretrained vectors as they are",
            "random": "the mean of random vectors is no baseline; tfidf-lr and fasttext's "
            "'random' mode learn without pretrained vectors",
        },
        options=logistic.OPTIONS,
    ),
)
for _baseline in _BUILT_IN:
    BASELINES.register(_baseline.name, _baseline)
