"""The names the ``nn`` package answers to, importable without PyTorch.

:data:`CLASSIFIERS` is the registry of text classifiers: each name maps to a builder (a class or
function called as ``builder(embedding, num_classes, **options)`` that returns a
:class:`~nlptransfer.nn.classifiers.TextClassifier`). The built-ins are registered here by import
string, so listing them (the command line's help, a benchmark config's check) imports no torch;
:func:`~nlptransfer.nn.classifiers.build_classifier` imports a builder when it is first used.
Other packages add classifiers through the entry point group ``nlptransfer.classifiers``; a new
classifier in this package is its module plus one ``CLASSIFIERS.register`` line below.

Example:
    >>> CLASSIFIERS.names()[:3]  # plugins, if any are installed, come after the built-ins
    ('cnn', 'bilstm', 'nbow')
    >>> "NBoW" in CLASSIFIERS  # names are case-insensitive
    True
    >>> CLASSIFIERS.get("bilstn")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.UnknownNameError: unknown classifier 'bilstn'; did you mean 'bilstm'? ...
    >>> EMBEDDING_MODES
    ('frozen', 'finetune', 'multichannel', 'random')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nlptransfer._util.registry import Registry

#: What a classifier name resolves to: ``builder(embedding, num_classes, **options)`` returning
#: a :class:`~nlptransfer.nn.classifiers.TextClassifier` (a subclass of it, or a function).
ClassifierBuilder = Callable[..., Any]

#: The classifiers :func:`~nlptransfer.nn.classifiers.build_classifier` builds, by name.
CLASSIFIERS: Registry[ClassifierBuilder] = Registry("classifier", "nlptransfer.classifiers")
CLASSIFIERS.register("cnn", "nlptransfer.nn.classifiers:KimCNN")
CLASSIFIERS.register("bilstm", "nlptransfer.nn.classifiers:BiLSTMClassifier")
CLASSIFIERS.register("nbow", "nlptransfer.nn.classifiers:NBoWClassifier")

#: How an embedding layer treats its pretrained rows (see :class:`~nlptransfer.nn.PretrainedEmbedding`).
EMBEDDING_MODES = ("frozen", "finetune", "multichannel", "random")
