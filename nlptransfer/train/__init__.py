"""Training: batching, the Trainer loop, metrics, model folders and the pipeline that predicts.

Importing the package does not import PyTorch, so the modules that read a model folder without
it (:mod:`~nlptransfer.train.folder_files`, :mod:`~nlptransfer.train.prediction`, used by the
ONNX predictor) work in an install without the ``torch`` extra. The names below load on first
use; without PyTorch, using one raises :class:`~nlptransfer.errors.MissingExtraError` naming
``pip install 'nlptransfer[torch]'``.

Example:
    >>> import nlptransfer, nlptransfer.train
    >>> nlptransfer.TextClassifierPipeline is nlptransfer.train.TextClassifierPipeline
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlptransfer._util.lazy import lazy_attributes
from nlptransfer.train.prediction import Prediction

if TYPE_CHECKING:
    from nlptransfer.train.classify import TrainedRun, train_classifier
    from nlptransfer.train.metrics import classification_metrics
    from nlptransfer.train.model_folder import TextClassifierPipeline, load_classifier
    from nlptransfer.train.trainer import TrainConfig, Trainer

__all__ = [
    "Prediction",
    "TextClassifierPipeline",
    "TrainConfig",
    "TrainedRun",
    "Trainer",
    "classification_metrics",
    "load_classifier",
    "train_classifier",
]

_LAZY = {
    "TrainedRun": "nlptransfer.train.classify",
    "train_classifier": "nlptransfer.train.classify",
    "classification_metrics": "nlptransfer.train.metrics",
    "TextClassifierPipeline": "nlptransfer.train.model_folder",
    "load_classifier": "nlptransfer.train.model_folder",
    "TrainConfig": "nlptransfer.train.trainer",
    "Trainer": "nlptransfer.train.trainer",
}
__getattr__ = lazy_attributes(__name__, _LAZY)
