"""The systems a user would try instead of a neural classifier, run in the same harness.

A grid names them in ``models:`` beside ``cnn``, ``bilstm`` and ``nbow``; they train on the same
splits, seeds and training fractions, and their records carry the same metrics, costs and
per-example predictions. :data:`BASELINES` lists them; :func:`train_baseline` runs one from
Python. Importing this package imports neither scikit-learn nor fastText.

- ``tfidf-lr``: word 1-2 gram TF-IDF (sublinear tf) + logistic regression, C chosen by
  cross-validation on the training set (extra ``bench``); no vectors, no modes.
- ``fasttext``: fastText supervised (word bigrams, one thread so a seed reproduces; extra
  ``fasttext``); mode ``random`` learns its own vectors, ``finetune`` starts from the grid's.
- ``vectors-lr``: the mean of the pretrained vectors of a text's tokens + logistic regression
  (C by cross-validation): frozen features, a new classifier on top (mode ``frozen``).
"""

from __future__ import annotations

from nlptransfer.baselines.base import NO_MODE, Baseline, BaselineData, BaselineFit
from nlptransfer.baselines.names import BASELINES
from nlptransfer.baselines.run import train_baseline

__all__ = ["BASELINES", "NO_MODE", "Baseline", "BaselineData", "BaselineFit", "train_baseline"]
