"""Training: batching, the Trainer loop, metrics, model folders and the pipeline that predicts
(PyTorch: the ``torch`` extra). Without PyTorch, importing this package raises
:class:`~nlptransfer.errors.MissingExtraError` naming ``pip install 'nlptransfer[torch]'``.

Example:
    >>> import nlptransfer, nlptransfer.train
    >>> nlptransfer.TextClassifierPipeline is nlptransfer.train.TextClassifierPipeline
    True
"""

from nlptransfer._util.extras import require

require("torch", extra="torch", purpose="the trainer and model folders (nlptransfer.train)")

from nlptransfer.train.classify import TrainedRun, train_classifier
from nlptransfer.train.metrics import classification_metrics
from nlptransfer.train.model_folder import Prediction, TextClassifierPipeline, load_classifier
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
