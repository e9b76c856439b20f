"""nlptransfer: pretrained Word2Vec, GloVe and fastText vectors for PyTorch text classifiers.

The vectors API imports no torch and needs no extra (``pip install nlptransfer``); the PyTorch
parts (embedding layer, classifiers, training) load on first use and need the ``torch`` extra:
without it, using one raises :class:`~nlptransfer.errors.MissingExtraError` naming
``pip install 'nlptransfer[torch]'``. ``glove-6b-50d`` works offline with the ``glove`` extra.

Example:
    >>> import nlptransfer
    >>> glove = nlptransfer.load_vectors("glove-6b-50d")
    >>> glove.dim
    50
"""

from nlptransfer import intrinsic
from nlptransfer._util.errors import (
    NLPTransferError,
    UnknownWordError,
    VectorsFormatError,
    VectorsNotFoundError,
)
from nlptransfer._util.lazy import lazy_attributes
from nlptransfer._util.version import __version__
from nlptransfer.text.tokenize import get_tokenizer
from nlptransfer.text.vocab import Vocab
from nlptransfer.vectors import Vectors, load_vectors, read_vectors
from nlptransfer.vectors.coverage import CoverageReport
from nlptransfer.vectors.oov import build_matrix

#: Public names that need torch (or the datasets library): imported when first used.
_LAZY = {
    "PretrainedEmbedding": "nlptransfer.nn.embedding",
    "build_classifier": "nlptransfer.nn.classifiers",
    "TextClassifier": "nlptransfer.nn.classifiers",
    "TrainConfig": "nlptransfer.train.trainer",
    "Trainer": "nlptransfer.train.trainer",
    "train_classifier": "nlptransfer.train.classify",
    "load_classifier": "nlptransfer.deploy.backends",
    "TextClassifierPipeline": "nlptransfer.train.model_folder",
    "Prediction": "nlptransfer.train.prediction",
    "load_dataset": "nlptransfer.data",
    "list_datasets": "nlptransfer.data",
    "pretrain_vectors": "nlptransfer.pretrain",
    "push_to_hub": "nlptransfer.train.hub",
    "compare": "nlptransfer.bench.compare_systems",
}

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "CoverageReport",
    "NLPTransferError",
    "UnknownWordError",
    "Vectors",
    "VectorsFormatError",
    "VectorsNotFoundError",
    "Vocab",
    "__version__",
    "build_matrix",
    "get_tokenizer",
    "intrinsic",
    "load_vectors",
    "read_vectors",
    *_LAZY,
]
