"""Word2vec / fastText training on your own corpus (gensim, the ``pretrain`` extra), alone or
starting from pretrained vectors (domain adaptation)."""

from nlptransfer.pretrain.training import pretrain_vectors

__all__ = ["pretrain_vectors"]
