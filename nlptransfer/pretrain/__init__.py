"""Word2vec / fastText training on your own corpus (gensim, the ``pretrain`` extra), alone or
starting from pretrained vectors (domain adaptation).

Without gensim, importing this package raises :class:`~nlptransfer.errors.MissingExtraError`
naming ``pip install 'nlptransfer[pretrain]'``.
"""

from nlptransfer._util.extras import require

require(
    "gensim", extra="pretrain", purpose="the word2vec and fastText trainers (nlptransfer.pretrain)"
)

from nlptransfer.pretrain.training import pretrain_vectors

__all__ = ["pretrain_vectors"]
