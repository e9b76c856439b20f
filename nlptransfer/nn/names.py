"""The names the ``nn`` package answers to, importable without PyTorch.

The command line lists them in its help and checks them before it loads anything heavy; the
modules that implement them (:mod:`nlptransfer.nn.embedding`, :mod:`nlptransfer.nn.classifiers`)
use these same tuples, so the two cannot drift apart.

Example:
    >>> CLASSIFIER_NAMES
    ('cnn', 'bilstm', 'nbow')
    >>> EMBEDDING_MODES
    ('frozen', 'finetune', 'multichannel', 'random')
"""

from __future__ import annotations

#: How an embedding layer treats its pretrained rows (see :class:`~nlptransfer.nn.PretrainedEmbedding`).
EMBEDDING_MODES = ("frozen", "finetune", "multichannel", "random")
#: The classifiers :func:`~nlptransfer.nn.classifiers.build_classifier` builds, by name.
CLASSIFIER_NAMES = ("cnn", "bilstm", "nbow")
