"""Training: batching, the Trainer loop, metrics (PyTorch: the ``torch`` extra).

Without PyTorch, importing this package raises :class:`~nlptransfer.errors.MissingExtraError`
naming ``pip install 'nlptransfer[torch]'``.
"""

from nlptransfer._util.extras import require

require("torch", extra="torch", purpose="the trainer and model folders (nlptransfer.train)")

from nlptransfer.train.metrics import classification_metrics
from nlptransfer.train.trainer import TrainConfig, Trainer

__all__ = ["TrainConfig", "Trainer", "classification_metrics"]
