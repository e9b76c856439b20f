"""PyTorch modules: the pretrained embedding layer (and, later, classifiers)."""

from nlptransfer.nn.embedding import EMBEDDING_MODES, PretrainedEmbedding, embedding_param_groups

__all__ = ["EMBEDDING_MODES", "PretrainedEmbedding", "embedding_param_groups"]
