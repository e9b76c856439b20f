"""PyTorch modules: the pretrained embedding layer and the text classifiers.

Importing the package does not import PyTorch; its names load on first use, so tools that only
need the names (:data:`CLASSIFIERS`, :data:`EMBEDDING_MODES`: the command line's help, say)
start quickly and work in the core install. Without PyTorch, using a name that needs it raises
:class:`~nlptransfer.errors.MissingExtraError` naming ``pip install 'nlptransfer[torch]'``.

Example:
    >>> from nlptransfer.nn import CLASSIFIERS
    >>> "cnn" in CLASSIFIERS
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlptransfer._util.lazy import lazy_attributes
from nlptransfer.nn.names import CLASSIFIERS, EMBEDDING_MODES

if TYPE_CHECKING:
    from nlptransfer.nn.classifiers import TextClassifier, build_classifier
    from nlptransfer.nn.embedding import PretrainedEmbedding, embedding_param_groups

__all__ = [
    "CLASSIFIERS",
    "EMBEDDING_MODES",
    "PretrainedEmbedding",
    "TextClassifier",
    "build_classifier",
    "embedding_param_groups",
]

_LAZY = {
    "PretrainedEmbedding": "nlptransfer.nn.embedding",
    "embedding_param_groups": "nlptransfer.nn.embedding",
    "TextClassifier": "nlptransfer.nn.classifiers",
    "build_classifier": "nlptransfer.nn.classifiers",
}
__getattr__ = lazy_attributes(__name__, _LAZY)
