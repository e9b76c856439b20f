"""Training: batching, the Trainer loop, metrics."""

from nlptransfer.train.metrics import classification_metrics
from nlptransfer.train.trainer import TrainConfig, Trainer

__all__ = ["TrainConfig", "Trainer", "classification_metrics"]
