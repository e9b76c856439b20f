"""PyTorch modules: the pretrained embedding layer and the text classifiers.

Importing the package does not import PyTorch; its names load on first use, so tools that only
need :mod:`nlptransfer.nn.names` (the command line's help, say) start quickly, and work in the
core install. Without PyTorch, using a name that needs it raises
:class:`~nlptransfer.errors.MissingExtraError` naming ``pip install 'nlptransfer[torch]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlptransfer._util.lazy import lazy_attributes
from nlptransfer.nn.names import CLASSIFIER_NAMES, EMBEDDING_MODES

if TYPE_CHECKING:
    from nlptransfer.nn.embedding import PretrainedEmbedding, embedding_param_groups

__all__ = ["CLASSIFIER_NAMES", "EMBEDDING_MODES", "PretrainedEmbedding", "embedding_param_groups"]

_LAZY = {
    "PretrainedEmbedding": "nlptransfer.nn.embedding",
    "embedding_param_groups": "nlptransfer.nn.embedding",
}
__getattr__ = lazy_attributes(__name__, _LAZY)
